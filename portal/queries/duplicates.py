"""The same person's other requests, found by the phone's digits or the e-mail address.

A person who phones twice, or sends the form and then phones, writes their number one way
and says it another ("+48 600-123-456", "600123456"): requests are compared by
`phone_digits` and by the case-folded `email_key`, both indexed. A request counts as the
same person's other request while it is open, or for a number of days after it closed
(DUPLICATE_WINDOW_DAYS); one already closed as a duplicate does not, since the office has
dealt with it. Requests whose personal data has been erased never match.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload

from ..domain import lifecycle
from ..domain.lifecycle import Status
from ..domain.phones import phone_digits as digits_of
from ..extensions import db
from ..models import ServiceRequest


def _still_relevant(closed_since: datetime):
    return and_(
        ServiceRequest.anonymised_at.is_(None),
        ServiceRequest.status != Status.DUPLICATE,
        or_(
            ServiceRequest.status.in_(lifecycle.OPEN),
            ServiceRequest.closed_at >= closed_since,
        ),
    )


def _same_contact(phone_digits: str | None, email_key: str | None):
    options = []
    if phone_digits:
        options.append(ServiceRequest.phone_digits == phone_digits)
    if email_key:
        options.append(ServiceRequest.email_key == email_key)
    return or_(*options) if options else None


def same_person(
    phone: str | None,
    email: str | None,
    *,
    closed_since: datetime,
    exclude_id: int | None = None,
    limit: int = 10,
) -> list[ServiceRequest]:
    """The other requests of whoever has this phone number or e-mail address, newest first.

    phone and email are as typed; with neither usable, nothing matches. One query.
    """
    contact = _same_contact(digits_of(phone or ""), (email or "").strip().casefold() or None)
    if contact is None:
        return []
    conditions = [contact, _still_relevant(closed_since)]
    if exclude_id is not None:
        conditions.append(ServiceRequest.id != exclude_id)
    return list(
        db.session.scalars(
            select(ServiceRequest)
            .where(*conditions)
            .options(joinedload(ServiceRequest.category))
            .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
            .limit(limit)
        )
    )


def related_to(request: ServiceRequest, *, closed_since: datetime) -> list[ServiceRequest]:
    """What a request's page lists: the same person's other requests, and those closed as
    duplicates of this one (whatever their age). One query: each way of being related
    walks an index of its own, and the ids found are loaded together."""
    if request.anonymised_at is not None:
        return []
    relevant = _still_relevant(closed_since)
    parts = [select(ServiceRequest.id).where(ServiceRequest.duplicate_of_id == request.id)]
    if request.phone_digits:
        parts.append(
            select(ServiceRequest.id).where(
                ServiceRequest.phone_digits == request.phone_digits, relevant
            )
        )
    if request.email_key:
        parts.append(
            select(ServiceRequest.id).where(ServiceRequest.email_key == request.email_key, relevant)
        )
    if request.duplicate_of_id is not None:
        parts.append(select(ServiceRequest.id).where(ServiceRequest.id == request.duplicate_of_id))
    found = union_all(*parts).subquery()
    return list(
        db.session.scalars(
            select(ServiceRequest)
            .where(ServiceRequest.id.in_(select(found.c.id)), ServiceRequest.id != request.id)
            .options(joinedload(ServiceRequest.category))
            .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
            .limit(20)
        )
    )


def flagged(requests: Iterable[ServiceRequest], *, closed_since: datetime) -> set[int]:
    """The ids of those requests whose person has another request: one query for a page.

    Each phone number and address is counted once across the table (by its index); a
    value held by two or more relevant requests, or by one that is not the row itself,
    flags the row.
    """
    rows = [r for r in requests if r.anonymised_at is None and r.status != Status.DUPLICATE]
    phones = {r.phone_digits for r in rows if r.phone_digits}
    emails = {r.email_key for r in rows if r.email_key}
    if not rows or not (phones or emails):
        return set()
    relevant = _still_relevant(closed_since)
    parts = []
    if phones:
        parts.append(
            select(
                literal("phone").label("kind"),
                ServiceRequest.phone_digits.label("value"),
                func.count().label("requests"),
                func.min(ServiceRequest.id).label("some_id"),
            )
            .where(ServiceRequest.phone_digits.in_(phones), relevant)
            .group_by(ServiceRequest.phone_digits)
        )
    if emails:
        parts.append(
            select(
                literal("email").label("kind"),
                ServiceRequest.email_key.label("value"),
                func.count().label("requests"),
                func.min(ServiceRequest.id).label("some_id"),
            )
            .where(ServiceRequest.email_key.in_(emails), relevant)
            .group_by(ServiceRequest.email_key)
        )
    counted = {
        (kind, value): (count, some_id)
        for kind, value, count, some_id in db.session.execute(
            union_all(*parts) if len(parts) > 1 else parts[0]
        )
    }
    found = set()
    for row in rows:
        for key in (("phone", row.phone_digits), ("email", row.email_key)):
            count, some_id = counted.get(key, (0, None))
            if count >= 2 or (count == 1 and some_id != row.id):
                found.add(row.id)
    return found
