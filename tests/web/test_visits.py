"""Home visits: a date with hours, a survey first, moved with the resident told, the crew's
day list and week, and the reminder the day before."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import EventKind, MessageKind, OutboxMessage, RequestEvent, ServiceRequest
from portal.services import notifications, outbox
from tests import factories

from .helpers import hidden_value

# The club's day, as the pages count it (near midnight UTC and Warsaw disagree).
TODAY = services.local_today("Europe/Warsaw")
TOMORROW = TODAY + timedelta(days=1)


@pytest.fixture
def app_overrides():
    return {"PUBLIC_BASE_URL": "https://portal.example.pl"}


@pytest.fixture
def crew(accounts):
    return accounts.login_as("instructor", groups=["renovation"])


def _visit(app, day=TOMORROW, hours="", survey=False, **fields):
    with app.app_context():
        request = factories.make_request(code="renovation", status=Status.ACCEPTED, **fields)
        services.schedule_job(
            request,
            Actor.of(factories.user(Role.STAFF)),
            scheduled_for=day,
            scheduled_time=hours,
            survey_visit=survey,
        )
        return request.id


def _schedule(client, request_id, **fields):
    page = client.get(f"/backoffice/zgloszenia/{request_id}").get_data(as_text=True)
    data = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "scheduled-version": hidden_value(page, "scheduled-version"),
    }
    data.update({f"scheduled-{k}": v for k, v in fields.items()})
    return client.post(f"/backoffice/zgloszenia/{request_id}/status/scheduled", data=data)


def test_a_visit_gets_a_date_and_hours_written_one_way(app, client, crew):
    with app.app_context():
        request_id = factories.make_request(code="renovation", status=Status.ACCEPTED).id

    wrong = _schedule(client, request_id, scheduled_for=TOMORROW.isoformat(), scheduled_time="rano")
    assert wrong.status_code == 200
    page = wrong.get_data(as_text=True)
    assert "Wpisz godziny tak: 10:00–12:00" in page and 'value="rano"' in page

    saved = _schedule(
        client,
        request_id,
        scheduled_for=TOMORROW.isoformat(),
        scheduled_time="10-12",
        survey_visit="y",
    )
    assert saved.status_code == 303
    with app.app_context():
        request = db.session.get(ServiceRequest, request_id)
        assert (request.scheduled_time, request.survey_visit) == ("10:00–12:00", True)
        token = request.access_token
    resident = client.get(f"/zgloszenie/{token}").get_data(as_text=True)
    assert "Przyjdziemy obejrzeć, co trzeba zrobić" in resident and "10:00–12:00" in resident


def test_a_visit_moved_is_in_the_history_and_the_resident_is_told(app, client, crew):
    request_id = _visit(app, hours="10:00–12:00", email="anna@example.org", email_updates=True)
    page = client.get(f"/backoffice/zgloszenia/{request_id}").get_data(as_text=True)
    later = TOMORROW + timedelta(days=6)
    data = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "reschedule-version": hidden_value(page, "reschedule-version"),
        "reschedule-scheduled_for": later.isoformat(),
        "reschedule-scheduled_time": "12:00-14:00",
        "reschedule-note": "Ekipa jest na innej budowie.",
    }

    moved = client.post(f"/backoffice/zgloszenia/{request_id}/termin", data=data)
    again = client.post(
        f"/backoffice/zgloszenia/{request_id}/termin",
        data={**data, "reschedule-version": str(int(data["reschedule-version"]) + 1)},
    )

    assert moved.status_code == 303
    assert "Ten termin jest już ustalony." in again.get_data(as_text=True)
    with app.app_context():
        request = db.session.get(ServiceRequest, request_id)
        assert (request.scheduled_for, request.scheduled_time) == (later, "12:00–14:00")
        event = db.session.scalars(
            select(RequestEvent).where(
                RequestEvent.request_id == request_id, RequestEvent.kind == EventKind.RESCHEDULE
            )
        ).one()
        assert event.is_public and event.changes["scheduled_for"] == {
            "old": TOMORROW.isoformat(),
            "new": later.isoformat(),
        }
        told = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.request_id == request_id)
            .order_by(OutboxMessage.id.desc())
        ).first()
        mail = outbox.render(told)
        token = request.access_token
    assert "nowy termin" in mail.subject and "12:00–14:00" in mail.body
    assert "Ekipa jest na innej budowie." in mail.body
    office = client.get(f"/backoffice/zgloszenia/{request_id}").get_data(as_text=True)
    assert "Termin zmieniony" in office
    resident = client.get(f"/zgloszenie/{token}").get_data(as_text=True)
    assert "Zmiana terminu" in resident and "12:00–14:00" in resident


def test_the_day_list_puts_visits_in_order_with_addresses_phones_and_what_to_do(app, client, crew):
    late = _visit(app, hours="13:00–15:00", name="Późna Pani", address="ul. Późna 3")
    early = _visit(
        app, hours="8:30", name="Wczesny Pan", address="ul. Ranna 1", phone="600 100 200"
    )
    unset = _visit(app, name="Bez Godzin", address="ul. Jakaś 2")
    _visit(app, day=TOMORROW + timedelta(days=1), name="Pojutrze Ktoś")

    page = client.get("/backoffice/wizyty", query_string={"dzien": TOMORROW.isoformat()})
    text = page.get_data(as_text=True)

    order = [m for m in re.findall(r"/backoffice/zgloszenia/(\d+)", text)]
    assert [int(x) for x in order] == [early, late, unset]
    assert "ul. Ranna 1" in text and 'href="tel:600100200"' in text
    assert "Skrócić spodnie o 5 cm" in text  # what to do
    assert "Pojutrze Ktoś" not in text
    # The day before, staff see whom to phone: nobody here asked for e-mail.
    assert re.search(r'id="phone-before">3 osoby nie dostaną przypomnienia', text)

    week = client.get("/backoffice/wizyty", query_string={"tydzien": TOMORROW.isoformat()})
    assert "ul. Ranna 1" in week.get_data(as_text=True)


def test_the_reminder_goes_the_day_before_once_per_date_and_only_by_e_mail(app, client, crew):
    with_mail = _visit(app, hours="9:00–11:00", email="anna@example.org", email_updates=True)
    _visit(app, hours="12:00")  # no e-mail: staff phone
    _visit(app, day=TOMORROW + timedelta(days=2), email="jan@example.org", email_updates=True)

    with app.app_context():
        first = notifications.queue_visit_reminders(TODAY)
        again = notifications.queue_visit_reminders(TODAY)
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == MessageKind.VISIT_REMINDER)
        ).all()
        mail = outbox.render(rows[0])

    assert (first, again) == (1, 0)
    assert [row.request_id for row in rows] == [with_mail]
    assert mail.subject.startswith("Jutro: zgłoszenie")
    assert "9:00–11:00" in mail.body and "Przypominamy: jutro" in mail.body
