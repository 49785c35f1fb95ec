"""Past totals, counted on paper before the portal, entered so cumulative totals continue."""

from __future__ import annotations

from datetime import date

from ..domain.errors import DomainError
from ..extensions import db
from ..i18n import N_
from ..models import BaselineTotal, ProgrammeBaseline, RequesterKind, ServiceCategory
from .transaction import use_case


def _check_past_period(starts_on: date, ends_on: date, today: date | None) -> None:
    """A count on paper is for a period in order that has ended."""
    if ends_on < starts_on:
        raise DomainError(N_("The end date must not be before the start date."), field="ends_on")
    if today is not None and ends_on > today:
        raise DomainError(N_("Past totals are for a period that has ended."), field="ends_on")


@use_case
def add_baseline_total(
    *,
    starts_on: date,
    ends_on: date,
    services: int,
    category_id: int | None = None,
    requester_kind: RequesterKind | None = None,
    note: str = "",
    today: date | None = None,
) -> BaselineTotal:
    """Record services counted on paper for a past period, so cumulative totals continue."""
    _check_past_period(starts_on, ends_on, today)
    if category_id is None and requester_kind is None:
        raise DomainError(
            N_("Choose the service, or the requester kind the services were for."),
            field="category_id",
        )
    if category_id is not None and db.session.get(ServiceCategory, category_id) is None:
        raise DomainError(N_("Choose one of the services."), field="category_id")
    row = BaselineTotal(
        starts_on=starts_on,
        ends_on=ends_on,
        category_id=category_id,
        requester_kind=requester_kind,
        services=services,
        note=(note or "").strip(),
    )
    db.session.add(row)
    db.session.commit()
    return row


@use_case
def delete_baseline_total(row: BaselineTotal) -> None:
    """Remove a past total entered by mistake."""
    db.session.delete(row)
    db.session.commit()


@use_case
def add_programme_baseline(
    *,
    starts_on: date,
    ends_on: date,
    editions: int,
    participants: int,
    women: int | None = None,
    men: int | None = None,
    completed: int | None = None,
    employed: int | None = None,
    internships: int | None = None,
    note: str = "",
    today: date | None = None,
) -> ProgrammeBaseline:
    """Record the programme as counted on paper for a past period (editions, participants
    and what became of them), so cumulative figures continue."""
    _check_past_period(starts_on, ends_on, today)
    if (women or 0) + (men or 0) > participants:
        raise DomainError(
            N_("Women and men together cannot be more than the participants."), field="women"
        )
    for name, value in (
        ("completed", completed),
        ("employed", employed),
        ("internships", internships),
    ):
        if value is not None and value > participants:
            raise DomainError(N_("This cannot be more than the participants."), field=name)
    row = ProgrammeBaseline(
        starts_on=starts_on,
        ends_on=ends_on,
        editions=editions,
        participants=participants,
        women=women,
        men=men,
        completed=completed,
        employed=employed,
        internships=internships,
        note=(note or "").strip(),
    )
    db.session.add(row)
    db.session.commit()
    return row


@use_case
def delete_programme_baseline(row: ProgrammeBaseline) -> None:
    """Remove programme figures entered by mistake."""
    db.session.delete(row)
    db.session.commit()
