from flask import Blueprint

bp = Blueprint("agent", __name__)

from app.blueprints.agent import bulk_views, queue_views, ticket_views, views  # noqa: E402,F401
