"""The administrator's view of the outbox: messages waiting or parked, a retry, and the
text messages sent each month with what they cost."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_currency
from flask_babel import gettext as _

from .. import sms
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import MessageChannel, MessageKind, OutboxMessage, OutboxStatus
from ..queries import sms as text_queries
from ..services import outbox
from ..web.permissions import Permission, require_permission
from . import bp
from .forms import EmptyForm

KIND_LABELS = {
    MessageKind.SUBMITTED: _l("Confirmation to the resident"),
    MessageKind.STATUS_CHANGE: _l("Status change, to the resident"),
    MessageKind.NEW_REQUEST: _l("New request, to staff"),
    MessageKind.DIGEST: _l("Daily digest, to staff"),
    MessageKind.PRIVATE_LINK: _l("Link to the request, to the resident"),
    MessageKind.RESIDENT_ANSWER: _l("Resident's answer, to staff"),
    MessageKind.FEEDBACK_REMINDER: _l("Satisfaction check reminder, to the resident"),
    MessageKind.PICKUP_REMINDER: _l("Reminder to collect the item, to the resident"),
    MessageKind.VISIT_REMINDER: _l("Reminder of tomorrow's date, to the resident"),
}
STATUS_LABELS = {
    OutboxStatus.PENDING: _l("waiting"),
    OutboxStatus.SENT: _l("sent"),
    OutboxStatus.PARKED: _l("stopped after errors"),
}
CHANNEL_LABELS = {
    MessageChannel.EMAIL: _l("E-mail"),
    MessageChannel.SMS: _l("Text message"),
}


@bp.get("/poczta")
@require_permission(Permission.MANAGE_OUTBOX)
def outbox_messages():
    messages = outbox.waiting_messages()
    months = [
        {
            "month": date(row.year, row.month, 1),
            "sent": row.sent,
            "segments": row.segments,
            "cost": format_currency(row.cost, "PLN"),
        }
        for row in text_queries.texts_by_month()
    ]
    return render_template(
        "backoffice/outbox/outbox.html",
        messages=messages,
        counts=outbox.counts(),
        segments=outbox.text_segments(messages),
        text_months=months,
        texts_on=sms.is_configured(),
        kind_labels=KIND_LABELS,
        message_channel_labels=CHANNEL_LABELS,
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
