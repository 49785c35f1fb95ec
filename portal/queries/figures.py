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

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal

from sqlalchemy import Integer, and_, case, cast, extract, func, literal, select, union_all
from sqlalchemy.orm import aliased, contains_eager

from ..domain.period import Period
from ..extensions import db
from ..models import (
    AfterProgramme,
    AsAgreed,
    BaselineTotal,
    Channel,
    ContactRating,
    Feedback,
    FeedbackChannel,
    Gender,
    NotDoneReason,
    Outcome,
    ParticipationEnd,
    ProgrammeBaseline,
    ProgrammeEdition,
    Project,
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
    persons: PersonsServed
    outcomes: OutcomeCounts
    projects: list[ProjectRow]
    programme: ProgrammeFigures
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
    """Gather every table of the report: a fixed number of queries whatever is stored
    (twenty, one more for a period over several years, one fewer without trainee names)."""
    programme = programme_figures(period)
    return Report(
        persons=persons_served(period),
        outcomes=outcome_counts(period),
        projects=project_counts(period),
        programme=programme,
        period=period,
        totals=service_totals(period),
        months=monthly_completions(period),
        editions=completions_by_edition(period),
        hours_by_group=hours_by_group(period),
        hours_by_edition=hours_by_edition(period),
        # Participants by their own periods, as the programme's figures count them.
        genders=programme.genders(),
        feedback=feedback_counts(period),
        hours_by_trainee=hours_by_trainee(period) if with_trainee_names else None,
    )


def earliest_baseline_start() -> date | None:
    """Return the first day the club counted on paper, where a cumulative total starts."""
    return db.session.scalar(select(func.min(BaselineTotal.starts_on)))


def first_counted_day() -> date | None:
    """Return the first day of the earliest past total, else of the first service; one query."""
    earliest_baseline = select(func.min(BaselineTotal.starts_on)).scalar_subquery()
    first_service = (
        select(func.min(ServiceTally.completed_on))
        .where(ServiceTally.services > 0)
        .scalar_subquery()
    )
    return db.session.scalar(select(func.coalesce(earliest_baseline, first_service)))


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


# --- Persons served ----------------------------------------------------------------------


@dataclass
class PersonsRow:
    """Distinct residents and institutions served: of one service, or of all (category None).

    A person served twice counts once; one served in two services counts in each of them
    and once in the row of all services.
    """

    category: ServiceCategory | None
    residents: int = 0
    first_time: int = 0
    institutions: int = 0


@dataclass
class PersonsServed:
    total: PersonsRow
    by_category: list[PersonsRow]

    @property
    def residents(self) -> int:
        return self.total.residents

    @property
    def first_time(self) -> int:
        return self.total.first_time

    @property
    def institutions(self) -> int:
        return self.total.institutions


# A request has an outcome only once completed, and completion is final: the outcome and
# the completion date alone pick the period's jobs. Naming the status too let SQLite's
# planner walk the status index over every completed request of all years instead of the
# period's days in the completion-date index (250 ms at 100,000 requests, not 15).
def done() -> tuple:
    return (ServiceRequest.outcome == Outcome.DONE,)


def closed() -> tuple:
    return (ServiceRequest.outcome.is_not(None),)


def completed_in(period: Period) -> tuple:
    return (
        ServiceRequest.completed_on >= period.starts_on,
        ServiceRequest.completed_on <= period.ends_on,
    )


def persons_served(period: Period) -> PersonsServed:
    """Count the distinct residents (by person key), the first-time ones among them and the
    distinct institutions served in the period, per service and in all; one query.

    A resident is first-time when no job of theirs was done before the period; an
    institution's requests carry no person, only the institution's case-folded name.
    """
    earlier = aliased(ServiceRequest)
    served_before = (
        select(earlier.id)
        .where(
            earlier.person_key == ServiceRequest.person_key,
            earlier.outcome == Outcome.DONE,
            earlier.completed_on < period.starts_on,
        )
        .exists()
    )
    resident = ServiceRequest.channel != Channel.INSTITUTION
    served = (
        select(
            ServiceRequest.category_id.label("category_id"),
            case((resident, ServiceRequest.person_key)).label("resident"),
            case((and_(resident, ~served_before), ServiceRequest.person_key)).label("first"),
            case((~resident, ServiceRequest.institution_key)).label("institution"),
        )
        .where(*done(), *completed_in(period))
        .cte("served")
    )
    counted = (
        func.count(served.c.resident.distinct()),
        func.count(served.c.first.distinct()),
        func.count(served.c.institution.distinct()),
    )
    statement = union_all(
        select(served.c.category_id, *counted).group_by(served.c.category_id),
        select(literal(None, Integer).label("category_id"), *counted),
    )
    categories = {category.id: category for category in queries.all_categories()}
    total, rows = PersonsRow(None), {}
    for category_id, residents, first_time, institutions in db.session.execute(statement):
        if category_id is None:
            total = PersonsRow(None, residents, first_time, institutions)
        else:
            rows[category_id] = PersonsRow(
                categories[category_id], residents, first_time, institutions
            )
    shown = [
        rows.get(category.id, PersonsRow(category))
        for category in categories.values()
        if category.active or category.id in rows
    ]
    return PersonsServed(total=total, by_category=shown)


# --- Done and not done -------------------------------------------------------------------


@dataclass
class ReasonRow:
    # None: "other", only a line of text.
    reason: NotDoneReason | None
    by_category: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_category.values())


