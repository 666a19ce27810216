from flask import Blueprint

bp = Blueprint("approvals", __name__)

from app.blueprints.approvals import views  # noqa: E402,F401
