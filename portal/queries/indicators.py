"""The city strategy's indicators: planned against realised in a year, and the lists the
administrator keeps them with.

An indicator's realised value is entered by hand each year (source "manual") or computed
for the calendar year from one of the reports' figures (`queries.figures`). A year's table
loads the indicators with that year's values in one query and, when any of them is
computed, every figure an indicator can take once: the page costs the same number of
queries for one indicator or twenty, for ten services or a million.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from ..domain.indicators import MANUAL, Figure
from ..domain.period import Period
from ..extensions import db
from ..models import Indicator, IndicatorValue, RequesterKind
from . import figures


@dataclass
class PortalFigures:
    """Every figure of a period an indicator can take its realised value from."""

    services: figures.ServiceTotals
    persons: figures.PersonsServed
    outcomes: figures.OutcomeCounts
    programme: figures.ProgrammeFigures
    trainee_hours: Decimal


def portal_figures(period: Period) -> PortalFigures:
    """Compute the figures of the period once, each with its own few GROUP BY queries."""
    return PortalFigures(
        services=figures.service_totals(period),
        persons=figures.persons_served(period),
        outcomes=figures.outcome_counts(period),
        programme=figures.programme_figures(period),
        trainee_hours=sum((row.hours for row in figures.hours_by_group(period)), Decimal(0)),
    )


# Where each figure is read from in the period's figures.
READ_FIGURE: dict[Figure, Callable[[PortalFigures], int | Decimal]] = {
    Figure.SERVICES: lambda found: found.services.total,
    Figure.SERVICES_FOR_INSTITUTIONS: lambda found: found.services.by_kind[
        RequesterKind.INSTITUTION
    ],
    Figure.RESIDENTS_SERVED: lambda found: found.persons.residents,
    Figure.FIRST_TIME_RESIDENTS: lambda found: found.persons.first_time,
    Figure.INSTITUTIONS_SERVED: lambda found: found.persons.institutions,
    Figure.JOBS_NOT_DONE: lambda found: found.outcomes.not_done,
    Figure.PARTICIPANTS: lambda found: found.programme.participants,
    Figure.COMPLETED_PROGRAMME: lambda found: found.programme.completed,
    Figure.EMPLOYED_AFTER: lambda found: found.programme.employed,
    Figure.INTERNSHIPS_AFTER: lambda found: found.programme.internships,
    Figure.TRAINEE_HOURS: lambda found: found.trainee_hours,
}


def percent_of_plan(realised: Decimal | int | None, planned: Decimal | int | None) -> int | None:
    """Realised as a whole percent of planned, halves rounded up; None without a plan."""
    if realised is None or not planned:
        return None
    ratio = Decimal(realised) * 100 / Decimal(planned)
    return int(ratio.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class IndicatorRow:
    """One indicator in a year: the plan, what was realised, and the note entered by hand."""

    indicator: Indicator
    planned: Decimal | None = None
    realised: Decimal | int | None = None
    note: str = ""

    @property
    def figure(self) -> Figure | None:
        """The portal's figure the realised value is computed from; None when entered by hand."""
        return None if self.indicator.source == MANUAL else Figure(self.indicator.source)

    @property
    def percent(self) -> int | None:
        return percent_of_plan(self.realised, self.planned)


@dataclass
class ActionRows:
    """The indicators of one action of the strategy, shown under it."""

    action: str
    rows: list[IndicatorRow]


@dataclass
class IndicatorTable:
    year: int
    actions: list[ActionRows]

    @property
    def rows(self) -> list[IndicatorRow]:
        return [row for group in self.actions for row in group.rows]


def indicator_table(year: int) -> IndicatorTable:
    """Lay out the year's indicators by action: the active ones and any with values for it.

    One query for the indicators and their values, and the figures once if any is computed.
    """
    statement = (
        select(Indicator, IndicatorValue)
        .outerjoin(
            IndicatorValue,
            and_(IndicatorValue.indicator_id == Indicator.id, IndicatorValue.year == year),
        )
        .where(or_(Indicator.active.is_(True), IndicatorValue.id.is_not(None)))
        .order_by(Indicator.position, Indicator.id)
    )
    rows = [
        IndicatorRow(
            indicator,
            planned=value.planned if value else None,
            realised=value.realised if value and indicator.source == MANUAL else None,
            note=value.note if value else "",
        )
        for indicator, value in db.session.execute(statement)
    ]
    if any(row.figure for row in rows):
        found = portal_figures(Period.year(year))
        for row in rows:
            if row.figure:
                row.realised = READ_FIGURE[row.figure](found)

    # Each action once, where its first indicator stands.
    actions: dict[str, ActionRows] = {}
    for row in rows:
        actions.setdefault(row.indicator.action, ActionRows(row.indicator.action, [])).rows.append(
            row
        )
    return IndicatorTable(year=year, actions=list(actions.values()))


def years_with_values() -> list[int]:
    """The years for which any plan or realised value was entered, latest first; one query."""
    return list(
        db.session.scalars(
            select(IndicatorValue.year).distinct().order_by(IndicatorValue.year.desc())
        )
    )


# --- The administrator's lists -----------------------------------------------------------


def all_indicators() -> list[Indicator]:
    """Every indicator, switched off ones too, with their values; two queries."""
    return list(
        db.session.scalars(
            select(Indicator)
            .options(selectinload(Indicator.values))
            .order_by(Indicator.position, Indicator.id)
        )
    )


def indicator(indicator_id: int) -> Indicator | None:
    return db.session.scalars(
        select(Indicator)
        .where(Indicator.id == indicator_id)
        .options(selectinload(Indicator.values))
    ).first()


def indicator_value(value_id: int) -> IndicatorValue | None:
    return db.session.get(IndicatorValue, value_id)


def action_names() -> list[str]:
    """The actions indicators already belong to, for choosing the same one again."""
    return list(db.session.scalars(select(Indicator.action).distinct().order_by(Indicator.action)))
