"""Every status's box, for each service, on the status page and in the e-mail, in Polish.

(A job that could not be done is in test_not_done_outcome.py.) The fixtures are the demo club's: tailoring and upholstery are brought to the workshops at
ul. Henryka Sienkiewicza 29 (Monday to Friday, 8:00–14:00); renovation is done at home.
"""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from portal.domain.lifecycle import Status
from portal.extensions import db
from portal.models import MessageKind, OutboxMessage, ServiceRequest
from portal.services import outbox
from tests import factories

WORKSHOP = ["ul. Henryka Sienkiewicza 29", "poniedziałek–piątek, 8:00–14:00"]
VISIT = ["wtorek, 1 grudnia 2026", "10:00–12:00"]

# (status, at home?) -> what the box says, and what it must not say.
EXPECTED = {
    (Status.SUBMITTED, False): (["Wysłane – czeka na sprawdzenie", "Sprawdzimy Twoje"], WORKSHOP),
    (Status.SUBMITTED, True): (["Wysłane – czeka na sprawdzenie", "Sprawdzimy Twoje"], WORKSHOP),
    (Status.NEEDS_INFO, False): (
        ["Potrzebujemy więcej informacji", "Nasze pytanie", "Powód / pytanie", "Odpowiedz"],
        WORKSHOP,
    ),
    (Status.NEEDS_INFO, True): (
        ["Potrzebujemy więcej informacji", "Nasze pytanie", "Powód / pytanie", "Odpowiedz"],
        WORKSHOP,
    ),
    (Status.ACCEPTED, False): (
        ["Przyjęte do wykonania", "umówić, kiedy przynieść rzecz", *WORKSHOP],
        ["wizytę"],
    ),
    (Status.ACCEPTED, True): (["Przyjęte do wykonania", "umówić wizytę"], WORKSHOP),
    (Status.SCHEDULED, False): (
        ["Termin ustalony", "Przynieś rzecz do pracowni", *VISIT, *WORKSHOP],
        ["Przyjdziemy"],
    ),
    (Status.SCHEDULED, True): (
        ["Termin ustalony", "Przyjdziemy do Ciebie", *VISIT],
        WORKSHOP,
    ),
    (Status.IN_PROGRESS, False): (["W trakcie realizacji", "Pracownia realizuje"], WORKSHOP),
    (Status.IN_PROGRESS, True): (["W trakcie realizacji"], WORKSHOP),
    (Status.READY, False): (["Gotowe do odbioru", "Odbierz rzecz w pracowni", *WORKSHOP], []),
    (Status.COMPLETED, False): (
        ["Zakończone", "Usługa została wykonana", "Co zostało zrobione", "Wykonano"],
        ["nie udało się"],
    ),
    (Status.COMPLETED, True): (
        ["Zakończone", "Usługa została wykonana", "Co zostało zrobione", "Wykonano"],
        ["nie udało się"],
    ),
    (Status.DECLINED, False): (["Odrzucone", "Nie możemy wykonać", "Powód / pytanie"], WORKSHOP),
    (Status.DECLINED, True): (["Odrzucone", "Nie możemy wykonać", "Powód / pytanie"], WORKSHOP),
    (Status.CANCELLED, False): (["Anulowane", "zostało anulowane"], WORKSHOP),
    (Status.CANCELLED, True): (["Anulowane", "zostało anulowane"], WORKSHOP),
}
SERVICES = {"tailoring": False, "upholstery": False, "renovation": True}
CASES = [
    (code, status)
    for code, at_home in SERVICES.items()
    for status in Status
    if (status, at_home) in EXPECTED
]


@pytest.fixture
def app_overrides():
    return {"PUBLIC_BASE_URL": "https://portal.example.pl"}


