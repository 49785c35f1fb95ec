"""Intake on a caller's behalf: a request taken by phone, in person or from an institution."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import queries, services, sms
from ..domain import lifecycle
from ..domain.actor import Actor
from ..domain.errors import DomainError
from ..models import Channel, ConsentMethod, utcnow
from ..queries import duplicates
from ..web.formerrors import show_error
from ..web.permissions import Permission, can_view_request, require_permission
from . import bp
from .forms import IntakeForm


def _same_person(phone: str | None, email: str | None) -> list:
    window = timedelta(days=current_app.config["DUPLICATE_WINDOW_DAYS"])
    return duplicates.same_person(phone, email, closed_since=utcnow() - window)


def _unconfirmed_repeat(form: IntakeForm, same: list) -> bool:
    """Whether the caller has an open request and staff have not said this one is new."""
    if form.confirm_new.data or not any(r.status in lifecycle.OPEN for r in same):
        return False
    form.confirm_new.errors = [
        *form.confirm_new.errors,
        _(
            "This person already has an open request. Open it and add to it, or tick the box "
            "if this is a new matter."
        ),
    ]
    return True


@bp.get("/zapisz-zgloszenie/ta-sama-osoba")
@require_permission(Permission.INTAKE)
def same_person():
    """The caller's other requests, shown while staff type the number (htmx)."""
    form = IntakeForm.for_services(queries.active_categories(), formdata=None)
    return render_template(
        "backoffice/intake/_same_person.html",
        form=form,
        same=_same_person(request.args.get("phone"), request.args.get("email")),
    )


@bp.route("/zapisz-zgloszenie", methods=["GET", "POST"])
@require_permission(Permission.INTAKE)
def intake():
    form = IntakeForm.for_services(queries.active_categories())
    if not sms.is_configured():
        del form.sms_updates
    if not form.submission_key.data:
        form.submission_key.data = secrets.token_urlsafe(24)
    same = _same_person(form.phone.data, form.email.data) if form.is_submitted() else []
    if form.validate_on_submit() and not _unconfirmed_repeat(form, same):
        channel = Channel(form.channel.data)
        data = services.RequestData(
            category_id=form.category_id.data,
            description=form.description.data,
            name=form.name.data,
            phone=form.phone.data,
            email=form.email.data,
            email_updates=form.email_updates.data,
            address=form.address.data,
            contact_time=form.contact_time.data,
            is_senior=form.is_senior.data,
            receives_assistance=form.receives_assistance.data,
            channel=channel,
            consent_method=ConsentMethod.ORAL,
            institution_name=form.institution_name.data,
            institution_contact=form.institution_contact.data,
            submission_key=form.submission_key.data[:64],
            language=form.language.data,
            sms_updates=bool(form.sms_updates.data) if "sms_updates" in form else False,
            answers=form.raw_answers(form.categories.get(form.category_id.data)),
        )
        try:
            submission = services.submit_request(
                data,
                Actor.of(current_user),
                upload_folder=current_app.config["UPLOAD_FOLDER"],
                timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
            )
        except DomainError as refused:
            show_error(form, refused)
        else:
            return redirect(
                url_for("backoffice.intake_done", request_id=submission.request.id), 303
            )
    return render_template("backoffice/intake/intake.html", form=form, same=same)


@bp.get("/zapisz-zgloszenie/<int:request_id>/gotowe")
@require_permission(Permission.INTAKE)
def intake_done(request_id: int):
    service_request = queries.request_for_office(request_id)
    if service_request is None or not can_view_request(current_user, service_request):
        abort(404)
    return render_template(
        "backoffice/intake/intake_done.html",
        service_request=service_request,
        private_link=url_for("public.status", token=service_request.access_token, _external=True),
    )
