"""Ready texts: kept by the administrator, picked and filled on a request, sent as edited."""

import html
import re

from sqlalchemy import select

from portal.domain.lifecycle import Status
from portal.domain.replies import Situation
from portal.extensions import db
from portal.models import EventKind, ReplyTemplate, RequestEvent, ServiceRequest
from tests import factories

from .helpers import hidden_value

TEXTS = "/backoffice/gotowe-teksty"


def _template_id(app, title: str) -> int:
    with app.app_context():
        return db.session.scalars(
            select(ReplyTemplate.id).where(ReplyTemplate.title == title)
        ).one()


def _make(app, **fields) -> int:
    with app.app_context():
        return factories.make_request(**fields).id


def _textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, name
    return html.unescape(match.group(1)).strip()


def _last_status_note(app, request_id: int) -> str:
    with app.app_context():
        return db.session.scalars(
            select(RequestEvent.note)
            .where(RequestEvent.request_id == request_id, RequestEvent.kind == EventKind.STATUS)
            .order_by(RequestEvent.id.desc())
        ).first()


def test_an_administrator_adds_changes_and_removes_a_text(app, client, accounts):
    accounts.login_as("admin")
    page = client.get(TEXTS).get_data(as_text=True)
    assert "Termin przyniesienia rzeczy" in page  # the institution file's starting set
    assert "{adres_pracowni}" in page  # the placeholders are listed for the administrator

    added = client.post(
        TEXTS,
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "situation": "ready",
            "category_id": "",
            "title": "Gotowe – zadzwoń przed odbiorem",
            "body": "Rzecz czeka w pracowni ({godziny_pracowni}). Prosimy zadzwonić: {telefon}.",
            "active": "y",
        },
    )
    assert added.status_code == 303
    template_id = _template_id(app, "Gotowe – zadzwoń przed odbiorem")

    edit_page = client.get(f"{TEXTS}/{template_id}").get_data(as_text=True)
    changed = client.post(
        f"{TEXTS}/{template_id}",
        data={
            "csrf_token": hidden_value(edit_page, "csrf_token"),
            "situation": "ready",
            "category_id": "",
            "title": "Gotowe – zadzwoń przed odbiorem",
            "body": "Rzecz czeka w pracowni. Prosimy zadzwonić: {telefon}.",
        },
    )
    assert changed.status_code == 303
    with app.app_context():
        template = db.session.get(ReplyTemplate, template_id)
        assert template.body.startswith("Rzecz czeka w pracowni. ") and template.active is False

    removed = client.post(
        f"{TEXTS}/{template_id}/usun", data={"csrf_token": hidden_value(edit_page, "csrf_token")}
    )
    assert removed.status_code == 303
    with app.app_context():
        assert db.session.get(ReplyTemplate, template_id) is None


def test_an_unknown_placeholder_is_shown_at_the_text_with_what_was_typed(app, client, accounts):
    accounts.login_as("admin")
    page = client.get(TEXTS).get_data(as_text=True)

    response = client.post(
        TEXTS,
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "situation": "declined",
            "title": "Literówka",
            "body": "Dzień dobry {imie}, niestety nie.",
        },
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nie ma pola {imie}" in page
    assert "Dzień dobry {imie}, niestety nie." in _textarea(page, "body")


def test_staff_cannot_keep_the_texts(client, accounts):
    accounts.login_as("staff")

    assert client.get(TEXTS).status_code == 403


def test_a_picked_text_arrives_filled_from_the_request_without_a_script(app, client, accounts):
    accounts.login_as("staff")
    request_id = _make(app, status=Status.ACCEPTED)
    template_id = _template_id(app, "Do odbioru w pracowni")
    with app.app_context():
        reference = db.session.get(ServiceRequest, request_id).reference

    page = client.get(
        f"/backoffice/zgloszenia/{request_id}",
        query_string={"akcja": "scheduled", "szablon": template_id},
    ).get_data(as_text=True)

    # Not a scheduling text: nothing is inserted into the date's message box.
    assert _textarea(page, "scheduled-note") == ""

    template_id = _template_id(app, "Termin przyniesienia rzeczy")
    page = client.get(
        f"/backoffice/zgloszenia/{request_id}",
        query_string={"akcja": "scheduled", "szablon": template_id},
    ).get_data(as_text=True)

    text = _textarea(page, "scheduled-note")
    assert text == (
        "Prosimy przynieść rzecz do pracowni {data}, {godziny}. "
        f"Adres: ul. Henryka Sienkiewicza 29, 45-000 Opole. Prosimy zabrać numer zgłoszenia {reference}."
    )
    assert '<details class="action action--scheduled" id="action-scheduled" open>' in page


