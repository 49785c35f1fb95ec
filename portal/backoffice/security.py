"""The administrator's security settings: two-factor login for every account."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import queries
from ..domain.errors import DomainError
from ..services import twofactor
from ..web.formerrors import show_error
from ..web.permissions import Permission, require_permission
from . import bp
from .forms import SecuritySettingsForm


@bp.route("/bezpieczenstwo", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_SECURITY)
def security_settings():
    institution = queries.institution()
    if institution is None:
        abort(404)
    form = SecuritySettingsForm(require_two_factor=institution.require_two_factor)
    if form.validate_on_submit():
        try:
            logged_out = twofactor.set_required(form.require_two_factor.data, actor=current_user)
        except DomainError as refused:
            show_error(form, refused, default_field="require_two_factor")
        else:
            if form.require_two_factor.data:
                flash(
                    _(
                        "Two-factor login is now required. Accounts without it (%(count)s) "
                        "were logged out; they will set it up at their next login.",
                        count=logged_out,
                    ),
                    "success",
                )
            else:
                flash(_("Two-factor login is no longer required."), "success")
            return redirect(url_for("backoffice.security_settings"), 303)
    config = current_app.config
    return render_template(
        "backoffice/security/security.html",
        form=form,
        without_two_factor=twofactor.accounts_without_two_factor(),
        idle_minutes=config["SESSION_IDLE_MINUTES"],
        absolute_hours=config["SESSION_ABSOLUTE_HOURS"],
    )
