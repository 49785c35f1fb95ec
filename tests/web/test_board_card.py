"""The board card an instructor trusts: one next step, an undo, hours in two taps."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import RequestEvent, ServiceRequest, Trainee, WorkSession
from tests import factories

from .helpers import count_queries, csrf_from

BOARD = "/backoffice/tablica"


@pytest.fixture
def instructor(accounts):
    return accounts.login_as("instructor", groups=["tailoring"])


def _job(app, status=Status.IN_PROGRESS, **fields):
    with app.app_context():
        return factories.make_request(status=status, **fields).id


def _card(page: str, job_id: int) -> str:
    start = page.index(f'id="job-{job_id}"')
    return page[start : page.index("</li>", start)]


def _status(app, job_id):
    with app.app_context():
        return db.session.get(ServiceRequest, job_id).status


def test_a_card_has_one_primary_step_and_the_other_plainer(app, client, instructor):
    job = _job(app)

    card = _card(client.get(BOARD).get_data(as_text=True), job)

    primary = re.findall(
        r'class="job-card__primary"[^>]*>\s*<input[^>]*>\s*<button[^>]*class="button"', card
    )
    assert len(primary) == 1 and "Gotowe do odbioru" in card
    assert re.search(
        r'class="button button--secondary button--compact" href="[^"]*/realizacja"', card
    )


def test_an_htmx_move_offers_the_undo_focused_on_the_card_and_says_so(app, client, instructor):
    job = _job(app)

    response = client.post(
        f"{BOARD}/{job}/ready",
        data={"csrf_token": csrf_from(client, BOARD)},
        headers={"HX-Request": "true"},
    )

    page = response.get_data(as_text=True)
    card = _card(page, job)
    assert _status(app, job) == Status.READY
    assert "Cofnij" in card and "autofocus" in card
    assert re.search(r'<div id="board-news" hx-swap-oob="innerHTML">[^<]*Możesz to cofnąć', page)
    event_id = re.search(r'name="event" value="(\d+)"', card).group(1)

    undone = client.post(
        f"{BOARD}/{job}/cofnij",
        data={"csrf_token": csrf_from(client, BOARD), "event": event_id},
        headers={"HX-Request": "true"},
    )

    assert _status(app, job) == Status.IN_PROGRESS
    assert "cofnięte" in undone.get_data(as_text=True)


def test_without_a_script_the_move_returns_to_the_board_with_the_undo(app, client, instructor):
    job = _job(app)

    moved = client.post(f"{BOARD}/{job}/ready", data={"csrf_token": csrf_from(client, BOARD)})

    assert moved.status_code == 303
    with app.app_context():
        event_id = db.session.scalars(
            select(RequestEvent.id)
            .where(RequestEvent.request_id == job)
            .order_by(RequestEvent.id.desc())
        ).first()
    assert moved.headers["Location"] == f"{BOARD}?cofnij={event_id}"
    card = _card(client.get(moved.headers["Location"]).get_data(as_text=True), job)
    assert f'name="event" value="{event_id}"' in card


def test_hours_are_logged_from_the_card_with_last_times_crew_offered(app, client, instructor):
    with app.app_context():
        crew = factories.work_crew(date.today())
    job = _job(app)
    card = _card(client.get(BOARD).get_data(as_text=True), job)
    assert "Alicja Uczennica" in card and "Celina Stolarska" not in card  # own group only

    saved = client.post(
        f"{BOARD}/{job}/godziny",
        data={
            "csrf_token": csrf_from(client, BOARD),
            "work-worked_on": date.today().isoformat(),
            "work-description": "Dalsza praca przy zleceniu",
            f"hours-{crew['ala']}": "2,5",
        },
        headers={"HX-Request": "true"},
    )

    assert "zapisano 2,5 h pracy" in saved.get_data(as_text=True)
    # The next time, the card offers the same trainee and hours: one tap to save again.
    card = _card(client.get(BOARD).get_data(as_text=True), job)
    assert re.search(rf'name="hours-{crew["ala"]}"[^>]*value="2,5"', card)
    assert "jak ostatnio" in card
    with app.app_context():
        assert db.session.scalars(select(WorkSession).where(WorkSession.request_id == job)).one()


def test_wrong_hours_come_back_on_their_card_with_what_was_typed(app, client, instructor):
    with app.app_context():
        crew = factories.work_crew(date.today())
    job = _job(app)

    response = client.post(
        f"{BOARD}/{job}/godziny",
        data={
            "csrf_token": csrf_from(client, BOARD),
            "work-worked_on": date.today().isoformat(),
            "work-description": "Szycie",
            f"hours-{crew['ala']}": "30",
        },
        headers={"HX-Request": "true"},
    )

    card = _card(response.get_data(as_text=True), job)
    assert 'role="alert"' in card and '<details class="job-card__hours" open>' in card
    assert re.search(rf'name="hours-{crew["ala"]}"[^>]*value="30"', card)
    assert 'value="Szycie"' in card


def test_the_board_keeps_its_queries_with_crews_and_last_hours(app, client, instructor):
    with app.app_context():
        crew = factories.work_crew(date.today())
    _job(app)
    few = count_queries(app, client, BOARD)
    with app.app_context():
        boss = factories.user(Role.INSTRUCTOR)
        trainee = db.session.get(Trainee, crew["ala"])
        for _ in range(6):
            job = factories.make_request(status=Status.IN_PROGRESS)
            factories.work_session(job, trainee, supervisor=boss)

    assert count_queries(app, client, BOARD) == few


def test_the_request_page_tells_an_undone_move_in_polish(app, client, instructor):
    job = _job(app)
    client.post(f"{BOARD}/{job}/ready", data={"csrf_token": csrf_from(client, BOARD)})
    with app.app_context():
        event_id = db.session.scalars(
            select(RequestEvent.id)
            .where(RequestEvent.request_id == job)
            .order_by(RequestEvent.id.desc())
        ).first()
    client.post(
        f"{BOARD}/{job}/cofnij", data={"csrf_token": csrf_from(client, BOARD), "event": event_id}
    )

    page = client.get(f"/backoffice/zgloszenia/{job}").get_data(as_text=True)

    assert "poprzedni ruch cofnięty na tablicy" in page and "undone" not in page
