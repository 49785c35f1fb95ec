"""The waiting estimate against hand-counted requests, in one query each.

The rule (portal.domain.waiting): the pace is the service's jobs done in the last 12 weeks
divided by 12; the wait is (the requests ahead + 1) divided by the pace; the range runs
from 0.75 × to 1.5 × the wait, in whole weeks, at least 1 and then at least one more.
Fewer than 6 jobs done in the window: no estimate.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from portal import queries, services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.domain.waiting import WaitingEstimate, estimate_wait
from portal.extensions import db
from portal.models import Outcome
from tests import factories


@pytest.mark.parametrize(
    ("ahead", "done", "expected"),
    [
        # 12 done in 12 weeks: one a week; 3 ahead + this one = 4 weeks → 3 to 6.
        (3, 12, WaitingEstimate(3, 6)),
        # two a week, nobody ahead: half a week → at least 1, then at least 2.
        (0, 24, WaitingEstimate(1, 2)),
        # six done: half a week each; 2 ahead → 6 weeks → 4 to 9.
        (2, 6, WaitingEstimate(4, 9)),
        (40, 5, None),  # five jobs in three months are too few to judge the pace by
        (0, 0, None),
    ],
)
def test_the_rule_by_hand(ahead, done, expected):
    assert estimate_wait(ahead, done) == expected


def _done(code: str, day: date, outcome: Outcome = Outcome.DONE) -> None:
    request = factories.make_request(code=code, status=Status.IN_PROGRESS)
    factories.sent_on(request, day - timedelta(days=3))
    services.complete_job(
        request,
        Actor(Role.STAFF),
        completed_on=day,
        outcome=outcome,
        work_done="Zrobione" if outcome == Outcome.DONE else "",
        not_done_reason="" if outcome == Outcome.DONE else "Brak części",
    )


class Statements:
    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1


def _counting(engine):
    counter = Statements()
    event.listen(engine, "before_cursor_execute", counter)
    return counter


@pytest.fixture
def hand_counted(app):
    """Tailoring: 7 done in the window, 3 ahead. Upholstery: 6 done, none ahead. Renovation:
    2 done, 1 ahead. And what must not count: work done 13 weeks ago, a job not done, a
    finished item waiting to be collected, a cancelled and a declined request."""
    with app.app_context():
        today = services.local_today("Europe/Warsaw")
        for weeks_ago in (0, 1, 2, 3, 4, 5, 11):
            _done("tailoring", today - timedelta(weeks=weeks_ago))
        _done("tailoring", today - timedelta(weeks=13))
        _done("tailoring", today - timedelta(weeks=1), outcome=Outcome.NOT_DONE)
        for weeks_ago in range(6):
            _done("upholstery", today - timedelta(weeks=weeks_ago, days=1))
        for weeks_ago in (2, 4):
            _done("renovation", today - timedelta(weeks=weeks_ago))
        factories.make_request(code="renovation", status=Status.ACCEPTED)
        factories.make_request(code="tailoring", status=Status.READY)
        factories.make_request(code="tailoring", status=Status.CANCELLED)
        factories.make_request(code="tailoring", status=Status.DECLINED)
        first = factories.make_request(code="tailoring", name="Pierwsza")
        factories.make_request(code="tailoring", status=Status.SCHEDULED, name="Druga")
        last = factories.make_request(code="tailoring", status=Status.NEEDS_INFO, name="Trzecia")
        return today, first.id, last.id


def test_each_service_gets_its_own_estimate_in_one_query(app, hand_counted):
    today, _first, _last = hand_counted
    with app.app_context():
        ids = {code: factories.category(code).id for code in ("tailoring", "upholstery")}
        renovation = factories.category("renovation").id
        counter = _counting(db.engine)

        estimates = queries.estimates_by_service(today)

        event.remove(db.engine, "before_cursor_execute", counter)
    assert counter.count == 1
    # Tailoring: 7 / 12 a week; 3 ahead + 1 → 6.86 weeks → 5 to 11.
    assert estimates[ids["tailoring"]] == WaitingEstimate(5, 11)
    # Upholstery: half a week each; nobody ahead → 2 weeks → 1 to 3.
    assert estimates[ids["upholstery"]] == WaitingEstimate(1, 3)
    assert estimates[renovation] is None  # two jobs done: too few to say


def test_a_request_counts_only_those_sent_before_it(app, hand_counted):
    today, first_id, last_id = hand_counted
    with app.app_context():
        from portal.models import ServiceRequest

        first = db.session.get(ServiceRequest, first_id)
        last = db.session.get(ServiceRequest, last_id)
        counter = _counting(db.engine)

        estimate_first = queries.estimate_for(first, today)
        estimate_last = queries.estimate_for(last, today)

        event.remove(db.engine, "before_cursor_execute", counter)
    assert counter.count == 2
    # Nobody ahead of the first: 12/7 weeks → 1 to 3.
    assert estimate_first == WaitingEstimate(1, 3)
    # Two ahead of the last (the first and the scheduled one): 3 × 12/7 = 5.14 → 3 to 8.
    assert estimate_last == WaitingEstimate(3, 8)


def test_the_status_page_and_the_form_say_it_in_polish(app, client, hand_counted):
    _today, first_id, _last = hand_counted
    with app.app_context():
        from portal.models import ServiceRequest

        token = db.session.get(ServiceRequest, first_id).access_token

    status = client.get(f"/zgloszenie/{token}").get_data(as_text=True)
    form = client.get("/zglos").get_data(as_text=True)

    assert "Zwykle 1–3 tygodnie do wykonania" in status and "To nie jest obietnica." in status
    assert "Zwykle 5–11 tygodni do wykonania" in form
    assert "Zwykle 1–3 tygodnie do wykonania" in form
    assert "Nie możemy jeszcze powiedzieć, jak długo zwykle się czeka" in form
