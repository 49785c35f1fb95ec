"""The satisfaction check after a job was done: online, recorded by staff, counted, reminded once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.domain.actor import Actor
from portal.domain.errors import DomainError
from portal.domain.lifecycle import Role, Status
from portal.domain.period import Period
from portal.extensions import db
from portal.models import (
    AsAgreed,
    ContactRating,
    Feedback,
    FeedbackChannel,
    MessageKind,
    OutboxMessage,
    Outcome,
    ServiceRequest,
    utcnow,
)
from portal.queries.figures import feedback_counts
from portal.services import complete_job, local_today, outbox
from portal.services.feedback import FeedbackAnswers, record_feedback
from portal.services.notifications import queue_feedback_reminders
from tests import factories

from .helpers import csrf_from


@pytest.fixture
def app_overrides():
    return {"PUBLIC_BASE_URL": "https://portal.example.pl"}


def _done(code="tailoring", **fields) -> ServiceRequest:
    return factories.make_request(code=code, status=Status.COMPLETED, **fields)


def _not_done() -> ServiceRequest:
    request = factories.make_request(status=Status.IN_PROGRESS)
    complete_job(
        request,
        Actor(Role.STAFF),
        completed_on=local_today("Europe/Warsaw"),
        outcome=Outcome.NOT_DONE,
        not_done_reason="Brak części",
    )
    return request


# --- The rules ------------------------------------------------------------------------------


def test_answers_are_kept_once_each_optional_but_not_all_empty(app):
    with app.app_context():
        request = _done()
        with pytest.raises(DomainError) as empty:
            record_feedback(request, FeedbackAnswers(comment="  "), Actor.resident())
        assert empty.value.field == "as_agreed"

        given = record_feedback(
            request, FeedbackAnswers(contact=ContactRating.GOOD), Actor.resident()
        )
        assert (given.as_agreed, given.contact, given.channel) == (
            None,
            ContactRating.GOOD,
            FeedbackChannel.ONLINE,
        )
        with pytest.raises(DomainError):
            record_feedback(request, FeedbackAnswers(as_agreed=AsAgreed.YES), Actor.resident())
        assert db.session.scalars(select(Feedback)).all() == [given]


def test_only_a_job_done_is_asked_about(app):
    with app.app_context():
        for request in (_not_done(), factories.make_request(status=Status.READY)):
            with pytest.raises(DomainError):
                record_feedback(request, FeedbackAnswers(as_agreed=AsAgreed.YES), Actor.resident())


def test_staff_record_answers_given_by_phone_with_their_name(app):
    with app.app_context():
        request = _done()
        staff = factories.user(Role.STAFF)
        given = record_feedback(
            request,
            FeedbackAnswers(as_agreed=AsAgreed.PARTLY, comment="Rękaw trochę za krótki"),
            Actor.of(staff),
            channel=FeedbackChannel.PHONE,
        )
        assert (given.channel, given.recorded_by_id) == (FeedbackChannel.PHONE, staff.id)


# --- Online and in the back office -----------------------------------------------------------


def test_a_resident_answers_on_the_status_page_and_the_form_goes(app, client):
    with app.app_context():
        token = _done().access_token
    page_url = f"/zgloszenie/{token}"
    page = client.get(page_url).get_data(as_text=True)
    assert "Jak nam poszło?" in page and "Czy praca została wykonana tak" in page

    response = client.post(
        f"{page_url}/opinia",
        data={
            "csrf_token": csrf_from(client, page_url),
            "as_agreed": "yes",
            "contact": "fair",
            "comment": "Dziękuję, spodnie leżą dobrze.",
        },
    )

    assert response.status_code == 303
    after = client.get(page_url).get_data(as_text=True)
    assert "Dziękujemy za Twoje odpowiedzi" in after and "Jak nam poszło?" not in after
    with app.app_context():
        given = db.session.scalars(select(Feedback)).one()
        assert (given.as_agreed, given.contact) == (AsAgreed.YES, ContactRating.FAIR)


def test_an_empty_answer_is_told_at_the_first_question(app, client):
    with app.app_context():
        token = _done().access_token
    page_url = f"/zgloszenie/{token}"

    response = client.post(f"{page_url}/opinia", data={"csrf_token": csrf_from(client, page_url)})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Zaznacz odpowiedź albo napisz kilka słów." in page and 'id="as_agreed-error"' in page


def test_answers_over_the_limit_keep_what_was_typed(app, client):
    with app.app_context():
        token = _done().access_token
    page_url = f"/zgloszenie/{token}"
    for _ in range(5):
        client.post(f"{page_url}/opinia", data={"csrf_token": csrf_from(client, page_url)})

    response = client.post(
        f"{page_url}/opinia",
        data={
            "csrf_token": csrf_from(client, page_url),
            "as_agreed": "partly",
            "comment": "Zamek wszyty krzywo.",
        },
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Wysłano zbyt wiele odpowiedzi" in page and "Zamek wszyty krzywo." in page
    assert re.search(r'<input checked[^>]*value="partly"', page)
    with app.app_context():
        assert db.session.scalars(select(Feedback)).first() is None


def test_staff_write_down_answers_given_on_paper(app, client, accounts):
    with app.app_context():
        request_id = _done().id
    accounts.login_as("staff")
    page_url = f"/backoffice/zgloszenia/{request_id}"
    assert "Zapisz odpowiedzi" in client.get(page_url).get_data(as_text=True)

    response = client.post(
        f"{page_url}/opinia",
        data={
            "csrf_token": csrf_from(client, page_url),
            "channel": "paper",
            "as_agreed": "no",
            "comment": "Zamek nadal się zacina.",
        },
    )

    assert response.status_code == 303
    page = client.get(page_url).get_data(as_text=True)
    assert "Zamek nadal się zacina." in page and "na papierze" in page
    assert "Zapisz odpowiedzi" not in page


def test_an_instructor_cannot_record_answers(app, client, accounts):
    with app.app_context():
        request_id = _done().id
    accounts.login_as("instructor", groups=["tailoring"])

    response = client.post(
        f"/backoffice/zgloszenia/{request_id}/opinia",
        data={"csrf_token": csrf_from(client, f"/backoffice/zgloszenia/{request_id}")},
    )

    assert response.status_code == 403


# --- Reports and the reminder --------------------------------------------------------------


def test_the_report_counts_answers_and_never_shows_a_comment(app, client, accounts):
    with app.app_context():
        resident = Actor.resident()
        staff = Actor.of(factories.user(Role.STAFF))
        answers = [
            (FeedbackAnswers(AsAgreed.YES, ContactRating.GOOD, "Świetnie"), resident),
            (FeedbackAnswers(AsAgreed.YES, None), resident),
            (FeedbackAnswers(AsAgreed.PARTLY, ContactRating.POOR), staff),
            (FeedbackAnswers(None, ContactRating.GOOD), resident),
        ]
        for given, actor in answers:
            channel = (
                FeedbackChannel.ONLINE if actor.role == Role.RESIDENT else FeedbackChannel.PHONE
            )
            record_feedback(_done(), given, actor, channel=channel)
        today = local_today("Europe/Warsaw")

        counts = feedback_counts(Period.since(today - timedelta(days=1), today))

    assert counts.as_agreed == {AsAgreed.YES: 2, AsAgreed.PARTLY: 1, AsAgreed.NO: 0, None: 1}
    assert counts.contact == {
        ContactRating.GOOD: 2,
        ContactRating.FAIR: 0,
        ContactRating.POOR: 1,
        None: 1,
    }
    assert counts.by_channel[FeedbackChannel.ONLINE] == 3 and counts.answered == 4

    accounts.login_as("staff")
    page = client.get(
        "/backoffice/raporty", query_string={"period": "year", "year": today.year}
    ).get_data(as_text=True)
    assert "Zadowolenie mieszkańców" in page and "Świetnie" not in page


def test_one_reminder_at_most_and_only_to_residents_who_asked_for_email(app):
    with app.app_context():
        now = utcnow()

        def done(days_ago: int, **fields) -> int:
            request = _done(**fields)
            request.closed_at = now - timedelta(days=days_ago)
            db.session.commit()
            return request.id

        due = done(4, email="anna@example.org", email_updates=True)
        soon = done(1, email="ewa@example.org", email_updates=True)  # too soon yet
        done(40, email="ola@example.org", email_updates=True)  # too long ago
        done(5, email="iza@example.org", email_updates=False)  # did not ask for e-mail
        done(5)  # no address
        answered = done(6, email="jan@example.org", email_updates=True)
        record_feedback(
            db.session.get(ServiceRequest, answered),
            FeedbackAnswers(as_agreed=AsAgreed.YES),
            Actor.resident(),
        )

        assert queue_feedback_reminders(now) == 1
        assert queue_feedback_reminders(now) == 0  # the same day again: nothing new
        # Two days on, the one sent too soon before is due; the first gets no second reminder.
        assert queue_feedback_reminders(now + timedelta(days=2)) == 1

        sent = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == MessageKind.FEEDBACK_REMINDER)
            .order_by(OutboxMessage.id)
        ).all()
        assert [(m.request_id, m.to_addr) for m in sent] == [
            (due, "anna@example.org"),
            (soon, "ewa@example.org"),
        ]
        mail = outbox.render(sent[0])
        assert "Jak nam poszło?" in mail.subject
        assert "To jedyne przypomnienie" in mail.body


def test_the_comment_is_erased_with_the_personal_data_and_the_answers_stay(app, upload_folder):
    from portal.services.retention import anonymise

    with app.app_context():
        request = _done()
        record_feedback(
            request,
            FeedbackAnswers(AsAgreed.YES, ContactRating.GOOD, "Pani Anna z bloku obok"),
            Actor.resident(),
        )
        anonymise([request], upload_folder=str(upload_folder))
        given = db.session.scalars(select(Feedback)).one()
        assert given.comment == "" and given.as_agreed == AsAgreed.YES
