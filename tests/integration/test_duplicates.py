"""The same person asking twice: found by any way of writing the number, closed as a duplicate."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import services
from portal.domain.actor import Actor
from portal.domain.errors import DomainError
from portal.domain.lifecycle import Role, Status
from portal.domain.period import Period
from portal.extensions import db
from portal.models import MessageKind, OutboxMessage, ServiceRequest, utcnow
from portal.queries import duplicates, figures
from tests import factories

LONG_AGO = timedelta(days=60)


def _since():
    return utcnow() - LONG_AGO


@pytest.mark.parametrize(
    "typed",
    ["+48 600-123-456", "600123456", "600 123 456", "0048 600 123 456", "48 600 12 34 56"],
)
def test_every_way_of_writing_the_number_finds_the_same_person(app, typed):
    with app.app_context():
        first = factories.make_request(phone="+48 600-123-456")
        factories.make_request(phone="501 000 000", name="Ktoś Inny")

        found = duplicates.same_person(typed, None, closed_since=_since())

        assert [r.id for r in found] == [first.id]


def test_the_e_mail_address_finds_the_person_whatever_its_case(app):
    with app.app_context():
        first = factories.make_request(phone="501 000 001", email="Anna.Kowalska@Example.org")

        found = duplicates.same_person("", "  anna.kowalska@example.ORG ", closed_since=_since())

        assert [r.id for r in found] == [first.id]
        assert first.email_key == "anna.kowalska@example.org"


def test_closed_requests_count_only_within_the_window_and_erased_ones_never(app):
    with app.app_context():
        recent = factories.make_request(status=Status.DECLINED)
        old = factories.make_request(status=Status.CANCELLED)
        old.closed_at = utcnow() - LONG_AGO - timedelta(days=1)
        erased = factories.make_request()
        erased.anonymised_at = utcnow()
        db.session.commit()

        found = duplicates.same_person("600 123 456", None, closed_since=_since())

        assert [r.id for r in found] == [recent.id]
        assert old.id not in {r.id for r in found} and erased.id not in {r.id for r in found}


def test_the_queue_flag_marks_only_rows_whose_person_has_another_request(app):
    with app.app_context():
        first = factories.make_request(phone="600 123 456")
        second = factories.make_request(phone="+48600123456")
        alone = factories.make_request(phone="501 000 002")
        by_mail = factories.make_request(phone="501 000 003", email="a@example.org")
        also_mail = factories.make_request(phone="501 000 004", email="A@example.org")

        rows = [first, second, alone, by_mail, also_mail]
        flagged = duplicates.flagged(rows, closed_since=_since())

        assert flagged == {first.id, second.id, by_mail.id, also_mail.id}
        assert duplicates.flagged([alone], closed_since=_since()) == set()


def test_closing_as_a_duplicate_links_the_request_tells_the_resident_and_never_counts(app):
    with app.app_context():
        staff = Actor.of(factories.user(Role.STAFF))
        first = factories.make_request(status=Status.COMPLETED)
        second = factories.make_request(
            phone="+48 600 123 456", email="anna@example.org", email_updates=True
        )

        event = services.close_as_duplicate(second, staff, duplicate_of=first.reference.lower())

        assert second.status == Status.DUPLICATE
        assert second.duplicate_of_id == first.id and second.closed_at is not None
        assert event.is_public and event.to_status == Status.DUPLICATE
        told = db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kind == MessageKind.STATUS_CHANGE,
                OutboxMessage.request_id == second.id,
            )
        ).all()
        assert [m.payload["duplicate_of"] for m in told] == [first.reference]
        # A duplicate is closed, is no service, and drops out of the person's other requests.
        assert duplicates.same_person("600123456", None, closed_since=_since()) == [first]
        assert duplicates.flagged([first], closed_since=_since()) == set()
        totals = figures.service_totals(Period.year(first.completed_on.year))
        assert totals.recorded == 1


@pytest.mark.parametrize(
    ("reference", "field"),
    [("", "duplicate_of"), ("ZG/1999/0001", "duplicate_of"), ("self", "duplicate_of")],
)
def test_a_duplicate_needs_another_existing_request(app, reference, field):
    with app.app_context():
        staff = Actor.of(factories.user(Role.STAFF))
        request = factories.make_request()
        if reference == "self":
            reference = request.reference

        with pytest.raises(DomainError) as refused:
            services.close_as_duplicate(request, staff, duplicate_of=reference)

        assert refused.value.field == field
        assert db.session.get(ServiceRequest, request.id).status == Status.SUBMITTED


def test_a_request_cannot_be_joined_with_one_itself_closed_as_a_duplicate(app):
    with app.app_context():
        staff = Actor.of(factories.user(Role.STAFF))
        first = factories.make_request()
        second = factories.make_request()
        third = factories.make_request()
        services.close_as_duplicate(second, staff, duplicate_of=first.reference)

        with pytest.raises(DomainError):
            services.close_as_duplicate(third, staff, duplicate_of=second.reference)


def test_work_already_started_cannot_be_closed_as_a_duplicate(app):
    with app.app_context():
        staff = Actor.of(factories.user(Role.STAFF))
        first = factories.make_request()
        started = factories.make_request(status=Status.IN_PROGRESS)

        with pytest.raises(DomainError):
            services.close_as_duplicate(started, staff, duplicate_of=first.reference)
