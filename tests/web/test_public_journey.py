"""The resident's journey through the real HTTP routes."""

import re

from flask_babel import force_locale, gettext
from sqlalchemy import select

from portal.domain.lifecycle import Status
from portal.extensions import db
from portal.models import EventKind, RequestEvent
from tests import factories

from .helpers import hidden_value, only_request, request_count, submit, valid_answers


def test_home_page_says_what_for_whom_where_when_and_how(client):
    page = client.get("/").get_data(as_text=True)

    assert "Krawiectwo" in page and "tapicerstwo" in page and "remonty" in page
    assert "seniorzy" in page
    assert "ul. Henryka Sienkiewicza 29" in page
    assert "7:30" in page
    assert 'href="tel:774000000"' in page
    assert 'href="/zglos"' in page


def test_home_page_names_drop_off_places_only_for_work_done_in_a_workshop(app, client):
    with app.app_context():
        workshop, at_home = factories.group_for("tailoring"), factories.group_for("renovation")
        workshop.location, at_home.location = "ul. Krawiecka 1", "ul. Remontowa 2"
        workshop_name, at_home_name = workshop.name, at_home.name
        db.session.commit()

    page = client.get("/").get_data(as_text=True)

    assert workshop_name in page and "ul. Krawiecka 1" in page
    assert at_home_name not in page and "ul. Remontowa 2" not in page


def test_form_offers_each_service_with_its_guidance(client):
    page = client.get("/zglos").get_data(as_text=True)

    assert page.count('name="category_id"') == 3
    assert "podaj adres" in page  # renovation happens at home
    assert 'name="website"' in page  # honeypot
    assert 'enctype="multipart/form-data"' in page


def test_a_service_can_be_preselected_from_the_home_page(client):
    page = client.get("/zglos?rodzaj=renovation").get_data(as_text=True)

    checked = re.search(
        r'<input[^>]*checked[^>]*name="category_id"[^>]*>|<input[^>]*name="category_id"[^>]*checked[^>]*>',
        page,
    )
    assert checked


def test_submit_then_confirmation_then_status_then_cancel(client):
    response = submit(client)

    assert response.status_code == 303
    confirmation_url = response.headers["Location"]
    assert confirmation_url.endswith("/potwierdzenie")

    request = only_request(client)
    assert re.fullmatch(r"KR/\d{4}/0001", request.reference)
    assert request.status == Status.SUBMITTED
    assert request.phone_digits == "600123456"

    confirmation = client.get(confirmation_url).get_data(as_text=True)
    assert request.reference in confirmation
    assert f"/zgloszenie/{request.access_token}" in confirmation

    status = client.get(f"/zgloszenie/{request.access_token}").get_data(as_text=True)
    assert request.reference in status
    with client.application.test_request_context(), force_locale("pl"):
        assert gettext("Sent – waiting to be checked") in status
    assert "/anuluj" in status
    assert "774000000" in status

    ask = client.get(f"/zgloszenie/{request.access_token}/anuluj")
    assert ask.status_code == 200
    cancel = client.post(
        f"/zgloszenie/{request.access_token}/anuluj",
        data={
            "csrf_token": hidden_value(ask.data, "csrf_token"),
            "version": hidden_value(ask.data, "version"),
            "reason": "Naprawiła mi sąsiadka.",
        },
    )
    assert cancel.status_code == 303

    after = client.get(f"/zgloszenie/{request.access_token}").get_data(as_text=True)
    assert only_request(client).status == Status.CANCELLED
    assert "Naprawiła mi sąsiadka." in after
    assert "/anuluj" not in after


def test_cancel_is_recorded_as_an_event_from_the_resident(client):
    submit(client)
    request = only_request(client)
    ask = client.get(f"/zgloszenie/{request.access_token}/anuluj")

    client.post(
        f"/zgloszenie/{request.access_token}/anuluj",
        data={
            "csrf_token": hidden_value(ask.data, "csrf_token"),
            "version": hidden_value(ask.data, "version"),
        },
    )

    with client.application.app_context():
        events = db.session.scalars(select(RequestEvent).order_by(RequestEvent.id)).all()
        assert [(e.kind, e.from_status, e.to_status, e.actor_role) for e in events] == [
            (EventKind.SUBMITTED, None, Status.SUBMITTED, "resident"),
            (EventKind.STATUS, Status.SUBMITTED, Status.CANCELLED, "resident"),
        ]


def test_cancel_with_a_stale_version_changes_nothing(client):
    submit(client)
    request = only_request(client)
    ask = client.get(f"/zgloszenie/{request.access_token}/anuluj")

    response = client.post(
        f"/zgloszenie/{request.access_token}/anuluj",
        data={"csrf_token": hidden_value(ask.data, "csrf_token"), "version": "999"},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert only_request(client).status == Status.SUBMITTED


def test_a_request_in_progress_cannot_be_cancelled_through_the_link(client):
    from tests.factories import make_request

    with client.application.app_context():
        token = make_request(status=Status.IN_PROGRESS).access_token

    page = client.get(f"/zgloszenie/{token}").get_data(as_text=True)
    response = client.post(f"/zgloszenie/{token}/anuluj", data={})

    assert "/anuluj" not in page
    assert response.status_code in (303, 400)
    assert only_request(client).status == Status.IN_PROGRESS


def test_unknown_private_link_is_a_friendly_404(client):
    response = client.get("/zgloszenie/not-a-real-token")

    assert response.status_code == 404
    assert "/nie-mam-linku" in response.get_data(as_text=True)


def test_reference_numbers_follow_each_other(client):
    submit(client)
    submit(client)

    with client.application.app_context():
        from portal.models import ServiceRequest

        references = db.session.scalars(
            select(ServiceRequest.reference).order_by(ServiceRequest.id)
        ).all()
    assert [r[-4:] for r in references] == ["0001", "0002"]


def test_private_pages_are_not_cached_or_indexed_and_send_no_referrer_elsewhere(client):
    submit(client)
    token = only_request(client).access_token

    response = client.get(f"/zgloszenie/{token}")

    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert 'name="robots" content="noindex' in response.get_data(as_text=True)


def test_v2_3_3_double_submit_creates_exactly_one_request(client):
    answers = valid_answers(client)

    first = client.post("/zglos", data=dict(answers), content_type="multipart/form-data")
    second = client.post("/zglos", data=dict(answers), content_type="multipart/form-data")

    assert request_count(client) == 1
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]


def test_each_fresh_form_gets_its_own_submission_key(client):
    first = valid_answers(client)["submission_key"]
    second = valid_answers(client)["submission_key"]

    assert first != second and len(first) >= 16


def test_v2_4_1_honeypot_filled_creates_nothing_and_keeps_what_was_typed(client):
    response = submit(client, website="http://spam.example")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert request_count(client) == 0
    assert "Janina Nowak" in page
    assert "http://spam.example" not in page


def test_form_without_csrf_token_is_refused_without_side_effects(client):
    answers = valid_answers(client)
    del answers["csrf_token"]

    response = client.post("/zglos", data=answers, content_type="multipart/form-data")

    assert response.status_code == 400
    assert request_count(client) == 0
