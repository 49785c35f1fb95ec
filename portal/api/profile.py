"""The public profile: what of the club's services and requests anyone may read.

The Open311 standard publishes each request's description, address, position and photo.
Here the requests are the homes and belongings of seniors and of people who receive social
assistance, and art. 100 of the Polish act on social assistance forbids revealing that
anyone does. So a request shows only the service, its status, the workshop group that has
it (as agency_responsible) and its dates, rounded to the day. The fields the standard
names but this profile never fills are present and empty, so that a client reading them
finds nothing rather than an error. docs/open311.md says why each field is what it is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from ..domain import questions
from ..domain.lifecycle import CLOSED, Status
from ..models import ServiceCategory
from ..queries.open311 import PublicRequest

# Always empty: the standard's fields that would show a person, their home or their words.
WITHHELD = (
    "status_notes",
    "description",
    "service_notice",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)

DATATYPES = {
    "text": "string",
    "number": "number",
    "choice": "singlevaluelist",
    "yes_no": "singlevaluelist",
}


def open_or_closed(status: Status) -> str:
    """The standard's two statuses: closed once the request is done with, open before."""
    return "closed" if Status(status) in CLOSED else "open"


def local_midnight(day: date, timezone: str) -> datetime:
    """The first instant of a local day, with its offset."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(timezone))


def local_day(instant: datetime, timezone: str) -> date:
    """The local day of a stored instant (naive UTC)."""
    return instant.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)).date()


def day_of(instant: datetime | None, timezone: str) -> str | None:
    """An instant rounded down to its local day, in ISO 8601 with the offset of that day.

    The exact minute of a request would tell who sent it to anyone who saw them at the
    office or heard them on the phone; the day is enough for the filters and the figures.
    """
    if instant is None:
        return None
    return local_midnight(local_day(instant, timezone), timezone).isoformat()


def public_request(row: PublicRequest, timezone: str) -> dict:
    """One request in the public profile, in the standard's order of fields."""
    updated = row.closed_at if Status(row.status) in CLOSED and row.closed_at else row.updated_at
    shown = {
        "service_request_id": row.reference,
        "status": open_or_closed(row.status),
        # The portal's own, finer status (see docs/open311.md): not a standard field.
        "extended_status": Status(row.status).value,
        "status_notes": None,
        "service_name": row.service_name,
        "service_code": row.service_code,
        "description": None,
        "agency_responsible": row.group_name,
        "service_notice": None,
        "requested_datetime": day_of(row.created_at, timezone),
        "updated_datetime": day_of(updated, timezone),
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }
    return shown


def service(category: ServiceCategory, group: str) -> dict:
    """A service in the list of services."""
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or "",
        "metadata": bool(category.questions),
        "type": "realtime",
        "keywords": category.code,
        "group": group,
        # Not a standard field: whether address_string is required when sending one.
        "address_required": bool(category.requires_address),
    }


def definition(category: ServiceCategory) -> dict:
    """A service's definition: its own questions as the standard's attributes."""
    attributes = []
    for order, question in enumerate(questions.localised(category.questions, "pl"), start=1):
        if question.kind == "yes_no":
            values = [
                {"key": questions.YES, "name": questions.YES_NO_POLISH[questions.YES]},
                {"key": questions.NO, "name": questions.YES_NO_POLISH[questions.NO]},
            ]
        else:
            values = [{"key": choice.key, "name": choice.label} for choice in question.choices]
        attributes.append(
            {
                "variable": True,
                "code": question.code,
                "datatype": DATATYPES[question.kind],
                "required": question.required,
                "datatype_description": _datatype_description(question),
                "order": order,
                "description": question.label,
                "values": values,
            }
        )
    return {"service_code": category.code, "attributes": attributes}


def _datatype_description(question: questions.Question) -> str:
    parts = [question.hint] if question.hint else []
    if question.unit:
        parts.append(_("In %(unit)s.", unit=question.unit))
    return " ".join(parts)
