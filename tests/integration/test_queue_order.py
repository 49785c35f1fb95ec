"""The queue and the board read one short walk of an index per status; merged, the pages
are exactly what sorting every matching request would give, in either direction."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update

from portal import queries
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import ServiceRequest
from tests import factories

STATUSES = [Status.SUBMITTED, Status.NEEDS_INFO, Status.ACCEPTED, Status.SCHEDULED, Status.READY]


def _spread(count: int) -> list[ServiceRequest]:
    """Requests of mixed statuses whose arrival times interleave, two sharing one moment
    (newest first reverses the whole order, ties included)."""
    made = []
    start = datetime(2026, 1, 1, 8)
    for number in range(count):
        request = factories.make_request(status=STATUSES[(number * 7) % len(STATUSES)])
        moment = start + timedelta(hours=(number * 5) % count)
        if number == 3:
            moment = made[1].created_at  # a tie: broken by id
        db.session.execute(
            update(ServiceRequest).where(ServiceRequest.id == request.id).values(created_at=moment)
        )
        made.append(request)
    db.session.commit()
    db.session.expire_all()
    return made


@pytest.mark.parametrize("newest_first", [False, True])
@pytest.mark.parametrize("status", ["waiting", "jobs", "open", "all", "scheduled"])
def test_every_page_of_the_queue_is_the_sorted_list_cut_in_pages(app, status, newest_first):
    with app.app_context():
        made = _spread(14)
        admin = factories.user(Role.ADMIN)
        wanted = sorted(
            (r for r in made if r.status in (queries.STATUS_SETS.get(status) or {Status(status)})),
            key=lambda r: (r.created_at, r.id),
            reverse=newest_first,
        )

        listed = []
        for page in range(1, 7):
            found = queries.queue(
                queries.QueueFilters(status=status, newest_first=newest_first, page=page),
                admin,
                page_size=3,
                timezone="Europe/Warsaw",
            )
            if page > found.pages:
                break
            listed.extend(found.items)

        assert [r.id for r in listed] == [r.id for r in wanted]
        assert found.total == len(wanted)


def test_the_board_shows_dated_jobs_soonest_first_then_undated_ones_by_arrival(app):
    with app.app_context():
        admin = factories.user(Role.ADMIN)
        jobs = [factories.make_request(status=Status.SCHEDULED) for _ in range(4)]
        dates = [date(2026, 12, 9), date(2026, 12, 2), None, date(2026, 12, 2)]
        for job, day in zip(jobs, dates, strict=True):
            job.scheduled_for = day
        db.session.commit()

        board, counts = queries.jobs_for(admin, per_column=3)

        assert [job.id for job in board[Status.SCHEDULED]] == [jobs[1].id, jobs[3].id, jobs[0].id]
        assert counts[Status.SCHEDULED] == 4
