"""Past totals, counted on paper before the portal, entered so cumulative totals continue."""

from __future__ import annotations

from datetime import date

from ..domain.errors import DomainError
from ..extensions import db
from ..i18n import N_
from ..models import BaselineTotal, RequesterKind, ServiceCategory
from .transaction import use_case


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
    if ends_on < starts_on:
        raise DomainError(N_("The end date must not be before the start date."), field="ends_on")
    if today is not None and ends_on > today:
        raise DomainError(N_("Past totals are for a period that has ended."), field="ends_on")
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
