"""The read side: what pages list and look up, loaded in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import g
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

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
    return list(
        db.session.scalars(
            select(ServiceCategory)
            .where(ServiceCategory.active.is_(True))
            .order_by(ServiceCategory.position, ServiceCategory.id)
        )
    )


def request_by_token(token: str) -> ServiceRequest | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.access_token == token)
        .options(
            selectinload(ServiceRequest.events).selectinload(RequestEvent.actor),
            selectinload(ServiceRequest.category),
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


def _queue_conditions(filters: QueueFilters, user: User, timezone: str) -> list:
    conditions = []
    if not permissions.sees_all_requests(user):
        conditions.append(ServiceRequest.group_id.in_(user.group_ids or [-1]))
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
        # What staff type is matched literally (% and _ are not wildcards) and without regard
        # to case in any alphabet: both sides are folded by Python, not by the database.
        options = [ServiceRequest.search_text.contains(search.casefold(), autoescape=True)]
        digits = "".join(ch for ch in search if ch.isdigit())
        if len(digits) >= 3:
            options.append(ServiceRequest.phone_digits.contains(digits, autoescape=True))
        conditions.append(or_(*options))
    return conditions


def queue(filters: QueueFilters, user: User, *, page_size: int, timezone: str) -> QueuePage:
    """List the requests a user may see, filtered, with counts per status; four queries."""
    conditions = _queue_conditions(filters, user, timezone)
    statuses = STATUS_SETS.get(filters.status)
    if statuses is None and filters.status in {s.value for s in Status}:
        statuses = frozenset({Status(filters.status)})
    statuses = statuses or STATUS_SETS["waiting"]
    listed = conditions + [ServiceRequest.status.in_(sorted(statuses))]

    counts = {
        str(status): count
        for status, count in db.session.execute(
            select(ServiceRequest.status, func.count())
            .where(*conditions)
            .group_by(ServiceRequest.status)
        )
    }
    total = db.session.scalar(select(func.count()).select_from(ServiceRequest).where(*listed)) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, filters.page or 1), pages)
    order = (
        ServiceRequest.created_at.desc()
        if filters.newest_first
        else ServiceRequest.created_at.asc()
    )
    items = list(
        db.session.scalars(
            select(ServiceRequest)
            .where(*listed)
            .options(joinedload(ServiceRequest.category), joinedload(ServiceRequest.group))
            .order_by(order, ServiceRequest.id)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    )
    return QueuePage(items=items, total=total, page=page, pages=pages, counts=counts)


def groups(active_only: bool = False) -> list[WorkshopGroup]:
    statement = (
        select(WorkshopGroup)
        .options(joinedload(WorkshopGroup.category))
        .order_by(WorkshopGroup.name)
    )
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
    """
    conditions = [ServiceRequest.status.in_(sorted(lifecycle.JOB))]
    if not permissions.sees_all_requests(user):
        conditions.append(ServiceRequest.group_id.in_(user.group_ids or [-1]))
    if group_id:
        conditions.append(ServiceRequest.group_id == group_id)
    ordering = (
        ServiceRequest.scheduled_for.is_(None),
        ServiceRequest.scheduled_for,
        ServiceRequest.created_at,
        ServiceRequest.id,
    )
    ranked = (
        select(
            ServiceRequest.id,
            func.row_number()
            .over(partition_by=ServiceRequest.status, order_by=ordering)
            .label("rank"),
        )
        .where(*conditions)
        .subquery()
    )
    statement = (
        select(ServiceRequest)
        .join(ranked, ranked.c.id == ServiceRequest.id)
        .where(ranked.c.rank <= per_column)
        .options(joinedload(ServiceRequest.category), joinedload(ServiceRequest.group))
        .order_by(*ordering)
    )
    board: dict[Status, list[ServiceRequest]] = {status: [] for status in BOARD_COLUMNS}
    for job in db.session.scalars(statement):
        board[job.status].append(job)
    counts = {status: 0 for status in BOARD_COLUMNS}
    for status, count in db.session.execute(
        select(ServiceRequest.status, func.count())
        .where(*conditions)
        .group_by(ServiceRequest.status)
    ):
        counts[status] = count
    return board, counts


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
