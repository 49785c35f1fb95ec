"""The workshop floor: the board, one-tap moves, job tags, the work log and completion."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from portal import services
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import EventKind, Outcome, RequestEvent, ServiceRequest, WorkSession
from tests import factories

from .helpers import count_queries, csrf_from, hidden_value


@pytest.fixture
def instructor(accounts):
    return accounts.login_as("instructor", groups=["tailoring"])


def _job(app, status=Status.ACCEPTED, code="tailoring", **fields):
    with app.app_context():
        return factories.make_request(status=status, code=code, **fields).id


def _status(app, request_id):
    with app.app_context():
        return db.session.get(ServiceRequest, request_id).status


def _advance(client, request_id, target, **headers):
    token = csrf_from(client, "/backoffice/tablica")
    return client.post(
        f"/backoffice/tablica/{request_id}/{target}", data={"csrf_token": token}, headers=headers
    )


def test_the_board_shows_own_groups_jobs_by_status_with_contact_data(app, client, instructor):
    own = _job(app, name="Halina Własna", phone="600 700 800")
    _job(app, code="upholstery", name="Obca Osoba")
    _job(app, status=Status.SUBMITTED, name="Jeszcze Nieprzyjęta")

    page = client.get("/backoffice/tablica").get_data(as_text=True)

    assert "Halina Własna" in page and 'href="tel:600700800"' in page
    assert "Obca Osoba" not in page and "Jeszcze Nieprzyjęta" not in page
    assert page.count('class="job-card"') == 1
    assert f"/backoffice/tablica/{own}/in_progress" in page


def test_instructors_start_on_their_board(client, accounts):
    from .helpers import log_in

    _, email = accounts.create("instructor", groups=["tailoring"])

    assert log_in(client, email).headers["Location"] == "/backoffice/tablica"


def test_one_tap_moves_a_job_on_and_htmx_gets_the_board_back(app, client, instructor):
    job = _job(app)

    started = _advance(client, job, "in_progress", **{"HX-Request": "true", "HX-Target": "board"})
    ready = _advance(client, job, "ready")

    assert started.status_code == 200
    assert started.get_data(as_text=True).lstrip().startswith('<div id="board"')
    assert ready.status_code == 303
    assert _status(app, job) == Status.READY


def test_the_board_answers_htmx_with_its_partial_and_says_it_varies(app, client, instructor):
    _job(app)

    full = client.get("/backoffice/tablica")
    partial = client.get("/backoffice/tablica", headers={"HX-Request": "true"})

    assert "<html" in full.get_data(as_text=True)
    assert partial.get_data(as_text=True).lstrip().startswith('<div id="board"')
    assert "HX-Request" in full.headers["Vary"] and "HX-Request" in partial.headers["Vary"]


def test_a_tap_that_is_not_the_next_move_changes_nothing(app, client, instructor):
    job = _job(app)

    _advance(client, job, "ready")

    assert _status(app, job) == Status.ACCEPTED


def test_renovation_goes_from_work_to_completion_without_pick_up(app, client, accounts):
    accounts.login_as("instructor", groups=["renovation"])
    job = _job(app, code="renovation", status=Status.IN_PROGRESS)

    page = client.get("/backoffice/tablica").get_data(as_text=True)

    assert f"/backoffice/tablica/{job}/ready" not in page
    assert f"/backoffice/zgloszenia/{job}/realizacja" in page
    assert "/metka" not in page


def test_an_instructor_cannot_move_another_groups_job(app, client, instructor):
    job = _job(app, code="upholstery")

    response = _advance(client, job, "in_progress")

    assert response.status_code == 403
    assert _status(app, job) == Status.ACCEPTED


def test_the_job_tag_carries_the_reference_number(app, client, instructor):
    job = _job(app)
    with app.app_context():
        reference = db.session.get(ServiceRequest, job).reference

    page = client.get(f"/backoffice/zgloszenia/{job}/metka").get_data(as_text=True)

    assert reference in page and "data-print" in page


# --- the work log ---------------------------------------------------------------


@pytest.fixture
def crew(app):
    """Two trainees of the tailoring group in a running edition, and three who may not be logged."""
    with app.app_context():
        return factories.work_crew(date.today())


def _log(client, job, hours, description="Skrócono nogawki", worked_on=None):
    page = client.get(f"/backoffice/zgloszenia/{job}").get_data(as_text=True)
    data = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "work-worked_on": (worked_on or date.today()).isoformat(),
        "work-description": description,
    }
    data.update({f"hours-{trainee_id}": value for trainee_id, value in hours.items()})
    return client.post(f"/backoffice/zgloszenia/{job}/praca", data=data)


def test_work_for_two_trainees_is_logged_with_the_instructor_as_supervisor(
    app, client, instructor, crew
):
    job = _job(app, status=Status.IN_PROGRESS)

    page = client.get(f"/backoffice/zgloszenia/{job}").get_data(as_text=True)
    response = _log(client, job, {crew["ala"]: "2", crew["basia"]: "1,5"})

    assert "Alicja Uczennica" in page and "Barbara Uczennica" in page
    assert (
        "Celina Stolarska" not in page
        and "Dorota Absolwentka" not in page
        and "Ewa Nieaktywna" not in page
    )
    assert response.status_code == 303
    with app.app_context():
        session = db.session.query(WorkSession).one()
        assert session.supervisor_id == instructor
        assert sorted((e.trainee_id, e.hours) for e in session.entries) == [
            (crew["ala"], Decimal("2.00")),
            (crew["basia"], Decimal("1.50")),
        ]


# The rules (who, how many hours, which dates) are tested on the service in
# tests/integration/test_worklog.py; here, what only the web shows: where the message goes.
def test_a_refused_log_shows_its_message_at_the_field_and_saves_nothing(
    app, client, instructor, crew
):
    job = _job(app, status=Status.IN_PROGRESS)

    hours = _log(client, job, {crew["ala"]: "13", crew["other_group"]: "2"})
    future = _log(client, job, {crew["ala"]: "1"}, worked_on=date.today() + timedelta(days=2))

    assert hours.status_code == 200 and 'id="work-error"' in hours.get_data(as_text=True)
    assert 'id="work-worked_on-error"' in future.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(WorkSession).count() == 0


def test_the_author_changes_an_entry_and_the_old_values_stay_in_the_history(
    app, client, instructor, crew
):
    job = _job(app, status=Status.IN_PROGRESS)
    _log(client, job, {crew["ala"]: "2"})
    with app.app_context():
        session_id = db.session.query(WorkSession).one().id
    form = client.get(f"/backoffice/praca/{session_id}").get_data(as_text=True)

    response = client.post(
        f"/backoffice/praca/{session_id}",
        data={
            "csrf_token": hidden_value(form, "csrf_token"),
            "work-version": hidden_value(form, "work-version"),
            "work-worked_on": date.today().isoformat(),
            "work-description": "Skrócono nogawki i podszyto",
            f"hours-{crew['ala']}": "3",
            f"hours-{crew['basia']}": "1",
        },
    )

    assert response.status_code == 303
    with app.app_context():
        event = (
            db.session.query(RequestEvent)
            .filter_by(kind=EventKind.WORK_LOG)
            .order_by(RequestEvent.id.desc())
            .first()
        )
        assert event.changes["hours"]["old"] == "Alicja Uczennica: 2"
        assert event.changes["hours"]["new"] == "Alicja Uczennica: 3, Barbara Uczennica: 1"


def test_another_instructor_cannot_change_the_entry(app, client, accounts, crew):
    with app.app_context():
        job = factories.make_request(status=Status.IN_PROGRESS)
        author = factories.user(Role.INSTRUCTOR)
        session_id = factories.work_session(
            job,
            db.session.get(__import__("portal.models", fromlist=["Trainee"]).Trainee, crew["ala"]),
            supervisor=author,
        ).id
    accounts.login_as("instructor", groups=["tailoring"])

    assert client.get(f"/backoffice/praca/{session_id}").status_code == 403


# --- completion -----------------------------------------------------------------


def _today():
    return services.local_today("Europe/Warsaw")


def _complete(client, job, **fields):
    page = client.get(f"/backoffice/zgloszenia/{job}/realizacja").get_data(as_text=True)
    data = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "version": hidden_value(page, "version"),
        "completed_on": _today().isoformat(),
        "outcome": "done",
        "work_done": "Skrócono spodnie o 5 cm",
    }
    data.update(fields)
    return client.post(f"/backoffice/zgloszenia/{job}/realizacja", data=data)


def test_completing_a_job_records_date_outcome_and_what_was_done(app, client, instructor):
    job = _job(app, status=Status.READY)
    with app.app_context():
        token = db.session.get(ServiceRequest, job).access_token
        edition_id = factories.edition().id

    response = _complete(client, job)

    assert response.status_code == 303
    with app.app_context():
        request = db.session.get(ServiceRequest, job)
        assert request.status == Status.COMPLETED and request.outcome == Outcome.DONE
        assert request.completed_on == _today() and request.edition_id == edition_id
    assert "Skrócono spodnie o 5 cm" in client.get(f"/zgloszenie/{token}").get_data(as_text=True)


def test_a_job_that_could_not_be_done_needs_a_reason(app, client, instructor):
    job = _job(app, status=Status.IN_PROGRESS)

    missing = _complete(client, job, outcome="not_done", work_done="", not_done_reason="")
    given = _complete(
        client, job, outcome="not_done", work_done="", not_done_reason="Materiał się rozpada"
    )

    assert 'id="not_done_reason-error"' in missing.get_data(as_text=True)
    assert given.status_code == 303
    with app.app_context():
        assert db.session.get(ServiceRequest, job).outcome == Outcome.NOT_DONE


# The dates a completion may carry are tested on the service in
# tests/integration/test_completion_dates.py; here, how a refused date is shown.
def test_completion_date_before_the_request_was_sent_is_refused_at_the_date(
    app, client, instructor
):
    job = _job(app, status=Status.IN_PROGRESS)
    sent = _today() - timedelta(days=10)
    with app.app_context():
        factories.sent_on(db.session.get(ServiceRequest, job), sent)
    too_early = (sent - timedelta(days=1)).isoformat()

    response = _complete(client, job, completed_on=too_early)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        'id="completed_on-error"><span class="visually-hidden">Błąd:</span> Data zakończenia '
        "nie może być wcześniejsza niż dzień wysłania zgłoszenia." in page
    )
    assert f'value="{too_early}"' in page and 'aria-invalid="true"' in page
    assert f'min="{sent.isoformat()}"' in page and f'max="{_today().isoformat()}"' in page
    assert _status(app, job) == Status.IN_PROGRESS


def test_a_completed_job_is_read_only(app, client, accounts):
    job = _job(app, status=Status.COMPLETED)
    accounts.login_as("staff")

    page = client.get(f"/backoffice/zgloszenia/{job}").get_data(as_text=True)
    again = client.get(f"/backoffice/zgloszenia/{job}/realizacja")
    edit = client.get(f"/backoffice/zgloszenia/{job}/edycja")

    assert "/status/" not in page and "/edycja" not in page and "/praca" not in page
    assert again.status_code == 303
    assert client.get(f"/backoffice/zgloszenia/{job}/korekta-realizacji").status_code == 403
    assert edit.status_code == 200  # the page opens, but saving is refused for staff


def test_only_an_admin_corrects_a_completion_and_the_correction_is_recorded(app, client, accounts):
    job = _job(app, status=Status.COMPLETED)
    completed, corrected = _today(), _today() - timedelta(days=2)
    with app.app_context():
        factories.sent_on(db.session.get(ServiceRequest, job), _today() - timedelta(days=5))
    accounts.login_as("admin")
    page = client.get(f"/backoffice/zgloszenia/{job}/korekta-realizacji").get_data(as_text=True)

    response = client.post(
        f"/backoffice/zgloszenia/{job}/korekta-realizacji",
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "version": hidden_value(page, "version"),
            "completed_on": corrected.isoformat(),
            "outcome": "not_done",
            "work_done": "",
            "not_done_reason": "Pomyłka: usługi nie wykonano",
        },
    )

    assert response.status_code == 303
    with app.app_context():
        request = db.session.get(ServiceRequest, job)
        assert request.outcome == Outcome.NOT_DONE and request.completed_on == corrected
        event = request.events[-1]
        assert event.kind == EventKind.EDIT
        assert event.changes["outcome"] == {"old": "done", "new": "not_done"}
        assert event.changes["completed_on"] == {
            "old": completed.isoformat(),
            "new": corrected.isoformat(),
        }


def test_the_board_issues_the_same_queries_for_few_and_many_jobs_and_caps_each_column(
    app, client, instructor
):
    with app.app_context():
        factories.bulk_requests(3, status=Status.ACCEPTED, group=factories.group_for("tailoring"))
    few = count_queries(app, client, "/backoffice/tablica")
    with app.app_context():
        factories.bulk_requests(120, status=Status.ACCEPTED, group=factories.group_for("tailoring"))
    many = count_queries(app, client, "/backoffice/tablica")

    page = client.get("/backoffice/tablica").get_data(as_text=True)
    assert few == many
    assert page.count('class="job-card"') == 40
    assert "(123)" in page
    assert "status=accepted" in page


def test_hours_are_written_with_a_decimal_comma_on_the_request_page_and_its_edit_form(
    app, client, accounts
):
    job = _job(app, status=Status.IN_PROGRESS)
    with app.app_context():
        request = db.session.get(ServiceRequest, job)
        supervisor = factories.user(Role.INSTRUCTOR)
        session_id = factories.work_session(
            request, factories.trainee("Ala Igłowa"), supervisor=supervisor, hours="1.5"
        ).id
        factories.work_session(
            request, factories.trainee("Ola Nitkowa"), supervisor=supervisor, hours="10.00"
        )
    accounts.login_as("admin")

    page = client.get(f"/backoffice/zgloszenia/{job}").get_data(as_text=True)
    form = client.get(f"/backoffice/praca/{session_id}").get_data(as_text=True)

    assert "Ala Igłowa: 1,5 godz." in page and "Ola Nitkowa: 10 godz." in page
    # Not in what is written on the page (a random form token could hold "1.5").
    written = re.sub(r'(value|content)="[^"]*"', "", page)
    assert "1.5" not in written and "1E+1" not in written
    assert 'value="1,5"' in form
