"""The figures of the reports: every one an aggregate the database computes with GROUP BY.

A service counts when its job was completed with an outcome of done; it counts in
the period holding its completion date. The services are added up from the daily tally
`ServiceTally` (portal.tallies keeps it with every completion and correction), so a report
costs the same at ten thousand completions or a million. Totals counted on paper before the portal
(`BaselineTotal`) join in when their whole period lies inside the report period, so
cumulative totals continue from the club's own count. Python only lays the few grouped
rows out as tables; a report issues the same number of queries whatever is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Integer, and_, case, cast, extract, func, select
from sqlalchemy.orm import contains_eager

from ..domain.period import Period
from ..extensions import db
from ..models import (
    AsAgreed,
    BaselineTotal,
    ContactRating,
    Feedback,
    FeedbackChannel,
    Gender,
    Outcome,
    ProgrammeEdition,
    RequesterKind,
    ServiceCategory,
    ServiceRequest,
    ServiceTally,
    Trainee,
    WorkEntry,
    WorkSession,
    WorkshopGroup,
)
from . import requests as queries


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
class FeedbackCounts:
    """The satisfaction check's answers about the period's jobs: counts only, no comments."""

    as_agreed: dict[AsAgreed | None, int] = field(
        default_factory=lambda: {**{answer: 0 for answer in AsAgreed}, None: 0}
    )
    contact: dict[ContactRating | None, int] = field(
        default_factory=lambda: {**{answer: 0 for answer in ContactRating}, None: 0}
    )
    by_channel: dict[FeedbackChannel, int] = field(
        default_factory=lambda: {channel: 0 for channel in FeedbackChannel}
    )

    @property
    def answered(self) -> int:
        return sum(self.by_channel.values())


@dataclass
class Report:
    period: Period
    totals: ServiceTotals
    months: list[MonthRow]
    editions: list[EditionRow]
    hours_by_group: list[HoursRow]
    hours_by_edition: list[HoursRow]
    genders: GenderCounts
    feedback: FeedbackCounts
    # Names of trainees stay in the back office: None when the report leaves it.
    hours_by_trainee: list[TraineeHours] | None = None

    @property
    def categories(self) -> list[ServiceCategory]:
        return [row.category for row in self.totals.by_category]


def _counted(period: Period) -> tuple:
    """The tally rows of the period's services (portal.tallies keeps them per day)."""
    return (
        ServiceTally.completed_on >= period.starts_on,
        ServiceTally.completed_on <= period.ends_on,
    )


def service_totals(period: Period) -> ServiceTotals:
    """Count the period's services by category and requester kind; three queries."""
    categories = queries.all_categories()
    rows = {category.id: CategoryTotal(category) for category in categories}
    by_kind: dict[RequesterKind, int] = {kind: 0 for kind in RequesterKind}

    for category_id, kind, count in db.session.execute(
        select(
            ServiceTally.category_id, ServiceTally.requester_kind, func.sum(ServiceTally.services)
        )
        .where(*_counted(period))
        .group_by(ServiceTally.category_id, ServiceTally.requester_kind)
    ):
        count = int(count or 0)
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
            cast(extract("year", ServiceTally.completed_on), Integer).label("year"),
            cast(extract("month", ServiceTally.completed_on), Integer).label("month"),
            ServiceTally.category_id.label("category_id"),
            ServiceTally.services.label("services"),
        )
        .where(*_counted(period))
        .subquery()
    )
    rows = {month: MonthRow(month=month) for month in period.months()}
    for year, month, category_id, count in db.session.execute(
        select(
            months.c.year, months.c.month, months.c.category_id, func.sum(months.c.services)
        ).group_by(months.c.year, months.c.month, months.c.category_id)
    ):
        rows[date(int(year), int(month), 1)].by_category[category_id] = int(count or 0)
    return list(rows.values())


def completions_by_edition(period: Period) -> list[EditionRow]:
    """Count the services recorded in the portal per programme edition and category; one query."""
    counted = (
        select(
            ServiceTally.edition_id.label("edition_id"),
            ServiceTally.category_id.label("category_id"),
            func.sum(ServiceTally.services).label("services"),
        )
        .where(*_counted(period))
        .group_by(ServiceTally.edition_id, ServiceTally.category_id)
        .subquery()
    )
    statement = (
        select(ProgrammeEdition, counted.c.category_id, counted.c.services)
        .select_from(counted)
        .outerjoin(ProgrammeEdition, ProgrammeEdition.id == counted.c.edition_id)
    )
    rows: dict[int | None, EditionRow] = {}
    for edition, category_id, count in db.session.execute(statement):
        key = edition.id if edition else None
        row = rows.setdefault(key, EditionRow(edition=edition))
        row.by_category[category_id] = int(count or 0)
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


def feedback_counts(period: Period) -> FeedbackCounts:
    """Count the satisfaction answers about the jobs done in the period; one query."""
    counts = FeedbackCounts()
    # Driven from the answers, which are few, each checked against its request by key:
    # joining instead let SQLite walk a year of completions (1.8 s at a million requests).
    job_done_in_period = (
        select(ServiceRequest.id)
        .where(
            ServiceRequest.id == Feedback.request_id,
            ServiceRequest.outcome == Outcome.DONE,
            ServiceRequest.completed_on >= period.starts_on,
            ServiceRequest.completed_on <= period.ends_on,
        )
        .exists()
    )
    for as_agreed, contact, channel, number in db.session.execute(
        select(Feedback.as_agreed, Feedback.contact, Feedback.channel, func.count())
        .where(job_done_in_period)
        .group_by(Feedback.as_agreed, Feedback.contact, Feedback.channel)
    ):
        counts.as_agreed[as_agreed] += number
        counts.contact[contact] += number
        counts.by_channel[channel] += number
    return counts


def build_report(period: Period, *, with_trainee_names: bool) -> Report:
    """Gather every table of the report: ten queries, or nine without trainee names."""
    return Report(
        period=period,
        totals=service_totals(period),
        months=monthly_completions(period),
        editions=completions_by_edition(period),
        hours_by_group=hours_by_group(period),
        hours_by_edition=hours_by_edition(period),
        genders=trainees_by_gender(period),
        feedback=feedback_counts(period),
        hours_by_trainee=hours_by_trainee(period) if with_trainee_names else None,
    )


def earliest_baseline_start() -> date | None:
    """Return the first day the club counted on paper, where a cumulative total starts."""
    return db.session.scalar(select(func.min(BaselineTotal.starts_on)))


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
