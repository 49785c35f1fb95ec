"""Logging in (password, then the code when the account has two-factor login) and out;
a user's own password, two-factor login, sessions and e-mail settings."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from .. import queries
from ..domain.errors import DomainError
from ..extensions import limiter
from ..models import NotificationPreference
from ..securitylog import log_event
from ..services import accounts, notifications, twofactor
from ..services import sessions as session_records
from ..web import sessions
from ..web.formerrors import show_error
from ..web.permissions import Permission, require_permission, sees_all_requests
from . import bp
from .forms import (
    CurrentPasswordForm,
    EmptyForm,
    EnrolmentCodeForm,
    LoginCodeForm,
    LoginForm,
    NotificationForm,
    OwnPasswordForm,
    TwoFactorConfirmForm,
)


def _failed_login(response) -> bool:
    return response.status_code != 303


def _account_key() -> str:
    """The failed-login counter of an account, named by a keyed hash of its address.

    Flask-Limiter logs the key of a breached limit and keeps it in its storage; neither
    may hold the e-mail address itself.
    """
    email = accounts.normalise_email(request.form.get("email", ""))
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else key.encode()
    return "login-account:" + hmac.new(key, email.encode(), hashlib.sha256).hexdigest()[:32]


def _pending_account_key() -> str:
    """Codes are counted per account, like passwords, from the pending login."""
    pending = g.get("pending_login")
    return f"login-code:{pending[0].id if pending else ''}"


def _ip_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_IP"]


def _account_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"]


def start_page(user) -> str:
    """Instructors start on their board; the office on the queue."""
    return url_for("backoffice.board" if user.role == "instructor" else "backoffice.queue")


def safe_next(target: str | None, fallback: str | None) -> str | None:
    """Return target if it is a path on this site, else the fallback."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


# --- Logging in ------------------------------------------------------------------------------


