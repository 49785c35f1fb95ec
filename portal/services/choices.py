"""The administrator's short lists: reasons a job could not be done, projects and events."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..domain.errors import DomainError
from ..extensions import db
from ..i18n import N_
from ..models import NotDoneReason, Project
from .transaction import use_case


def _taken(model, column, value: str, own_id: int | None) -> bool:
    """Whether another row has this name, whatever its letter case ("Święto" = "ŚWIĘTO").

    Compared in Python: SQLite's lower() folds ASCII letters only. The lists are short.
    """
    wanted = value.casefold()
    return any(
        name.casefold() == wanted
        for row_id, name in db.session.execute(select(model.id, column))
        if row_id != own_id
    )


def _committed(message: str, field: str) -> None:
    """Commit; a name saved by someone else a moment before is refused at its field."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(message, field=field) from None


@use_case
def save_not_done_reason(
    reason: NotDoneReason | None, *, label: str, active: bool = True
) -> NotDoneReason:
    """Add a reason to the list, or rename it or take it off the list.

    A reason is never deleted: the jobs it counts keep it. Taken off the list, it is not
    offered any more and still counted for the jobs it was chosen for.
    """
    label = " ".join((label or "").split())
    if not label:
        raise DomainError(N_("Write the reason."), field="label")
    if _taken(NotDoneReason, NotDoneReason.label, label, reason.id if reason else None):
        raise DomainError(N_("This reason is already on the list."), field="label")
    if reason is None:
        last = db.session.scalar(select(func.max(NotDoneReason.position)))
        reason = NotDoneReason(position=(last or 0) + 1)
    reason.label, reason.active = label, active
    db.session.add(reason)
    _committed(N_("This reason is already on the list."), "label")
    return reason


@use_case
def save_project(
    project: Project | None,
    *,
    name: str,
    starts_on: date | None,
    ends_on: date | None,
    active: bool = True,
) -> Project:
    """Add a project or event, or change it; like a reason, it is never deleted."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(N_("Write the name of the project or event."), field="name")
    if _taken(Project, Project.name, name, project.id if project else None):
        raise DomainError(N_("A project or event with this name already exists."), field="name")
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(N_("The end date must not be before the start date."), field="ends_on")
    project = project or Project()
    project.name, project.starts_on, project.ends_on, project.active = (
        name,
        starts_on,
        ends_on,
        active,
    )
    db.session.add(project)
    _committed(N_("A project or event with this name already exists."), "name")
    return project
