"""`flask seed-demo` leaves a living club: a queue, boards, work logs and reports with figures."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from portal import queries, services
from portal.cli import DEMO_PASSWORD
from portal.demo.activity import load_demo_activity
from portal.domain.lifecycle import Role, Status
from portal.domain.period import Period
from portal.extensions import db
from portal.models import (
    Channel,
    OutboxMessage,
    ProgrammeEdition,
    RequestEvent,
    ServiceCategory,
    ServiceRequest,
    Trainee,
    User,
    WorkEntry,
    WorkSession,
)
from portal.queries import figures
from tests import factories
from tests.conftest import restore_snapshot
from tests.web.helpers import log_in

COUNTED = (
    ServiceRequest,
    RequestEvent,
    WorkSession,
    WorkEntry,
    ProgrammeEdition,
    Trainee,
    OutboxMessage,
    User,
)


def _seed_demo(app) -> None:
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def seeded(app, database_url):
    """The database as `flask seed-demo` leaves it: seeded once a backend, then copied."""
    with app.app_context():
        restore_snapshot(database_url, "demo", lambda: _seed_demo(app))
    return app


def _counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in COUNTED
    }


def test_the_demo_has_requests_in_every_status_of_all_three_workshops_and_channels(seeded):
    with seeded.app_context():
        statuses = set(db.session.scalars(select(ServiceRequest.status).distinct()))
        codes = set(
            db.session.scalars(select(ServiceCategory.code).join(ServiceRequest).distinct())
        )
        channels = set(db.session.scalars(select(ServiceRequest.channel).distinct()))
        outcomes = set(db.session.scalars(select(ServiceRequest.outcome).distinct()))

    assert statuses == set(Status)
    assert codes == {"tailoring", "upholstery", "renovation"}
    assert channels == set(Channel)
    assert {"done", "not_done"} <= set(outcomes)


def test_every_instructor_finds_jobs_on_the_board_of_their_group(seeded):
    with seeded.app_context():
        instructors = db.session.scalars(select(User).where(User.role == Role.INSTRUCTOR)).all()
        jobs = {user.email: sum(queries.jobs_for(user)[1].values()) for user in instructors}

    assert len(jobs) == 3
    assert all(count > 0 for count in jobs.values()), jobs


def test_the_report_of_the_current_year_has_services_trainees_and_hours(seeded):
    with seeded.app_context():
        today = services.local_today(seeded.config["BABEL_DEFAULT_TIMEZONE"])
        report = figures.build_report(Period.year(today.year), with_trainee_names=True)
        sessions = db.session.scalar(select(func.count()).select_from(WorkSession))

    assert report.totals.recorded > 0
    assert report.genders.total > 0
    assert sum(row.hours for row in report.hours_by_group) > 0
    assert sessions > 0


def test_the_demo_history_lies_in_the_past_weeks_in_the_order_it_happened(seeded):
    now = datetime.now(UTC).replace(tzinfo=None)
    with seeded.app_context():
        requests = db.session.scalars(select(ServiceRequest)).all()
        first = min(request.created_at for request in requests)
        for request in requests:
            moments = [event.created_at for event in request.events]
            assert moments == sorted(moments), request.reference
            assert moments[0] == request.created_at
            assert all(moment <= now for moment in moments), request.reference
            if request.completed_on:
                assert request.created_at.date() <= request.completed_on

    assert 8 * 7 <= (now - first).days <= 11 * 7


def test_seeding_again_adds_nothing(seeded):
    with seeded.app_context():
        before = _counts()
    assert before["ServiceRequest"] > 0 and before["WorkEntry"] > 0

    result = seeded.test_cli_runner().invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    with seeded.app_context():
        assert _counts() == before


def test_no_message_about_the_demo_waits_in_the_outbox(seeded):
    with seeded.app_context():
        messages = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        with_updates = db.session.scalar(
            select(func.count()).where(ServiceRequest.email_updates.is_(True))
        )

    assert with_updates > 0
    assert messages == 0


def test_requests_sent_last_year_carry_last_years_reference(app):
    with app.app_context():
        factories.user(Role.STAFF)
        now = datetime(2027, 1, 12, 10, 0, tzinfo=ZoneInfo("Europe/Warsaw"))

        load_demo_activity(now=now)

        references = {
            request.reference: request.created_at.year
            for request in db.session.scalars(select(ServiceRequest))
        }
    assert {ref.split("/")[1] for ref in references} == {"2026", "2027"}
    assert all(ref.split("/")[1] == str(year) for ref, year in references.items())
    for year in ("2026", "2027"):
        numbers = sorted(int(ref.split("/")[2]) for ref in references if f"/{year}/" in ref)
        assert numbers == list(range(1, len(numbers) + 1)), year


def test_the_coordinator_finds_demo_requests_waiting_in_the_queue(seeded):
    client = seeded.test_client()
    assert log_in(client, "koordynator@demo.example", DEMO_PASSWORD).status_code == 303

    page = client.get("/backoffice/zgloszenia").get_data(as_text=True)

    assert "Wanda Szymańska" in page
    assert "Józef Sadowski" in page


def test_the_demo_has_items_on_shelves_ready_for_days_and_visits_with_hours(seeded):
    from portal.models import ItemCustody, utcnow

    with seeded.app_context():
        held = db.session.scalars(select(ItemCustody)).all()
        ready = db.session.scalars(
            select(ServiceRequest).where(ServiceRequest.status == Status.READY)
        ).all()
        visits = db.session.scalars(
            select(ServiceRequest.scheduled_time).where(
                ServiceRequest.status == Status.SCHEDULED,
                ServiceRequest.address.is_not(None),
                ServiceRequest.scheduled_time != "",
            )
        ).all()

    assert len(held) >= 5 and all(h.place.startswith("Półka") for h in held)
    assert ready and all((utcnow() - r.ready_at).days >= 1 for r in ready)
    assert "10:00–12:00" in visits


def test_the_demo_programme_continues_from_167_participants_and_41_employed(seeded):
    with seeded.app_context():
        today = services.local_today(seeded.config["BABEL_DEFAULT_TIMEZONE"])
        report = figures.build_report(
            Period.since(date(2019, 1, 1), today), with_trainee_names=False
        )

    programme = report.programme
    assert programme.baseline.participants == 167 and programme.baseline.employed == 41
    # Nineteen trainees in two editions; four of the first found work, one left early.
    assert programme.participants == 167 + 19
    assert programme.employed == 41 + 4
    assert programme.total.left_early == 1
    assert [row.label for row in programme.by_edition] == [18, 19]
    assert report.persons.residents > 0 and report.persons.institutions == 3
    assert [(row.project.name, row.services) for row in report.projects] == [
        ("Opolskie Dni Seniora", 1)
    ]
    reasons = {row.reason.label: row.total for row in report.outcomes.reasons if row.reason}
    assert reasons["Naprawa niemożliwa lub nieopłacalna"] == 1
    assert reasons["Praca wykracza poza możliwości pracowni"] == 1
