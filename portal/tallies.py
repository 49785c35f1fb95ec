"""Running counts kept in the same transaction as the writes they count.

Two tables spare the busiest pages from counting a growing table:

- `RequestTally`: requests per status and workshop group, for the queue's and the board's
  counts;
- `ServiceTally`: services (jobs completed as done) per completion day, category,
  requester kind and programme edition, for the council reports.

Every flush that inserts, changes or deletes a request adds its difference to both: the
row's old contribution out, its new one in, one upsert per key that changed. A write
that bypasses the ORM (a bulk insert of demo data, a benchmark fill) calls `recount()`
afterwards. A restored backup brings its tallies with it, consistent with its requests.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import case, delete, event, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .domain.lifecycle import Status
from .models import Channel, Outcome, RequesterKind, RequestTally, ServiceRequest, ServiceTally

# The columns a request's contribution depends on; they load their old value when set.
KEY_COLUMNS = (
    "status",
    "group_id",
    "category_id",
    "channel",
    "receives_assistance",
    "completed_on",
    "outcome",
    "edition_id",
)

RequestKey = tuple[Status, int]
ServiceKey = tuple[date, int, RequesterKind, int]

_PENDING = "tallies.pending"


def request_key(values: dict) -> RequestKey:
    return (Status(values["status"]), values["group_id"] or 0)


def service_key(values: dict) -> ServiceKey | None:
    """The service a request counts as, or None while it is not one."""
    if values["status"] != Status.COMPLETED or values["outcome"] != Outcome.DONE:
        return None
    if values["completed_on"] is None:
        return None
    if values["channel"] == Channel.INSTITUTION:
        kind = RequesterKind.INSTITUTION
    elif values["receives_assistance"]:
        kind = RequesterKind.ASSISTED
    else:
        kind = RequesterKind.SENIOR
    return (values["completed_on"], values["category_id"], kind, values["edition_id"] or 0)


def _current(request: ServiceRequest) -> dict:
    return {name: getattr(request, name) for name in KEY_COLUMNS}


def _before_change(request: ServiceRequest) -> dict:
    """The values as the database holds them, before this flush writes the changes."""
    committed = request._sa_instance_state.committed_state
    values = _current(request)
    for name in KEY_COLUMNS:
        if name in committed:
            values[name] = committed[name]
    return values


def _contribution(values: dict | None, sign: int, requests: Counter, services: Counter) -> None:
    if values is None:
        return
    requests[request_key(values)] += sign
    service = service_key(values)
    if service is not None:
        services[service] += sign


def _remember_old_values(session: Session, flush_context, instances) -> None:
    pending = []
    for request in session.new:
        if isinstance(request, ServiceRequest):
            pending.append((request, None, False))
    for request in session.dirty:
        if isinstance(request, ServiceRequest) and session.is_modified(request):
            pending.append((request, _before_change(request), False))
    for request in session.deleted:
        if isinstance(request, ServiceRequest):
            pending.append((request, _before_change(request), True))
    session.info[_PENDING] = pending


def _apply_differences(session: Session, flush_context) -> None:
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return
    requests: Counter = Counter()
    services: Counter = Counter()
    for request, old, deleted in pending:
        _contribution(old, -1, requests, services)
        _contribution(None if deleted else _current(request), +1, requests, services)
    connection = session.connection()
    _add(
        connection,
        RequestTally.__table__,
        ("status", "group_id"),
        "requests",
        {key: n for key, n in requests.items() if n},
    )
    _add(
        connection,
        ServiceTally.__table__,
        ("completed_on", "category_id", "requester_kind", "edition_id"),
        "services",
        {key: n for key, n in services.items() if n},
    )


def _add(connection, table, key_names: tuple[str, ...], count_name: str, deltas: dict) -> None:
    """Add each delta to its row, making the row when it is missing; one statement."""
    if not deltas:
        return
    # Sorted, so two transactions touching the same rows lock them in the same order.
    rows = [
        {**dict(zip(key_names, key, strict=True)), count_name: delta}
        for key, delta in sorted(deltas.items(), key=lambda item: tuple(map(str, item[0])))
    ]
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=list(key_names),
        set_={count_name: table.c[count_name] + statement.excluded[count_name]},
    )
    connection.execute(statement)


def register() -> None:
    """Keep the tallies on every session's flush; once per process."""
    if not event.contains(Session, "before_flush", _remember_old_values):
        event.listen(Session, "before_flush", _remember_old_values)
        event.listen(Session, "after_flush", _apply_differences)


def requester_kind_sql():
    """The requester kind of a request in SQL, as `service_key` decides it."""
    return case(
        (ServiceRequest.channel == Channel.INSTITUTION, RequesterKind.INSTITUTION.value),
        (ServiceRequest.receives_assistance.is_(True), RequesterKind.ASSISTED.value),
        else_=RequesterKind.SENIOR.value,
    )


def recount(session: Session) -> None:
    """Count both tallies afresh from the requests, in the session's transaction."""
    session.execute(delete(RequestTally))
    session.execute(delete(ServiceTally))
    grouped = select(
        ServiceRequest.status.label("status"),
        func.coalesce(ServiceRequest.group_id, 0).label("group_id"),
    ).subquery()
    session.execute(
        insert(RequestTally).from_select(
            ["status", "group_id", "requests"],
            select(grouped.c.status, grouped.c.group_id, func.count()).group_by(
                grouped.c.status, grouped.c.group_id
            ),
        )
    )
    # Grouped on a subquery's columns: PostgreSQL does not see two CASE expressions with
    # separately bound literals as one group key.
    done = (
        select(
            ServiceRequest.completed_on.label("completed_on"),
            ServiceRequest.category_id.label("category_id"),
            requester_kind_sql().label("requester_kind"),
            func.coalesce(ServiceRequest.edition_id, 0).label("edition_id"),
        )
        .where(
            ServiceRequest.status == Status.COMPLETED,
            ServiceRequest.outcome == Outcome.DONE,
            ServiceRequest.completed_on.is_not(None),
        )
        .subquery()
    )
    session.execute(
        insert(ServiceTally).from_select(
            ["completed_on", "category_id", "requester_kind", "edition_id", "services"],
            select(
                done.c.completed_on,
                done.c.category_id,
                done.c.requester_kind,
                done.c.edition_id,
                func.count(),
            ).group_by(
                done.c.completed_on, done.c.category_id, done.c.requester_kind, done.c.edition_id
            ),
        )
    )
