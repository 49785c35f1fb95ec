"""The counts a waiting estimate is made from, each set in one query.

For every service: how many of its requests wait for the workshop's work, and how many of
its jobs were done in the last weeks (`portal.domain.waiting` turns them into weeks).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, case, func, or_, select, tuple_

from ..domain.lifecycle import Status
from ..domain.waiting import AHEAD, WINDOW_WEEKS, WaitingEstimate, estimate_wait
from ..extensions import db
from ..models import Outcome, ServiceRequest


def _done_since(today: date):
    since = today - timedelta(weeks=WINDOW_WEEKS)
    return and_(
        ServiceRequest.status == Status.COMPLETED,
        ServiceRequest.outcome == Outcome.DONE,
        ServiceRequest.completed_on > since,
        ServiceRequest.completed_on <= today,
    )


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def estimates_by_service(today: date) -> dict[int, WaitingEstimate | None]:
    """The usual wait of a request sent today, for each service with any recent work."""
    waiting = ServiceRequest.status.in_(AHEAD)
    done = _done_since(today)
    rows = db.session.execute(
        select(ServiceRequest.category_id, _count(waiting), _count(done))
        .where(or_(waiting, done))
        .group_by(ServiceRequest.category_id)
    )
    return {
        category_id: estimate_wait(int(ahead), int(finished))
        for category_id, ahead, finished in rows
    }


def estimate_for(request: ServiceRequest, today: date) -> WaitingEstimate | None:
    """The usual wait of this request, counting the service's requests sent before it."""
    ahead = and_(
        ServiceRequest.status.in_(AHEAD),
        tuple_(ServiceRequest.created_at, ServiceRequest.id) < (request.created_at, request.id),
    )
    done = _done_since(today)
    before, finished = db.session.execute(
        select(_count(ahead), _count(done)).where(
            ServiceRequest.category_id == request.category_id, or_(ahead, done)
        )
    ).one()
    return estimate_wait(int(before), int(finished))
