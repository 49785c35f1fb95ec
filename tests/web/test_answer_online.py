"""The resident answers the office's question through the private link.

The rules live in the service (`answer_question`); the HTTP tests keep what only the web
shows: the form on the status page, photos through the form, the link, the rate limit and
the queue's mark.
"""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from portal import services
from portal.domain.actor import Actor
from portal.domain.errors import DomainError, StaleEdit
from portal.domain.lifecycle import LifecycleError, Role, Status
from portal.extensions import db
from portal.models import (
    EventKind,
    MessageKind,
    NotificationPreference,
    OutboxMessage,
    ServiceRequest,
)
from portal.services import outbox
from tests import factories
from tests.factories import image_bytes

from .helpers import csrf_from

QUESTION = "Powód / pytanie"  # what tests.factories asks when it walks to needs_info
ANSWER = "Spodnie są wełniane, skrócić o 5 cm, podwinięcie 4 cm."


@pytest.fixture
def app_overrides():
    return {"PUBLIC_BASE_URL": "https://portal.example.pl"}


def _waiting(app, **fields) -> tuple[int, str]:
    with app.app_context():
        request = factories.make_request(status=Status.NEEDS_INFO, **fields)
        return request.id, request.access_token


def _staff(app, preference: NotificationPreference) -> int:
    with app.app_context():
        user = factories.user(Role.STAFF)
        user.notification = preference
        db.session.commit()
        return user.id


def _answer_messages(app, request_id: int) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.request_id == request_id,
                OutboxMessage.kind == MessageKind.RESIDENT_ANSWER,
            )
        )
    )


# --- The service ---------------------------------------------------------------------------


def test_an_answer_goes_into_the_history_and_back_to_the_queue_and_staff_hear_once(
    app, upload_folder
):
    at_once = _staff(app, NotificationPreference.IMMEDIATE)
    _staff(app, NotificationPreference.DIGEST)  # reads the queue in the morning digest
    request_id, _token = _waiting(app)

    with app.app_context():
        request = db.session.get(ServiceRequest, request_id)
        from portal.photos import clean_photo

        photo = clean_photo(
            image_bytes(), max_bytes=5_000_000, max_pixels=40_000_000, max_side=2000
        )
        event = services.answer_question(
            request, f"  {ANSWER}  ", photos_added=[photo], upload_folder=str(upload_folder)
        )

        request = db.session.get(ServiceRequest, request_id)
        assert request.status == Status.SUBMITTED
        assert request.answered_at == event.created_at
        assert (event.kind, event.note, event.is_public) == (EventKind.ANSWER, ANSWER, True)
        assert (event.from_status, event.to_status) == (Status.NEEDS_INFO, Status.SUBMITTED)
        assert event.changes == {"photos": 1} and len(request.photos) == 1
        assert (upload_folder / request.photos[0].stored_name).exists()
        messages = _answer_messages(app, request_id)
        assert [message.user_id for message in messages] == [at_once]
        mail = outbox.render(messages[0])
        assert request.reference in mail.subject and "Odpowiedź mieszkańca" in mail.subject
        assert f"/backoffice/zgloszenia/{request_id}" in mail.body
        assert ANSWER not in mail.body  # the answer itself stays in the back office

        # The office's next move takes the mark off.
        services.accept_request(
            request, Actor(Role.STAFF), group_id=factories.group_for("tailoring").id
        )
        assert db.session.get(ServiceRequest, request_id).answered_at is None


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.ACCEPTED, Status.CANCELLED])
def test_only_a_question_waiting_can_be_answered(app, upload_folder, status):
    with app.app_context():
        request = factories.make_request(status=status)
        with pytest.raises(LifecycleError):
            services.answer_question(request, ANSWER, upload_folder=str(upload_folder))
        assert db.session.get(ServiceRequest, request.id).status == status


def test_an_empty_answer_is_refused_and_nothing_changes(app, upload_folder):
    request_id, _token = _waiting(app)
    with app.app_context():
        request = db.session.get(ServiceRequest, request_id)
        with pytest.raises(DomainError) as refused:
            services.answer_question(request, "   ", upload_folder=str(upload_folder))
        assert refused.value.field == "answer"
        assert db.session.get(ServiceRequest, request_id).status == Status.NEEDS_INFO


# --- Through the private link ---------------------------------------------------------------


