"""The back office for the club's staff and instructors, behind one gate."""

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..i18n import N_
from ..securitylog import log_event
from ..web import sessions
from ..web.permissions import deny, has_permission

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")

# Views anyone may reach: the login page itself.
PUBLIC_ENDPOINTS = {"backoffice.login"}
# The second step of a login: only for someone whose password was right minutes ago.
PENDING_LOGIN_ENDPOINTS = {"backoffice.two_factor_login", "backoffice.two_factor_enrol"}

# Why the user has to log in again, said on the login page.
ENDED_MESSAGES = {
    "idle": N_(
        "Your session has expired: for your safety you are logged out after %(minutes)s "
        "minutes without activity. Log in again to continue."
    ),
    "absolute": N_(
        "Your session has expired: a session lasts at most %(hours)s hours. "
        "Log in again to continue."
    ),
    "revoked": N_(
        "You have been logged out, for example because the password was changed or an "
        "administrator ended the session. Log in again to continue."
    ),
    "pending_expired": N_("The time for entering the code ran out. Log in again."),
}


@bp.before_request
def gate():
    """Send anonymous users to the login page and refuse views that name no permission."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.endpoint in PENDING_LOGIN_ENDPOINTS:
        if current_user.is_authenticated:
            return redirect(url_for("backoffice.start"))
        g.pending_login = sessions.pending_login()
        if g.pending_login is None:
            _say_why_the_session_ended()
            return redirect(url_for("backoffice.login"))
        return None
    if not current_user.is_authenticated:
        _say_why_the_session_ended()
        return redirect(url_for("backoffice.login", next=request.full_path.rstrip("?")))
    view = current_app.view_functions.get(request.endpoint)
    permission = getattr(view, "required_permission", None)
    if permission is None or not has_permission(current_user, permission):
        deny(permission)
    return None


def _say_why_the_session_ended() -> None:
    reason = g.get("session_ended")
    if reason is None:
        return
    message = ENDED_MESSAGES.get(reason, ENDED_MESSAGES["revoked"])
    config = current_app.config
    flash(
        _(message, minutes=config["SESSION_IDLE_MINUTES"], hours=config["SESSION_ABSOLUTE_HOURS"]),
        "info",
    )


@bp.errorhandler(403)
def forbidden(error):
    """Every refusal in the back office, from the gate, a decorator or an object check."""
    log_event(
        "authz_fail",
        outcome="failure",
        user_id=getattr(current_user, "id", None),
        resource=request.endpoint,
        method=request.method,
        permission=g.get("denied_permission"),
    )
    return render_template("errors/403.html"), 403


@bp.context_processor
def _session_timer():
    return {"session_timer": sessions.timer, "describe_user_agent": sessions.describe_user_agent}


@bp.after_request
def private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


from . import (  # noqa: E402,F401
    accounts,
    apikeys,
    auth,
    custody,
    indicators,
    intake,
    joblist,
    jobs,
    lists,
    outbox,
    privacy,
    programme,
    replies,
    reports,
    requests,
    security,
    triage,
)