def test_the_date_is_filled_when_the_move_is_saved_and_an_empty_one_is_refused(
    app, client, accounts
):
    accounts.login_as("staff")
    request_id = _make(app, status=Status.ACCEPTED)
    text = "Prosimy przynieść rzecz {data}, {godziny}, na adres {adres_pracowni}."
    page = client.get(f"/backoffice/zgloszenia/{request_id}").get_data(as_text=True)
    answers = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "scheduled-version": hidden_value(page, "scheduled-version"),
        "scheduled-scheduled_for": "2026-12-03",
        "scheduled-note": text,
    }

    refused = client.post(f"/backoffice/zgloszenia/{request_id}/status/scheduled", data=answers)

    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "W tekście zostało {godziny}" in page and _textarea(page, "scheduled-note") == text
    answers["scheduled-scheduled_time"] = "10:00–12:00"
    saved = client.post(f"/backoffice/zgloszenia/{request_id}/status/scheduled", data=answers)
    assert saved.status_code == 303
    assert _last_status_note(app, request_id) == (
        "Prosimy przynieść rzecz czwartek, 3 grudnia 2026, 10:00–12:00, "
        "na adres ul. Henryka Sienkiewicza 29, 45-000 Opole."
    )


def test_the_htmx_pick_swaps_in_the_filled_box_only(app, client, accounts):
    accounts.login_as("staff")
    request_id = _make(app)
    template_id = _template_id(app, "Prośba o zdjęcie lub wymiary")

    response = client.get(
        f"/backoffice/zgloszenia/{request_id}/gotowy-tekst",
        query_string={"akcja": "needs_info", "szablon": template_id},
        headers={"HX-Request": "true"},
    )

    box = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in box
    assert 'id="message-needs_info"' in box
    assert "77 400 00 00 (poniedziałek–piątek, 8:00–15:00)" in _textarea(box, "needs_info-note")
    # A move not open to this request now gets no box: the request's page instead.
    closed = client.get(
        f"/backoffice/zgloszenia/{request_id}/gotowy-tekst",
        query_string={"akcja": "ready", "szablon": template_id},
    )
    assert closed.status_code == 303
    assert closed.headers["Location"] == f"/backoffice/zgloszenia/{request_id}"


def test_a_service_s_own_texts_come_first_and_other_services_texts_never(app, client, accounts):
    accounts.login_as("staff")
    renovation = _make(app, code="renovation")
    tailoring = _make(app, code="tailoring")

    at_home = client.get(f"/backoffice/zgloszenia/{renovation}").get_data(as_text=True)
    workshop = client.get(f"/backoffice/zgloszenia/{tailoring}").get_data(as_text=True)

    options = re.findall(r'<select[^>]*id="reply-needs_info-choice".*?</select>', at_home, re.S)[0]
    assert options.index("Pytanie o pomieszczenie") < options.index("Prośba o zdjęcie")
    assert "Pytanie o pomieszczenie" not in workshop


def test_a_not_done_text_fills_the_reason_on_the_completion_page(app, client, accounts):
    accounts.login_as("instructor", groups=["tailoring"])
    request_id = _make(app, status=Status.IN_PROGRESS)
    template_id = _template_id(app, "Naprawa nieopłacalna lub niemożliwa")

    page = client.get(
        f"/backoffice/zgloszenia/{request_id}/realizacja", query_string={"szablon": template_id}
    ).get_data(as_text=True)

    assert _textarea(page, "not_done_reason").startswith(
        "Po obejrzeniu rzeczy okazało się, że naprawy nie da się wykonać"
    )
    assert "ul. Henryka Sienkiewicza 29, 45-000 Opole, poniedziałek–piątek, 8:00–14:00" in (
        _textarea(page, "not_done_reason")
    )
    assert re.search(r'value="not_done"[^>]*checked|checked[^>]*value="not_done"', page)


def test_every_situation_has_a_text_in_the_institution_file(app):
    with app.app_context():
        situations = set(db.session.scalars(select(ReplyTemplate.situation).distinct()))

    assert situations == set(Situation)
