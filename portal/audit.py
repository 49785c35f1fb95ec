"""The audit trail of residents' data: who viewed, exported or erased what, and when.

`record` writes one `AuditEntry`. Views that only read call it after the page or file
is built and let it commit; services that change data pass ``commit=False`` so the
entry joins their own transaction and exists exactly when the change does. An entry
names a request by its id and an account by its id; its detail holds counts and codes,
never a resident's name, phone, address or what they wrote.

`search` answers the administrator's questions on the audit page ("whose data did
account X view or export between T1 and T2", "who looked at request N") in a fixed
number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .extensions import db
from .models import AuditEntry, ServiceRequest, User, utcnow


class AuditAction(StrEnum):
    VIEW_REQUEST = "view_request"
    VIEW_PHOTO = "view_photo"
    EXPORT_PERSON = "export_person"
    ERASE_PERSON = "erase_person"
    EXPORT_REPORT = "export_report"
    EXPORT_JOB_LIST = "export_job_list"
    RETENTION_RUN = "retention_run"
    # Partner institutions' API keys: issued and revoked by an administrator; each use of a
    # key (a request sent, or refused) and each try with a revoked key.
    API_KEY_ISSUED = "api_key_issued"
    API_KEY_REVOKED = "api_key_revoked"
    API_REQUEST_SENT = "api_request_sent"
    API_REQUEST_REFUSED = "api_request_refused"
    API_KEY_REFUSED = "api_key_refused"


def record(
    actor: User | None,
    action: AuditAction,
    request_id: int | None = None,
    detail: str = "",
    *,
    commit: bool = True,
) -> AuditEntry:
    """Add an audit entry; commit it at once unless the caller's transaction will."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=AuditAction(action).value,
        request_id=request_id,
        detail=detail[:300],
        created_at=utcnow(),
    )
    db.session.add(entry)
    if commit:
        db.session.commit()
    return entry


# --- The read side ---------------------------------------------------------------------


@dataclass
class AuditFilters:
    actor_id: int | None = None
    reference: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1


@dataclass
class AuditRow:
    entry: AuditEntry
    reference: str | None


@dataclass
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    pages: int


def _local_midnight_utc(day: date, timezone: str) -> datetime:
    local = datetime.combine(day, time.min, tzinfo=ZoneInfo(timezone))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _conditions(filters: AuditFilters, timezone: str) -> list:
    conditions = []
    if filters.actor_id:
        conditions.append(AuditEntry.actor_id == filters.actor_id)
    if filters.action in {action.value for action in AuditAction}:
        conditions.append(AuditEntry.action == filters.action)
    reference = (filters.reference or "").strip().upper()
    if reference:
        # A reference names one request; one that names none finds no entries.
        conditions.append(
            AuditEntry.request_id.in_(
                select(ServiceRequest.id).where(func.upper(ServiceRequest.reference) == reference)
            )
        )
    if filters.date_from:
        conditions.append(AuditEntry.created_at >= _local_midnight_utc(filters.date_from, timezone))
    if filters.date_to:
        next_day = filters.date_to + timedelta(days=1)
        conditions.append(AuditEntry.created_at < _local_midnight_utc(next_day, timezone))
    return conditions


def search(filters: AuditFilters, *, page_size: int, timezone: str) -> AuditPage:
    """List audit entries, newest first, with the reference of their request; two queries."""
    conditions = _conditions(filters, timezone)
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
    total = total or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, filters.page or 1), pages)
    statement = (
        select(AuditEntry, ServiceRequest.reference)
        .outerjoin(ServiceRequest, ServiceRequest.id == AuditEntry.request_id)
        .options(joinedload(AuditEntry.actor))
        .where(*conditions)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    rows = [AuditRow(entry, reference) for entry, reference in db.session.execute(statement)]
    return AuditPage(rows=rows, total=total, page=page, pages=pages)
