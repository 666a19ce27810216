from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.blueprints.admin import views  # noqa: E402,F401
from app.blueprints.admin import approval_views  # noqa: E402,F401
from app.blueprints.admin import catalog_views  # noqa: E402,F401
from app.blueprints.admin import rule_views  # noqa: E402,F401
from app.blueprints.admin import job_views  # noqa: E402,F401
