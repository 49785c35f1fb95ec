"""The API's errors, as Open311 writes them: a list of {code, description}.

404 for an unknown resource (a service, a request, a path), 403 for a missing, wrong or
revoked api_key, 400 for anything else wrong with what was sent; besides those, the HTTP
statuses that say more: 405 (with Allow), 413, 415, 429 (with Retry-After) and 503 while
the database is away. A server error is answered in the same shape and logged. Paths under
the prefix that match no route are answered here too (see portal.web.errors).
"""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..web.inputguard import forget_lost_transaction
from . import bp
from .formats import render

RETRY_AFTER_SECONDS = 60


def error_response(fmt: str, status: int, descriptions: list[str], headers=None):
    """The Open311 error list: one {code, description} per description, all with status."""
    errors = [{"code": status, "description": text} for text in descriptions]
    return render(fmt, "errors", errors, status=status, headers=headers)


def requested_format() -> str:
    """The format the path asks for (the extension), JSON when it names none."""
    fmt = (request.view_args or {}).get("fmt")
    if fmt in ("json", "xml"):
        return fmt
    return "xml" if request.path.endswith(".xml") else "json"


def _description(error: HTTPException) -> str:
    code = error.code or 500
    if code == 404:
        return _("Not found: there is no such service, request or address in this API.")
    if code == 405:
        return _("This method is not allowed at this address.")
    if code == 413:
        return _("The request is too large.")
    if code == 415:
        return _("Send the parameters as application/x-www-form-urlencoded.")
    if code == 429:
        return _("Too many requests: wait a while and try again.")
    if code == 403:
        return _("Access denied.")
    return _("The request could not be read.")


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Every HTTP error on the API's paths, in the format the path asks for."""
    code = error.code or 500
    if code >= 500:
        return server_error(error)
    if code not in (403, 404, 405, 413, 415, 429):
        code = 400
    headers = {}
    if code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    if code == 429:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return error_response(requested_format(), code, [_description(error)], headers)


@bp.errorhandler(OperationalError)
@bp.errorhandler(InterfaceError)
@bp.errorhandler(PoolTimeoutError)
def database_unavailable(error: Exception):
    """The database is away: 503 with Retry-After, nothing saved."""
    forget_lost_transaction(error)
    return error_response(
        requested_format(),
        503,
        [_("The service is temporarily unavailable. Try again in a minute.")],
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


@bp.errorhandler(Exception)
def server_error(error: Exception):
    """What should never happen, answered in the API's shape and logged."""
    db.session.rollback()
    if not isinstance(error, HTTPException):
        current_app.logger.exception("Unhandled error on %s", request.path)
    return error_response(
        requested_format(), 500, [_("Something went wrong on our side. Try again later.")]
    )
