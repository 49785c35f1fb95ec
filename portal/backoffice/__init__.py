"""The back office for the club's staff and instructors, behind one gate."""

from flask import Blueprint, current_app, redirect, request, url_for
from flask_login import current_user

from ..permissions import has_permission

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")

# Views anyone may reach: the login page itself.
PUBLIC_ENDPOINTS = {"backoffice.login"}


@bp.before_request
def gate():
    """Send anonymous users to the login page and refuse views that name no permission."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("backoffice.login", next=request.full_path.rstrip("?")))
    view = current_app.view_functions.get(request.endpoint)
    permission = getattr(view, "required_permission", None)
    if permission is None or not has_permission(current_user, permission):
        from flask import abort

        abort(403)
    return None


@bp.after_request
def private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


from . import accounts, auth, intake, jobs, outbox, programme, reports, requests, triage  # noqa: E402,F401
