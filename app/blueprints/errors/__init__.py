"""Error pages: every 4xx explains itself; JSON callers get {"error": reason}."""
from flask import jsonify, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from app.http_input import wants_fragment, wants_json
from app.extensions import db
from app.services.errors import DomainError

_MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "There is nothing here, or you do not have access to it.",
    405: "That action is not available here.",
    409: "That conflicts with the current state.",
    413: "The upload is too large. Attach smaller files (10 MB each at most).",
    429: "Too many attempts. Wait a minute and try again.",
}


def _answer(status: int, message: str):
    if wants_json():
        return jsonify(error=message), status
    # A boosted navigation (a link or form of the page) replaces the whole body: it needs the
    # whole page, top bar included, or the person is left with a card and no way around.
    fragment = wants_fragment()
    template = "errors/_error.html" if fragment else "errors/error.html"
    response = render_template(template, status=status, message=message)
    return response, status


def _reason(exc: HTTPException) -> str:
    """The reason given where the error was raised (``abort(400, description="why")``), else
    our plain words for the status."""
    return vars(exc).get("description") or _MESSAGES.get(exc.code, exc.description)


def init_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _answer(400, "Your form expired or was sent from elsewhere (missing security "
                            "token). Reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        return _answer(exc.code, _reason(exc))

    @app.errorhandler(IntegrityError)
    def integrity_error(exc: IntegrityError):
        """A uniqueness race the form checks could not see (two admins saving the same name at
        once): the database refused it; say so instead of failing."""
        db.session.rollback()
        return _answer(409, "Someone saved a conflicting change at the same moment (for example "
                            "the same name). Reload the page and try again.")

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return _answer(exc.status_code, exc.message)
