"""Intake on a caller's behalf: a request taken by phone, in person or from an institution."""

from __future__ import annotations

import secrets

from flask import abort, current_app, redirect, render_template, url_for
from flask_login import current_user

from .. import queries, services
from ..domain.actor import Actor
from ..domain.errors import DomainError
from ..models import Channel, ConsentMethod
from ..web.formerrors import show_error
from ..web.permissions import Permission, can_view_request, require_permission
from . import bp
from .forms import IntakeForm


@bp.route("/zapisz-zgloszenie", methods=["GET", "POST"])
@require_permission(Permission.INTAKE)
def intake():
    form = IntakeForm(queries.active_categories())
    if not form.submission_key.data:
        form.submission_key.data = secrets.token_urlsafe(24)
    if form.validate_on_submit():
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
    return render_template("backoffice/intake/intake.html", form=form)


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
