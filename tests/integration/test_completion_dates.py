"""A completion date lies between the day the request was sent and today, in Warsaw's calendar.

So a service is never counted in a month before anyone asked for it, nor ahead of time; the
same holds when an administrator corrects a completion.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from portal import services
from portal.domain.actor import Actor
from portal.domain.errors import DomainError
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import Outcome, ServiceRequest
from tests import factories

TODAY = date(2026, 3, 20)
SENT = date(2026, 3, 2)


def _job(status=Status.IN_PROGRESS) -> ServiceRequest:
    request = factories.make_request(status=status)
    return factories.sent_on(request, SENT)


def _complete(request, completed_on, **changes):
    options = {
        "completed_on": completed_on,
        "outcome": Outcome.DONE,
        "work_done": "Skrócono spodnie",
        "today": TODAY,
    }
    options.update(changes)
    return services.complete_job(request, Actor(Role.STAFF), **options)


@pytest.mark.parametrize("completed_on", [SENT, SENT + timedelta(days=5), TODAY])
def test_a_date_from_the_day_it_was_sent_to_today_is_accepted(app, completed_on):
    with app.app_context():
        request = _job()

        _complete(request, completed_on)

        assert db.session.get(ServiceRequest, request.id).completed_on == completed_on


@pytest.mark.parametrize(
    ("completed_on", "message"),
    [
        (SENT - timedelta(days=1), "earlier than the day the request was sent"),
        (date(2026, 2, 27), "earlier than the day the request was sent"),
        (TODAY + timedelta(days=1), "cannot be in the future"),
    ],
)
def test_a_date_before_it_was_sent_or_after_today_is_refused_at_the_date(
    app, completed_on, message
):
    with app.app_context():
        request = _job()

        with pytest.raises(DomainError) as refused:
            _complete(request, completed_on)

        assert message in str(refused.value) and refused.value.field == "completed_on"
        db.session.rollback()
        request = db.session.get(ServiceRequest, request.id)
        assert request.status == Status.IN_PROGRESS and request.completed_on is None


def test_the_day_it_was_sent_is_the_local_day_in_warsaw(app):
    with app.app_context():
        request = factories.make_request(status=Status.IN_PROGRESS)
        # 23:30 UTC on 1 March is already 2 March in Warsaw.
        request.created_at = datetime(2026, 3, 1, 23, 30)
        db.session.commit()

        with pytest.raises(DomainError):
            _complete(request, date(2026, 3, 1))
        db.session.rollback()
        _complete(db.session.get(ServiceRequest, request.id), date(2026, 3, 2))


def test_the_date_defaults_to_todays_bounds_when_no_today_is_given(app):
    with app.app_context():
        request = factories.make_request(status=Status.IN_PROGRESS)
        tomorrow = services.local_today("Europe/Warsaw") + timedelta(days=1)

        with pytest.raises(DomainError):
            services.complete_job(
                request,
                Actor(Role.STAFF),
                completed_on=tomorrow,
                outcome=Outcome.DONE,
                work_done="Skrócono",
            )


@pytest.mark.parametrize(
    ("completed_on", "accepted"),
    [
        (SENT, True),
        (SENT - timedelta(days=1), False),
        (TODAY + timedelta(days=1), False),
    ],
)
def test_a_corrected_completion_keeps_to_the_same_dates(app, completed_on, accepted):
    with app.app_context():
        request = _job()
        _complete(request, TODAY)
        admin = Actor.of(factories.user(Role.ADMIN))

        def correct():
            services.correct_completion(
                request,
                admin,
                completed_on=completed_on,
                outcome=Outcome.DONE,
                work_done="Skrócono spodnie",
                today=TODAY,
            )

        if accepted:
            correct()
        else:
            with pytest.raises(DomainError) as refused:
                correct()
            assert refused.value.field == "completed_on"
            db.session.rollback()
        expected = completed_on if accepted else TODAY
        assert db.session.get(ServiceRequest, request.id).completed_on == expected
