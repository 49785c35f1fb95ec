"""Residents' data in the back office: the audit page, a person's export and erasure.

The export and the erasure start from one request's page and reach every request of the
same person (see `portal.privacy`). The audit page is the administrator's answer to
"whose data did this account see or take, and when" and "who looked at this request".
"""

from __future__ import annotations

import re

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from .. import audit, queries
from ..audit import AuditAction, AuditFilters
from ..domain import lifecycle
from ..domain.actor import Actor
from ..domain.errors import DomainError, StaleEdit
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import User
from ..references import parse_reference
from ..services import privacy
from ..web.formerrors import show_error
from ..web.forms import BaseForm
from ..web.inputguard import bounded_date
from ..web.permissions import Permission, has_permission, require_permission
from . import bp
from .forms import EmptyForm, _optional_int
from .requests import visible_request

AUDIT_PAGE_SIZE = 50

ACTION_LABELS = {
    AuditAction.VIEW_REQUEST: _l("Opened the request page"),
    AuditAction.VIEW_PHOTO: _l("Opened a photo"),
    AuditAction.EXPORT_PERSON: _l("Exported the person's data"),
    AuditAction.ERASE_PERSON: _l("Erased the person's data"),
    AuditAction.EXPORT_REPORT: _l("Exported a report (totals only)"),
    AuditAction.EXPORT_JOB_LIST: _l("Exported the list of completed jobs (without personal data)"),
    AuditAction.RETENTION_RUN: _l("Retention run: old closed requests anonymised"),
    AuditAction.API_KEY_ISSUED: _l("Issued an API key to a partner institution"),
    AuditAction.API_KEY_REVOKED: _l("Revoked a partner institution's API key"),
    AuditAction.API_REQUEST_SENT: _l("A partner institution sent a request through the API"),
    AuditAction.API_REQUEST_REFUSED: _l("A partner institution's request was refused by the API"),
    AuditAction.API_KEY_REFUSED: _l("A revoked API key was used"),
}


@bp.context_processor
def _personal_data_actions() -> dict:
    """What the request page offers for the person's data, by the user's permissions."""
    if not current_user.is_authenticated:
        return {}
    return {
        "can_export_person": has_permission(current_user, Permission.EXPORT_PERSONAL_DATA),
        "can_erase_person": has_permission(current_user, Permission.ERASE_PERSONAL_DATA),
    }


# --- The audit page --------------------------------------------------------------------


class AuditFilterForm(BaseForm):
    """Filters in the query string: a GET form without CSRF."""

    class Meta:
        csrf = False

    actor = SelectField(_l("Account"), coerce=_optional_int, default=None)
    reference = StringField(
        _l("Request number"), validators=[Optional(), Length(max=30)], default=""
    )
    action = SelectField(_l("Action"), default="")
    date_from = DateField(_l("From"), validators=[Optional(), bounded_date()])
    date_to = DateField(_l("To"), validators=[Optional(), bounded_date()])
    page = IntegerField(default=1, validators=[Optional()])


@bp.get("/audyt")
@require_permission(Permission.VIEW_AUDIT)
def audit_log():
    form = AuditFilterForm(request.args)
    accounts = list(db.session.scalars(select(User).order_by(User.name, User.id)))
    form.actor.choices = [(None, _("any account"))] + [
        (user.id, f"{user.name} ({user.email})") for user in accounts
    ]
    form.action.choices = [("", _("any action"))] + [
        (action.value, label) for action, label in ACTION_LABELS.items()
    ]
    form.validate()
    filters = AuditFilters(
        actor_id=form.actor.data if not form.actor.errors else None,
        reference=_reference(form.reference.data or ""),
        action=form.action.data if not form.action.errors else "",
        date_from=form.date_from.data if not form.date_from.errors else None,
        date_to=form.date_to.data if not form.date_to.errors else None,
        page=form.page.data if not form.page.errors and form.page.data else 1,
    )
    found = audit.search(
        filters,
        page_size=AUDIT_PAGE_SIZE,
        timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
    )
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "backoffice/privacy/audit.html",
        form=form,
        found=found,
        args=args,
        audit_action_labels=ACTION_LABELS,
    )


def _reference(text: str) -> str:
    institution = queries.institution()
    prefix = institution.reference_prefix if institution else "ZG"
    return parse_reference(text, prefix) or text.strip()


# --- A person's data -------------------------------------------------------------------


@bp.post("/zgloszenia/<int:request_id>/dane-osoby/eksport")
@require_permission(Permission.EXPORT_PERSONAL_DATA)
def export_person(request_id: int):
    service_request = visible_request(request_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        exported = privacy.export_person(
            service_request,
            Actor.of(current_user),
            upload_folder=current_app.config["UPLOAD_FOLDER"],
        )
    except DomainError as refused:
        show_error(None, refused)
        return redirect(url_for("backoffice.request_page", request_id=request_id), 303)
    response = Response(exported.to_json(), content_type="application/json; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_file_name(service_request.reference)}"'
    )
    return response


def _file_name(reference: str) -> str:
    return "dane-osoby-" + re.sub(r"[^A-Za-z0-9]+", "-", reference).strip("-") + ".json"


class EraseForm(BaseForm):
    reason = TextAreaField(
        _l("Reason for the erasure"),
        validators=[
            InputRequired(_l("Write the reason for the erasure.")),
            Length(max=500, message=_l("Write up to 500 characters.")),
        ],
    )
    decision = TextAreaField(
        _l("Decision and what it is based on"),
        validators=[
            InputRequired(_l("Write the decision and what it is based on.")),
            Length(max=1000, message=_l("Write up to 1000 characters.")),
        ],
    )


@bp.route("/zgloszenia/<int:request_id>/dane-osoby/usun", methods=["GET", "POST"])
@require_permission(Permission.ERASE_PERSONAL_DATA)
def erase_person(request_id: int):
    service_request = visible_request(request_id)
    if service_request.anonymised_at is not None:
        flash(_("The personal data of this request has already been erased."), "info")
        return redirect(url_for("backoffice.request_page", request_id=request_id), 303)
    form = EraseForm()
    refused = None
    if form.validate_on_submit():
        try:
            done = privacy.erase_person(
                service_request,
                Actor.of(current_user),
                reason=form.reason.data,
                decision=form.decision.data,
                upload_folder=current_app.config["UPLOAD_FOLDER"],
            )
        except privacy.ErasureRefused as error:
            refused = _(error.message)
        except StaleEdit:
            flash(
                _("Someone else changed these requests in the meantime. Check them and try again."),
                "error",
            )
            return redirect(url_for("backoffice.erase_person", request_id=request_id), 303)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                ngettext(
                    "The personal data has been erased from %(num)d request.",
                    "The personal data has been erased from %(num)d requests.",
                    done.requests,
                ),
                "success",
            )
            return redirect(url_for("backoffice.request_page", request_id=request_id), 303)
    person_requests = privacy.requests_of_person(service_request)
    return render_template(
        "backoffice/privacy/erase_resident.html",
        service_request=service_request,
        form=form,
        person_requests=person_requests,
        open_requests=[item for item in person_requests if item.status in lifecycle.OPEN],
        refused=refused,
    )
