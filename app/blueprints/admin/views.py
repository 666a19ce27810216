"""Admin area (stub; being built)."""
from app.blueprints.admin import bp
from app.blueprints.common import role_required


@bp.get("/")
@role_required()
def index():
    return "admin"
