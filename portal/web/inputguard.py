"""What reaches the views, and what a visitor sees while the database is away.

Hostile or mistyped input is answered here with 404, 415 or a message at the field,
never with a server error:

- ids in URLs are bounded to the range of an integer column, so an id of 2^63 is "not
  found" before any query or permission check;
- text segments of URLs (private-link tokens, target statuses) are short and URL-safe,
  so a NUL byte or a megabyte never reaches the database;
- forms take only form-encoded or multipart bodies: Flask-WTF would otherwise hand a
  JSON body (`[1, 2]`, numbers instead of text) to every form;
- filters and fields use `bounded_date` and `bounded_int`, so far dates and twenty-digit
  numbers get a message instead of an overflow in date arithmetic or in the database.

When the database cannot be reached, every page answers 503 with Retry-After from a
template that needs no database, with the club's phone number: remembered from the last
page that loaded the institution, or PORTAL_CONTACT_PHONE before any page did.
"""

from __future__ import annotations

import re
from datetime import date

from flask import Flask, current_app, g, request
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import NotFound, UnsupportedMediaType
from werkzeug.routing import IntegerConverter
from wtforms.validators import ValidationError

from ..extensions import db

# The range of an INTEGER column on PostgreSQL; SQLite ids never grow past it either.
MAX_ID = 2**31 - 1
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
SAFE_SEGMENT = re.compile(r"[A-Za-z0-9_-]{1,64}")
RETRY_AFTER_SECONDS = 60
# Where the institution's phone is kept once a page has loaded it.
_PHONE_KEY = "portal.contact_phone"


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: a positive id that fits an integer column, else 404."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register(app: Flask) -> None:
    """Install the converter and the checks; call before the blueprints are registered."""
    app.url_map.converters["int"] = DatabaseIdConverter
    # Ahead of CSRFProtect, so a JSON body is refused for what it is.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_non_form_body)
    app.before_request(refuse_odd_path_segments)
    app.after_request(remember_contact_phone)
    for error in (OperationalError, InterfaceError, PoolTimeoutError):
        app.register_error_handler(error, database_unavailable)
    # Registered after Flask-SQLAlchemy's, so it runs before it: teardowns run in reverse.
    app.teardown_appcontext(close_session_quietly)


def refuse_non_form_body():
    """before_request: a body the forms cannot read gets 415 (a page in Polish)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if request.mimetype in FORM_TYPES:
        return None
    has_body = bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", ""
    )
    if not has_body and not request.mimetype:
        return None
    # Raised, not rendered: the error handlers answer in the shape of the part of the site
    # (a page in Polish, or the API's error list).
    raise UnsupportedMediaType()


def refuse_odd_path_segments():
    """before_request: a text segment of a URL that no link of ours could hold is not found."""
    if request.endpoint == "static" or not request.view_args:
        return None
    for value in request.view_args.values():
        if isinstance(value, str) and not SAFE_SEGMENT.fullmatch(value):
            raise NotFound()
    return None


def query_id(name: str) -> int | None:
    """Read an id from the query string; anything but a plausible id is None."""
    value = request.args.get(name, "")
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def query_date(name: str) -> date | None:
    """Read a date (2026-12-03) from the query string; anything else, or a date no one
    would mean, is None."""
    value = request.args.get(name, "")
    if not value.isascii() or len(value) != 10:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def bounded_date(first: date = FIRST_DAY, last: date = LAST_DAY):
    """A field validator: the date lies between first and last (typing mistakes do not)."""

    def check(form, field) -> None:
        if field.data is not None and not first <= field.data <= last:
            raise ValidationError(
                _(
                    "Enter a date from %(first)s to %(last)s.",
                    first=format_date(first, "long"),
                    last=format_date(last, "long"),
                )
            )

    return check


def bounded_int(low: int, high: int, message=None):
    """A field validator: the whole number lies between low and high."""

    def check(form, field) -> None:
        if field.data is not None and not low <= field.data <= high:
            raise ValidationError(
                message or _("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
            )

    return check


# --- The database is away --------------------------------------------------------------


def remember_contact_phone(response):
    """after_request: keep the phone of an institution this request loaded, for outages."""
    institution = g.get("institution")
    if institution is not None:
        # Only what is already loaded: reading an expired attribute would query again.
        phone = inspect(institution).dict.get("phone")
        if phone:
            current_app.extensions[_PHONE_KEY] = phone
    return response


def contact_phone() -> str:
    """The club's phone without asking the database: remembered, else from the config."""
    return current_app.extensions.get(_PHONE_KEY) or current_app.config.get("CONTACT_PHONE", "")


def forget_lost_transaction(error: Exception) -> None:
    """Log that the database is away and drop what the request had begun: nothing is saved."""
    current_app.logger.error("The database is unavailable on %s: %s", request.path, error)
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the session is discarded at teardown
        current_app.logger.debug("Rollback after a lost connection failed", exc_info=True)


def database_unavailable(error: Exception):
    """Answer 503 with a page that needs no database; say that nothing was saved."""
    forget_lost_transaction(error)
    response = _static_page("errors/database_unavailable.html", 503, phone=contact_phone())
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def close_session_quietly(error: BaseException | None) -> None:
    """teardown: end the session; a connection lost by now is dropped, not rolled back.

    Rolling back over a connection that died after the view answered would raise out of
    the teardown and turn the answer, maybe a saved request's confirmation, into a 500.
    """
    session = db.session()
    try:
        session.close()
    except DBAPIError:
        current_app.logger.warning("The database connection was lost at the end of a request")
        session.invalidate()


def _static_page(template: str, status: int, **context):
    """Render without context processors: they read the institution and the user."""
    body = current_app.jinja_env.get_template(template).render(**context)
    return current_app.response_class(body, status=status, mimetype="text/html")
