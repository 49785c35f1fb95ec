"""The administrator's short lists staff choose from: not-done reasons, projects and events."""

from __future__ import annotations

from sqlalchemy import or_, select

from ..extensions import db
from ..models import NotDoneReason, Project


def not_done_reasons(keep_id: int | None = None) -> list[NotDoneReason]:
    """The active reasons in the administrator's order, and the one already chosen."""
    return list(
        db.session.scalars(
            select(NotDoneReason)
            .where(or_(NotDoneReason.active.is_(True), NotDoneReason.id == keep_id))
            .order_by(NotDoneReason.position, NotDoneReason.id)
        )
    )


def all_not_done_reasons() -> list[NotDoneReason]:
    return list(
        db.session.scalars(select(NotDoneReason).order_by(NotDoneReason.position, NotDoneReason.id))
    )


def projects(keep_id: int | None = None) -> list[Project]:
    """The active projects and events, the latest first, and the one already chosen."""
    return list(
        db.session.scalars(
            select(Project)
            .where(or_(Project.active.is_(True), Project.id == keep_id))
            .order_by(Project.starts_on.desc().nulls_last(), Project.name)
        )
    )


def all_projects() -> list[Project]:
    return list(
        db.session.scalars(
            select(Project).order_by(
                Project.active.desc(), Project.starts_on.desc().nulls_last(), Project.name
            )
        )
    )
