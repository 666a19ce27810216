from flask import Blueprint

bp = Blueprint("agent", __name__)

from app.blueprints.agent import views  # noqa: E402,F401
