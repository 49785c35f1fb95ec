"""The running tallies equal a full recount after every kind of write.

The suite's `app` fixture checks the same after every test; these name the writes that
move a request between keys: status moves, completion, its correction, a change of
category or requester kind, anonymisation, erasure, a rolled-back use case, and a write
that bypasses the ORM (which `recount` repairs).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from portal import queries, services, tallies
from portal.domain.actor import Actor
from portal.domain.errors import DomainError
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import Channel, Outcome, RequesterKind, ServiceRequest
from portal.services import retention
from tests import factories
from tests import tallies as check

STAFF = Actor(Role.STAFF)
ADMIN = Actor(Role.ADMIN)


def _services_on(day: date) -> dict:
    return {key[1:]: n for key, n in check.kept()[1].items() if key[0] == day}


def test_each_status_move_moves_one_request_between_counts(app):
    with app.app_context():
        admin = factories.user(Role.ADMIN)
        request = factories.make_request()
        assert queries.status_counts(admin) == {"submitted": 1}

        factories.walk_to(request, Status.READY)

        assert queries.status_counts(admin) == {"ready": 1}
        group = factories.group_for("tailoring").id
        assert check.kept()[0] == {(Status.READY, group): 1}
        assert check.disagreement() is None


def test_a_completion_counts_one_service_on_its_day_category_kind_and_edition(app):
    with app.app_context():
        edition = factories.edition(starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
        request = factories.make_request(status=Status.IN_PROGRESS, receives_assistance=True)
        factories.sent_on(request, date(2026, 3, 1))
        category = request.category_id

        services.complete_job(
            request,
            STAFF,
            completed_on=date(2026, 3, 2),
            outcome=Outcome.DONE,
            work_done="Wykonano",
        )

        assert _services_on(date(2026, 3, 2)) == {(category, RequesterKind.ASSISTED, edition.id): 1}
        assert check.disagreement() is None


def test_a_job_not_done_counts_no_service(app):
    with app.app_context():
        request = factories.make_request(status=Status.IN_PROGRESS)
        services.complete_job(
            request,
            STAFF,
            completed_on=services.local_today("Europe/Warsaw"),
            outcome=Outcome.NOT_DONE,
            not_done_reason="Nie dało się naprawić",
        )

        assert check.kept()[1] == {}
        assert check.disagreement() is None


def test_a_corrected_completion_moves_or_removes_its_service(app):
    with app.app_context():
        request = factories.make_request(status=Status.COMPLETED)
        first_day = request.completed_on
        earlier = first_day - timedelta(days=3)
        factories.sent_on(request, earlier - timedelta(days=1))

        services.correct_completion(
            request, ADMIN, completed_on=earlier, outcome=Outcome.DONE, work_done="Wykonano"
        )
        assert _services_on(first_day) == {}
        assert sum(_services_on(earlier).values()) == 1
        assert check.disagreement() is None

        services.correct_completion(
            request,
            ADMIN,
            completed_on=earlier,
            outcome=Outcome.NOT_DONE,
            not_done_reason="Brak części",
        )
        assert check.kept()[1] == {}
        assert check.disagreement() is None


def test_a_corrected_category_or_requester_moves_the_service(app):
    with app.app_context():
        request = factories.make_request(status=Status.COMPLETED)
        day = request.completed_on
        upholstery = factories.category("upholstery").id

        services.correct_request(
            request,
            {"category_id": upholstery, "receives_assistance": True},
            ADMIN,
            expected_version=None,
        )

        ((key, count),) = _services_on(day).items()
        assert (key[0], key[1], count) == (upholstery, RequesterKind.ASSISTED, 1)
        assert check.disagreement() is None


def test_anonymised_and_erased_requests_keep_their_counts(app, upload_folder):
    with app.app_context():
        done = factories.make_request(status=Status.COMPLETED)
        declined = factories.make_request(status=Status.DECLINED)
        before = check.kept()

        retention.anonymise([done, declined], upload_folder=str(upload_folder))
        db.session.commit()

        assert check.kept() == before
        assert check.disagreement() is None


def test_a_refused_use_case_leaves_the_tallies_as_they_were(app):
    with app.app_context():
        request = factories.make_request(status=Status.IN_PROGRESS)
        before = check.kept()

        with pytest.raises(DomainError):
            services.complete_job(
                request,
                STAFF,
                completed_on=date(1999, 1, 1),  # before it was sent: refused
                outcome=Outcome.DONE,
                work_done="Wykonano",
            )

        assert check.kept() == before
        assert check.disagreement() is None


def test_a_write_past_the_orm_is_noticed_and_a_recount_repairs_it(app):
    with app.app_context():
        request = factories.make_request(status=Status.COMPLETED)
        db.session.execute(
            update(ServiceRequest)
            .where(ServiceRequest.id == request.id)
            .values(channel=Channel.INSTITUTION, status=Status.CANCELLED)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        assert check.disagreement() is not None

        tallies.recount(db.session)
        db.session.commit()

        assert check.disagreement() is None
        assert check.kept()[1] == {}


def test_requests_of_many_groups_and_statuses_are_counted_per_instructor(app):
    with app.app_context():
        for status in (Status.SUBMITTED, Status.ACCEPTED, Status.SCHEDULED, Status.COMPLETED):
            factories.make_request(code="tailoring", status=status)
            factories.make_request(code="upholstery", status=status)
        tailoring = factories.group_for("tailoring")
        instructor = factories.user(Role.INSTRUCTOR)
        instructor.groups = [tailoring]
        db.session.commit()
        admin = factories.user(Role.ADMIN)

        assert queries.status_counts(instructor) == {
            "accepted": 1,
            "scheduled": 1,
            "completed": 1,
        }
        assert queries.status_counts(admin) == {
            "submitted": 2,
            "accepted": 2,
            "scheduled": 2,
            "completed": 2,
        }
        assert check.disagreement() is None
