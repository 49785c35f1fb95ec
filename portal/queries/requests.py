"""The read side: what pages list and look up, loaded in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import g
from sqlalchemy import column, func, literal_column, or_, select, table, union_all
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..database import SEARCH_TABLE
from ..domain import lifecycle, permissions
from ..domain.lifecycle import Status
from ..domain.phones import phone_digits
from ..extensions import db
from ..models import (
    Channel,
    Institution,
    ProgrammeEdition,
    RequesterKind,
    RequestEvent,
    RequestTally,
    ServiceCategory,
    ServiceRequest,
    Trainee,
    User,
    WorkEntry,
    WorkSession,
    WorkshopGroup,
)


def institution() -> Institution | None:
    """Return the club's settings, read once per request."""
    if "institution" not in g:
        g.institution = db.session.scalars(select(Institution).order_by(Institution.id)).first()
    return g.institution


def active_categories() -> list[ServiceCategory]:
    """The services offered, each with its groups (where items are brought, and when)."""
    return list(
        db.session.scalars(
            select(ServiceCategory)
            .options(contains_eager(ServiceCategory.groups))
            .outerjoin(
                WorkshopGroup,
                (WorkshopGroup.category_id == ServiceCategory.id) & WorkshopGroup.active.is_(True),
            )
            .where(ServiceCategory.active.is_(True))
            .order_by(ServiceCategory.position, ServiceCategory.id, WorkshopGroup.name)
        ).unique()
    )


def request_by_token(token: str) -> ServiceRequest | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.access_token == token)
        .options(
            selectinload(ServiceRequest.events).selectinload(RequestEvent.actor),
            # The status box names the workshop: the request's group, else its service's.
            joinedload(ServiceRequest.category).selectinload(ServiceCategory.groups),
            joinedload(ServiceRequest.group),
        )
    ).first()


def request_by_reference_and_phone(reference: str, phone: str) -> ServiceRequest | None:
    digits = phone_digits(phone)
    if digits is None:
        return None
    return db.session.scalars(
        select(ServiceRequest).where(
            ServiceRequest.reference == reference, ServiceRequest.phone_digits == digits
        )
    ).first()


@dataclass
class QueueFilters:
    status: str = "waiting"
    category_id: int | None = None
    group_id: int | None = None
    channel: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    search: str = ""
    newest_first: bool = False
    page: int = 1


# Named sets of statuses offered as one filter value.
STATUS_SETS = {
    "waiting": lifecycle.AWAITING_TRIAGE,
    "jobs": lifecycle.JOB,
    "open": lifecycle.OPEN,
    "closed": lifecycle.CLOSED,
    "all": frozenset(Status),
}


@dataclass
class QueuePage:
    items: list[ServiceRequest]
    total: int
    page: int
    pages: int
    counts: dict[str, int]


def _local_midnight_utc(day: date, timezone: str) -> datetime:
    local = datetime.combine(day, time.min, tzinfo=ZoneInfo(timezone))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _scope(user: User) -> list:
    """The requests a user may see at all: an instructor, those of their own groups."""
    if permissions.sees_all_requests(user):
        return []
    return [ServiceRequest.group_id.in_(user.group_ids or [-1])]


def _filter_conditions(filters: QueueFilters, timezone: str) -> list:
    conditions = []
    if filters.category_id:
        conditions.append(ServiceRequest.category_id == filters.category_id)
    if filters.group_id:
        conditions.append(ServiceRequest.group_id == filters.group_id)
    if filters.channel in {c.value for c in Channel}:
        conditions.append(ServiceRequest.channel == Channel(filters.channel))
    if filters.kind == RequesterKind.INSTITUTION:
        conditions.append(ServiceRequest.channel == Channel.INSTITUTION)
    elif filters.kind in (RequesterKind.SENIOR, RequesterKind.ASSISTED):
        conditions.append(ServiceRequest.channel != Channel.INSTITUTION)
        conditions.append(
            ServiceRequest.receives_assistance.is_(filters.kind == RequesterKind.ASSISTED)
        )
    if filters.date_from:
        conditions.append(
            ServiceRequest.created_at >= _local_midnight_utc(filters.date_from, timezone)
        )
    if filters.date_to:
        next_day = filters.date_to + timedelta(days=1)
        conditions.append(ServiceRequest.created_at < _local_midnight_utc(next_day, timezone))
    search = (filters.search or "").strip()
    if search:
        conditions.append(search_condition(search))
    return conditions


