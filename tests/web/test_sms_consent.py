"""Asking for text messages: offered only where a gateway is configured, online and at
intake, to a mobile number, with the consent's time recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import ServiceRequest

from .helpers import category_id, hidden_value, only_request, request_count, submit

SMS_ON = {
    "SMS_GATEWAY": "json",
    "SMS_GATEWAY_URL": "http://127.0.0.1:9/sms",
    "SMS_GATEWAY_TOKEN": "token",
}


def test_without_a_gateway_text_messages_are_not_offered(client, accounts):
    assert 'name="sms_updates"' not in client.get("/zglos").get_data(as_text=True)
    submit(client, sms_updates="y")
    assert only_request(client).sms_updates is False
    accounts.login_as("staff")
    page = client.get("/backoffice/zapisz-zgloszenie").get_data(as_text=True)
    assert 'name="sms_updates"' not in page


@pytest.fixture
def with_gateway(app):
    app.config.update(SMS_ON)
    yield
    app.config["SMS_GATEWAY"] = None


def test_a_resident_asks_for_text_messages_and_the_consent_is_recorded(client, with_gateway):
    page = client.get("/zglos").get_data(as_text=True)
    assert 'name="sms_updates"' in page and "Wysyłaj mi SMS-y w sprawie tego zgłoszenia" in page
    response = submit(client, sms_updates="y", phone="601 234 567")
    assert response.status_code == 303
    request = only_request(client)
    assert request.sms_updates is True and request.sms_consent_at is not None
    assert request.sms_consent_at == request.consent_at


def test_text_messages_to_a_landline_are_refused_at_the_field(client, with_gateway):
    response = submit(client, sms_updates="y", phone="77 441 00 00")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and request_count(client) == 0
    assert 'id="sms_updates-error"' in page and "telefon komórkowy" in page
    assert 'value="77 441 00 00"' in page


def test_at_intake_staff_record_text_messages_and_the_language(client, app, accounts, with_gateway):
    accounts.login_as("staff")
    page = client.get("/backoffice/zapisz-zgloszenie").get_data(as_text=True)
    assert 'name="sms_updates"' in page
    form = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "submission_key": hidden_value(page, "submission_key"),
        "channel": "phone",
        "name": "Olena Kowal",
        "phone": "602 345 678",
        "category_id": str(category_id(client, "tailoring")),
        "description": "Skrócić płaszcz.",
        "is_senior": "y",
        "oral_consent": "y",
        "language": "uk",
        "sms_updates": "y",
    }
    response = client.post("/backoffice/zapisz-zgloszenie", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    with app.app_context():
        request = db.session.scalars(select(ServiceRequest)).one()
        assert (request.language, request.sms_updates) == ("uk", True)
        assert request.sms_consent_at is not None
        request_id = request.id
    office = client.get(f"/backoffice/zgloszenia/{request_id}").get_data(as_text=True)
    assert "chce SMS-ów" in office and "ukraiński" in office
