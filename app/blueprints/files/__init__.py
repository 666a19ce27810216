from flask import Blueprint

bp = Blueprint("files", __name__)

from app.blueprints.files import views  # noqa: E402,F401
