"""Text messages through the outbox, against local gateways speaking SMSAPI.pl and JSON.

What is queued and when, what is sent (once, whatever goes wrong on the way), what waits
for the morning, what the administrator's outbox page counts.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal import services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import (
    MessageChannel,
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    ServiceRequest,
)
from portal.services import custody, notifications, outbox
from portal.sms.segments import Encoding, count
from tests import factories
from tests.fakes.sms_gateways import FAKES, FakeJsonGateway, FakeSmsApi, Mode
from tests.web.helpers import count_queries, hidden_value

WARSAW = ZoneInfo("Europe/Warsaw")
PHONE = "600 123 456"
MOBILE = "+48600123456"
CLUB_PHONE = "77 400 00 00"


@pytest.fixture(params=sorted(FAKES))
def gateway(request, app):
    """Each protocol in turn, on a local port, with the app pointed at it."""
    fake = FAKES[request.param]().start()
    app.config.update(fake.app_config(), PUBLIC_BASE_URL="https://portal.example.pl")
    yield fake
    fake.stop()


@pytest.fixture
def smsapi(app):
    """SMSAPI alone, for what does not depend on the protocol."""
    fake = FakeSmsApi().start()
    app.config.update(fake.app_config(), PUBLIC_BASE_URL="https://portal.example.pl")
    yield fake
    fake.stop()


def daytime(hour: int = 12, days: int = 0) -> datetime:
    """The next hour:00 in Warsaw after now (plus days), as a naive UTC moment."""
    here = datetime.now(WARSAW)
    moment = here.replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=days)
    if moment <= here:
        moment += timedelta(days=1)
    return moment.astimezone(UTC).replace(tzinfo=None)


def deliver(app, now: datetime | None = None) -> outbox.Delivery:
    with app.app_context():
        return outbox.deliver_due(now=now or daytime())


def texts(app, **where) -> list[OutboxMessage]:
    with app.app_context():
        found = list(
            db.session.scalars(
                select(OutboxMessage)
                .filter_by(channel=MessageChannel.SMS, **where)
                .order_by(OutboxMessage.id)
            )
        )
        db.session.expunge_all()
        return found


def new_request(app, *, status=Status.SUBMITTED, sms_updates=True, **fields) -> int:
    with app.app_context():
        return factories.make_request(status=status, sms_updates=sms_updates, **fields).id


def move(app, request_id, target, **options) -> None:
    with app.app_context():
        request = db.session.get(ServiceRequest, request_id)
        if target == Status.ACCEPTED:
            options.setdefault("group_id", factories.group_for(request.category.code).id)
        services.move_request(request, target, Actor(Role.STAFF), **options)


def reference_of(app, request_id) -> str:
    with app.app_context():
        return db.session.get(ServiceRequest, request_id).reference


def local_today() -> date:
    return datetime.now(WARSAW).date()


# What is queued, and when


def test_texts_go_at_the_moments_that_matter_and_at_no_others(app, smsapi):
    request_id = new_request(app)

    move(app, request_id, Status.NEEDS_INFO, note="Jaki kolor nici?")
    move(app, request_id, Status.SUBMITTED)
    move(app, request_id, Status.ACCEPTED)
    move(app, request_id, Status.SCHEDULED, scheduled_for=local_today() + timedelta(days=5))
    move(app, request_id, Status.IN_PROGRESS)
    move(app, request_id, Status.READY)

    queued = texts(app, request_id=request_id)
    assert [(row.kind, row.payload.get("status")) for row in queued] == [
        (MessageKind.SUBMITTED, None),
        (MessageKind.STATUS_CHANGE, "needs_info"),
        (MessageKind.STATUS_CHANGE, "ready"),
    ]
    assert {row.to_addr for row in queued} == {MOBILE}
    # A text carries no private link: the facts hold no token to build one from.
    assert all(set(row.payload) <= {"reference", "status"} for row in queued)


def test_a_completed_job_sends_no_text(app, smsapi):
    request_id = new_request(app, status=Status.IN_PROGRESS)

    with app.app_context():
        request = db.session.get(ServiceRequest, request_id)
        services.complete_job(
            request,
            Actor(Role.STAFF),
            completed_on=local_today(),
            outcome="done",
            work_done="Skrócono",
        )

    assert [row.kind for row in texts(app, request_id=request_id)] == [MessageKind.SUBMITTED]


@pytest.mark.parametrize(
    "configured, sms_updates, phone",
    [(False, True, PHONE), (True, False, PHONE), (True, True, CLUB_PHONE)],
    ids=["no-gateway", "not-asked", "landline"],
)
def test_no_text_is_queued_without_a_gateway_a_request_for_texts_or_a_mobile(
    app, smsapi, configured, sms_updates, phone
):
    if not configured:
        app.config["SMS_GATEWAY"] = None

    request_id = new_request(app, sms_updates=sms_updates, phone=phone)
    move(app, request_id, Status.NEEDS_INFO, note="Jaki kolor nici?")
    with app.app_context():
        notifications.queue_visit_reminders(local_today())
        notifications.queue_pickup_reminders()

    assert texts(app) == []


def test_a_gateway_missing_its_settings_counts_as_none_and_stops_the_worker(app, smsapi):
    app.config["SMS_GATEWAY_TOKEN"] = ""
    new_request(app)

    result = app.test_cli_runner().invoke(args=["outbox", "run", "--once"])

    assert texts(app) == []
    assert result.exit_code != 0 and "SMS_GATEWAY_TOKEN" in result.output


def test_the_day_before_a_date_the_resident_is_reminded_by_text_once(app, smsapi):
    today = local_today()
    bring = new_request(app, status=Status.ACCEPTED)
    visit = new_request(app, status=Status.ACCEPTED, code="renovation")
    move(app, bring, Status.SCHEDULED, scheduled_for=today + timedelta(days=1))
    move(
        app,
        visit,
        Status.SCHEDULED,
        scheduled_for=today + timedelta(days=1),
        scheduled_time="10:00–12:00",
    )

    with app.app_context():
        first = notifications.queue_visit_reminders(today)
        again = notifications.queue_visit_reminders(today)
    deliver(app)

    assert (first, again) == (2, 0)
    reminders = {row.request_id: row for row in texts(app, kind=MessageKind.VISIT_REMINDER)}
    assert reminders[bring].payload["home_visit"] is False
    assert reminders[visit].payload["home_visit"] is True
    sent = {message.provider_id: message.text for message in smsapi.received}
    bring_text = sent[reminders[bring].provider_id]
    visit_text = sent[reminders[visit].provider_id]
    assert "przynieś rzecz" in bring_text and CLUB_PHONE in bring_text
    assert "10:00-12:00" in visit_text and "wizyta" in visit_text


def test_an_item_left_uncollected_gets_one_text_reminder(app, smsapi):
    request_id = new_request(app, status=Status.ACCEPTED)
    with app.app_context():
        request = db.session.get(ServiceRequest, request_id)
        staff = Actor.of(factories.user(Role.STAFF))
        custody.record_drop_off(request, staff, received_on=local_today(), today=local_today())
        services.start_job(request, staff)
        services.mark_ready(request, staff)
        request.ready_at = request.ready_at - timedelta(days=8)
        db.session.commit()

    with app.app_context():
        first = notifications.queue_pickup_reminders(after_days=7)
        again = notifications.queue_pickup_reminders(after_days=7)
    deliver(app)

    assert (first, again) == (1, 0)
    (reminder,) = texts(app, kind=MessageKind.PICKUP_REMINDER)
    assert reminder.status == OutboxStatus.SENT
    assert "wciąż czeka na odbiór" in smsapi.texts[-1]


def test_a_board_move_taken_back_never_sends_its_text(app, smsapi):
    request_id = new_request(app, status=Status.IN_PROGRESS)
    deliver(app)
    with app.app_context():
        request = db.session.get(ServiceRequest, request_id)
        instructor = Actor.of(factories.user(Role.STAFF))
        event = services.board_move(request, Status.READY, instructor)
        held = db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.channel == MessageChannel.SMS,
                OutboxMessage.kind == MessageKind.STATUS_CHANGE,
            )
        ).one()
        assert held.next_attempt_at > held.created_at
        services.undo_board_move(request, instructor, event_id=event.id)

    assert texts(app, kind=MessageKind.STATUS_CHANGE) == []


# Sending


def test_a_text_is_sent_once_with_its_reference_the_clubs_phone_and_no_link(app, gateway):
    request_id = new_request(app)
    reference = reference_of(app, request_id)

    first = deliver(app)
    second = deliver(app, daytime(days=2))

    assert (first.sent, second.sent) == (1, 0)
    (received,) = gateway.received
    assert received.to == (MOBILE if gateway.name == "json" else MOBILE.removeprefix("+"))
    assert received.sender == "KIS Opole"
    assert reference in received.text and CLUB_PHONE in received.text
    assert "http" not in received.text and "/zgloszenie/" not in received.text
    (row,) = texts(app)
    assert row.status == OutboxStatus.SENT and row.attempts == 1
    assert row.segments == 1
    assert received.provider_id in row.provider_id
    assert received.reference == outbox._reference(row)


def test_the_cost_is_the_gateways_or_the_segments_times_the_price(app, gateway):
    new_request(app)

    deliver(app)

    (row,) = texts(app)
    if gateway.name == "smsapi":  # SMSAPI reports its points
        assert row.cost == Decimal("0.1600")
    else:  # this JSON gateway reports nothing: 1 segment at SMS_PRICE_PER_SEGMENT
        assert row.cost == Decimal("0.0900")


def test_a_json_gateway_that_reports_segments_and_cost_is_believed(app):
    fake = FakeJsonGateway().start()
    fake.reports_cost = True
    try:
        app.config.update(fake.app_config(), PUBLIC_BASE_URL="https://portal.example.pl")
        new_request(app)

        deliver(app)
    finally:
        fake.stop()

    (row,) = texts(app)
    assert (row.segments, row.cost) == (1, Decimal("0.1100"))


def test_a_lost_answer_is_recognised_and_the_text_is_not_sent_twice(app, gateway):
    gateway.mode = Mode.HANG
    new_request(app)
    now = daytime()

    started = time.monotonic()
    lost = deliver(app, now)
    took = time.monotonic() - started
    gateway.mode = Mode.OK
    (waiting,) = texts(app)
    found = deliver(app, waiting.next_attempt_at)

    assert (lost.retried, found.sent) == (1, 1)
    assert took < 2.5
    assert waiting.status == OutboxStatus.PENDING and "in time" in waiting.last_error
    assert len(gateway.received) == 1
    (row,) = texts(app)
    assert row.status == OutboxStatus.SENT and row.attempts == 2 and row.segments == 1


def test_a_worker_stopped_before_recording_the_text_does_not_send_it_twice(
    app, gateway, monkeypatch
):
    new_request(app)
    now = daytime()
    recorded = outbox._mark_sent

    def crash(*args, **kwargs):
        raise RuntimeError("the worker was killed")

    monkeypatch.setattr(outbox, "_mark_sent", crash)
    with pytest.raises(RuntimeError):
        deliver(app, now)
    monkeypatch.setattr(outbox, "_mark_sent", recorded)
    too_early = deliver(app, now + timedelta(seconds=10))
    after_the_lease = deliver(app, now + timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"] + 1))

    assert (too_early.attempted, after_the_lease.sent) == (0, 1)
    assert len(gateway.received) == 1
    assert gateway.attempts == 2
    (row,) = texts(app)
    assert row.status == OutboxStatus.SENT


def test_a_failing_gateway_is_tried_again_later_and_the_email_still_goes(app, gateway):
    gateway.mode = Mode.FAIL
    for number in range(3):
        new_request(app, email=f"osoba{number}@example.org", email_updates=True)
    now = daytime()

    down = deliver(app, now)
    gateway.mode = Mode.OK
    back = deliver(app, now + timedelta(minutes=2))

    # The first text fails and stops the run's texts; the three e-mails go regardless.
    assert (down.sent, down.retried) == (3, 1)
    emails = [row for row in _all_rows(app) if row.channel == MessageChannel.EMAIL]
    assert all(row.status == OutboxStatus.SENT for row in emails)
    assert back.sent == 3
    assert len(gateway.received) == 3
    assert [row.attempts for row in texts(app)] == [2, 1, 1]


def test_a_text_refused_for_good_is_parked_at_once_and_the_others_still_go(app, gateway):
    refused_number = "+48511000111"
    gateway.refuse.add(refused_number if gateway.name == "json" else refused_number[1:])
    refused_id = new_request(app, phone="511 000 111")
    fine_id = new_request(app)

    done = deliver(app)

    assert (done.sent, done.parked) == (1, 1)
    (refused,) = texts(app, request_id=refused_id)
    assert refused.status == OutboxStatus.PARKED and refused.attempts == 1
    assert ("13" if gateway.name == "smsapi" else "422") in refused.last_error
    assert [row.status for row in texts(app, request_id=fine_id)] == [OutboxStatus.SENT]


def test_a_token_the_gateway_does_not_know_parks_the_text(app, gateway):
    app.config["SMS_GATEWAY_TOKEN"] = "not-the-token"
    new_request(app)

    done = deliver(app)

    assert done.parked == 1 and gateway.received == []
    (row,) = texts(app)
    assert row.status == OutboxStatus.PARKED and (
        "101" in row.last_error or "401" in row.last_error
    )


def test_a_parked_text_sent_again_from_the_outbox_page_goes_once(app, client, accounts, gateway):
    app.config["SMS_GATEWAY_TOKEN"] = "not-the-token"
    new_request(app)
    deliver(app)
    app.config["SMS_GATEWAY_TOKEN"] = gateway.token
    (parked,) = texts(app)
    accounts.login_as("admin")
    page = client.get("/backoffice/poczta").get_data(as_text=True)

    client.post(
        f"/backoffice/poczta/{parked.id}/ponow",
        data={"csrf_token": hidden_value(page, "csrf_token")},
    )
    done = deliver(app)
    again = deliver(app, daytime(days=1))

    assert (done.sent, again.sent) == (1, 0)
    assert len(gateway.received) == 1
    (row,) = texts(app)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)


# The sending window


def test_no_text_goes_out_at_night_and_it_waits_without_an_attempt_for_the_morning(app, smsapi):
    new_request(app, email="osoba@example.org", email_updates=True)
    night = daytime(hour=21)
    next_day = night.replace(tzinfo=UTC).astimezone(WARSAW) + timedelta(days=1)
    morning = next_day.replace(hour=8).astimezone(UTC).replace(tzinfo=None)

    at_night = deliver(app, night)
    tried_at_night = smsapi.attempts
    (waiting,) = texts(app)
    before = deliver(app, morning - timedelta(minutes=1))
    in_the_morning = deliver(app, morning)

    assert at_night.sent == 1  # the e-mail: e-mail keeps no hours
    assert tried_at_night == 0
    assert (waiting.status, waiting.attempts) == (OutboxStatus.PENDING, 0)
    assert waiting.next_attempt_at == morning
    assert before.attempted == 0
    assert in_the_morning.sent == 1 and len(smsapi.received) == 1


# The language and the length


@pytest.mark.parametrize(
    "language, words, encoding",
    [
        ("pl", "Zapisaliśmy Twoje zgłoszenie", Encoding.UCS2),
        ("uk", "Ми зареєстрували Вашу заявку", Encoding.UCS2),
        ("en", "We have saved your request", Encoding.GSM7),
    ],
)
def test_the_text_speaks_the_language_of_the_request_in_one_segment(
    app, smsapi, language, words, encoding
):
    new_request(app, language=language)

    deliver(app)

    (text,) = smsapi.texts
    assert words in text
    assert count(text).encoding == encoding
    (row,) = texts(app)
    assert row.segments == 1


@pytest.mark.parametrize("language", ["pl", "uk", "en"])
def test_every_text_fits_one_segment_in_every_language(app, smsapi, language):
    reference = "KR/2026/0042"
    cases = [
        (MessageKind.SUBMITTED, {}),
        (MessageKind.STATUS_CHANGE, {"status": "needs_info"}),
        (MessageKind.STATUS_CHANGE, {"status": "ready"}),
        (MessageKind.PICKUP_REMINDER, {}),
        (MessageKind.VISIT_REMINDER, {"home_visit": True, "scheduled_time": "10:00–12:00"}),
        (MessageKind.VISIT_REMINDER, {"home_visit": True, "scheduled_time": ""}),
        (MessageKind.VISIT_REMINDER, {"home_visit": False, "scheduled_time": "10:00–12:00"}),
        (MessageKind.VISIT_REMINDER, {"home_visit": False, "scheduled_time": ""}),
    ]
    request_id = new_request(app, language=language, sms_updates=False)

    with app.app_context():
        request = db.session.get(ServiceRequest, request_id)
        written = [
            outbox.render_text(
                OutboxMessage(
                    kind=kind,
                    channel=MessageChannel.SMS,
                    payload={"reference": reference, **facts},
                    request=request,
                )
            )
            for kind, facts in cases
        ]
        db.session.rollback()

    assert len(set(written)) == len(cases)
    assert all(reference in text and CLUB_PHONE in text for text in written)
    assert [count(text).segments for text in written] == [1] * len(cases)
    assert not any("przyj" in text.lower() for text in written)


# The administrator's page


def test_the_outbox_page_shows_the_channel_and_segments_and_the_months_texts_and_cost(
    app, client, accounts, smsapi
):
    for _ in range(3):
        new_request(app, email="osoba@example.org", email_updates=True)
    deliver(app)
    with app.app_context():
        for row in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.channel == MessageChannel.SMS)
        ):
            row.sent_at = datetime(2026, 10, 5, 10, 0)
        db.session.commit()
    smsapi.refuse.add(MOBILE[1:])
    new_request(app)
    deliver(app)
    accounts.login_as("admin")

    page = client.get("/backoffice/poczta").get_data(as_text=True)

    (parked,) = texts(app, status=OutboxStatus.PARKED)
    row = page[page.index(f'id="message-{parked.id}"') :].split("</tr>")[0]
    channel_cell = row.split("</th>")[1].split("</td>")[0]
    assert "SMS" in channel_cell and "1 segment" in channel_cell and MOBILE in row
    table = page[page.index('id="text-months"') :].split("</table>")[0]
    assert "październik 2026" in table
    assert '<td class="num">3</td>' in table  # three texts, three segments
    assert "0,48" in table and "zł" in table


def test_the_outbox_page_costs_the_same_queries_for_few_texts_or_many(
    app, client, accounts, smsapi
):
    accounts.login_as("admin")
    smsapi.refuse.add("48511000111")

    def grow(number):
        for month in range(number):
            sent_id = new_request(app)
            new_request(app, phone="511 000 111")  # parked, shown with its segments
            deliver(app)
            with app.app_context():
                (row,) = db.session.scalars(
                    select(OutboxMessage).where(
                        OutboxMessage.request_id == sent_id,
                        OutboxMessage.channel == MessageChannel.SMS,
                    )
                )
                row.sent_at = datetime(2025, 1 + month % 12, 10)
                db.session.commit()

    grow(1)
    few = count_queries(app, client, "/backoffice/poczta")
    grow(11)

    assert count_queries(app, client, "/backoffice/poczta") == few


def _all_rows(app) -> list[OutboxMessage]:
    with app.app_context():
        found = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return found
