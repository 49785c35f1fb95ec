"""Who is the same person: a request's `person_key` links it to the person's other requests.

A request takes the key of the earlier requests with the same phone digits or the same
case-folded e-mail address (the smallest, where two are found), or its own id when it is
the person's first. The key is a bare number: it outlives the erasure of the contact data,
so the persons served in a period stay counted as they were. A correction of the phone or
the e-mail links the request afresh; an erasure, which blanks them, keeps the key.

Every insert and every such correction through the ORM is linked here; a write that
bypasses it (a bulk insert of demo data, a benchmark fill) calls `link_unlinked()`.
"""

from __future__ import annotations

from sqlalchemy import bindparam, event, func, select, true, union_all, update
from sqlalchemy.orm import Session, attributes

from .models import ServiceRequest

_table = ServiceRequest.__table__


def _first_key(connection, phone_digits: str, email_key: str | None, own_id: int | None):
    """The person's key among their other requests, or None when there is none; one query."""
    # The request's own row (when it is corrected) holds its old values: never its own match.
    others = _table.c.id != own_id if own_id is not None else true()
    ways = []
    if phone_digits:
        ways.append(
            select(_table.c.person_key).where(_table.c.phone_digits == phone_digits, others)
        )
    if email_key:
        ways.append(select(_table.c.person_key).where(_table.c.email_key == email_key, others))
    if not ways:
        return None
    # One index walk per way: joined by OR they would scan the table.
    found = union_all(*ways).subquery() if len(ways) > 1 else ways[0].subquery()
    statement = select(func.min(found.c.person_key))
    if own_id is not None:
        statement = statement.where(found.c.person_key != own_id)
    key = connection.execute(statement).scalar()
    return key


def _link_new(mapper, connection, request: ServiceRequest) -> None:
    request.person_key = _first_key(connection, request.phone_digits, request.email_key, None)


def _own_key_when_first(mapper, connection, request: ServiceRequest) -> None:
    if request.person_key is None:
        connection.execute(
            update(_table).where(_table.c.id == request.id).values(person_key=request.id)
        )
        attributes.set_committed_value(request, "person_key", request.id)


def _relink_corrected(mapper, connection, request: ServiceRequest) -> None:
    if request.anonymised_at is not None or not (request.phone_digits or request.email_key):
        return  # erased contact data (an erasure may flush halfway): the key stays
    state = attributes.instance_state(request)
    changed = any(state.attrs[name].history.has_changes() for name in ("phone_digits", "email_key"))
    if changed:
        request.person_key = (
            _first_key(connection, request.phone_digits, request.email_key, request.id)
            or request.id
        )


def register() -> None:
    """Link every request written through the ORM; once per process, after models' hooks."""
    if not event.contains(ServiceRequest, "before_insert", _link_new):
        event.listen(ServiceRequest, "before_insert", _link_new)
        event.listen(ServiceRequest, "after_insert", _own_key_when_first)
        event.listen(ServiceRequest, "before_update", _relink_corrected)


def link_unlinked(session: Session) -> None:
    """Link the requests written without the ORM as the hooks would have: in the order they
    were made, each to the smallest key among the earlier requests with the same phone
    digits or e-mail address. One read of the contact columns, one batch of updates."""
    by_phone: dict[str, int] = {}
    by_email: dict[str, int] = {}
    updates = []
    rows = session.execute(
        select(
            _table.c.id, _table.c.phone_digits, _table.c.email_key, _table.c.person_key
        ).order_by(_table.c.id)
    )
    for request_id, phone, email, stored in rows:
        found = [by_phone.get(phone) if phone else None, by_email.get(email) if email else None]
        key = stored
        if key is None:
            key = min((k for k in found if k is not None), default=request_id)
            updates.append({"_id": request_id, "_key": key})
        if phone:
            by_phone[phone] = min(by_phone.get(phone, key), key)
        if email:
            by_email[email] = min(by_email.get(email, key), key)
    if updates:
        session.execute(
            update(_table)
            .where(_table.c.id == bindparam("_id"))
            .values(person_key=bindparam("_key")),
            updates,
        )
