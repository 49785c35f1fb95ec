"""Logging in and out, a user's own password and e-mail settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from .. import accounts, notifications
from ..extensions import limiter
from ..models import NotificationPreference
from ..permissions import Permission, require_permission, sees_all_requests
from ..services import DomainError
from . import bp
from .forms import EmptyForm, LoginForm, NotificationForm, OwnPasswordForm


def _failed_login(response) -> bool:
    return response.status_code != 303


def _account_key() -> str:
    return "login-account:" + accounts.normalise_email(request.form.get("email", ""))


def _ip_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_IP"]


def _account_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"]


def start_page(user) -> str:
    """Instructors start on their board; the office on the queue."""
    return url_for("backoffice.board" if user.role == "instructor" else "backoffice.queue")


def safe_next(target: str | None, fallback: str) -> str:
    """Return target if it is a path on this site, else the fallback."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


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
            session.clear()
            login_user(user)
            session.permanent = True
            return redirect(safe_next(request.args.get("next"), start_page(user)), 303)
        flash(_("The e-mail address or password is not correct."), "error")
    return render_template("backoffice/login.html", form=form)


def locked_out_login():
    """Show the login page with a plain account of why nobody can log in right now."""
    form = LoginForm()
    form.password.data = ""
    flash(
        _(
            "Too many failed login attempts. For your safety logging in is blocked for "
            "15 minutes. If you forgot your password, ask the administrator to reset it."
        ),
        "error",
    )
    return render_template("backoffice/login.html", form=form), 429


@bp.post("/wyloguj")
@require_permission(Permission.OWN_ACCOUNT)
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash(_("You have been logged out."), "success")
    return redirect(url_for("backoffice.login"), 303)


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
                current_user, form.current_password.data, form.password.data
            )
        except DomainError as error:
            getattr(form, error.field).errors.append(_(str(error)))
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("backoffice.own_account"), 303)
    return render_template(
        "backoffice/own_account.html", form=form, notification_form=notification_form
    )
