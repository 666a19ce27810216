"""HTTP hardening shared by every response, and the one check on redirect targets."""
from urllib.parse import urlsplit

from flask import Flask, request, session

# No inline script, no eval, no inline style: htmx is loaded from our static files and
# configured by a <meta> tag (base.html) with allowEval off, its indicator styles in our CSS
# rather than injected, and no "style" in attributesToSettle (settling writes style attributes).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def is_safe_next(target: str | None) -> bool:
    """Only a local path: no scheme, no host, no protocol-relative ``//`` or ``/\\`` tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target and "\n" not in target


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def set_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.vary.add("HX-Request")
        _no_store_when_signed_in(response)
        return response


def _no_store_when_signed_in(response) -> None:
    """A signed-in page (fragments, downloads, JSON too) is never kept by the browser or a
    proxy: after sign-out, Back or a shared machine must not show it. Static files cache."""
    if request.endpoint != "static" and session.get("_user_id"):
        if "no-store" not in (response.headers.get("Cache-Control") or ""):
            response.headers["Cache-Control"] = "no-store"
