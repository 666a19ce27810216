"""Hostile input stops at the door: each kind of input the database cannot take is refused once,
here, with a 4xx that says why, instead of failing deep in a query with a 500.

- Ids. Every id column is a 32-bit integer on PostgreSQL (SQLite overflows from 2**63), so an id
  outside 1..MAX_ID names nothing. ``IdConverter`` is the app's ``int`` URL converter: such a
  URL is the 404 of a missing object. ``query_int`` reads ``?page=``, ``?draft=`` and the like:
  a 400 that names the argument. ``optional_id`` is the coerce of id choice fields: the field's
  usual "choose one from the list".
- Text. PostgreSQL cannot store a NUL byte (``\\x00``) and nobody types one. One before_request
  hook refuses it anywhere in the path, the query string or the form, with a 400. A hook rather
  than a WTForms filter because much input never passes a WTForms field: ticket numbers in
  paths, query arguments read by hand (``since``, ``next``, ``tab``), catalog answers read by
  ``services.catalog_forms``. The same hook refuses (414) a query value longer than any link we
  make, so a pasted novel never reaches a search.
- Bodies. Form endpoints read ``request.form``; a JSON body leaves it empty and the view would
  work on nothing. It gets a 415 with the reason, unless the view is marked ``@accepts_json``
  (the monitoring webhooks of a future ``hooks`` blueprint).

Every refusal is an HTTPException, so the app's error handlers answer it as a page, an htmx
fragment or JSON, like any other error.
"""
from flask import Flask, abort, current_app, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest PostgreSQL INTEGER, and well inside SQLite's range
MAX_QUERY_VALUE = 1000  # characters; our longest links (a queue's ``next``) are a few hundred
NUL = "\x00"
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route is a database id: a number outside 1..MAX_ID matches no route,
    so it is the same 404 as an id that does not exist."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def parse_id(text: str) -> int | None:
    """``text`` as an id-sized whole number, else None (checked by length before ``int()``,
    which refuses very long digit strings with an error of its own)."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def query_int(name: str, default: int | None = None) -> int | None:
    """The whole number in ``?name=`` (a page, an id): ``default`` when absent or empty, and a
    400 naming the argument when it is anything but a number from 1 to MAX_ID."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    number = parse_id(raw)
    if number is None:
        abort(400, description=f"?{name}= must be a whole number from 1 to {MAX_ID}.")
    return number


def optional_id(value) -> int | None:
    """Coerce for select fields whose values are database ids (or small numbers: a priority, a
    number of days): the blank choice is None, and a number no row can have is refused like a
    choice never offered (the field's ``invalid_value_message``), before anything looks it up."""
    if value in (None, "", "None"):
        return None
    number = parse_id(str(value))
    if number is None:
        raise ValueError("not an id")
    return number


def accepts_json(view):
    """Mark a view that reads a JSON body (a webhook) so that the form-only check lets it in.
    Put it right under the route decorator: the mark goes on the function the route registers."""
    view.accepts_json = True
    return view


def _refuse_json_on_forms() -> None:
    if request.method not in BODY_METHODS or not request.is_json or request.url_rule is None:
        return
    if not getattr(current_app.view_functions.get(request.endpoint), "accepts_json", False):
        abort(415, description="This address takes HTML form posts (application/x-www-form-urlencoded "
                               "or multipart/form-data), not JSON.")


def _refuse_nul_and_overlong_text() -> None:
    if NUL in request.path:
        abort(400, description="The address contains a NUL character (\\x00), which no page has.")
    for key, value in request.args.items(multi=True):
        if NUL in key or NUL in value:
            abort(400, description=f"The query argument {_shown(key)} contains a NUL character (\\x00).")
        if len(value) > MAX_QUERY_VALUE:
            abort(414, description=f"The query argument {_shown(key)} is too long "
                                   f"(over {MAX_QUERY_VALUE} characters).")
    if request.method in BODY_METHODS:
        _refuse_nul_in_form()


def _refuse_nul_in_form() -> None:
    pairs = list(request.form.items(multi=True))
    pairs += [(key, upload.filename or "") for key, upload in request.files.items(multi=True)]
    for key, value in pairs:
        if NUL in key or NUL in value:
            abort(400, description=f"The form field {_shown(key)} contains a NUL character (\\x00); "
                                   "remove it and send the form again.")


def _shown(name: str) -> str:
    """A field name safe to echo in a message: without the NUL, and short."""
    return repr(name.replace(NUL, "")[:40])


def init_http_input(app: Flask) -> None:
    """Ids in URLs as ``IdConverter`` (before any blueprint adds a route), then the body and
    text checks on every request."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_json_on_forms)
    app.before_request(_refuse_nul_and_overlong_text)


def wants_fragment() -> bool:
    """An htmx request for a piece of a page: not a boosted navigation nor a history restore,
    which both want the whole page."""
    return bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request


def wants_json() -> bool:
    """A caller that asked for JSON (a script, not a browser nor htmx): errors and refusals
    answer it with {"error": reason}."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and not request.htmx
