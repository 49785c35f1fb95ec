"""The renovation crew's visits: a day's list in order of the hours, and a week at a glance."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..domain import permissions, visits
from ..domain.lifecycle import Status
from ..extensions import db
from ..models import ServiceCategory, ServiceRequest, User


def visits_between(user: User, first: date, last: date, group_id: int | None = None):
    """Arranged visits at residents' homes from first to last, by day, each day in order of
    the hours (those without hours last). An instructor sees their own groups'. One query."""
    conditions = [
        ServiceRequest.status == Status.SCHEDULED,
        ServiceRequest.scheduled_for >= first,
        ServiceRequest.scheduled_for <= last,
        ServiceCategory.requires_address.is_(True),
    ]
    if not permissions.sees_all_requests(user):
        conditions.append(ServiceRequest.group_id.in_(user.group_ids or [-1]))
    if group_id:
        conditions.append(ServiceRequest.group_id == group_id)
    found = db.session.scalars(
        select(ServiceRequest)
        .join(ServiceCategory, ServiceCategory.id == ServiceRequest.category_id)
        .where(*conditions)
        .options(joinedload(ServiceRequest.category), joinedload(ServiceRequest.group))
    ).all()
    days: dict[date, list[ServiceRequest]] = {}
    for visit in found:
        days.setdefault(visit.scheduled_for, []).append(visit)
    for day_visits in days.values():
        day_visits.sort(
            key=lambda v: (visits.start_of(v.scheduled_time) or time.max, v.created_at, v.id)
        )
    return days
