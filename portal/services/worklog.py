"""The work log: which trainees worked on a job, when, how long, under which instructor."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from ..domain import lifecycle
from ..domain.actor import Actor
from ..domain.errors import DomainError, StaleEdit
from ..domain.lifecycle import Role
from ..extensions import db
from ..i18n import N_, format_hours
from ..models import (
    EventKind,
    ProgrammeEdition,
    RequestEvent,
    ServiceRequest,
    Trainee,
    WorkEntry,
    WorkSession,
    utcnow,
)
from ..queries.requests import taking_part_on
from .transaction import use_case

MAX_HOURS = Decimal("12")
_HOURS_TYPED = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{1,3})?")


@dataclass
class WorkData:
    worked_on: date
    description: str
    hours: dict[int, str | Decimal]  # trainee id -> hours as typed


def eligible_trainees(group_id: int, day: date) -> list[Trainee]:
    """Active trainees of the group taking part on day, by their own participation period
    (their edition's where none is set): the only ones a log may name."""
    return list(
        db.session.scalars(
            select(Trainee)
            .join(ProgrammeEdition)
            .where(
                Trainee.group_id == group_id,
                Trainee.active.is_(True),
                *taking_part_on(day),
            )
            .options(joinedload(Trainee.edition))
            .order_by(Trainee.name)
        )
    )


def _checked_entries(request: ServiceRequest, data: WorkData, today: date) -> list[WorkEntry]:
    if data.worked_on > today:
        raise DomainError(N_("The date of the work cannot be in the future."), field="worked_on")
    if not (data.description or "").strip():
        raise DomainError(N_("Write what was done."), field="description")
    hours: dict[int, Decimal] = {}
    for trainee_id, typed in data.hours.items():
        # Plain digits only: Decimal would also take NaN, Infinity and 1E-999999999.
        text = str(typed).strip()
        if not _HOURS_TYPED.fullmatch(text):
            raise DomainError(N_("Enter hours as a number, e.g. 2 or 1,5."), field="trainees")
        value = Decimal(text.replace(",", "."))
        if value <= 0 or value > MAX_HOURS or (value * 4) % 1 != 0:
            raise DomainError(
                N_("Enter hours between 0.25 and 12, in quarters of an hour."), field="trainees"
            )
        hours[int(trainee_id)] = value
    if not hours:
        raise DomainError(N_("Choose at least one trainee and their hours."), field="trainees")
    allowed = {t.id for t in eligible_trainees(request.group_id, data.worked_on)}
    refused = set(hours) - allowed
    if refused:
        raise DomainError(
            N_("Only active trainees of this group taking part on that date can be logged."),
            field="trainees",
        )
    return [WorkEntry(trainee_id=tid, hours=value) for tid, value in sorted(hours.items())]


def _check_job(request: ServiceRequest, actor: Actor) -> None:
    if request.status not in lifecycle.JOB:
        raise DomainError(N_("Work can be logged only on a job in progress in a workshop."))
    if actor.role == Role.INSTRUCTOR and request.group_id not in actor.user.group_ids:
        raise DomainError(N_("This job belongs to another group."))


@use_case
def log_work(request: ServiceRequest, actor: Actor, data: WorkData, *, today: date) -> WorkSession:
    """Record a work session on a job, with the acting instructor as its supervisor."""
    _check_job(request, actor)
    entries = _checked_entries(request, data, today)
    session = WorkSession(
        worked_on=data.worked_on,
        description=data.description.strip(),
        supervisor_id=actor.user.id,
        entries=entries,
    )
    request.work_sessions.append(session)
    request.events.append(
        RequestEvent(
            kind=EventKind.WORK_LOG,
            actor_id=actor.user.id,
            actor_role=actor.role,
            note=data.description.strip(),
            is_public=False,
            created_at=utcnow(),
        )
    )
    db.session.commit()
    return session


def can_edit_session(user, session: WorkSession) -> bool:
    return user.role == Role.ADMIN or session.supervisor_id == user.id


@use_case
def correct_work(
    session: WorkSession, actor: Actor, data: WorkData, *, today: date, expected_version: int | None
) -> None:
    """Change a work session; only its author (or an admin) may, and the old values are kept."""
    if not can_edit_session(actor.user, session):
        raise DomainError(N_("Only the instructor who wrote this entry can change it."))
    if expected_version is not None and expected_version != session.version:
        raise StaleEdit()
    request = session.request
    if actor.role != Role.ADMIN:
        _check_job(request, actor)
    entries = _checked_entries(request, data, today)
    before = _snapshot(session)
    session.worked_on = data.worked_on
    session.description = data.description.strip()
    session.entries = entries
    db.session.flush()
    db.session.refresh(session, ["entries"])
    after = _snapshot(session)
    changes = {
        key: {"old": before[key], "new": after[key]} for key in before if before[key] != after[key]
    }
    if changes:
        # The entries are rows of their own: touch the session, so its version moves and an
        # edit made from the old version is told, even when only the hours changed.
        session.updated_at = utcnow()
        request.events.append(
            RequestEvent(
                kind=EventKind.WORK_LOG,
                actor_id=actor.user.id,
                actor_role=actor.role,
                note="",
                changes=changes,
                is_public=False,
                created_at=utcnow(),
            )
        )
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleEdit() from None


def _snapshot(session: WorkSession) -> dict[str, str]:
    return {
        "worked_on": session.worked_on.isoformat(),
        "description": session.description,
        "hours": ", ".join(
            f"{entry.trainee.name}: {format_hours(entry.hours)}" for entry in session.entries
        ),
    }
