"""The outbox against a real SMTP server: what is queued, what is sent, what survives an outage."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event, func, select

from portal import services
from portal.domain.actor import Actor
from portal.domain.errors import StaleEdit
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import (
    Channel,
    ConsentMethod,
    MessageKind,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    ServiceRequest,
    utcnow,
)
from portal.services import notifications, outbox
from tests import factories

RESIDENT = "janina.nowak@example.org"


@pytest.fixture
def app_overrides(smtp_server):
    return smtp_server.app_config()


def deliver(app, **options) -> outbox.Delivery:
    with app.app_context():
        return outbox.deliver_due(**options)


def rows(app, **where) -> list[OutboxMessage]:
    with app.app_context():
        found = list(
            db.session.scalars(select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id))
        )
        db.session.expunge_all()
        return found


def new_request(app, *, email=RESIDENT, updates=True, status=Status.SUBMITTED, **fields) -> int:
    with app.app_context():
        return factories.make_request(
            email=email, email_updates=updates, status=status, **fields
        ).id


def move(app, request_id, target, **options) -> None:
    with app.app_context():
        request = db.session.get(ServiceRequest, request_id)
        if target == Status.ACCEPTED:
            options.setdefault("group_id", factories.group_for(request.category.code).id)
        services.move_request(request, target, Actor(Role.STAFF), **options)


def staff_member(
    app, preference=NotificationPreference.IMMEDIATE, role=Role.STAFF, active=True
) -> str:
    with app.app_context():
        user = factories.user(role)
        user.notification = preference
        user.active = active
        db.session.commit()
        return user.email


def point_mail_at(app, **config) -> None:
    """Change the mail settings of a running app; Flask-Mail copies them when it starts."""
    from portal.extensions import mail

    app.config.update(config)
    app.extensions["mail"] = mail.init_mail(app.config, app.debug, app.testing)


def message_ids(server) -> list[str]:
    return [message["Message-ID"] for message in server.received()]


# What is queued, for whom


def test_a_resident_who_asked_for_updates_gets_a_confirmation_of_the_submission(app):
    request_id = new_request(app)

    queued = rows(app, request_id=request_id)

    assert [(row.kind, row.to_addr, row.status) for row in queued] == [
        (MessageKind.SUBMITTED, RESIDENT, OutboxStatus.PENDING)
    ]


@pytest.mark.parametrize(
    "email, updates",
    [(RESIDENT, False), (None, False), (None, True)],
    ids=["no-tick", "no-address", "tick-only"],
)
def test_no_message_goes_to_a_resident_who_did_not_ask_for_updates(app, email, updates):
    request_id = new_request(app, email=email, updates=updates)

    for target in (Status.ACCEPTED, Status.SCHEDULED, Status.IN_PROGRESS, Status.READY):
        move(
            app,
            request_id,
            target,
            scheduled_for=date(2026, 12, 3) if target == Status.SCHEDULED else None,
        )

    assert rows(app, request_id=request_id) == []


def test_each_move_a_resident_hears_about_queues_one_message_and_internal_steps_none(app):
    request_id = new_request(app)

    move(app, request_id, Status.NEEDS_INFO, note="Jaki kolor nici?")
    move(app, request_id, Status.SUBMITTED)
    move(app, request_id, Status.ACCEPTED)
    move(app, request_id, Status.SCHEDULED, scheduled_for=date(2026, 12, 3))
    move(app, request_id, Status.IN_PROGRESS)
    move(app, request_id, Status.READY)
    with app.app_context():
        request = db.session.get(ServiceRequest, request_id)
        services.complete_job(
            request,
            Actor(Role.STAFF),
            completed_on=services.local_today("Europe/Warsaw"),
            outcome="done",
            work_done="Skrócono",
        )

    told = [
        row.payload.get("status")
        for row in rows(app, request_id=request_id, kind=MessageKind.STATUS_CHANGE)
    ]
    assert told == ["needs_info", "accepted", "scheduled", "ready", "completed"]


@pytest.mark.parametrize("target", [Status.DECLINED, Status.CANCELLED])
def test_declined_and_cancelled_requests_are_told_too(app, target):
    request_id = new_request(app)

    move(app, request_id, target, note="Nie naprawiamy sprzętu elektronicznego")

    (row,) = rows(app, request_id=request_id, kind=MessageKind.STATUS_CHANGE)
    assert row.payload["status"] == target.value
    assert row.payload["note"] == "Nie naprawiamy sprzętu elektronicznego"


def test_staff_hear_of_new_requests_as_each_of_them_chose(app):
    immediate = staff_member(app)
    admin = staff_member(app, role=Role.ADMIN)
    staff_member(app, NotificationPreference.DIGEST)
    staff_member(app, NotificationPreference.NONE)
    staff_member(app, active=False)
    staff_member(app, role=Role.INSTRUCTOR)

    request_id = new_request(app, email=None, updates=False)

    told = rows(app, request_id=request_id, kind=MessageKind.NEW_REQUEST)
    assert sorted(row.to_addr for row in told) == sorted([immediate, admin])
    assert all("name" not in row.payload and "phone" not in row.payload for row in told)


def test_staff_who_took_the_request_themselves_are_not_told_of_it(app):
    other = staff_member(app)
    with app.app_context():
        taker = factories.user(Role.STAFF)
        data = services.RequestData(
            category_id=factories.category().id,
            description="Naprawa krzesła",
            name="Jan",
            phone="600 100 200",
            channel=Channel.PHONE,
            consent_method=ConsentMethod.ORAL,
            is_senior=True,
        )
        request_id = services.submit_request(data, Actor.of(taker), upload_folder="/tmp").request.id

    told = rows(app, request_id=request_id, kind=MessageKind.NEW_REQUEST)

    assert [row.to_addr for row in told] == [other]


# Messages and change commit together


def test_a_status_change_that_fails_to_commit_queues_nothing(app):
    request_id = new_request(app)
    with app.app_context():
        request = db.session.get(ServiceRequest, request_id)
        assert request.version and request.events  # loaded, as the request page has them
        # Someone else saves the request in between: this commit must fail.
        with db.engine.begin() as other:
            other.execute(
                sa.text("UPDATE service_request SET version = version + 1 WHERE id = :id"),
                {"id": request_id},
            )

        with pytest.raises(StaleEdit):
            services.move_request(
                request,
                Status.ACCEPTED,
                Actor(Role.STAFF),
                group_id=factories.group_for().id,
            )

    assert rows(app, kind=MessageKind.STATUS_CHANGE) == []


def test_a_submission_that_fails_to_commit_queues_nothing(app):
    staff_member(app)

    def refuse(session):
        raise RuntimeError("the database went away")

    with app.app_context():
        event.listen(db.session(), "before_commit", refuse)
        try:
            with pytest.raises(RuntimeError):
                factories.make_request(email=RESIDENT, email_updates=True)
        finally:
            event.remove(db.session(), "before_commit", refuse)

    assert rows(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == 0


# Sending


def test_a_status_change_sends_exactly_one_polish_message_with_the_right_content(app, smtp_server):
    request_id = new_request(app, status=Status.IN_PROGRESS)
    deliver(app)
    smtp_server.messages.clear()
    with app.app_context():
        request = db.session.get(ServiceRequest, request_id)
        reference, token = request.reference, request.access_token

    move(app, request_id, Status.READY, note="Spodnie czekają w pracowni")
    done = deliver(app)

    assert (done.sent, done.retried, done.parked) == (1, 0, 0)
    ((recipients, message),) = smtp_server.messages
    assert recipients == [RESIDENT]
    assert message["To"] == RESIDENT
    assert (
        message["From"].addresses[0].display_name == "Klub Integracji Społecznej – Centrum RE-Start"
    )
    assert message["From"].addresses[0].addr_spec == "powiadomienia@kis.example.pl"
    assert reference in message["Subject"] and "Gotowe do odbioru" in message["Subject"]
    assert message["Content-Language"] == "pl"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = f"https://portal.example.pl/zgloszenie/{token}"
    for body in (text, html):
        assert reference in body
        assert "Gotowe do odbioru" in body  # the status in words, from the Polish catalogue
        assert "Praca jest skończona. Odbierz rzecz w pracowni" in body  # what happens next
        assert "ul. Henryka Sienkiewicza 29" in body  # where: the workshop's address
        assert "poniedziałek–piątek, 8:00–14:00" in body  # and its hours
        assert "77 400 00 00" in body  # the club's phone
        assert link in body
        assert "Spodnie czekają w pracowni" in body
    assert f'href="{link}"' in html
    assert "<img" not in html and 'lang="pl"' in html
    row = rows(app, request_id=request_id, kind=MessageKind.STATUS_CHANGE)[-1]
    assert row.payload["status"] == "ready"
    assert row.status == OutboxStatus.SENT and row.sent_at is not None
    assert message["Message-ID"] == row.message_id_header


def test_the_confirmation_carries_the_reference_the_link_and_the_next_step(app, smtp_server):
    request_id = new_request(app)
    with app.app_context():
        request = db.session.get(ServiceRequest, request_id)
        reference, token = request.reference, request.access_token

    deliver(app)

    (message,) = smtp_server.received()
    text = message.get_body(("plain",)).get_content()
    assert reference in message["Subject"] and reference in text
    assert f"https://portal.example.pl/zgloszenie/{token}" in text
    assert "Wysłane – czeka na sprawdzenie" in text


def test_a_scheduled_date_is_in_the_message(app, smtp_server):
    request_id = new_request(app, status=Status.ACCEPTED)
    deliver(app)
    smtp_server.messages.clear()

    move(app, request_id, Status.SCHEDULED, scheduled_for=date(2026, 12, 3))
    deliver(app)

    (message,) = smtp_server.received()
    assert "3 grudnia 2026" in message.get_body(("plain",)).get_content()


def test_staff_message_links_to_the_back_office_without_personal_data(app, smtp_server):
    staff = staff_member(app)
    request_id = new_request(
        app, email=None, updates=False, name="Zofia Tajemnicza", phone="600 999 888"
    )

    deliver(app)

    (message,) = smtp_server.received()
    text = message.get_body(("plain",)).get_content()
    assert message["To"] == staff
    assert f"https://portal.example.pl/backoffice/zgloszenia/{request_id}" in text
    assert "Zofia" not in text and "600 999 888" not in text
    assert "https://portal.example.pl/backoffice/konto" in text


def test_a_message_once_sent_is_never_sent_again(app, smtp_server):
    new_request(app)

    first = deliver(app)
    second = deliver(app, now=utcnow() + timedelta(days=2))

    assert (first.sent, second.sent) == (1, 0)
    assert len(smtp_server.messages) == 1


# A mail server outage


def test_with_the_server_down_nothing_fails_and_everything_arrives_once_when_it_is_back(
    app, smtp_server
):
    staff_member(app)
    smtp_server.stop()

    request_ids = [new_request(app, name=f"Osoba {n}") for n in range(4)]
    for request_id in request_ids:
        move(app, request_id, Status.ACCEPTED)
    started = time.monotonic()
    down = deliver(app)
    took = time.monotonic() - started

    queued = rows(app)
    assert len(queued) == 4 * 3  # confirmation, staff message, acceptance
    assert all(row.status == OutboxStatus.PENDING for row in queued)
    assert (down.sent, down.retried) == (0, 1)  # the run stops at the first refused connection
    assert took < 5
    assert smtp_server.messages == []

    smtp_server.start()
    back = deliver(app, now=utcnow() + timedelta(minutes=2))
    again = deliver(app, now=utcnow() + timedelta(days=1))

    assert (back.sent, again.sent) == (12, 0)
    received = message_ids(smtp_server)
    assert sorted(received) == sorted(row.message_id_header for row in queued)
    assert len(set(received)) == 12
    assert all(row.status == OutboxStatus.SENT for row in rows(app))


def test_a_failing_message_waits_longer_each_time_and_is_parked_after_the_last_attempt(
    app, smtp_server
):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    new_request(app)
    smtp_server.stop()
    now = utcnow()

    deliver(app, now=now)
    (first,) = rows(app)
    deliver(app, now=first.next_attempt_at)
    (second,) = rows(app)
    deliver(app, now=second.next_attempt_at)
    (third,) = rows(app)

    assert first.next_attempt_at - now == timedelta(minutes=1)
    assert second.next_attempt_at - first.next_attempt_at == timedelta(minutes=5)
    assert (third.status, third.attempts) == (OutboxStatus.PARKED, 3)
    assert "Connection" in third.last_error or "refused" in third.last_error.lower()


def test_a_message_refused_for_good_is_parked_at_once_and_the_rest_still_go(app, smtp_server):
    smtp_server.refuse.add("nie.ma.takiego@example.org")
    refused_id = new_request(app, email="nie.ma.takiego@example.org")
    fine_id = new_request(app)

    done = deliver(app)

    assert (done.sent, done.parked) == (1, 1)
    (refused,) = rows(app, request_id=refused_id)
    assert refused.status == OutboxStatus.PARKED and refused.attempts == 1
    assert "550" in refused.last_error
    assert [row.status for row in rows(app, request_id=fine_id)] == [OutboxStatus.SENT]


def test_a_retried_parked_message_is_delivered_once(app, smtp_server):
    smtp_server.refuse.add(RESIDENT)
    new_request(app)
    deliver(app)
    smtp_server.refuse.clear()

    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert outbox.retry(message)
    done = deliver(app)
    deliver(app)

    assert done.sent == 1
    assert len(smtp_server.messages) == 1
    (row,) = rows(app)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)


def test_a_hanging_server_costs_the_worker_one_timeout_and_the_message_waits(app):
    app.config["MAIL_TIMEOUT"] = 1
    with socket.socket() as silent:  # accepts connections and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        point_mail_at(app, MAIL_PORT=silent.getsockname()[1])
        new_request(app)

        started = time.monotonic()
        done = deliver(app)
        took = time.monotonic() - started

    assert done.retried == 1
    assert took < 5
    (row,) = rows(app)
    assert row.status == OutboxStatus.PENDING and "timed out" in row.last_error


def test_the_worker_checks_the_mail_server_certificate(app, smtp_server, tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    import ssl

    from tests.conftest import SmtpServer, free_port

    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    self_signed = SmtpServer(free_port(), tls_context=context, require_starttls=True)
    self_signed.start()
    try:
        point_mail_at(app, MAIL_PORT=self_signed.port, MAIL_USE_TLS=True)
        new_request(app)

        done = deliver(app)
    finally:
        self_signed.stop()

    assert done.sent == 0 and self_signed.messages == []
    (row,) = rows(app)
    assert row.status == OutboxStatus.PENDING and "CERTIFICATE_VERIFY_FAILED" in row.last_error


# Claims: two workers never send the same message


def test_two_workers_at_once_send_every_message_exactly_once(app, smtp_server):
    with app.app_context():
        request = factories.make_request()
        facts = {"reference": request.reference, "token": request.access_token}
        for number in range(30):
            notifications._enqueue(MessageKind.SUBMITTED, f"osoba{number}@example.org", facts)
        db.session.commit()
    start = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            with app.app_context():
                start.wait()
                results.append(outbox.deliver_due())
        except Exception as error:  # reported below; a thread's exception is otherwise lost
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(result.sent for result in results) == 30
    received = message_ids(smtp_server)
    assert len(received) == 30 and len(set(received)) == 30
    assert all(row.status == OutboxStatus.SENT for row in rows(app))


def test_a_claimed_message_is_left_alone_until_its_lease_runs_out(app):
    new_request(app)
    now = utcnow()
    with app.app_context():
        first = outbox.claim_next(now)
        second = outbox.claim_next(now)
        after_a_crash = outbox.claim_next(
            now + timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"] + 1)
        )

    assert first is not None and second is None
    assert after_a_crash is not None and after_a_crash.message_id == first.message_id
    assert after_a_crash.token != first.token


def test_on_postgresql_a_worker_skips_rows_another_has_locked(app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks: PostgreSQL only")
    first_id = new_request(app)
    second_id = new_request(app)
    with app.app_context():
        first_row, second_row = (
            rows(app, request_id=first_id)[0].id,
            rows(app, request_id=second_id)[0].id,
        )
        engine = sa.create_engine(database_url)
        with engine.connect() as other:
            with other.begin():
                other.execute(
                    sa.text("SELECT id FROM outbox_message WHERE id = :id FOR UPDATE"),
                    {"id": first_row},
                )

                claim = outbox.claim_next(utcnow())  # would wait on the lock without SKIP LOCKED

        engine.dispose()

    assert claim.message_id == second_row


# Digests


def test_a_digest_covers_the_requests_since_the_last_one_and_running_twice_adds_nothing(
    app, smtp_server
):
    reader = staff_member(app, NotificationPreference.DIGEST)
    first_ids = [new_request(app, email=None, updates=False) for _ in range(3)]
    later = utcnow() + timedelta(minutes=5)

    with app.app_context():
        created = notifications.build_digests(now=later)
        repeated = notifications.build_digests(now=later + timedelta(seconds=30))
    new_id = new_request(app, email=None, updates=False)
    with app.app_context():
        db.session.get(ServiceRequest, new_id).created_at = later + timedelta(hours=1)
        db.session.commit()
        next_day = notifications.build_digests(now=later + timedelta(days=1))

    assert (len(created), len(repeated), len(next_day)) == (1, 0, 1)
    digests = rows(app, kind=MessageKind.DIGEST)
    assert [row.to_addr for row in digests] == [reader, reader]
    assert [item["request_id"] for item in digests[0].payload["requests"]] == first_ids
    assert [item["request_id"] for item in digests[1].payload["requests"]] == [new_id]
    assert digests[1].payload["since"] == digests[0].payload["until"]

    deliver(app)

    (first, second) = smtp_server.received()
    assert "3" in first["Subject"]
    text = first.get_body(("plain",)).get_content()
    assert all(
        f"https://portal.example.pl/backoffice/zgloszenia/{request_id}" in text
        for request_id in first_ids
    )


def test_no_digest_without_new_requests_or_for_staff_who_chose_otherwise(app):
    staff_member(app, NotificationPreference.DIGEST)
    staff_member(app, NotificationPreference.IMMEDIATE)

    with app.app_context():
        nothing_new = notifications.build_digests()
    new_request(app, email=None, updates=False)
    with app.app_context():
        one = notifications.build_digests(now=utcnow() + timedelta(minutes=5))

    assert nothing_new == [] and len(one) == 1


# The commands


def test_outbox_run_once_sends_what_is_due_and_exits(app, smtp_server):
    new_request(app)

    result = app.test_cli_runner().invoke(args=["outbox", "run", "--once"])

    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert len(smtp_server.messages) == 1


def test_outbox_digest_command_is_idempotent(app):
    staff_member(app, NotificationPreference.DIGEST)
    request_id = new_request(app, email=None, updates=False)
    with app.app_context():
        db.session.get(ServiceRequest, request_id).created_at = utcnow() - timedelta(minutes=30)
        db.session.commit()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["outbox", "digest"])
    second = runner.invoke(args=["outbox", "digest"])

    assert "Queued 1" in first.output and "Queued 0" in second.output
    assert len(rows(app, kind=MessageKind.DIGEST)) == 1


def test_the_worker_refuses_to_run_without_the_public_address(app):
    app.config["PUBLIC_BASE_URL"] = None
    new_request(app)

    result = app.test_cli_runner().invoke(args=["outbox", "run", "--once"])

    assert result.exit_code != 0
    assert "PUBLIC_BASE_URL" in result.output
    assert [row.status for row in rows(app)] == [OutboxStatus.PENDING]


@pytest.mark.parametrize(
    ("language", "status_label", "notice"),
    [
        ("uk", "Надіслано — очікує перевірки", "Маєте запитання?"),
        ("en", "Sent – waiting to be checked", "Questions?"),
    ],
)
def test_a_residents_e_mails_speak_the_language_of_their_request_and_staff_read_polish(
    app, smtp_server, language, status_label, notice
):
    with app.app_context():
        staff_address = factories.user(Role.STAFF).email
    request_id = new_request(app, language=language)
    with app.app_context():
        reference = db.session.get(ServiceRequest, request_id).reference

    deliver(app)

    by_recipient = {rcpt[0]: message for rcpt, message in smtp_server.messages}
    resident = by_recipient[RESIDENT]
    text = resident.get_body(("plain",)).get_content()
    html = resident.get_body(("html",)).get_content()
    assert resident["Content-Language"] == language
    assert reference in resident["Subject"] and status_label in text
    assert notice in text and f'<html lang="{language}">' in html
    assert "Wysłane – czeka na sprawdzenie" not in text
    staff = by_recipient[staff_address]
    assert staff["Content-Language"] == "pl" and "Nowe zgłoszenie" in staff["Subject"]
