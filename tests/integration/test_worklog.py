"""The work log's rules, where they live: who may be logged, how many hours, on which job,
by whom, and what a correction keeps. The web side has one happy and one refused path
each (tests/web/test_workshop.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from portal.domain.actor import Actor
from portal.domain.errors import DomainError, StaleEdit
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import EventKind, RequestEvent, WorkSession
from portal.services import worklog
from tests import factories

TODAY = date(2026, 11, 20)


@pytest.fixture
def floor(app):
    """A tailoring job in progress, its instructor, and trainees who may and may not be logged."""
    with app.app_context():
        tailoring = factories.group_for("tailoring")
        instructor = factories.user(Role.INSTRUCTOR)
        instructor.groups = [tailoring]
        stranger = factories.user(Role.INSTRUCTOR)
        stranger.groups = [factories.group_for("upholstery")]
        db.session.commit()
        crew = factories.work_crew(TODAY)
        yield {
            "job": factories.make_request(status=Status.IN_PROGRESS),
            "instructor": Actor.of(instructor),
            "stranger": Actor.of(stranger),
            "admin": Actor.of(factories.user(Role.ADMIN)),
            **crew,
        }


def _work(hours: dict, *, worked_on: date = TODAY, description: str = "Skrócono nogawki"):
    return worklog.WorkData(worked_on=worked_on, description=description, hours=hours)


def _refusal(floor, data, actor="instructor") -> DomainError:
    with pytest.raises(DomainError) as refused:
        worklog.log_work(floor["job"], floor[actor], data, today=TODAY)
    assert db.session.query(WorkSession).count() == 0
    return refused.value


def test_hours_of_two_trainees_are_logged_with_the_instructor_as_supervisor(floor):
    session = worklog.log_work(
        floor["job"],
        floor["instructor"],
        _work({floor["ala"]: "2", floor["basia"]: "1,5"}),
        today=TODAY,
    )

    assert session.supervisor_id == floor["instructor"].user_id
    assert sorted((e.trainee_id, e.hours) for e in session.entries) == [
        (floor["ala"], Decimal("2.00")),
        (floor["basia"], Decimal("1.50")),
    ]
    assert floor["job"].events[-1].kind == EventKind.WORK_LOG


def test_only_active_trainees_of_the_group_in_a_running_edition_are_offered(floor):
    offered = worklog.eligible_trainees(floor["job"].group_id, TODAY)

    assert {trainee.id for trainee in offered} == {floor["ala"], floor["basia"]}


@pytest.mark.parametrize("who", ["other_group", "finished", "inactive"])
def test_trainees_of_other_groups_finished_editions_or_inactive_are_refused(floor, who):
    refused = _refusal(floor, _work({floor["ala"]: "2", floor[who]: "2"}))

    assert refused.field == "trainees"


@pytest.mark.parametrize("hours", ["0", "-1", "13", "abc", "1.1", "NaN", "1E5", "0,2"])
def test_impossible_hours_are_refused_at_the_trainees(floor, hours):
    assert _refusal(floor, _work({floor["ala"]: hours})).field == "trainees"


@pytest.mark.parametrize("hours", ["0,25", "12", "7.75"])
def test_quarters_of_an_hour_up_to_twelve_are_accepted(floor, hours):
    session = worklog.log_work(
        floor["job"], floor["instructor"], _work({floor["ala"]: hours}), today=TODAY
    )

    assert session.entries[0].hours == Decimal(hours.replace(",", "."))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (lambda f: _work({f["ala"]: "1"}, worked_on=TODAY + timedelta(days=1)), "worked_on"),
        (lambda f: _work({f["ala"]: "1"}, description="   "), "description"),
        (lambda f: _work({}), "trainees"),
    ],
    ids=["in the future", "without a description", "without trainees"],
)
def test_a_log_needs_a_past_date_a_description_and_a_trainee(floor, data, field):
    assert _refusal(floor, data(floor)).field == field


def test_work_is_logged_only_on_a_job_of_ones_own_group_in_the_workshop(floor):
    assert _refusal(floor, _work({floor["ala"]: "1"}), actor="stranger").field is None

    waiting = factories.make_request()
    with pytest.raises(DomainError):
        worklog.log_work(waiting, floor["admin"], _work({floor["ala"]: "1"}), today=TODAY)


def test_the_author_corrects_an_entry_and_the_old_values_stay_in_the_history(floor):
    session = worklog.log_work(
        floor["job"], floor["instructor"], _work({floor["ala"]: "2"}), today=TODAY
    )

    worklog.correct_work(
        session,
        floor["instructor"],
        _work({floor["ala"]: "3", floor["basia"]: "1"}, description="Skrócono i podszyto"),
        today=TODAY,
        expected_version=session.version,
    )

    event = (
        db.session.query(RequestEvent)
        .filter_by(kind=EventKind.WORK_LOG)
        .order_by(RequestEvent.id.desc())
        .first()
    )
    assert event.changes["hours"] == {
        "old": "Alicja Uczennica: 2",
        "new": "Alicja Uczennica: 3, Barbara Uczennica: 1",
    }
    assert event.changes["description"]["old"] == "Skrócono nogawki"


def test_another_instructor_may_not_correct_an_entry_and_an_admin_may(floor):
    session = worklog.log_work(
        floor["job"], floor["instructor"], _work({floor["ala"]: "2"}), today=TODAY
    )
    other = factories.user(Role.INSTRUCTOR)
    other.groups = [factories.group_for("tailoring")]
    db.session.commit()

    with pytest.raises(DomainError):
        worklog.correct_work(
            session, Actor.of(other), _work({floor["ala"]: "5"}), today=TODAY, expected_version=None
        )
    worklog.correct_work(
        session, floor["admin"], _work({floor["ala"]: "4"}), today=TODAY, expected_version=None
    )

    assert [entry.hours for entry in session.entries] == [Decimal("4.00")]


def test_a_correction_of_an_entry_someone_changed_meanwhile_is_stale(floor):
    session = worklog.log_work(
        floor["job"], floor["instructor"], _work({floor["ala"]: "2"}), today=TODAY
    )
    seen = session.version
    worklog.correct_work(
        session, floor["instructor"], _work({floor["ala"]: "3"}), today=TODAY, expected_version=seen
    )

    with pytest.raises(StaleEdit):
        worklog.correct_work(
            session,
            floor["instructor"],
            _work({floor["ala"]: "5"}),
            today=TODAY,
            expected_version=seen,
        )
    assert [entry.hours for entry in session.entries] == [Decimal("3.00")]
