"""Items at the workshops: those waiting to be collected, for staff to phone about."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from ..domain.lifecycle import Status
from ..extensions import db
from ..models import ItemCustody, MessageChannel, MessageKind, OutboxMessage, ServiceRequest


def uncollected(
    ready_before: datetime, limit: int = 200
) -> list[tuple[ServiceRequest, bool, bool]]:
    """Items ready since before ready_before and not collected, the longest waiting first,
    each with whether its one e-mail reminder and its one text reminder have been queued.
    One query."""

    def reminded(channel: MessageChannel):
        return (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.request_id == ServiceRequest.id,
                OutboxMessage.kind == MessageKind.PICKUP_REMINDER,
                OutboxMessage.channel == channel,
            )
            .exists()
        )

    rows = db.session.execute(
        select(ServiceRequest, reminded(MessageChannel.EMAIL), reminded(MessageChannel.SMS))
        .outerjoin(ItemCustody, ItemCustody.request_id == ServiceRequest.id)
        .options(
            contains_eager(ServiceRequest.custody),
            joinedload(ServiceRequest.group),
            joinedload(ServiceRequest.category),
        )
        .where(
            ServiceRequest.status == Status.READY,
            ServiceRequest.ready_at <= ready_before,
            ItemCustody.picked_up_at.is_(None),
        )
        .order_by(ServiceRequest.ready_at, ServiceRequest.id)
        .limit(limit)
    ).all()
    return [(request, bool(by_email), bool(by_sms)) for request, by_email, by_sms in rows]