# The trigram index finds a text of at least three characters; a shorter one is looked for
# by scanning (it is rare, and matches too much to be worth an index anyway).
TRIGRAM = 3


def search_condition(search: str):
    """Requests whose reference, name, e-mail or institution holds search, or whose phone
    number holds its digits (three or more).

    What staff type is matched literally (% and _ are not wildcards) and without regard to
    case in any alphabet: both sides are folded by Python, not by the database. On SQLite
    the FTS5 trigram table answers, on PostgreSQL the same LIKE through pg_trgm's index.
    """
    text = search.casefold()
    digits = "".join(ch for ch in search if ch.isdigit())
    if len(digits) < TRIGRAM:
        digits = ""
    if db.session.get_bind().dialect.name == "sqlite" and len(text) >= TRIGRAM:
        return ServiceRequest.id.in_(_sqlite_search(text, digits))
    options = [ServiceRequest.search_text.contains(text, autoescape=True)]
    if digits:
        options.append(ServiceRequest.phone_digits.contains(digits, autoescape=True))
    return or_(*options)


_SEARCH_TABLE = table(SEARCH_TABLE, column("rowid"))


def _sqlite_search(text: str, digits: str):
    # An FTS5 phrase in double quotes, quotes inside doubled: matched as a plain substring.
    def phrase(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    query = "search_text : " + phrase(text)
    if digits:
        query += " OR phone_digits : " + phrase(digits)
    return select(_SEARCH_TABLE.c.rowid).where(literal_column(SEARCH_TABLE).match(query))


def status_counts(user: User, group_id: int | None = None) -> dict[str, int]:
    """How many requests of each status a user may see, from the running tallies; one query."""
    conditions = []
    if not permissions.sees_all_requests(user):
        conditions.append(RequestTally.group_id.in_(user.group_ids or [-1]))
    if group_id:
        conditions.append(RequestTally.group_id == group_id)
    return {
        str(status): int(count)
        for status, count in db.session.execute(
            select(RequestTally.status, func.sum(RequestTally.requests))
            .where(*conditions)
            .group_by(RequestTally.status)
        )
        if count
    }


def _newest_per_status(statuses, conditions: list, newest_first: bool, enough: int):
    """The first `enough` requests of each status in queue order, as one subquery of
    (id, created_at): each part walks the (status, created_at, id) index and stops."""
    if newest_first:
        order = (ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
    else:
        order = (ServiceRequest.created_at.asc(), ServiceRequest.id.asc())
    parts = [
        select(ServiceRequest.id, ServiceRequest.created_at)
        .where(*conditions, ServiceRequest.status == status)
        .order_by(*order)
        .limit(enough)
        .subquery()
        for status in sorted(statuses)
    ]
    return union_all(*(select(part) for part in parts)).subquery()


def queue(filters: QueueFilters, user: User, *, page_size: int, timezone: str) -> QueuePage:
    """List the requests a user may see, filtered, with counts per status.

    Unfiltered, the counts come from the running tallies and the page from one walk of an
    index per status: two queries. Filtered, the database counts what matches: three.
    """
    scope = _scope(user)
    narrowed = _filter_conditions(filters, timezone)
    conditions = scope + narrowed
    statuses = STATUS_SETS.get(filters.status)
    if statuses is None and filters.status in {s.value for s in Status}:
        statuses = frozenset({Status(filters.status)})
    statuses = statuses or STATUS_SETS["waiting"]

    if narrowed:
        counts = {
            str(status): count
            for status, count in db.session.execute(
                select(ServiceRequest.status, func.count())
                .where(*conditions)
                .group_by(ServiceRequest.status)
            )
        }
    else:
        counts = status_counts(user)
    total = sum(counts.get(str(status), 0) for status in statuses)
    pages = max(1, -(-total // page_size))
    page = min(max(1, filters.page or 1), pages)
    offset = (page - 1) * page_size

    if statuses == STATUS_SETS["all"]:
        ordered = select(ServiceRequest.id, ServiceRequest.created_at).where(*conditions)
        ordered = ordered.subquery()
    else:
        ordered = _newest_per_status(
            statuses, conditions, filters.newest_first, enough=offset + page_size
        )
    if filters.newest_first:
        order = (ordered.c.created_at.desc(), ordered.c.id.desc())
    else:
        order = (ordered.c.created_at.asc(), ordered.c.id.asc())
    items = list(
        db.session.scalars(
            select(ServiceRequest)
            .join(ordered, ordered.c.id == ServiceRequest.id)
            .options(joinedload(ServiceRequest.category), joinedload(ServiceRequest.group))
            .order_by(*order)
            .limit(page_size)
            .offset(offset)
        )
    )
    return QueuePage(items=items, total=total, page=page, pages=pages, counts=counts)


def groups(active_only: bool = False, with_instructors: bool = False) -> list[WorkshopGroup]:
    statement = (
        select(WorkshopGroup)
        .options(joinedload(WorkshopGroup.category))
        .order_by(WorkshopGroup.name)
    )
    if with_instructors:
        statement = statement.options(selectinload(WorkshopGroup.instructors))
    if active_only:
        statement = statement.where(WorkshopGroup.active.is_(True))
    return list(db.session.scalars(statement))


def all_categories() -> list[ServiceCategory]:
    return list(
        db.session.scalars(
            select(ServiceCategory).order_by(ServiceCategory.position, ServiceCategory.id)
        )
    )


def request_for_office(request_id: int) -> ServiceRequest | None:
    """Load a request with everything its back-office page shows."""
    return db.session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.id == request_id)
        .options(
            joinedload(ServiceRequest.category),
            joinedload(ServiceRequest.group),
            joinedload(ServiceRequest.taken_by),
            joinedload(ServiceRequest.duplicate_of),
            joinedload(ServiceRequest.custody),
            selectinload(ServiceRequest.photos),
            selectinload(ServiceRequest.events).joinedload(RequestEvent.actor),
        )
    ).first()


def accounts() -> list[User]:
    return list(
        db.session.scalars(
            select(User).options(selectinload(User.groups)).order_by(User.active.desc(), User.name)
        )
    )


def jobs_for(
    user: User, group_id: int | None = None, per_column: int = 40
) -> tuple[dict[Status, list[ServiceRequest]], dict[Status, int]]:
    """The jobs on a workshop board by status, the soonest first, and how many each column holds.

    An instructor sees their own groups only. Each column shows at most per_column jobs, so
    a board stays usable (and fast) however many jobs pile up; the counts tell the rest.
    Three queries: the counts from the running tallies, the first jobs of each column
    through the (status, scheduled_for, created_at, id) index, then those jobs.
    """
    conditions = _scope(user)
    if group_id:
        conditions.append(ServiceRequest.group_id == group_id)
    # Dated jobs first, soonest first; then the undated ones in order of arrival. Two walks
    # of the index per column, since the backends disagree on where NULL sorts.
    parts = []
    for status in BOARD_COLUMNS:
        mine = (*conditions, ServiceRequest.status == status)
        dated = ServiceRequest.scheduled_for.is_not(None)
        undated = ServiceRequest.scheduled_for.is_(None)
        for when, order in (
            (dated, (ServiceRequest.scheduled_for, ServiceRequest.created_at, ServiceRequest.id)),
            (undated, (ServiceRequest.created_at, ServiceRequest.id)),
        ):
            parts.append(
                select(
                    ServiceRequest.id,
                    ServiceRequest.status,
                    ServiceRequest.scheduled_for,
                    ServiceRequest.created_at,
                )
                .where(*mine, when)
                .order_by(*order)
                .limit(per_column)
                .subquery()
            )
    first = union_all(*(select(part) for part in parts))
    chosen: dict[Status, list[tuple]] = {status: [] for status in BOARD_COLUMNS}
    for job_id, status, scheduled_for, created_at in db.session.execute(first):
        chosen[Status(status)].append((scheduled_for is None, scheduled_for, created_at, job_id))
    ids = []
    for keys in chosen.values():
        keys.sort(key=lambda key: (key[0], key[1] or date.min, key[2], key[3]))
        ids.extend(key[3] for key in keys[:per_column])

    board: dict[Status, list[ServiceRequest]] = {status: [] for status in BOARD_COLUMNS}
    if ids:
        jobs = db.session.scalars(
            select(ServiceRequest)
            .where(ServiceRequest.id.in_(ids))
            .options(joinedload(ServiceRequest.category), joinedload(ServiceRequest.group))
        )
        by_id = {job.id: job for job in jobs}
        for job_id in ids:
            job = by_id[job_id]
            board[job.status].append(job)
    counts = status_counts(user, group_id)
    return board, {status: counts.get(str(status), 0) for status in BOARD_COLUMNS}


BOARD_COLUMNS = [Status.ACCEPTED, Status.SCHEDULED, Status.IN_PROGRESS, Status.READY]


def work_sessions_of(request_id: int) -> list[WorkSession]:
    return list(
        db.session.scalars(
            select(WorkSession)
            .where(WorkSession.request_id == request_id)
            .options(
                selectinload(WorkSession.entries).joinedload(WorkEntry.trainee),
                joinedload(WorkSession.supervisor),
            )
            .order_by(WorkSession.worked_on, WorkSession.id)
        )
    )


def editions() -> list[ProgrammeEdition]:
    return list(
        db.session.scalars(
            select(ProgrammeEdition)
            .options(selectinload(ProgrammeEdition.trainees).joinedload(Trainee.group))
            .order_by(ProgrammeEdition.number.desc())
        )
    )


def taking_part_on(day: date) -> tuple:
    """A trainee takes part on day by their own participation period, or their edition's
    where none is set (select from Trainee joined to its edition)."""
    return (
        func.coalesce(Trainee.starts_on, ProgrammeEdition.starts_on) <= day,
        func.coalesce(Trainee.ends_on, ProgrammeEdition.ends_on) >= day,
    )


def board_crews(jobs: list[ServiceRequest], day: date) -> dict[int, list[Trainee]]:
    """Who may be logged on each group's jobs on day, for every group on a board; one query."""
    group_ids = {job.group_id for job in jobs if job.group_id is not None}
    crews: dict[int, list[Trainee]] = {group_id: [] for group_id in group_ids}
    if not group_ids:
        return crews
    for trainee in db.session.scalars(
        select(Trainee)
        .join(ProgrammeEdition)
        .where(
            Trainee.group_id.in_(group_ids),
            Trainee.active.is_(True),
            *taking_part_on(day),
        )
        .order_by(Trainee.name)
    ):
        crews[trainee.group_id].append(trainee)
    return crews


def usual_hours(jobs: list[ServiceRequest]) -> dict[int, dict[int, object]]:
    """Each job's last work session as {trainee id: hours}: who usually works on it and how
    long, offered again on its board card. One query."""
    ids = [job.id for job in jobs]
    if not ids:
        return {}
    last = (
        select(func.max(WorkSession.id))
        .where(WorkSession.request_id.in_(ids))
        .group_by(WorkSession.request_id)
    )
    usual: dict[int, dict[int, object]] = {}
    for request_id, trainee_id, hours in db.session.execute(
        select(WorkSession.request_id, WorkEntry.trainee_id, WorkEntry.hours)
        .join(WorkEntry, WorkEntry.session_id == WorkSession.id)
        .where(WorkSession.id.in_(last))
    ):
        usual.setdefault(request_id, {})[trainee_id] = hours
    return usual
