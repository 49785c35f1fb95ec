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

from sqlalchemy import event, func, select, text, union_all, update
from sqlalchemy.orm import Session, attributes

from .models import ServiceRequest

_table = ServiceRequest.__table__


def _first_key(connection, phone_digits: str, email_key: str | None, own_id: int | None):
    """The person's key among their other requests, or None when there is none; one query."""
    ways = []
    if phone_digits:
        ways.append(select(_table.c.person_key).where(_table.c.phone_digits == phone_digits))
    if email_key:
        ways.append(select(_table.c.person_key).where(_table.c.email_key == email_key))
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


# Two passes, each an index walk per row: joined by OR, the ways would scan the table for
# every request. First the phone number, then the e-mail address joins what it links.
LINK_BY_PHONE = (
    "UPDATE service_request SET person_key = COALESCE("
    " (SELECT min(other.id) FROM service_request AS other"
    "  WHERE other.phone_digits = service_request.phone_digits"
    "  AND service_request.phone_digits <> ''),"
    " id) WHERE person_key IS NULL"
)
LINK_BY_EMAIL = (
    "UPDATE service_request SET person_key = (SELECT min(other.person_key)"
    " FROM service_request AS other WHERE other.email_key = service_request.email_key)"
    " WHERE email_key IS NOT NULL AND person_key > (SELECT min(other.person_key)"
    " FROM service_request AS other WHERE other.email_key = service_request.email_key)"
)


def link_unlinked(session: Session) -> None:
    """Link the requests written without the ORM: each to its person's first request."""
    session.execute(text(LINK_BY_PHONE))
    session.execute(text(LINK_BY_EMAIL))
