"""The running tallies against a full recount of the requests, counted here in Python."""

from collections import Counter

from sqlalchemy import select

from portal.extensions import db
from portal.models import RequestTally, ServiceRequest, ServiceTally
from portal.tallies import KEY_COLUMNS, request_key, service_key


def recounted() -> tuple[Counter, Counter]:
    requests: Counter = Counter()
    services: Counter = Counter()
    columns = [getattr(ServiceRequest, name) for name in KEY_COLUMNS]
    for row in db.session.execute(select(*columns)):
        values = dict(zip(KEY_COLUMNS, row, strict=True))
        requests[request_key(values)] += 1
        service = service_key(values)
        if service is not None:
            services[service] += 1
    return requests, services


def kept() -> tuple[Counter, Counter]:
    requests = Counter(
        {
            (row.status, row.group_id): row.requests
            for row in db.session.scalars(select(RequestTally))
            if row.requests
        }
    )
    services = Counter(
        {
            (row.completed_on, row.category_id, row.requester_kind, row.edition_id): row.services
            for row in db.session.scalars(select(ServiceTally))
            if row.services
        }
    )
    return requests, services


def disagreement() -> str | None:
    """None when both tallies equal a recount; otherwise what differs."""
    db.session.expire_all()
    expected, actual = recounted(), kept()
    if expected == actual:
        return None
    return f"tallies kept {actual}, a recount gives {expected}"
