"""The administrator's view of the outbox: messages waiting or parked, and a retry."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import MessageKind, OutboxMessage, OutboxStatus
from ..services import outbox
from ..web.permissions import Permission, require_permission
from . import bp
from .forms import EmptyForm

KIND_LABELS = {
    MessageKind.SUBMITTED: _l("Confirmation to the resident"),
    MessageKind.STATUS_CHANGE: _l("Status change, to the resident"),
    MessageKind.NEW_REQUEST: _l("New request, to staff"),
    MessageKind.DIGEST: _l("Daily digest, to staff"),
}
STATUS_LABELS = {
    OutboxStatus.PENDING: _l("waiting"),
    OutboxStatus.SENT: _l("sent"),
    OutboxStatus.PARKED: _l("stopped after errors"),
}


@bp.get("/poczta")
@require_permission(Permission.MANAGE_OUTBOX)
def outbox_messages():
    return render_template(
        "backoffice/outbox/outbox.html",
        messages=outbox.waiting_messages(),
        counts=outbox.counts(),
        kind_labels=KIND_LABELS,
        outbox_status_labels=STATUS_LABELS,
        form=EmptyForm(),
    )


@bp.post("/poczta/<int:message_id>/ponow")
@require_permission(Permission.MANAGE_OUTBOX)
def retry_message(message_id: int):
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if outbox.retry(message):
        flash(_("The message will be sent again in a moment."), "success")
    else:
        flash(_("This message has already been sent or is being sent right now."), "error")
    return redirect(url_for("backoffice.outbox_messages"), 303)
