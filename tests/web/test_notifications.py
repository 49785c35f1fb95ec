"""Notifications through the web: the resident's choice, staff settings, the admin's outbox page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.domain.lifecycle import Role
from portal.extensions import db
from portal.models import (
    MessageKind,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    ServiceRequest,
    User,
)
from portal.services import outbox
from tests import factories

from .helpers import csrf_from, hidden_value, only_request, submit

RESIDENT = "janina.nowak@example.org"


@pytest.fixture
def app_overrides(smtp_server):
    return smtp_server.app_config()


def outbox_rows(app, **where) -> list[OutboxMessage]:
    with app.app_context():
        found = list(
            db.session.scalars(select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id))
        )
        db.session.expunge_all()
        return found


def deliver(app) -> outbox.Delivery:
    with app.app_context():
        return outbox.deliver_due()


def chosen(page: str) -> str | None:
    """The notification choice the account page shows as selected."""
    for tag in re.findall(r'<input[^>]*name="notify-notification"[^>]*>', page):
        if re.search(r"\bchecked\b", tag):
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def move(client, request_id, target, **fields):
    page = client.get(f"/backoffice/zgloszenia/{request_id}").get_data(as_text=True)
    prefix = f"{target}-"
    data = {
        "csrf_token": hidden_value(page, "csrf_token"),
        prefix + "version": hidden_value(page, prefix + "version"),
    }
    data.update({prefix + key: value for key, value in fields.items()})
    return client.post(f"/backoffice/zgloszenia/{request_id}/status/{target}", data=data)


# The resident's choice


def test_a_resident_who_ticks_updates_gets_a_confirmation_queued_and_no_mail_during_the_request(
    client, smtp_server
):
    response = submit(client, email=RESIDENT, email_updates="y")

    assert response.status_code == 303
    request = only_request(client)
    rows = outbox_rows(client.application)
    assert [(row.kind, row.to_addr, row.request_id) for row in rows] == [
        (MessageKind.SUBMITTED, RESIDENT, request.id)
    ]
    assert smtp_server.messages == []  # the web request never talks to the mail server


def test_a_resident_who_gives_an_address_without_ticking_updates_gets_no_mail(client):
    submit(client, email=RESIDENT)

    assert only_request(client).email == RESIDENT
    assert outbox_rows(client.application) == []


def test_the_form_asks_whether_the_resident_wants_e_mail_updates(client):
    page = client.get("/zglos").get_data(as_text=True)

    assert 'name="email_updates"' in page


# A mail server outage


def test_with_the_mail_server_down_submissions_and_moves_succeed_and_mail_waits(
    client, accounts, smtp_server
):
    smtp_server.stop()
    submit(client, email=RESIDENT, email_updates="y")
    request = only_request(client)
    accounts.login_as("staff")
    with client.application.app_context():
        group_id = factories.group_for("tailoring").id

    moved = move(client, request.id, "accepted", group_id=group_id)

    assert moved.status_code == 303
    with client.application.app_context():
        assert db.session.get(ServiceRequest, request.id).status == "accepted"
    rows = outbox_rows(client.application)
    assert [row.kind for row in rows] == [MessageKind.SUBMITTED, MessageKind.STATUS_CHANGE]
    assert all(row.status == OutboxStatus.PENDING for row in rows)

    smtp_server.start()
    done = deliver(client.application)

    assert done.sent == 2
    assert sorted(m["Message-ID"] for m in smtp_server.received()) == sorted(
        r.message_id_header for r in rows
    )


# Staff choose how they hear of new requests


def test_staff_choose_a_daily_digest_on_their_account_page(client, accounts):
    user_id = accounts.login_as("staff")
    page = client.get("/backoffice/konto").get_data(as_text=True)
    assert chosen(page) == "immediate"

    response = client.post(
        "/backoffice/konto",
        data={
            "notify-csrf_token": hidden_value(page, "notify-csrf_token"),
            "form": "notification",
            "notify-notification": "digest",
        },
    )

    assert response.status_code == 303
    with client.application.app_context():
        assert db.session.get(User, user_id).notification == NotificationPreference.DIGEST
    assert chosen(client.get("/backoffice/konto").get_data(as_text=True)) == "digest"


def test_a_preference_that_is_not_offered_is_refused(client, accounts):
    user_id = accounts.login_as("admin")
    page = client.get("/backoffice/konto").get_data(as_text=True)

    response = client.post(
        "/backoffice/konto",
        data={
            "notify-csrf_token": hidden_value(page, "notify-csrf_token"),
            "form": "notification",
            "notify-notification": "hourly",
        },
    )

    assert response.status_code == 200
    assert "field-error" in response.get_data(as_text=True)
    with client.application.app_context():
        assert db.session.get(User, user_id).notification == NotificationPreference.IMMEDIATE


def test_changing_the_password_still_works_beside_the_e_mail_settings(client, accounts):
    accounts.login_as("staff")
    token = csrf_from(client, "/backoffice/konto")

    response = client.post(
        "/backoffice/konto",
        data={
            "csrf_token": token,
            "current_password": "haslo-testowe-123",
            "password": "nowe-dlugie-haslo-42",
        },
    )

    assert response.status_code == 303


def test_instructors_have_no_new_request_setting(client, accounts):
    accounts.login_as("instructor", groups=["tailoring"])

    page = client.get("/backoffice/konto").get_data(as_text=True)

    assert "notify-notification" not in page


def test_staff_who_chose_none_hear_nothing_of_a_new_request(client, accounts):
    accounts.login_as("staff")
    page = client.get("/backoffice/konto").get_data(as_text=True)
    client.post(
        "/backoffice/konto",
        data={
            "notify-csrf_token": hidden_value(page, "notify-csrf_token"),
            "form": "notification",
            "notify-notification": "none",
        },
    )

    submit(client)

    assert outbox_rows(client.application, kind=MessageKind.NEW_REQUEST) == []


# The administrator's outbox page


def _parked_message(app, smtp_server) -> int:
    smtp_server.refuse.add(RESIDENT)
    with app.app_context():
        factories.make_request(email=RESIDENT, email_updates=True)
    deliver(app)
    smtp_server.refuse.clear()
    (row,) = outbox_rows(app)
    assert row.status == OutboxStatus.PARKED
    return row.id


def test_a_parked_message_is_shown_to_the_admin_with_its_error_and_retrying_sends_it_once(
    app, client, accounts, smtp_server
):
    message_id = _parked_message(app, smtp_server)
    accounts.login_as("admin")

    page = client.get("/backoffice/poczta").get_data(as_text=True)

    assert f'id="message-{message_id}"' in page
    assert "550" in page and "No such mailbox" in page and RESIDENT in page

    response = client.post(
        f"/backoffice/poczta/{message_id}/ponow",
        data={"csrf_token": hidden_value(page, "csrf_token")},
    )
    done = deliver(app)

    assert response.status_code == 303
    assert done.sent == 1
    assert [rcpt for rcpt, _message in smtp_server.messages] == [[RESIDENT]]
    assert outbox_rows(app)[0].status == OutboxStatus.SENT
    assert f'id="message-{message_id}"' not in client.get("/backoffice/poczta").get_data(
        as_text=True
    )


def test_retrying_needs_the_form_token(app, client, accounts, smtp_server):
    message_id = _parked_message(app, smtp_server)
    accounts.login_as("admin")

    response = client.post(f"/backoffice/poczta/{message_id}/ponow")

    assert response.status_code == 400
    assert outbox_rows(app)[0].status == OutboxStatus.PARKED


def test_a_sent_message_cannot_be_sent_again_from_the_page(app, client, accounts):
    with app.app_context():
        factories.make_request(email=RESIDENT, email_updates=True)
    deliver(app)
    (row,) = outbox_rows(app)
    accounts.login_as("admin")
    token = csrf_from(client, "/backoffice/poczta")

    response = client.post(
        f"/backoffice/poczta/{row.id}/ponow", data={"csrf_token": token}, follow_redirects=True
    )

    assert response.status_code == 200
    assert outbox_rows(app)[0].status == OutboxStatus.SENT


@pytest.mark.parametrize("role", ["instructor", "staff"])
def test_only_administrators_see_the_outbox(client, accounts, role):
    accounts.login_as(role, groups=["tailoring"] if role == "instructor" else ())

    assert client.get("/backoffice/poczta").status_code == 403
    assert "/backoffice/poczta" not in client.get("/backoffice/konto").get_data(as_text=True)


def test_admins_find_the_outbox_in_the_menu(client, accounts):
    accounts.login_as("admin")

    assert 'href="/backoffice/poczta"' in client.get("/backoffice/konto").get_data(as_text=True)


# The templates


def test_staff_accounts_default_to_a_message_for_each_new_request(app):
    with app.app_context():
        assert factories.user(Role.STAFF).notification == NotificationPreference.IMMEDIATE
