"""What staff see of the same person asking twice, and closing one as a duplicate, over HTTP."""

import re

import pytest
from sqlalchemy import func, select

from portal.domain.lifecycle import Status
from portal.extensions import db
from portal.models import ServiceRequest
from tests import factories

from .helpers import count_queries, hidden_value

INTAKE = "/backoffice/zapisz-zgloszenie"


@pytest.fixture
def staff(accounts):
    return accounts.login_as("staff")


def _make(app, **fields):
    with app.app_context():
        request = factories.make_request(**fields)
        return request.id, request.reference, request.access_token


def _intake_answers(app, client, **changes):
    page = client.get(INTAKE).get_data(as_text=True)
    with app.app_context():
        category_id = factories.category("tailoring").id
    answers = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "submission_key": hidden_value(page, "submission_key"),
        "channel": "phone",
        "category_id": str(category_id),
        "description": "Podszyć zasłony w dużym pokoju",
        "name": "Anna Kowalska",
        "phone": "+48 600-123-456",
        "is_senior": "y",
        "oral_consent": "y",
    }
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def _requests(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ServiceRequest))


def test_the_request_page_lists_the_same_persons_other_requests(app, client, staff):
    first_id, first_ref, _ = _make(app, phone="600123456")
    second_id, _, _ = _make(app, phone="+48 600-123-456")
    _make(app, phone="501 000 000", name="Ktoś Inny")

    page = client.get(f"/backoffice/zgloszenia/{second_id}").get_data(as_text=True)

    section = page[page.index('id="related-requests"') :]
    assert f"/backoffice/zgloszenia/{first_id}" in section and first_ref in section
    assert "Inne zgłoszenia tej samej osoby" in page
    # The duplicate form offers the other request's number already filled in.
    assert f'value="{first_ref}"' in page


def test_an_instructor_sees_no_other_requests_of_the_person(app, client, accounts):
    accounts.login_as("instructor", groups=["tailoring"])
    _make(app, phone="600123456")
    job_id, _, _ = _make(app, phone="600123456", status=Status.ACCEPTED)

    page = client.get(f"/backoffice/zgloszenia/{job_id}").get_data(as_text=True)

    assert 'id="related-requests"' not in page


def test_closing_as_a_duplicate_from_the_page_tells_the_resident_which_request_goes_on(
    app, client, staff
):
    first_id, first_ref, _ = _make(app, phone="600123456")
    second_id, _, token = _make(app, phone="600 123 456")
    page = client.get(f"/backoffice/zgloszenia/{second_id}").get_data(as_text=True)

    response = client.post(
        f"/backoffice/zgloszenia/{second_id}/status/duplicate",
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "duplicate-version": hidden_value(page, "duplicate-version"),
            "duplicate-duplicate_of": first_ref,
        },
    )

    assert response.status_code == 303
    with app.app_context():
        closed = db.session.get(ServiceRequest, second_id)
        assert (closed.status, closed.duplicate_of_id) == (Status.DUPLICATE, first_id)
    office = client.get(f"/backoffice/zgloszenia/{second_id}").get_data(as_text=True)
    assert "Powtarza zgłoszenie" in office and first_ref in office
    resident = client.get(f"/zgloszenie/{token}").get_data(as_text=True)
    assert "Połączone z innym zgłoszeniem" in resident
    assert first_ref in resident and "nic nie przepadło" in resident


def test_a_wrong_number_is_shown_at_its_field_with_what_was_typed(app, client, staff):
    second_id, _, _ = _make(app)
    page = client.get(f"/backoffice/zgloszenia/{second_id}").get_data(as_text=True)

    response = client.post(
        f"/backoffice/zgloszenia/{second_id}/status/duplicate",
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "duplicate-version": hidden_value(page, "duplicate-version"),
            "duplicate-duplicate_of": "ZG/1999/9999",
            "duplicate-note": "Pani dzwoniła drugi raz.",
        },
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nie ma zgłoszenia o tym numerze." in page
    assert 'value="ZG/1999/9999"' in page and "Pani dzwoniła drugi raz." in page
    assert re.search(r'<details class="action action--duplicate" id="action-duplicate" open>', page)


def test_the_queue_flags_requests_whose_person_has_another(app, client, staff):
    first_id, _, _ = _make(app, phone="600123456")
    second_id, _, _ = _make(app, phone="48 600 123 456")
    alone_id, _, _ = _make(app, phone="501 000 000", name="Ktoś Inny")

    page = client.get("/backoffice/zgloszenia").get_data(as_text=True)

    rows = {
        int(match.group(1)): match.group(0)
        for match in re.finditer(r'href="/backoffice/zgloszenia/(\d+)".*?</tr>', page, re.S)
    }
    assert "ma inne zgłoszenie" in rows[first_id] and "ma inne zgłoszenie" in rows[second_id]
    assert "ma inne zgłoszenie" not in rows[alone_id]


def test_the_flag_costs_one_query_whatever_the_page_holds(app, client, staff):
    url = "/backoffice/zgloszenia?status=all"
    _make(app, phone="600123456")
    _make(app, phone="600123456")
    few = count_queries(app, client, url)

    for number in range(8):
        _make(app, phone=f"501 000 00{number}", email=f"osoba{number}@example.org")

    assert count_queries(app, client, url) == few


def test_intake_shows_the_callers_requests_as_the_number_is_typed(app, client, staff):
    _, first_ref, _ = _make(app, phone="600123456", name="Anna Kowalska")

    found = client.get(
        f"{INTAKE}/ta-sama-osoba",
        query_string={"phone": "+48 600-123-456", "email": ""},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    nothing = client.get(
        f"{INTAKE}/ta-sama-osoba", query_string={"phone": "60012"}, headers={"HX-Request": "true"}
    ).get_data(as_text=True)

    assert first_ref in found and "Anna Kowalska" in found
    assert 'name="confirm_new"' in found
    assert first_ref not in nothing and "confirm_new" not in nothing
    page = client.get(INTAKE).get_data(as_text=True)
    assert 'hx-get="/backoffice/zapisz-zgloszenie/ta-sama-osoba"' in page
    assert 'id="same-person" aria-live="polite"' in page


def test_intake_without_script_asks_before_saving_a_second_open_request(app, client, staff):
    _, first_ref, _ = _make(app, phone="600123456")

    asked = client.post(INTAKE, data=_intake_answers(app, client))

    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and _requests(app) == 1
    assert first_ref in page and "Ta osoba ma już otwarte zgłoszenie" in page
    assert "Podszyć zasłony w dużym pokoju" in page  # what was typed stays

    saved = client.post(INTAKE, data=_intake_answers(app, client, confirm_new="y"))

    assert saved.status_code == 303 and _requests(app) == 2


def test_intake_saves_at_once_when_the_callers_requests_are_closed(app, client, staff):
    _make(app, phone="600123456", status=Status.DECLINED)

    saved = client.post(INTAKE, data=_intake_answers(app, client))

    assert saved.status_code == 303 and _requests(app) == 2