@bp.route("/logowanie", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"], deduct_when=_failed_login)
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key, deduct_when=_failed_login)
def login():
    if current_user.is_authenticated:
        return redirect(start_page(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            next_url = safe_next(request.args.get("next"), None)
            if twofactor.has_two_factor(user):
                sessions.begin_pending_login(user, next_url=next_url, purpose="verify")
                return redirect(url_for("backoffice.two_factor_login"), 303)
            if twofactor.required():
                twofactor.begin_enrolment(user)
                sessions.begin_pending_login(user, next_url=next_url, purpose="enrol")
                return redirect(url_for("backoffice.two_factor_enrol"), 303)
            sessions.log_in(user)
            return redirect(next_url or start_page(user), 303)
        flash(_("The e-mail address or password is not correct."), "error")
    return render_template("backoffice/auth/login.html", form=form)


@bp.route("/logowanie/kod", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"], deduct_when=_failed_login)
@limiter.limit(
    _account_limit, methods=["POST"], key_func=_pending_account_key, deduct_when=_failed_login
)
def two_factor_login():
    """The second step: a code from the app or a recovery code. The gate checked the first."""
    user, pending = g.pending_login
    if pending.get("purpose") != "verify":
        return redirect(url_for("backoffice.login"))
    form = LoginCodeForm()
    if form.validate_on_submit():
        method = twofactor.verify_login(user, form.code.data)
        if method is not None:
            next_url = pending.get("next")
            sessions.log_in(user, factors=2, method=method)
            if method == "recovery_code":
                flash(
                    _(
                        "You logged in with a recovery code; it cannot be used again. "
                        "Recovery codes left: %(count)s.",
                        count=twofactor.recovery_codes_left(user),
                    ),
                    "info",
                )
            return redirect(next_url or start_page(user), 303)
        form.code.errors.append(
            _(
                "The code is not correct. Enter the 6 digits the app shows now, "
                "or one of your recovery codes."
            )
        )
    return render_template("backoffice/auth/login_code.html", form=form)


@bp.route("/logowanie/dwuetapowe", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"], deduct_when=_failed_login)
@limiter.limit(
    _account_limit, methods=["POST"], key_func=_pending_account_key, deduct_when=_failed_login
)
def two_factor_enrol():
    """Two-factor login is required and this account has none yet: set it up, then enter."""
    user, pending = g.pending_login
    if pending.get("purpose") != "enrol" or twofactor.has_two_factor(user):
        sessions.clear_pending_login()
        return redirect(url_for("backoffice.login"))
    form = EnrolmentCodeForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.confirm_enrolment(user, form.code.data, password=None, keep=None)
        except DomainError as refused:
            show_error(form, refused, default_field="code")
        else:
            next_url = pending.get("next") or start_page(user)
            sessions.log_in(user, factors=2, method="enrolment")
            return _recovery_codes_page(codes, next_url)
    return _setup_page(user, form)


def _too_many_codes():
    """The code page, with a plain account of why no code is accepted right now."""
    pending = g.get("pending_login")
    log_event(
        "authn_login_lock",
        outcome="failure",
        user_id=pending[0].id if pending else None,
        stage="code",
    )
    flash(
        _(
            "Too many wrong codes. For your safety logging in to this account is blocked for "
            "15 minutes. If you lost your phone, use a recovery code later, or ask the "
            "administrator to turn off two-factor login for you."
        ),
        "error",
    )
    if request.endpoint == "backoffice.two_factor_enrol" and pending:
        return _setup_page(pending[0], EnrolmentCodeForm(formdata=None), status=429)
    return render_template(
        "backoffice/auth/login_code.html", form=LoginCodeForm(formdata=None)
    ), 429


def locked_out_login():
    """Show the login page with a plain account of why nobody can log in right now."""
    known = accounts.account_id(request.form.get("email", ""))
    log_event("authn_login_lock", outcome="failure", user_id=known, stage="password")
    form = LoginForm()
    form.password.data = ""
    flash(
        _(
            "Too many failed login attempts. For your safety logging in is blocked for "
            "15 minutes. If you forgot your password, ask the administrator to reset it."
        ),
        "error",
    )
    return render_template("backoffice/auth/login.html", form=form), 429


@bp.errorhandler(429)
def too_many_attempts(error):
    if request.endpoint == "backoffice.login":
        return locked_out_login()
    if request.endpoint in ("backoffice.two_factor_login", "backoffice.two_factor_enrol"):
        return _too_many_codes()
    return render_template("errors/429.html"), 429


# --- Logging out and staying in --------------------------------------------------------------


@bp.post("/wyloguj")
@require_permission(Permission.OWN_ACCOUNT)
def logout():
    form = EmptyForm()
    response = redirect(url_for("backoffice.login"), 303)
    if form.validate_on_submit():
        sessions.log_out()
        flash(_("You have been logged out."), "success")
        # Nothing of the back office stays in this browser (ASVS 14.3.1).
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.post("/sesja/przedluz")
@require_permission(Permission.OWN_ACCOUNT)
def extend_session():
    """The 'extend session' button of the idle warning: count the user as active now."""
    sessions.extend()
    timer = sessions.timer()
    return jsonify(idle=timer.idle if timer else 0, absolute=timer.absolute if timer else 0)


# --- One's own account -----------------------------------------------------------------------


def _own_account_page(**forms):
    forms.setdefault("form", OwnPasswordForm(formdata=None))
    forms.setdefault("disable_form", CurrentPasswordForm(prefix="disable", formdata=None))
    forms.setdefault("codes_form", CurrentPasswordForm(prefix="codes", formdata=None))
    if "notification_form" not in forms and sees_all_requests(current_user):
        forms["notification_form"] = NotificationForm(
            prefix="notify", formdata=None, notification=current_user.notification.value
        )
    forms.setdefault("notification_form", None)
    return render_template(
        "backoffice/auth/own_account.html",
        two_factor_on=twofactor.has_two_factor(current_user),
        two_factor_required=twofactor.required(),
        recovery_codes_left=twofactor.recovery_codes_left(current_user),
        live_sessions=session_records.live_sessions(current_user.id),
        this_session=sessions.current_record(),
        **forms,
    )


@bp.route("/konto", methods=["GET", "POST"])
@require_permission(Permission.OWN_ACCOUNT)
def own_account():
    form = OwnPasswordForm()
    # Only the office hears of new requests; instructors have no such setting.
    notification_form = None
    if sees_all_requests(current_user):
        notification_form = NotificationForm(
            prefix="notify", notification=current_user.notification.value
        )
    if notification_form is not None and request.form.get("form") == "notification":
        if notification_form.validate_on_submit():
            choice = NotificationPreference(notification_form.notification.data)
            notifications.set_preference(current_user, choice)
            flash(_("Your e-mail settings have been saved."), "success")
            return redirect(url_for("backoffice.own_account"), 303)
    elif form.validate_on_submit():
        try:
            accounts.change_own_password(
                current_user,
                form.current_password.data,
                form.password.data,
                keep=sessions.current_record(),
            )
        except DomainError as refused:
            show_error(form, refused)
        else:
            flash(
                _("Your password has been changed. You are logged out everywhere else."),
                "success",
            )
            return redirect(url_for("backoffice.own_account"), 303)
    return _own_account_page(form=form, notification_form=notification_form)


@bp.post("/konto/sesje/zakoncz-inne")
@require_permission(Permission.OWN_ACCOUNT)
def end_other_sessions():
    if EmptyForm().validate_on_submit():
        count = session_records.end_other_sessions(current_user, keep=sessions.current_record())
        flash(_("Sessions ended elsewhere: %(count)s.", count=count), "success")
    return redirect(url_for("backoffice.own_account", _anchor="sessions"), 303)


@bp.post("/konto/dwuetapowe/wlacz")
@require_permission(Permission.OWN_ACCOUNT)
def two_factor_start():
    """Make a new secret for the app to scan; it counts only once a code confirms it."""
    if EmptyForm().validate_on_submit() and not twofactor.has_two_factor(current_user):
        twofactor.begin_enrolment(current_user)
        return redirect(url_for("backoffice.two_factor_setup"), 303)
    return redirect(url_for("backoffice.own_account"), 303)


@bp.route("/konto/dwuetapowe", methods=["GET", "POST"])
@require_permission(Permission.OWN_ACCOUNT)
def two_factor_setup():
    if twofactor.has_two_factor(current_user) or not current_user.totp_secret:
        return redirect(url_for("backoffice.own_account", _anchor="two-factor"))
    form = TwoFactorConfirmForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.confirm_enrolment(
                current_user,
                form.code.data,
                password=form.current_password.data,
                keep=sessions.current_record(),
            )
        except DomainError as refused:
            show_error(form, refused)
        else:
            return _recovery_codes_page(codes, url_for("backoffice.own_account"))
    return _setup_page(current_user, form)


@bp.post("/konto/dwuetapowe/wylacz")
@require_permission(Permission.OWN_ACCOUNT)
def two_factor_disable():
    form = CurrentPasswordForm(prefix="disable")
    if form.validate_on_submit():
        try:
            twofactor.disable(
                current_user, form.current_password.data, keep=sessions.current_record()
            )
        except DomainError as refused:
            show_error(form, refused, default_field="current_password")
        else:
            flash(_("Two-factor login is off."), "success")
            return redirect(url_for("backoffice.own_account", _anchor="two-factor"), 303)
    return _own_account_page(disable_form=form)


@bp.post("/konto/dwuetapowe/kody")
@require_permission(Permission.OWN_ACCOUNT)
def new_recovery_codes():
    form = CurrentPasswordForm(prefix="codes")
    if form.validate_on_submit():
        try:
            codes = twofactor.new_recovery_codes(current_user, form.current_password.data)
        except DomainError as refused:
            show_error(form, refused, default_field="current_password")
        else:
            return _recovery_codes_page(codes, url_for("backoffice.own_account"))
    return _own_account_page(codes_form=form)


def _setup_page(user, form, status: int = 200):
    institution = queries.institution()
    issuer = institution.short_name if institution else "KIS"
    uri = twofactor.provisioning_uri(user, issuer)
    return render_template(
        "backoffice/auth/two_factor_setup.html",
        form=form,
        secret=twofactor.grouped(user.totp_secret),
        qr_code=twofactor.qr_code(uri),
    ), status


def _recovery_codes_page(codes: list[str], next_url: str):
    return render_template("backoffice/auth/two_factor_codes.html", codes=codes, next_url=next_url)
