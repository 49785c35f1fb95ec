"""A job closed as "could not be done" is told to the resident as such, never as a service done.

The reason is what staff wrote in the completion form; the resident reads it when the club's
settings say so (`show_not_done_reason`, on by default), and only then.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import Institution, MessageKind, OutboxMessage, Outcome, ServiceRequest
from portal.services import outbox
from tests import factories

DONE_TEXT = "Usługa została wykonana"
# Written by staff in the completion form: the resident may read it.
REASON = "Materiał jest zbyt zniszczony, aby go zszyć."


@pytest.fixture
def app_overrides():
    return {"PUBLIC_BASE_URL": "https://portal.example.pl"}


def _closed(app, outcome: Outcome, *, show_reason: bool = True) -> int:
    with app.app_context():
        db.session.scalars(select(Institution)).one().show_not_done_reason = show_reason
        db.session.commit()
        request = factories.make_request(
            status=Status.IN_PROGRESS, email="janina@example.org", email_updates=True
        )
        services.complete_job(
            request,
            Actor(Role.STAFF),
            completed_on=services.local_today("Europe/Warsaw"),
            outcome=outcome,
            work_done="Skrócono spodnie" if outcome == Outcome.DONE else "",
            not_done_reason=REASON if outcome == Outcome.NOT_DONE else "",
        )
        return request.id


def _status_page(app, client, request_id) -> str:
    with app.app_context():
        token = db.session.get(ServiceRequest, request_id).access_token
    return client.get(f"/zgloszenie/{token}").get_data(as_text=True)


def _completion_email(app, request_id) -> tuple[str, str, str]:
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.request_id == request_id,
                OutboxMessage.kind == MessageKind.STATUS_CHANGE,
            )
            .order_by(OutboxMessage.id.desc())
        ).first()
        mail = outbox.render(message)
        return mail.subject, mail.body, mail.html


def test_the_status_page_says_the_service_could_not_be_done_and_why(app, client):
    request_id = _closed(app, Outcome.NOT_DONE)

    page = _status_page(app, client, request_id)

    assert DONE_TEXT not in page
    assert "Zakończone – nie udało się wykonać usługi" in page
    assert "Niestety nie udało się wykonać tej usługi." in page
    assert REASON in page


def test_the_email_says_the_service_could_not_be_done_and_why(app):
    request_id = _closed(app, Outcome.NOT_DONE)

    subject, text, html = _completion_email(app, request_id)

    assert "nie udało się wykonać usługi" in subject
    for body in (text, html):
        assert DONE_TEXT not in body
        assert "Niestety nie udało się wykonać tej usługi." in body
        assert REASON in body


def test_a_club_that_keeps_reasons_internal_tells_only_that_it_could_not_be_done(app, client):
    request_id = _closed(app, Outcome.NOT_DONE, show_reason=False)

    page = _status_page(app, client, request_id)
    _subject, text, html = _completion_email(app, request_id)

    for body in (page, text, html):
        assert DONE_TEXT not in body
        assert REASON not in body
        assert "Powód znajdziesz poniżej" not in body
        assert "Niestety nie udało się wykonać tej usługi. Jeśli masz pytania" in body
    with app.app_context():
        assert db.session.get(ServiceRequest, request_id).not_done_reason == REASON


def test_a_service_done_is_still_told_as_done(app, client):
    request_id = _closed(app, Outcome.DONE)

    page = _status_page(app, client, request_id)
    _subject, text, _html = _completion_email(app, request_id)

    assert DONE_TEXT in page and DONE_TEXT in text
    assert "nie udało się" not in page


def test_an_admin_correcting_the_outcome_changes_what_the_resident_reads(app, client):
    request_id = _closed(app, Outcome.DONE)
    with app.app_context():
        admin = Actor.of(factories.user(Role.ADMIN))
        request = db.session.get(ServiceRequest, request_id)
        services.correct_completion(
            request,
            admin,
            completed_on=request.completed_on,
            outcome=Outcome.NOT_DONE,
            not_done_reason=REASON,
        )

    page = _status_page(app, client, request_id)

    assert DONE_TEXT not in page and "Skrócono spodnie" not in page
    assert REASON in page