def _text(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _box_text(page: str) -> str:
    start = page.index('<section class="panel status-panel')
    return _text(page[start : page.index("</section>", start)])


def _email_text(app, request_id: int) -> str | None:
    with app.app_context():
        row = db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.request_id == request_id,
                OutboxMessage.kind.in_([MessageKind.SUBMITTED, MessageKind.STATUS_CHANGE]),
            )
            .order_by(OutboxMessage.id.desc())
        ).first()
        if row is None:
            return None
        mail = outbox.render(row)
        return " ".join(mail.body.split()), _text(mail.html)


@pytest.mark.parametrize(("code", "status"), CASES)
def test_the_status_box_says_what_happens_next_on_the_page_and_in_the_email(
    app, client, code, status
):
    with app.app_context():
        request = factories.make_request(
            code=code, status=status, email="mieszkanka@example.org", email_updates=True
        )
        request_id, token = request.id, request.access_token
    said, unsaid = EXPECTED[(status, SERVICES[code])]

    box = _box_text(client.get(f"/zgloszenie/{token}").get_data(as_text=True))
    for fragment in said:
        assert fragment in box
    for fragment in unsaid:
        assert fragment not in box

    email = _email_text(app, request_id)
    if status in (Status.IN_PROGRESS,):
        return  # an internal step: the resident is not written to
    assert email is not None
    for body in email:
        for fragment in said:
            if fragment == "Odpowiedz":
                continue  # the answer form is on the page, not in the e-mail
            assert fragment in body


def test_the_box_shows_the_groups_own_workshop_once_it_is_assigned(app, client):
    from portal.services.accounts import save_group

    with app.app_context():
        request = factories.make_request(code="tailoring", status=Status.ACCEPTED)
        group = request.group
        save_group(
            group,
            name=group.name,
            category_id=group.category_id,
            location="ul. Krawiecka 5, Opole",
            opening_hours="wtorki, 10:00–13:00",
            active=True,
        )
        token = request.access_token
        assert db.session.get(ServiceRequest, request.id).group.location

    box = _box_text(client.get(f"/zgloszenie/{token}").get_data(as_text=True))

    assert "ul. Krawiecka 5, Opole" in box and "wtorki, 10:00–13:00" in box
    assert "Sienkiewicza" not in box


def test_the_page_to_print_carries_the_number_the_status_and_where_to_go(app, client):
    with app.app_context():
        request = factories.make_request(code="tailoring", status=Status.READY)
        token, reference = request.access_token, request.reference

    page = client.get(f"/zgloszenie/{token}/do-druku").get_data(as_text=True)

    assert reference in page and "Gotowe do odbioru" in page
    assert "ul. Henryka Sienkiewicza 29" in page and "77 400 00 00" in page
    assert "/nie-mam-linku" in page  # how to find the request again without the link
    # Without JavaScript no print button shows that could do nothing.
    assert re.search(r"<button[^>]*data-print(?![^>]*hidden)[^>]*>", page) is None


def test_the_link_goes_by_email_only_to_the_address_in_the_request_and_not_too_often(app, client):
    from tests.web.helpers import csrf_from

    with app.app_context():
        request = factories.make_request(code="tailoring", email="anna@example.org")
        without = factories.make_request(code="tailoring", name="Bez Adresu")
        token, request_id, other = request.access_token, request.id, without.access_token
    page = f"/zgloszenie/{token}"

    answers = []
    for _ in range(4):
        answers.append(
            client.post(f"{page}/link-na-email", data={"csrf_token": csrf_from(client, page)})
        )
    client.post(f"/zgloszenie/{other}/link-na-email", data={"csrf_token": csrf_from(client, page)})

    assert [answer.status_code for answer in answers] == [303, 303, 303, 429]
    assert answers[0].headers["Location"] == page
    with app.app_context():
        sent = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == MessageKind.PRIVATE_LINK)
        ).all()
        assert [(m.request_id, m.to_addr) for m in sent] == [(request_id, "anna@example.org")] * 3
        mail = outbox.render(sent[0])
    assert f"https://portal.example.pl/zgloszenie/{token}" in mail.body
    assert "Link do Twojego zgłoszenia" in mail.subject
