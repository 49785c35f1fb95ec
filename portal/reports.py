"""The service totals the club reports to the city council: periods, figures, the sentence.

A service counts when its job was completed with an outcome of done; it counts in
the period holding its completion date. Totals counted on paper before the portal
(`BaselineTotal`) join in when their whole period lies inside the report period, so
cumulative totals continue from the club's own count.

Every figure is an aggregate the database computes with GROUP BY; Python only lays
the few grouped rows out as tables. A report issues the same number of queries
whatever the number of requests, trainees or hours stored.

The council sentence ("wykonano N usług, w tym: ...") is built here from gettext
pieces and the Polish plural forms each service category carries in `report_forms`.
The two small writes of past totals sit at the end: they belong with the figures.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from flask_babel import format_date, gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, case, cast, extract, func, select
from sqlalchemy.orm import contains_eager

from . import queries
from .domain.errors import DomainError
from .domain.lifecycle import Status
from .extensions import db
from .models import (
    BaselineTotal,
    Channel,
    Gender,
    Outcome,
    ProgrammeEdition,
    RequesterKind,
    ServiceCategory,
    ServiceRequest,
    Trainee,
    WorkEntry,
    WorkSession,
    WorkshopGroup,
)

# --- Periods ---------------------------------------------------------------------------


class PeriodKind(StrEnum):
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"
    RANGE = "range"
    SINCE = "since"


class PeriodError(ValueError):
    """A period that cannot be; `field` names the value at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Period:
    """A stretch of days, first and last included, and how it was chosen."""

    kind: PeriodKind
    starts_on: date
    ends_on: date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        if half not in (1, 2):
            raise PeriodError(_l("Choose the first or the second half-year."), field="half")
        first_month = 1 if half == 1 else 7
        return cls(PeriodKind.HALF, date(year, first_month, 1), _month_end(year, first_month + 5))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if quarter not in (1, 2, 3, 4):
            raise PeriodError(_l("Choose a quarter from 1 to 4."), field="quarter")
        first_month = 3 * (quarter - 1) + 1
        return cls(
            PeriodKind.QUARTER, date(year, first_month, 1), _month_end(year, first_month + 2)
        )

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise PeriodError(_l("Choose a month."), field="month")
        return cls(PeriodKind.MONTH, date(year, month, 1), _month_end(year, month))

    @classmethod
    def between(cls, starts_on: date, ends_on: date) -> Period:
        if ends_on < starts_on:
            raise PeriodError(
                _l("The end date must not be before the start date."), field="date_to"
            )
        return cls(PeriodKind.RANGE, starts_on, ends_on)

    @classmethod
    def since(cls, starts_on: date, today: date) -> Period:
        """Count everything from a start date up to today: the club's cumulative total."""
        if starts_on > today:
            raise PeriodError(_l("The start date must not be in the future."), field="since")
        return cls(PeriodKind.SINCE, starts_on, today)

    @property
    def number(self) -> int:
        """Which half-year, quarter or month of its year the period is."""
        month = self.starts_on.month
        if self.kind == PeriodKind.HALF:
            return 1 if month <= 6 else 2
        if self.kind == PeriodKind.QUARTER:
            return (month - 1) // 3 + 1
        return month

    def months(self) -> list[date]:
        """Return the first day of every month the period touches."""
        first = self.starts_on.year * 12 + self.starts_on.month - 1
        last = self.ends_on.year * 12 + self.ends_on.month - 1
        return [date(index // 12, index % 12 + 1, 1) for index in range(first, last + 1)]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# --- Figures ---------------------------------------------------------------------------


@dataclass
class CategoryTotal:
    category: ServiceCategory
    recorded: int = 0
    baseline: int = 0

    @property
    def total(self) -> int:
        return self.recorded + self.baseline


@dataclass
class ServiceTotals:
    """Services of a period by category and by requester kind, the paper count included."""

    by_category: list[CategoryTotal]
    by_kind: dict[RequesterKind, int]
    # Services counted on paper in periods only partly inside this one: not included.
    partial_baseline: int = 0

    @property
    def recorded(self) -> int:
        return sum(row.recorded for row in self.by_category)

    @property
    def baseline(self) -> int:
        return sum(row.baseline for row in self.by_category)

    @property
    def total(self) -> int:
        return self.recorded + self.baseline

    @property
    def kind_not_recorded(self) -> int:
        """Services (counted on paper) whose requester kind nobody wrote down."""
        return max(0, self.total - sum(self.by_kind.values()))


@dataclass
class Breakdown:
    """Services of one row of a table (a month, an edition) split by category."""

    by_category: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_category.values())


@dataclass
class MonthRow(Breakdown):
    month: date = date.min


@dataclass
class EditionRow(Breakdown):
    # None: completed when no programme edition was running.
    edition: ProgrammeEdition | None = None


@dataclass
class TraineeHours:
    trainee_id: int
    name: str
    group: str
    edition: int
    hours: Decimal


@dataclass
class HoursRow:
    """Hours worked by the trainees of a group or an edition, and how many trainees."""

    label: str | int
    trainees: int
    hours: Decimal


@dataclass
class GenderCounts:
    female: int = 0
    male: int = 0
    not_given: int = 0

    @property
    def total(self) -> int:
        return self.female + self.male + self.not_given


@dataclass
class Report:
    period: Period
    totals: ServiceTotals
    months: list[MonthRow]
    editions: list[EditionRow]
    hours_by_group: list[HoursRow]
    hours_by_edition: list[HoursRow]
    genders: GenderCounts
    # Names of trainees stay in the back office: None when the report leaves it.
    hours_by_trainee: list[TraineeHours] | None = None

    @property
    def categories(self) -> list[ServiceCategory]:
        return [row.category for row in self.totals.by_category]


def _counted(period: Period) -> tuple:
    """The conditions under which a request is one service of the period."""
    return (
        ServiceRequest.status == Status.COMPLETED,
        ServiceRequest.outcome == Outcome.DONE,
        ServiceRequest.completed_on >= period.starts_on,
        ServiceRequest.completed_on <= period.ends_on,
    )


def requester_kind_expression():
    """The requester kind of a request in SQL, as `ServiceRequest.requester_kind` says it."""
    return case(
        (ServiceRequest.channel == Channel.INSTITUTION, RequesterKind.INSTITUTION.value),
        (ServiceRequest.receives_assistance.is_(True), RequesterKind.ASSISTED.value),
        else_=RequesterKind.SENIOR.value,
    )


def service_totals(period: Period) -> ServiceTotals:
    """Count the period's services by category and requester kind; three queries."""
    categories = queries.all_categories()
    rows = {category.id: CategoryTotal(category) for category in categories}
    by_kind: dict[RequesterKind, int] = {kind: 0 for kind in RequesterKind}

    # Grouping on columns of a subquery, not on the CASE itself: PostgreSQL does not
    # see two CASE expressions with separately bound literals as one group key.
    counted = (
        select(
            ServiceRequest.category_id.label("category_id"),
            requester_kind_expression().label("kind"),
        )
        .where(*_counted(period))
        .subquery()
    )
    for category_id, kind, count in db.session.execute(
        select(counted.c.category_id, counted.c.kind, func.count()).group_by(
            counted.c.category_id, counted.c.kind
        )
    ):
        rows[category_id].recorded += count
        by_kind[RequesterKind(kind)] += count

    inside = and_(
        BaselineTotal.starts_on >= period.starts_on, BaselineTotal.ends_on <= period.ends_on
    )
    baseline = (
        select(
            BaselineTotal.category_id.label("category_id"),
            BaselineTotal.requester_kind.label("kind"),
            case((inside, 1), else_=0).label("inside"),
            BaselineTotal.services.label("services"),
        )
        .where(BaselineTotal.starts_on <= period.ends_on, BaselineTotal.ends_on >= period.starts_on)
        .subquery()
    )
    partial = 0
    for category_id, kind, is_inside, services in db.session.execute(
        select(
            baseline.c.category_id,
            baseline.c.kind,
            baseline.c.inside,
            func.sum(baseline.c.services),
        ).group_by(baseline.c.category_id, baseline.c.kind, baseline.c.inside)
    ):
        services = int(services or 0)
        if not is_inside:
            partial += services if category_id is not None else 0
            continue
        if category_id is not None:
            rows[category_id].baseline += services
        if kind is not None:
            by_kind[RequesterKind(kind)] += services

    shown = [row for row in rows.values() if row.category.active or row.total]
    return ServiceTotals(by_category=shown, by_kind=by_kind, partial_baseline=partial)


def monthly_completions(period: Period) -> list[MonthRow]:
    """Count the services recorded in the portal per month and category; one query."""
    months = (
        select(
            cast(extract("year", ServiceRequest.completed_on), Integer).label("year"),
            cast(extract("month", ServiceRequest.completed_on), Integer).label("month"),
            ServiceRequest.category_id.label("category_id"),
        )
        .where(*_counted(period))
        .subquery()
    )
    rows = {month: MonthRow(month=month) for month in period.months()}
    for year, month, category_id, count in db.session.execute(
        select(months.c.year, months.c.month, months.c.category_id, func.count()).group_by(
            months.c.year, months.c.month, months.c.category_id
        )
    ):
        rows[date(int(year), int(month), 1)].by_category[category_id] = count
    return list(rows.values())


def completions_by_edition(period: Period) -> list[EditionRow]:
    """Count the services recorded in the portal per programme edition and category; one query."""
    counted = (
        select(
            ServiceRequest.edition_id.label("edition_id"),
            ServiceRequest.category_id.label("category_id"),
        )
        .where(*_counted(period))
        .subquery()
    )
    statement = (
        select(ProgrammeEdition, counted.c.category_id, func.count())
        .select_from(counted)
        .outerjoin(ProgrammeEdition, ProgrammeEdition.id == counted.c.edition_id)
        .group_by(ProgrammeEdition.id, counted.c.category_id)
    )
    rows: dict[int | None, EditionRow] = {}
    for edition, category_id, count in db.session.execute(statement):
        key = edition.id if edition else None
        row = rows.setdefault(key, EditionRow(edition=edition))
        row.by_category[category_id] = count
    return sorted(
        rows.values(),
        key=lambda row: (row.edition is None, row.edition.number if row.edition else 0),
    )


def _worked_in(period: Period) -> tuple:
    return (WorkSession.worked_on >= period.starts_on, WorkSession.worked_on <= period.ends_on)


def _hours_joined(*columns):
    return (
        select(*columns)
        .select_from(WorkEntry)
        .join(WorkSession, WorkSession.id == WorkEntry.session_id)
        .join(Trainee, Trainee.id == WorkEntry.trainee_id)
    )


def hours_by_trainee(period: Period) -> list[TraineeHours]:
    """Sum the hours each trainee worked in the period; one query."""
    statement = (
        _hours_joined(
            Trainee.id,
            Trainee.name,
            WorkshopGroup.name,
            ProgrammeEdition.number,
            func.sum(WorkEntry.hours),
        )
        .join(WorkshopGroup, WorkshopGroup.id == Trainee.group_id)
        .join(ProgrammeEdition, ProgrammeEdition.id == Trainee.edition_id)
        .where(*_worked_in(period))
        .group_by(Trainee.id, Trainee.name, WorkshopGroup.name, ProgrammeEdition.number)
        .order_by(ProgrammeEdition.number, WorkshopGroup.name, Trainee.name, Trainee.id)
    )
    return [
        TraineeHours(trainee_id, name, group, edition, Decimal(hours or 0))
        for trainee_id, name, group, edition, hours in db.session.execute(statement)
    ]


def hours_by_group(period: Period) -> list[HoursRow]:
    """Sum the hours the trainees of each workshop group worked in the period; one query."""
    statement = (
        _hours_joined(
            WorkshopGroup.name, func.count(Trainee.id.distinct()), func.sum(WorkEntry.hours)
        )
        .join(WorkshopGroup, WorkshopGroup.id == Trainee.group_id)
        .where(*_worked_in(period))
        .group_by(WorkshopGroup.id, WorkshopGroup.name)
        .order_by(WorkshopGroup.name)
    )
    return [
        HoursRow(name, trainees, Decimal(hours or 0))
        for name, trainees, hours in db.session.execute(statement)
    ]


def hours_by_edition(period: Period) -> list[HoursRow]:
    """Sum the hours the trainees of each programme edition worked in the period; one query."""
    statement = (
        _hours_joined(
            ProgrammeEdition.number, func.count(Trainee.id.distinct()), func.sum(WorkEntry.hours)
        )
        .join(ProgrammeEdition, ProgrammeEdition.id == Trainee.edition_id)
        .where(*_worked_in(period))
        .group_by(ProgrammeEdition.id, ProgrammeEdition.number)
        .order_by(ProgrammeEdition.number)
    )
    return [
        HoursRow(number, trainees, Decimal(hours or 0))
        for number, trainees, hours in db.session.execute(statement)
    ]


def trainees_by_gender(period: Period) -> GenderCounts:
    """Count the trainees of the editions running at any time in the period by gender; one query."""
    statement = (
        select(Trainee.gender, func.count())
        .join(ProgrammeEdition, ProgrammeEdition.id == Trainee.edition_id)
        .where(
            ProgrammeEdition.starts_on <= period.ends_on,
            ProgrammeEdition.ends_on >= period.starts_on,
        )
        .group_by(Trainee.gender)
    )
    counts = GenderCounts()
    for gender, count in db.session.execute(statement):
        if gender == Gender.FEMALE:
            counts.female += count
        elif gender == Gender.MALE:
            counts.male += count
        else:
            counts.not_given += count
    return counts


def build_report(period: Period, *, with_trainee_names: bool) -> Report:
    """Gather every table of the report: nine queries, or eight without trainee names."""
    return Report(
        period=period,
        totals=service_totals(period),
        months=monthly_completions(period),
        editions=completions_by_edition(period),
        hours_by_group=hours_by_group(period),
        hours_by_edition=hours_by_edition(period),
        genders=trainees_by_gender(period),
        hours_by_trainee=hours_by_trainee(period) if with_trainee_names else None,
    )


def earliest_baseline_start() -> date | None:
    """Return the first day the club counted on paper, where a cumulative total starts."""
    return db.session.scalar(select(func.min(BaselineTotal.starts_on)))


# --- The council sentence ----------------------------------------------------------------


def plural_index(number: int) -> int:
    """Return which Polish plural form a number takes: 0 one, 1 few, 2 many."""
    number = abs(number)
    if number == 1:
        return 0
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return 1
    return 2


def plural_form(number: int, forms: str) -> str | None:
    """Pick the form for number from "one|few|many"; None when forms are not three."""
    parts = [part.strip() for part in (forms or "").split("|")]
    if len(parts) != 3 or not all(parts):
        return None
    return parts[plural_index(number)]


def count_phrase(number: int, category: ServiceCategory) -> str:
    """Say "686 usług krawieckich" from the category's forms, or fall back to its name."""
    form = plural_form(number, category.report_forms)
    if form is None:
        return gettext("%(name)s: %(num)s", name=category.name, num=number)
    return f"{number} {form}"


def _long_date(day: date) -> str:
    return format_date(day, "d MMMM y")


def council_sentence(
    totals: ServiceTotals, period: Period, *, day_format: Callable[[date], str] | None = None
) -> str:
    """Say the period's totals in the words the club uses in its reports to the council."""
    day_format = day_format or _long_date
    start, end = day_format(period.starts_on), day_format(period.ends_on)
    if totals.total == 0:
        return gettext(
            "In the period from %(start)s to %(end)s no services were carried out.",
            start=start,
            end=end,
        )
    parts = ", ".join(
        count_phrase(row.total, row.category) for row in totals.by_category if row.total
    )
    sentence = ngettext(
        "In the period from %(start)s to %(end)s, %(num)d service was carried out, including: %(parts)s.",
        "In the period from %(start)s to %(end)s, %(num)d services were carried out, including: %(parts)s.",
        totals.total,
        start=start,
        end=end,
        parts=parts,
    )
    institutions = totals.by_kind.get(RequesterKind.INSTITUTION, 0)
    if institutions:
        sentence += " " + ngettext(
            "%(num)d service was carried out in cooperation with other units of the welfare centre, "
            "city units and non-governmental organisations.",
            "%(num)d services were carried out in cooperation with other units of the welfare centre, "
            "city units and non-governmental organisations.",
            institutions,
        )
    return sentence


def trainees_sentence(genders: GenderCounts) -> str | None:
    """Say how many trainees took part, women and men, as the clubs' reports do."""
    if not genders.total:
        return None
    sentence = ngettext(
        "%(num)d person took part in the programme editions of this period, "
        "including %(women)s and %(men)s.",
        "%(num)d people took part in the programme editions of this period, "
        "including %(women)s and %(men)s.",
        genders.total,
        women=ngettext("%(num)d woman", "%(num)d women", genders.female),
        men=ngettext("%(num)d man", "%(num)d men", genders.male),
    )
    if genders.not_given:
        sentence += " " + gettext("Gender not recorded: %(num)s.", num=genders.not_given)
    return sentence


# --- Past totals, counted on paper ---------------------------------------------------------


def baseline_totals() -> list[BaselineTotal]:
    return list(
        db.session.scalars(
            select(BaselineTotal)
            .outerjoin(ServiceCategory, ServiceCategory.id == BaselineTotal.category_id)
            .options(contains_eager(BaselineTotal.category))
            .order_by(
                BaselineTotal.starts_on,
                BaselineTotal.ends_on,
                BaselineTotal.category_id.is_(None),  # the "of which" rows after the services
                ServiceCategory.position,
                BaselineTotal.id,
            )
        )
    )


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
        raise DomainError(_l("The end date must not be before the start date."), field="ends_on")
    if today is not None and ends_on > today:
        raise DomainError(_l("Past totals are for a period that has ended."), field="ends_on")
    if category_id is None and requester_kind is None:
        raise DomainError(
            _l("Choose the service, or the requester kind the services were for."),
            field="category_id",
        )
    if category_id is not None and db.session.get(ServiceCategory, category_id) is None:
        raise DomainError(_l("Choose one of the services."), field="category_id")
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


def delete_baseline_total(row: BaselineTotal) -> None:
    db.session.delete(row)
    db.session.commit()
