"""The strategy's indicators: an administrator adds, changes and switches them off, and
enters each year's planned value and, for an indicator entered by hand, the realised one.

A computed indicator's realised value comes from the portal's figures and is never typed:
the service refuses it, and refuses to make an indicator computed while values typed for it
would be silently set aside.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..domain import indicators
from ..domain.errors import DomainError
from ..extensions import db
from ..i18n import N_
from ..models import Indicator, IndicatorValue
from .transaction import use_case

FIRST_YEAR, LAST_YEAR = 1990, 2100
# The largest number a Numeric(12, 2) column holds.
LARGEST = Decimal("9999999999.99")
LENGTHS = {"action": 200, "name": 200, "unit": 60, "note": 300}


def _text(value: str | None, field: str, missing: str | None) -> str:
    text = (value or "").strip()
    if missing and not text:
        raise DomainError(missing, field=field)
    if len(text) > LENGTHS[field]:
        raise DomainError(
            N_("Write up to %(max)s characters."), field=field, params={"max": LENGTHS[field]}
        )
    return text


def _amount(value: Decimal | None, field: str) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite():
        raise DomainError(N_("Enter a number, for example 12 or 12,5."), field=field)
    if value < 0:
        raise DomainError(N_("Enter a number, 0 or more."), field=field)
    if value > LARGEST:
        raise DomainError(N_("Enter a smaller number."), field=field)
    if value != value.quantize(Decimal("0.01")):
        raise DomainError(N_("Enter at most two decimal places."), field=field)
    return value


@use_case
def save_indicator(
    indicator: Indicator | None,
    *,
    action: str,
    name: str,
    unit: str,
    source: str = indicators.MANUAL,
    position: int | None = None,
    active: bool = True,
) -> Indicator:
    """Add an indicator (indicator None) or change one; a new one goes to the end by default."""
    action = _text(
        action, "action", N_("Give the action of the strategy the indicator belongs to.")
    )
    name = _text(name, "name", N_("Give the indicator's name."))
    unit = _text(unit, "unit", N_("Give the unit of measure, for example number of persons."))
    if not indicators.is_source(source):
        raise DomainError(N_("Choose where the realised value comes from."), field="source")
    if indicator is not None and source != indicators.MANUAL:
        typed = [value.year for value in indicator.values if value.realised is not None]
        if typed:
            raise DomainError(
                N_(
                    "Realised values were entered by hand for %(years)s. Remove them first, "
                    "or keep the indicator entered by hand."
                ),
                field="source",
                params={"years": ", ".join(str(year) for year in typed)},
            )
    if position is None and indicator is None:
        last = db.session.scalar(select(func.max(Indicator.position)))
        position = 0 if last is None else last + 1
    if indicator is None:
        indicator = Indicator()
        db.session.add(indicator)
    indicator.action, indicator.name, indicator.unit = action, name, unit
    indicator.source = source
    if position is not None:
        indicator.position = position
    indicator.active = bool(active)
    db.session.commit()
    return indicator


@use_case
def save_indicator_value(
    indicator: Indicator,
    *,
    year: int | None,
    planned: Decimal | None,
    realised: Decimal | None = None,
    note: str = "",
) -> IndicatorValue:
    """Enter the year's planned value and, for an indicator entered by hand, the realised
    value and its note; what was entered for that year before is replaced."""
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        raise DomainError(
            N_("Enter a year between %(min)s and %(max)s."),
            field="year",
            params={"min": FIRST_YEAR, "max": LAST_YEAR},
        )
    planned = _amount(planned, "planned")
    realised = _amount(realised, "realised")
    note = _text(note, "note", None)
    if indicator.source != indicators.MANUAL:
        if realised is not None:
            raise DomainError(
                N_("The portal computes this indicator's realised value: leave it empty."),
                field="realised",
            )
        if note:
            raise DomainError(
                N_("The note goes with a realised value entered by hand: leave it empty."),
                field="note",
            )
        if planned is None:
            raise DomainError(N_("Enter the planned value."), field="planned")
    elif planned is None and realised is None:
        raise DomainError(
            N_("Enter the planned value, the realised one, or both."), field="planned"
        )

    value = db.session.scalars(
        select(IndicatorValue).where(
            IndicatorValue.indicator_id == indicator.id, IndicatorValue.year == year
        )
    ).first()
    if value is None:
        value = IndicatorValue(indicator=indicator, year=year)
        db.session.add(value)
    value.planned, value.realised, value.note = planned, realised, note
    try:
        db.session.commit()
    except IntegrityError:
        # Someone saved the same indicator's same year a moment before this commit.
        db.session.rollback()
        raise DomainError(
            N_(
                "Values for this year were saved a moment ago by someone else. Check them and save again."
            ),
            field="year",
        ) from None
    return value


@use_case
def delete_indicator_value(value: IndicatorValue) -> None:
    """Remove a year's values entered by mistake."""
    db.session.delete(value)
    db.session.commit()
