"""Programme editions and their trainees, as the administrator keeps them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..domain.errors import DomainError
from ..extensions import db
from ..i18n import N_
from ..models import Gender, ProgrammeEdition, Trainee, WorkshopGroup
from .transaction import use_case


@use_case
def save_edition(
    edition: ProgrammeEdition | None, *, number: int, starts_on: date, ends_on: date
) -> ProgrammeEdition:
    """Create or change a programme edition."""
    if ends_on < starts_on:
        raise DomainError(N_("The end date must be after the start date."), field="ends_on")
    clash = db.session.scalars(
        select(ProgrammeEdition).where(ProgrammeEdition.number == number)
    ).first()
    if clash is not None and clash is not edition:
        raise DomainError(N_("An edition with this number already exists."), field="number")
    edition = edition or ProgrammeEdition()
    edition.number, edition.starts_on, edition.ends_on = number, starts_on, ends_on
    db.session.add(edition)
    db.session.commit()
    return edition


@use_case
def save_trainee(
    trainee: Trainee | None,
    *,
    name: str,
    edition_id: int,
    group_id: int,
    gender: Gender | None,
    active: bool,
) -> Trainee:
    """Create or change a trainee: only what the work log and the reports need."""
    name = (name or "").strip()
    if not name:
        raise DomainError(N_("Enter the first name and surname."), field="name")
    if db.session.get(ProgrammeEdition, edition_id) is None:
        raise DomainError(N_("Choose the edition."), field="edition_id")
    if db.session.get(WorkshopGroup, group_id) is None:
        raise DomainError(N_("Choose the workshop group."), field="group_id")
    trainee = trainee or Trainee()
    trainee.name = name
    trainee.edition_id = edition_id
    trainee.group_id = group_id
    trainee.gender = Gender(gender) if gender else None
    trainee.active = active
    db.session.add(trainee)
    db.session.commit()
    return trainee
