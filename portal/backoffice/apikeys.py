"""The administrator's page of partner institutions' API keys: list, issue, revoke.

A new key is shown once, on the page that answers the form, and never again: the portal
keeps only its hash. Revoking asks for confirmation on a page of its own and takes effect
at once. See docs/open311.md for what a partner does with a key.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from ..domain.actor import Actor
from ..domain.errors import DomainError
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import ApiKey
from ..queries import open311 as reads
from ..securitylog import log_event
from ..services import apikeys
from ..web.formerrors import show_error
from ..web.forms import BaseForm
from ..web.permissions import Permission, require_permission
from . import bp
from .forms import EmptyForm


class ApiKeyForm(BaseForm):
    institution_name = StringField(
        _l("Partner institution"),
        validators=[
            InputRequired(_l("Give the name of the institution.")),
            Length(max=200, message=_l("Write up to 200 characters.")),
        ],
    )
    note = StringField(
        _l("Note (optional)"),
        validators=[Length(max=300, message=_l("Write up to 300 characters."))],
    )


@bp.route("/klucze-api", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_API_KEYS)
def api_keys():
    form = ApiKeyForm()
    if form.validate_on_submit():
        try:
            issued = apikeys.issue_key(
                form.institution_name.data, form.note.data or "", Actor.of(current_user)
            )
        except DomainError as refused:
            show_error(form, refused)
        else:
            log_event("authn_token_created", user_id=current_user.id, key=issued.key.prefix)
            # Shown on this answer only: the next page, and every page after, has the hash.
            return render_template(
                "backoffice/apikeys/issued.html", key=issued.key, secret=issued.secret
            )
    return render_template("backoffice/apikeys/keys.html", form=form, keys=reads.api_keys())


@bp.route("/klucze-api/<int:key_id>/uniewaznij", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_API_KEYS)
def revoke_api_key(key_id: int):
    key = db.session.get(ApiKey, key_id)
    if key is None:
        abort(404)
    form = EmptyForm()
    if key.revoked_at is None and form.validate_on_submit():
        apikeys.revoke_key(key, Actor.of(current_user))
        log_event("authn_token_revoked", user_id=current_user.id, key=key.prefix)
        flash(
            _(
                "The key of %(institution)s has been revoked: requests sent with it are refused.",
                institution=key.institution_name,
            ),
            "success",
        )
        return redirect(url_for("backoffice.api_keys"), 303)
    return render_template("backoffice/apikeys/revoke.html", key=key, form=form)
