"""The counts a waiting estimate is made from, each set in one query.

For every service: how many of its requests wait for the workshop's work (counted in the
(status, category, created) index), and how many of its jobs were done in the last weeks
(added up from the daily tally `ServiceTally`); `portal.domain.waiting` turns them into weeks.
Neither part reads the requests themselves, so the cost stays flat however many are stored.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, literal, select, tuple_, union_all

from ..domain.waiting import AHEAD, WINDOW_WEEKS, WaitingEstimate, estimate_wait
from ..extensions import db
from ..models import ServiceRequest, ServiceTally

WAITING, DONE = "waiting", "done"


def _done_in_window(today: date):
    since = today - timedelta(weeks=WINDOW_WEEKS)
    return (ServiceTally.completed_on > since, ServiceTally.completed_on <= today)


def estimates_by_service(today: date) -> dict[int, WaitingEstimate | None]:
    """The usual wait of a request sent today, for each service with any recent work."""
    waiting = (
        select(ServiceRequest.category_id, literal(WAITING), func.count())
        .where(ServiceRequest.status.in_(AHEAD))
        .group_by(ServiceRequest.category_id)
    )
    done = (
        select(ServiceTally.category_id, literal(DONE), func.sum(ServiceTally.services))
        .where(*_done_in_window(today))
        .group_by(ServiceTally.category_id)
    )
    counts: dict[int, dict[str, int]] = {}
    for category_id, kind, number in db.session.execute(union_all(waiting, done)):
        counts.setdefault(category_id, {WAITING: 0, DONE: 0})[kind] = int(number or 0)
    return {
        category_id: estimate_wait(count[WAITING], count[DONE])
        for category_id, count in counts.items()
    }


def estimate_for(request: ServiceRequest, today: date) -> WaitingEstimate | None:
    """The usual wait of this request, counting the service's requests sent before it."""
    ahead = select(literal(WAITING), func.count()).where(
        ServiceRequest.status.in_(AHEAD),
        ServiceRequest.category_id == request.category_id,
        tuple_(ServiceRequest.created_at, ServiceRequest.id) < (request.created_at, request.id),
    )
    done = select(literal(DONE), func.sum(ServiceTally.services)).where(
        ServiceTally.category_id == request.category_id, *_done_in_window(today)
    )
    counts = {kind: int(number or 0) for kind, number in db.session.execute(union_all(ahead, done))}
    return estimate_wait(counts[WAITING], counts[DONE])
