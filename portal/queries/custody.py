"""Items at the workshops: those waiting to be collected, for staff to phone about."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from ..domain.lifecycle import Status
from ..extensions import db
from ..models import ItemCustody, MessageKind, OutboxMessage, ServiceRequest


def uncollected(ready_before: datetime, limit: int = 200) -> list[tuple[ServiceRequest, bool]]:
    """Items ready since before ready_before and not collected, the longest waiting first,
    each with whether its one e-mail reminder has been queued. One query."""
    reminded = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.request_id == ServiceRequest.id,
            OutboxMessage.kind == MessageKind.PICKUP_REMINDER,
        )
        .exists()
    )
    rows = db.session.execute(
        select(ServiceRequest, reminded)
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
    return [(request, bool(was_reminded)) for request, was_reminded in rows]