def test_the_status_page_asks_the_question_first_and_takes_the_answer_with_photos(
    app, client, accounts, upload_folder
):
    request_id, token = _waiting(app)
    page_url = f"/zgloszenie/{token}"
    page = client.get(page_url).get_data(as_text=True)
    assert page.index(QUESTION) < page.index('action="/zgloszenie/') < page.index("Historia")
    assert re.search(r'<textarea[^>]*aria-describedby="status-message"', page)  # the question

    response = client.post(
        f"{page_url}/odpowiedz",
        data={
            "csrf_token": csrf_from(client, page_url),
            "answer": ANSWER,
            "photos": [(io.BytesIO(image_bytes("PNG")), "spodnie.png")],
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 303 and response.headers["Location"] == page_url
    after = client.get(page_url).get_data(as_text=True)
    assert "Twoja odpowiedź trafiła do biura" in after
    assert "Wysłane – czeka na sprawdzenie" in after
    assert ANSWER in after and "Twoja odpowiedź (1 zdjęcie)" in after
    assert 'action="/zgloszenie/' + token + '/odpowiedz"' not in after  # asked once, answered
    with app.app_context():
        assert len(db.session.get(ServiceRequest, request_id).photos) == 1

    accounts.login_as("staff")
    queue = client.get("/backoffice/zgloszenia").get_data(as_text=True)
    assert "odpowiedź mieszkańca" in queue
    request_page = client.get(f"/backoffice/zgloszenia/{request_id}").get_data(as_text=True)
    assert "Odpowiedź mieszkańca" in request_page and ANSWER in request_page


def test_a_bad_answer_is_told_at_its_field_and_keeps_what_was_typed(app, client):
    _request_id, token = _waiting(app)
    page_url = f"/zgloszenie/{token}"
    long_answer = "Bardzo długa odpowiedź. " * 100  # over 2000 characters

    response = client.post(
        f"{page_url}/odpowiedz",
        data={"csrf_token": csrf_from(client, page_url), "answer": long_answer},
        content_type="multipart/form-data",
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Wpisz najwyżej 2000 znaków." in page and 'id="answer-error"' in page
    assert "Bardzo długa odpowiedź." in page
    assert "<title>Błąd:" in page


def test_an_answer_without_the_right_link_finds_nothing(app, client):
    _waiting(app)

    response = client.post(
        "/zgloszenie/nie-taki-link/odpowiedz",
        data={"csrf_token": csrf_from(client, "/zglos"), "answer": ANSWER},
    )

    assert response.status_code == 404


def test_answers_through_one_link_are_limited(app, client):
    _request_id, token = _waiting(app)
    page_url = f"/zgloszenie/{token}"
    codes = [
        client.post(
            f"{page_url}/odpowiedz",
            data={"csrf_token": csrf_from(client, page_url), "answer": ""},
        ).status_code
        for _ in range(6)
    ]

    assert codes == [200] * 5 + [429]


def test_an_answer_sent_after_the_office_moved_on_is_shown_back_not_dropped(app, client):
    request_id, token = _waiting(app)
    page_url = f"/zgloszenie/{token}"
    csrf = csrf_from(client, page_url)
    with app.app_context():  # the office decides by phone while the resident is typing
        services.accept_request(
            db.session.get(ServiceRequest, request_id),
            Actor(Role.STAFF),
            group_id=factories.group_for("tailoring").id,
        )

    response = client.post(f"{page_url}/odpowiedz", data={"csrf_token": csrf, "answer": ANSWER})

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Twoja odpowiedź nie została wysłana" in page and ANSWER in page
    assert "Przyjęte do wykonania" in page
    with app.app_context():
        request = db.session.get(ServiceRequest, request_id)
        assert request.status == Status.ACCEPTED and request.answered_at is None


def test_an_answer_that_loses_a_race_keeps_its_text_at_the_field(app, client, monkeypatch):
    request_id, token = _waiting(app)
    page_url = f"/zgloszenie/{token}"

    def changed_meanwhile(*args, **kwargs):
        raise StaleEdit()

    monkeypatch.setattr(services, "answer_question", changed_meanwhile)
    response = client.post(
        f"{page_url}/odpowiedz",
        data={"csrf_token": csrf_from(client, page_url), "answer": ANSWER},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "W międzyczasie Twoje zgłoszenie się zmieniło" in page and 'id="answer-error"' in page
    assert ANSWER in page


def test_an_answer_over_the_limit_keeps_what_was_typed(app, client):
    _request_id, token = _waiting(app)
    page_url = f"/zgloszenie/{token}"
    for _ in range(5):
        client.post(
            f"{page_url}/odpowiedz", data={"csrf_token": csrf_from(client, page_url), "answer": ""}
        )

    response = client.post(
        f"{page_url}/odpowiedz",
        data={"csrf_token": csrf_from(client, page_url), "answer": ANSWER},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Wysłano zbyt wiele odpowiedzi" in page and ANSWER in page
    assert 'action="/zgloszenie/' + token + '/odpowiedz"' in page


def test_one_connection_trying_many_links_is_limited_too(app, client):
    app.config["PRIVATE_LINK_IP_RATE_LIMIT"] = "3 per hour"
    tokens = [_waiting(app)[1] for _ in range(4)]
    codes = [
        client.post(
            f"/zgloszenie/{token}/odpowiedz",
            data={"csrf_token": csrf_from(client, f"/zgloszenie/{token}"), "answer": ""},
        ).status_code
        for token in tokens
    ]

    assert codes == [200] * 3 + [429]
