"""Staff enter a request taken by phone, in person or from an institution."""

import pytest

from portal.domain.lifecycle import Status
from portal.extensions import db
from portal.models import Channel, ConsentMethod, RequesterKind, ServiceRequest
from tests import factories

from .helpers import hidden_value


@pytest.fixture
def staff(accounts):
    return accounts.login_as("staff")


def _answers(app, client, **changes):
    page = client.get("/backoffice/zapisz-zgloszenie").get_data(as_text=True)
    with app.app_context():
        category_id = factories.category("tailoring").id
    answers = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "submission_key": hidden_value(page, "submission_key"),
        "channel": "phone",
        "category_id": str(category_id),
        "description": "Podszyć zasłony w dużym pokoju",
        "name": "Stefania Telefon",
        "phone": "77 441 23 70",
        "is_senior": "y",
        "oral_consent": "y",
    }
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def _only(app):
    with app.app_context():
        request = db.session.query(ServiceRequest).one()
        db.session.expunge(request)
        return request


def test_a_phone_request_gets_a_reference_and_the_link_to_read_out(app, client, staff):
    response = client.post("/backoffice/zapisz-zgloszenie", data=_answers(app, client))

    assert response.status_code == 303
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    request = _only(app)
    assert request.reference in done
    assert f"/zgloszenie/{request.access_token}" in done
    assert request.channel == Channel.PHONE
    assert request.consent_method == ConsentMethod.ORAL
    assert request.taken_by_id == staff
    assert request.status == Status.SUBMITTED


def test_consent_must_be_attested(app, client, staff):
    response = client.post(
        "/backoffice/zapisz-zgloszenie", data=_answers(app, client, oral_consent=None)
    )

    assert 'id="oral_consent-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(ServiceRequest).count() == 0


def test_an_institution_request_is_counted_apart(app, client, staff):
    answers = _answers(
        app,
        client,
        channel="institution",
        institution_name="Dom Dziennego Pobytu „Złota Jesień”",
        institution_contact="p. Maria, tel. 77 000 00 01",
        is_senior=None,
    )

    response = client.post("/backoffice/zapisz-zgloszenie", data=answers)

    assert response.status_code == 303
    request = _only(app)
    assert request.requester_kind == RequesterKind.INSTITUTION
    assert request.institution_name == "Dom Dziennego Pobytu „Złota Jesień”"


def test_an_institution_request_needs_the_institution_name(app, client, staff):
    response = client.post(
        "/backoffice/zapisz-zgloszenie",
        data=_answers(app, client, channel="institution", institution_name=""),
    )

    assert 'id="institution_name-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("phone", {"phone": "12"}),
        ("name", {"name": ""}),
        ("description", {"description": ""}),
        ("receives_assistance", {"is_senior": None}),
        ("channel", {"channel": "carrier-pigeon"}),
        ("email_updates", {"email_updates": "y", "email": ""}),
    ],
)
def test_each_rule_gets_a_message_at_its_field_and_keeps_the_rest(
    app, client, staff, field, changes
):
    response = client.post("/backoffice/zapisz-zgloszenie", data=_answers(app, client, **changes))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page
    assert "Podszyć zasłony w dużym pokoju" in page or field == "description"


def test_a_double_click_saves_one_request(app, client, staff):
    answers = _answers(app, client)

    client.post("/backoffice/zapisz-zgloszenie", data=answers)
    client.post("/backoffice/zapisz-zgloszenie", data=answers)

    with app.app_context():
        assert db.session.query(ServiceRequest).count() == 1


def test_renovation_intake_needs_the_address(app, client, staff):
    with app.app_context():
        renovation = factories.category("renovation").id

    response = client.post(
        "/backoffice/zapisz-zgloszenie",
        data=_answers(app, client, category_id=str(renovation), address=""),
    )

    assert 'id="address-error"' in response.get_data(as_text=True)
