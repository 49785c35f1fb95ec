"""Programme editions and their trainees, as the administrator keeps them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..domain.errors import DomainError
from ..extensions import db
from ..i18n import N_
from ..models import (
    AfterProgramme,
    Gender,
    ParticipationEnd,
    ProgrammeEdition,
    Trainee,
    WorkshopGroup,
)
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
    starts_on: date | None = None,
    ends_on: date | None = None,
    ended_because: ParticipationEnd | None = None,
    after: AfterProgramme | None = None,
    after_on: date | None = None,
    today: date | None = None,
) -> Trainee:
    """Create or change a trainee: only what the work log and the reports need.

    The participation's own first and last day are optional (the edition's otherwise) and
    may lie outside the edition: participation is set individually.
    """
    name = (name or "").strip()
    if not name:
        raise DomainError(N_("Enter the first name and surname."), field="name")
    edition = db.session.get(ProgrammeEdition, edition_id)
    if edition is None:
        raise DomainError(N_("Choose the edition."), field="edition_id")
    first, last = starts_on or edition.starts_on, ends_on or edition.ends_on
    if last < first:
        field = "ends_on" if ends_on else "starts_on"
        raise DomainError(N_("The last day cannot be before the first day."), field=field)
    if ended_because in (ParticipationEnd.LEFT_EARLY, ParticipationEnd.OTHER) and not ends_on:
        raise DomainError(N_("Enter the last day the trainee took part."), field="ends_on")
    if ended_because and today is not None and last > today:
        raise DomainError(
            N_("A participation that has ended cannot end after today."), field="ends_on"
        )
    if after_on is not None and after_on < first:
        raise DomainError(
            N_("What followed cannot start before the participation did."), field="after_on"
        )
    if after_on is not None and after in (None, AfterProgramme.NONE, AfterProgramme.UNKNOWN):
        raise DomainError(N_("Choose what followed, or leave the date empty."), field="after")
    if db.session.get(WorkshopGroup, group_id) is None:
        raise DomainError(N_("Choose the workshop group."), field="group_id")
    trainee = trainee or Trainee()
    trainee.name = name
    trainee.edition_id = edition_id
    trainee.group_id = group_id
    trainee.gender = Gender(gender) if gender else None
    trainee.active = active
    trainee.starts_on, trainee.ends_on = starts_on, ends_on
    trainee.ended_because = ParticipationEnd(ended_because) if ended_because else None
    trainee.after = AfterProgramme(after) if after else None
    trainee.after_on = after_on
    db.session.add(trainee)
    db.session.commit()
    return trainee
