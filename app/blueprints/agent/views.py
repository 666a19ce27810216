"""Agent workspace (stub; being built)."""
from app.blueprints.agent import bp
from app.blueprints.common import role_required
from app.models import Role


@bp.get("/")
@role_required(Role.AGENT)
def queue():
    return "queue"
