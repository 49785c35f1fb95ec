"""The anonymised list of a period's completed jobs, one row a job, in one query.

Each row says what was done and how it ended, never for whom: no name, contact, address,
description, institution contact, requester kind or trainee leaves with it. The reason a
job could not be done is the label of the administrator's list; a reason written as text
is only said to be another one, since the text may name a person. The trainees' hours
are summed per job in a grouped subquery joined in, so the list costs one query whatever
its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select

from ..domain.period import Period
from ..extensions import db
from ..models import (
    NotDoneReason,
    Outcome,
    Project,
    ServiceCategory,
    ServiceRequest,
    WorkEntry,
    WorkSession,
    WorkshopGroup,
)
from . import figures


@dataclass(frozen=True)
class JobRow:
    reference: str
    service: str
    group: str | None
    sent_on: date
    completed_on: date
    outcome: Outcome
    # The label from the administrator's list; None when none was chosen.
    reason: str | None
    # Not done for a reason given only as text ("other"): the text itself stays behind.
    other_reason: bool
    project: str | None
    work_done: str | None
    hours: Decimal


def _completed_in(period: Period) -> tuple:
    """The jobs closed in the period, picked as the reports pick them (queries.figures)."""
    return (*figures.closed(), *figures.completed_in(period))


def completed_jobs(period: Period, timezone: str) -> list[JobRow]:
    """List the jobs completed in the period by completion date and reference; one query."""
    hours = (
        select(
            WorkSession.request_id.label("request_id"),
            func.sum(WorkEntry.hours).label("hours"),
        )
        .join(WorkEntry, WorkEntry.session_id == WorkSession.id)
        .join(ServiceRequest, ServiceRequest.id == WorkSession.request_id)
        .where(*_completed_in(period))
        .group_by(WorkSession.request_id)
        .subquery()
    )
    other_reason = and_(
        ServiceRequest.outcome == Outcome.NOT_DONE,
        ServiceRequest.not_done_reason_id.is_(None),
        func.coalesce(ServiceRequest.not_done_reason, "") != "",
    )
    statement = (
        select(
            ServiceRequest.reference,
            ServiceCategory.name,
            WorkshopGroup.name,
            ServiceRequest.created_at,
            ServiceRequest.completed_on,
            ServiceRequest.outcome,
            NotDoneReason.label,
            other_reason,
            Project.name,
            ServiceRequest.work_done,
            hours.c.hours,
        )
        .join(ServiceCategory, ServiceCategory.id == ServiceRequest.category_id)
        .outerjoin(WorkshopGroup, WorkshopGroup.id == ServiceRequest.group_id)
        .outerjoin(NotDoneReason, NotDoneReason.id == ServiceRequest.not_done_reason_id)
        .outerjoin(Project, Project.id == ServiceRequest.project_id)
        .outerjoin(hours, hours.c.request_id == ServiceRequest.id)
        .where(*_completed_in(period))
        .order_by(ServiceRequest.completed_on, ServiceRequest.reference)
    )
    zone = ZoneInfo(timezone)
    return [
        JobRow(
            reference=reference,
            service=service,
            group=group,
            sent_on=created_at.replace(tzinfo=UTC).astimezone(zone).date(),
            completed_on=completed_on,
            outcome=Outcome(outcome),
            reason=reason,
            other_reason=bool(other),
            project=project,
            work_done=work_done,
            hours=Decimal(worked or 0),
        )
        for (
            reference,
            service,
            group,
            created_at,
            completed_on,
            outcome,
            reason,
            other,
            project,
            work_done,
            worked,
        ) in db.session.execute(statement)
    ]
