"""Friendly error pages in Polish that reveal nothing about the server."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..securitylog import log_event

FALLBACK = "Przepraszamy, wystąpił błąd po naszej stronie. Spróbuj ponownie za chwilę."

PAGES = {400, 403, 404, 405, 413, 415, 429, 500, 503}
# The Open311 API answers its errors itself, as its clients read them.
API_PREFIX = "/api/open311/"


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def _csrf_error(error: CSRFError):
    """Tell a form whose session cookie never came back apart from an expired one; log both."""
    cookie_missing = current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
    reason = "session_cookie_missing" if cookie_missing else "token_invalid"
    log_event("csrf_fail", outcome="failure", reason=reason, detail=error.description)
    if cookie_missing:
        return render_template("errors/csrf_no_cookie.html", secure=request.is_secure), 400
    return render_template("errors/csrf.html"), 400


def _http_error(error: HTTPException):
    code = error.code or 500
    if _is_api_path():
        # A path under the API that no route matched: answered in the API's own shape.
        from ..api.errors import http_error

        return http_error(error)
    if code == 429 and request.endpoint == "public.new_request":
        from ..public.views import rate_limited_form

        return rate_limited_form()
    if code == 429 and request.endpoint in ("public.answer", "public.give_feedback"):
        from ..public.views import rate_limited_status

        return rate_limited_status()
    if code == 429 and request.endpoint == "backoffice.login":
        from ..backoffice.auth import locked_out_login

        return locked_out_login()
    if code not in PAGES:
        return error
    return render_template(f"errors/{code}.html"), code


def _is_api_path() -> bool:
    return request.path.startswith(API_PREFIX)


def _unexpected_error(error: Exception):
    db.session.rollback()
    current_app.logger.exception("Unhandled error on %s", request.path)
    try:
        return render_template("errors/500.html"), 500
    except Exception:
        current_app.logger.exception("The error page itself failed")
        return FALLBACK, 500, {"Content-Type": "text/plain; charset=utf-8"}
