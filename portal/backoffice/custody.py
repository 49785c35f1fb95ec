"""Items left at a workshop: taking one in, the resident's receipt, the list to phone about."""

from __future__ import annotations

from datetime import timedelta

import segno
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from .. import queries, services
from ..domain.actor import Actor
from ..domain.errors import DomainError
from ..labels import workshop_of
from ..models import utcnow
from ..queries import custody as custody_queries
from ..services import custody
from ..web.formerrors import show_error
from ..web.permissions import Permission, require_permission
from ..web.photouploads import clean_uploads
from . import bp
from .forms import DropOffForm
from .requests import render_request_page, visible_request


@bp.post("/zgloszenia/<int:request_id>/rzecz")
@require_permission(Permission.MOVE_REQUEST)
def record_drop_off(request_id: int):
    """Write down the item left at the workshop (or correct it), then offer the receipt."""
    service_request = visible_request(request_id)
    form = DropOffForm()
    if not form.validate_on_submit():
        return render_request_page(service_request, drop_off_form=form)
    cleaned = clean_uploads(form.photo, max_count=1)
    if cleaned is None:
        return render_request_page(service_request, drop_off_form=form)
    try:
        custody.record_drop_off(
            service_request,
            Actor.of(current_user),
            received_on=form.received_on.data,
            condition=form.condition.data,
            place=form.place.data,
            photo=cleaned[0] if cleaned else None,
            upload_folder=current_app.config["UPLOAD_FOLDER"],
            today=services.local_today(current_app.config["BABEL_DEFAULT_TIMEZONE"]),
        )
    except DomainError as refused:
        show_error(form, refused, default_field="received_on")
        return render_request_page(service_request, drop_off_form=form)
    flash(_("The item has been written down. Print the receipt for the resident."), "success")
    return redirect(url_for("backoffice.request_page", request_id=request_id) + "#custody", 303)


@bp.get("/zgloszenia/<int:request_id>/pokwitowanie")
@require_permission(Permission.VIEW_REQUEST)
def receipt(request_id: int):
    """The resident's receipt for an item left: to print and hand over."""
    service_request = visible_request(request_id)
    if service_request.custody is None:
        # Nothing was left (yet): the request's page says so and offers to write it down.
        return redirect(url_for("backoffice.request_page", request_id=request_id) + "#custody", 303)
    # The public address the resident's phone reaches, wherever staff printed it from.
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    path = url_for("public.status", token=service_request.access_token)
    status_url = (
        base + path
        if base
        else url_for("public.status", token=service_request.access_token, _external=True)
    )
    facts = {
        "job": service_request,
        "held": service_request.custody,
        "workshop": workshop_of(service_request.category, service_request.group),
        "status_url": status_url,
        "qr_code": segno.make(status_url, error="m").svg_data_uri(scale=4, border=2),
    }
    # The receipt is the resident's, in their request's language; the page around it, the
    # staff's, in Polish.
    with force_locale(service_request.language):
        receipt_html = Markup(render_template("backoffice/custody/_receipt.html", **facts))
    return render_template("backoffice/custody/receipt.html", receipt=receipt_html, **facts)


@bp.get("/do-odbioru")
@require_permission(Permission.TRIAGE)
def uncollected():
    """Items ready for a while and not collected: whom to phone."""
    days = current_app.config["PICKUP_REMINDER_DAYS"]
    return render_template(
        "backoffice/custody/uncollected.html",
        items=custody_queries.uncollected(utcnow() - timedelta(days=days)),
        days=days,
        now=utcnow(),
        institution=queries.institution(),
    )
