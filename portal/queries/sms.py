"""Text messages as the administrator counts them: how many went out each month, their
segments and what they cost."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Integer, cast, extract, func, select

from ..extensions import db
from ..models import MessageChannel, OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class TextMonth:
    year: int
    month: int
    sent: int
    segments: int
    cost: Decimal


def texts_by_month(months: int = 24) -> list[TextMonth]:
    """The texts sent in each month, newest first: count, segments and cost in złoty.

    Months of sent_at as stored (UTC): texts go out only in daytime hours, never in the
    hour or two around midnight where a UTC month and a Polish one part.
    """
    year = cast(extract("year", OutboxMessage.sent_at), Integer)
    month = cast(extract("month", OutboxMessage.sent_at), Integer)
    rows = db.session.execute(
        select(
            year.label("year"),
            month.label("month"),
            func.count(OutboxMessage.id),
            func.coalesce(func.sum(OutboxMessage.segments), 0),
            func.coalesce(func.sum(OutboxMessage.cost), 0),
        )
        .where(
            OutboxMessage.channel == MessageChannel.SMS,
            OutboxMessage.status == OutboxStatus.SENT,
            OutboxMessage.sent_at.is_not(None),
        )
        .group_by(year, month)
        .order_by(year.desc(), month.desc())
        .limit(months)
    ).all()
    return [
        TextMonth(
            int(y), int(m), int(sent), int(segments), Decimal(str(cost)).quantize(Decimal("0.01"))
        )
        for y, m, sent, segments, cost in rows
    ]