@dataclass
class OutcomeCounts:
    """Jobs closed in the period: done, and not done by reason, per service."""

    done: dict[int, int]
    reasons: list[ReasonRow]
    # The services the table has a column for: active ones, and any with a job in it.
    categories: list[ServiceCategory] = field(default_factory=list)

    @property
    def not_done(self) -> int:
        return sum(row.total for row in self.reasons)

    @property
    def not_done_by_category(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for row in self.reasons:
            for category_id, number in row.by_category.items():
                counts[category_id] = counts.get(category_id, 0) + number
        return counts


def outcome_counts(period: Period) -> OutcomeCounts:
    """Count the jobs completed in the period by outcome, reason and service; one query.

    Recorded in the portal only: the paper count has services done, not the others.
    """
    statement = (
        select(
            ServiceRequest.outcome,
            ServiceRequest.not_done_reason_id,
            ServiceRequest.category_id,
            func.count(),
        )
        .where(*closed(), *completed_in(period))
        .group_by(
            ServiceRequest.outcome, ServiceRequest.not_done_reason_id, ServiceRequest.category_id
        )
    )
    reasons = {
        reason.id: ReasonRow(reason)
        for reason in db.session.scalars(
            select(NotDoneReason).order_by(NotDoneReason.position, NotDoneReason.id)
        )
    }
    other = ReasonRow(None)
    done: dict[int, int] = {}
    for outcome, reason_id, category_id, number in db.session.execute(statement):
        if outcome == Outcome.DONE:
            done[category_id] = done.get(category_id, 0) + number
            continue
        row = reasons.get(reason_id, other) if reason_id is not None else other
        row.by_category[category_id] = row.by_category.get(category_id, 0) + number
    shown = [row for row in reasons.values() if row.reason.active or row.total]
    used = set(done) | {c for row in [*shown, other] for c in row.by_category}
    categories = [c for c in queries.all_categories() if c.active or c.id in used]
    return OutcomeCounts(done=done, reasons=shown + [other], categories=categories)


# --- Projects and events -----------------------------------------------------------------


@dataclass
class ProjectRow:
    project: Project
    services: int = 0
    hours: Decimal = Decimal(0)


def project_counts(period: Period) -> list[ProjectRow]:
    """Count each project's services done and its trainees' hours in the period; two queries.

    Services count by their completion date, hours by the day they were worked, as
    everywhere else in the reports. Projects with neither are left out.
    """
    rows: dict[int, ProjectRow] = {}
    projects = {project.id: project for project in db.session.scalars(select(Project))}
    # Driven from the projects, which are few, through the requests' project index: the
    # labelled jobs are read, not the period's completions.
    for project_id, services in db.session.execute(
        select(Project.id, func.count(ServiceRequest.id))
        .join(ServiceRequest, ServiceRequest.project_id == Project.id)
        .where(*done(), *completed_in(period))
        .group_by(Project.id)
    ):
        rows.setdefault(project_id, ProjectRow(projects[project_id])).services = services
    for project_id, hours in db.session.execute(
        select(Project.id, func.sum(WorkEntry.hours))
        .join(ServiceRequest, ServiceRequest.project_id == Project.id)
        .join(WorkSession, WorkSession.request_id == ServiceRequest.id)
        .join(WorkEntry, WorkEntry.session_id == WorkSession.id)
        .where(*_worked_in(period))
        .group_by(Project.id)
    ):
        rows.setdefault(project_id, ProjectRow(projects[project_id])).hours = Decimal(hours or 0)
    return sorted(rows.values(), key=lambda row: (-row.services, row.project.name))


# --- The programme: participation and what followed --------------------------------------


@dataclass
class ProgrammeRow:
    """Participants of the period and what became of them; by edition, gender or year."""

    label: str | int | None = None
    participants: int = 0
    women: int = 0
    men: int = 0
    completed: int = 0
    left_early: int = 0
    employed: int = 0
    internships: int = 0
    training: int = 0

    def add(self, other: ProgrammeRow) -> None:
        for counted in fields(self)[1:]:  # every count, not the label
            setattr(self, counted.name, getattr(self, counted.name) + getattr(other, counted.name))


@dataclass
class ProgrammeFigures:
    """The programme in a period: the portal's trainees and the paper count inside it.

    A trainee takes part in the period when their own participation (their dates, or their
    edition's) overlaps it; completes, or leaves early, on its last day; and an outcome
    (employment, an internship, training) counts on its own date, or the participation's
    last day when none was written down.
    """

    recorded: ProgrammeRow
    baseline: ProgrammeRow
    baseline_editions: int
    by_edition: list[ProgrammeRow]
    # Labelled by Gender, or None where it is not recorded.
    by_gender: list[ProgrammeRow]
    by_year: list[ProgrammeRow]
    # Paper counts in periods only partly inside this one: not included.
    partial_baseline: int = 0

    @property
    def total(self) -> ProgrammeRow:
        row = ProgrammeRow()
        row.add(self.recorded)
        row.add(self.baseline)
        return row

    @property
    def participants(self) -> int:
        return self.total.participants

    def genders(self) -> GenderCounts:
        """The portal's participants by gender (the paper count is not split by gender)."""
        counts = GenderCounts()
        for row in self.by_gender:
            if row.label == Gender.FEMALE:
                counts.female += row.participants
            elif row.label == Gender.MALE:
                counts.male += row.participants
            else:
                counts.not_given += row.participants
        return counts

    @property
    def completed(self) -> int:
        return self.total.completed

    @property
    def employed(self) -> int:
        return self.total.employed

    @property
    def internships(self) -> int:
        return self.total.internships


def _participation():
    """A trainee's own first and last day (the edition's when not set), and the day an
    outcome after the programme counts on."""
    first = func.coalesce(Trainee.starts_on, ProgrammeEdition.starts_on)
    last = func.coalesce(Trainee.ends_on, ProgrammeEdition.ends_on)
    return first, last, func.coalesce(Trainee.after_on, last)


def _programme_sums(first, last, after_day, starts_on, ends_on) -> list:
    """The programme's counts over trainees for the days starts_on to ends_on, as SQL sums."""

    def within(day):
        return and_(day >= starts_on, day <= ends_on)

    def counted(condition):
        return func.sum(case((condition, 1), else_=0))

    takes_part = and_(first <= ends_on, last >= starts_on)
    return [
        counted(takes_part),
        counted(and_(takes_part, Trainee.gender == Gender.FEMALE)),
        counted(and_(takes_part, Trainee.gender == Gender.MALE)),
        counted(and_(Trainee.ended_because == ParticipationEnd.COMPLETED, within(last))),
        counted(and_(Trainee.ended_because == ParticipationEnd.LEFT_EARLY, within(last))),
        counted(and_(Trainee.after == AfterProgramme.EMPLOYMENT, within(after_day))),
        counted(and_(Trainee.after == AfterProgramme.INTERNSHIP, within(after_day))),
        counted(and_(Trainee.after == AfterProgramme.TRAINING, within(after_day))),
    ]


def _row(label, values) -> ProgrammeRow:
    return ProgrammeRow(label, *(int(value or 0) for value in values))


def programme_figures(period: Period) -> ProgrammeFigures:
    """Count the programme's participants, completions and outcomes in the period, by
    edition, gender and year, the paper count included; four queries (three for a period
    within one year)."""
    first, last, after_day = _participation()
    joined = (
        select()
        .select_from(Trainee)
        .join(ProgrammeEdition, ProgrammeEdition.id == Trainee.edition_id)
    )
    # Every trainee with anything in the period: their participation or an outcome in it.
    relevant = (
        and_(first <= period.ends_on, last >= period.starts_on),
        and_(after_day >= period.starts_on, after_day <= period.ends_on),
    )
    by_edition = [
        _row(number, values)
        for number, *values in db.session.execute(
            joined.add_columns(
                ProgrammeEdition.number,
                *_programme_sums(first, last, after_day, period.starts_on, period.ends_on),
            )
            .where(relevant[0] | relevant[1])
            .group_by(ProgrammeEdition.number)
            .order_by(ProgrammeEdition.number)
        )
    ]
    recorded = ProgrammeRow()
    for row in by_edition:
        recorded.add(row)
    by_gender = [
        _row(Gender(gender) if gender else None, values)
        for gender, *values in db.session.execute(
            joined.add_columns(
                Trainee.gender,
                *_programme_sums(first, last, after_day, period.starts_on, period.ends_on),
            )
            .where(relevant[0] | relevant[1])
            .group_by(Trainee.gender)
        )
    ]
    by_gender.sort(key=lambda row: [Gender.FEMALE, Gender.MALE, None].index(row.label))

    years = list(range(period.starts_on.year, period.ends_on.year + 1))
    by_year: list[ProgrammeRow] = []
    if len(years) > 1:
        per_year = union_all(
            *(
                joined.add_columns(
                    literal(year, Integer).label("year"),
                    *_programme_sums(
                        first,
                        last,
                        after_day,
                        max(period.starts_on, date(year, 1, 1)),
                        min(period.ends_on, date(year, 12, 31)),
                    ),
                )
                for year in years
            )
        )
        by_year = [_row(year, values) for year, *values in db.session.execute(per_year)]

    inside = and_(
        ProgrammeBaseline.starts_on >= period.starts_on,
        ProgrammeBaseline.ends_on <= period.ends_on,
    )
    overlapping = (
        ProgrammeBaseline.starts_on <= period.ends_on,
        ProgrammeBaseline.ends_on >= period.starts_on,
    )
    # Grouped on a subquery's column: PostgreSQL does not see two CASE expressions with
    # separately bound literals as one group key.
    rows = (
        select(
            case((inside, 1), else_=0).label("inside"),
            ProgrammeBaseline.editions.label("editions"),
            ProgrammeBaseline.participants.label("participants"),
            func.coalesce(ProgrammeBaseline.women, 0).label("women"),
            func.coalesce(ProgrammeBaseline.men, 0).label("men"),
            func.coalesce(ProgrammeBaseline.completed, 0).label("completed"),
            func.coalesce(ProgrammeBaseline.employed, 0).label("employed"),
            func.coalesce(ProgrammeBaseline.internships, 0).label("internships"),
        )
        .where(*overlapping)
        .subquery()
    )
    baseline, editions, partial = ProgrammeRow(), 0, 0
    for is_inside, *values in db.session.execute(
        select(
            rows.c.inside,
            *(
                func.sum(rows.c[name])
                for name in (
                    "editions",
                    "participants",
                    "women",
                    "men",
                    "completed",
                    "employed",
                    "internships",
                )
            ),
        ).group_by(rows.c.inside)
    ):
        editions_in, participants, women, men, completed, employed, internships = (
            int(value or 0) for value in values
        )
        if not is_inside:
            partial += participants
            continue
        editions = editions_in
        baseline = ProgrammeRow(
            None,
            participants=participants,
            women=women,
            men=men,
            completed=completed,
            employed=employed,
            internships=internships,
        )
    return ProgrammeFigures(
        recorded=recorded,
        baseline=baseline,
        baseline_editions=editions,
        by_edition=by_edition,
        by_gender=by_gender,
        by_year=by_year,
        partial_baseline=partial,
    )


def programme_baselines() -> list[ProgrammeBaseline]:
    return list(
        db.session.scalars(
            select(ProgrammeBaseline).order_by(
                ProgrammeBaseline.starts_on, ProgrammeBaseline.ends_on, ProgrammeBaseline.id
            )
        )
    )
