"""A request's page and the moves staff and instructors make on it, with their refusals."""

import re

import pytest

from portal.domain.actor import Actor
from portal.domain.lifecycle import Status
from portal.extensions import db
from portal.models import EventKind, RequestEvent, ServiceRequest
from tests import factories

from .helpers import count_queries, hidden_value


def _new_request(app, **fields):
    with app.app_context():
        request = factories.make_request(**fields)
        return request.id, request.access_token


def _load(app, request_id):
    with app.app_context():
        request = db.session.get(ServiceRequest, request_id)
        events = [
            (e.kind, e.from_status, e.to_status, e.note, e.is_public, e.changes)
            for e in request.events
        ]
        db.session.expunge(request)
        return request, events


def _move(client, request_id, target, **fields):
    page = client.get(f"/backoffice/zgloszenia/{request_id}").get_data(as_text=True)
    prefix = f"{target}-"
    data = {
        "csrf_token": hidden_value(page, "csrf_token"),
        prefix + "version": hidden_value(page, prefix + "version"),
    }
    data.update({prefix + key: value for key, value in fields.items()})
    return client.post(f"/backoffice/zgloszenia/{request_id}/status/{target}", data=data)


@pytest.fixture
def staff(accounts):
    return accounts.login_as("staff")


def test_request_page_shows_data_history_and_only_allowed_moves(app, client, staff):
    request_id, _ = _new_request(app, name="Halina Dane", address="ul. Ozimska 1")

    page = client.get(f"/backoffice/zgloszenia/{request_id}").get_data(as_text=True)

    assert "Halina Dane" in page and "ul. Ozimska 1" in page
    actions = set(re.findall(r"/status/(\w+)", page))
    assert actions == {"needs_info", "accepted", "declined", "cancelled", "duplicate"}


def test_accept_assigns_the_group_and_records_who_did_it(app, client, staff):
    request_id, token = _new_request(app)
    with app.app_context():
        group_id = factories.group_for("tailoring").id

    response = _move(
        client, request_id, "accepted", group_id=group_id, note="Zapraszamy w czwartek"
    )

    assert response.status_code == 303
    request, events = _load(app, request_id)
    assert request.status == Status.ACCEPTED and request.group_id == group_id
    assert events[-1][:4] == (
        EventKind.STATUS,
        Status.SUBMITTED,
        Status.ACCEPTED,
        "Zapraszamy w czwartek",
    )
    with app.app_context():
        assert (
            db.session.query(RequestEvent).filter_by(request_id=request_id).all()[-1].actor_id
            == staff
        )
    assert "Zapraszamy w czwartek" in client.get(f"/zgloszenie/{token}").get_data(as_text=True)


def test_accept_without_a_group_gets_a_message_at_the_group_field(app, client, staff):
    request_id, _ = _new_request(app)

    response = _move(client, request_id, "accepted", group_id="")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="accepted-group_id-error"' in page
    assert _load(app, request_id)[0].status == Status.SUBMITTED


def test_the_group_list_starts_with_a_polish_empty_choice_and_keeps_what_was_chosen(
    app, client, staff
):
    request_id, _ = _new_request(app)

    page = client.get(f"/backoffice/zgloszenia/{request_id}").get_data(as_text=True)
    refused = _move(client, request_id, "accepted", group_id="").get_data(as_text=True)

    select = re.search(r'<select[^>]*id="accepted-group_id".*?</select>', page, re.S).group(0)
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", select)
    assert options[0] == (' value=""', "— wybierz grupę —")
    assert all("None" not in attributes + label for attributes, label in options)
    assert 'selected value="' in select and 'selected value=""' not in select
    again = re.search(r'<select[^>]*id="accepted-group_id".*?</select>', refused, re.S).group(0)
    assert 'selected value=""' in again and "Wybierz grupę warsztatową" in refused


@pytest.mark.parametrize(("target", "field"), [("declined", "note"), ("needs_info", "note")])
def test_decline_and_ask_need_a_text_the_resident_will_read(app, client, staff, target, field):
    request_id, _ = _new_request(app)

    response = _move(client, request_id, target, note="   ")

    assert f'id="{target}-{field}-error"' in response.get_data(as_text=True)
    assert _load(app, request_id)[0].status == Status.SUBMITTED


def test_decline_reason_is_shown_to_the_resident(app, client, staff):
    request_id, token = _new_request(app)

    _move(client, request_id, "declined", note="Nie naprawiamy sprzętu RTV.")

    page = client.get(f"/zgloszenie/{token}").get_data(as_text=True)
    assert "Nie naprawiamy sprzętu RTV." in page
    assert _load(app, request_id)[0].closed_at is not None


def test_ask_for_information_then_back_to_review(app, client, staff):
    request_id, token = _new_request(app)

    _move(client, request_id, "needs_info", note="Jaki to rodzaj materiału?")
    _move(client, request_id, "submitted", note="Wełna, ustalone telefonicznie")

    request, events = _load(app, request_id)
    assert request.status == Status.SUBMITTED
    assert [e[2] for e in events] == [Status.SUBMITTED, Status.NEEDS_INFO, Status.SUBMITTED]
    assert "Jaki to rodzaj materiału?" in client.get(f"/zgloszenie/{token}").get_data(as_text=True)


def test_schedule_needs_a_date_and_the_resident_sees_it(app, client, staff):
    request_id, token = _new_request(app, status=Status.ACCEPTED)

    missing = _move(client, request_id, "scheduled", scheduled_for="")
    done = _move(client, request_id, "scheduled", scheduled_for="2026-12-03")

    assert 'id="scheduled-scheduled_for-error"' in missing.get_data(as_text=True)
    assert done.status_code == 303
    assert _load(app, request_id)[0].scheduled_for.isoformat() == "2026-12-03"
    assert "grudnia 2026" in client.get(f"/zgloszenie/{token}").get_data(as_text=True)


def test_staff_cancel_closes_the_request(app, client, staff):
    request_id, _ = _new_request(app, status=Status.ACCEPTED)

    _move(client, request_id, "cancelled", note="Mieszkanka zrezygnowała telefonicznie")

    assert _load(app, request_id)[0].status == Status.CANCELLED


def test_a_move_the_lifecycle_does_not_allow_is_refused(app, client, staff):
    request_id, _ = _new_request(app)
    page = client.get(f"/backoffice/zgloszenia/{request_id}").get_data(as_text=True)

    response = client.post(
        f"/backoffice/zgloszenia/{request_id}/status/completed",
        data={"csrf_token": hidden_value(page, "csrf_token")},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert _load(app, request_id)[0].status == Status.SUBMITTED
    assert 'class="notice notice--error"' in response.get_data(as_text=True)


def test_unknown_target_status_is_404(app, client, staff):
    request_id, _ = _new_request(app)
    page = client.get(f"/backoffice/zgloszenia/{request_id}").get_data(as_text=True)

    response = client.post(
        f"/backoffice/zgloszenia/{request_id}/status/flying",
        data={"csrf_token": hidden_value(page, "csrf_token")},
    )

    assert response.status_code == 404


def test_instructor_cannot_triage_but_can_move_own_job_on(app, client, accounts):
    accounts.login_as("instructor", groups=["tailoring"])
    job_id, _ = _new_request(app, status=Status.ACCEPTED)

    page = client.get(f"/backoffice/zgloszenia/{job_id}").get_data(as_text=True)
    declined = client.post(
        f"/backoffice/zgloszenia/{job_id}/status/declined",
        data={"csrf_token": hidden_value(page, "csrf_token"), "declined-note": "nie"},
    )
    started = _move(client, job_id, "in_progress")

    assert set(re.findall(r"/status/(\w+)", page)) == {"scheduled", "in_progress"}
    assert declined.status_code == 303
    assert started.status_code == 303
    request, events = _load(app, job_id)
    assert request.status == Status.IN_PROGRESS
    assert Status.DECLINED not in [e[2] for e in events]


def test_v8_2_3_instructor_does_not_see_eligibility(app, client, accounts):
    accounts.login_as("instructor", groups=["tailoring"])
    job_id, _ = _new_request(app, status=Status.ACCEPTED, receives_assistance=True)

    page = client.get(f"/backoffice/zgloszenia/{job_id}").get_data(as_text=True)

    assert "pomocy społecznej" not in page


def test_v2_3_4_two_people_moving_the_same_request_the_second_is_told_and_sees_the_current_state(
    app, client, staff
):
    request_id, _ = _new_request(app)
    with app.app_context():
        group_id = factories.group_for("tailoring").id
    page = client.get(f"/backoffice/zgloszenia/{request_id}").get_data(as_text=True)
    token = hidden_value(page, "csrf_token")
    stale_version = hidden_value(page, "declined-version")

    first = _move(client, request_id, "accepted", group_id=group_id)
    second = client.post(
        f"/backoffice/zgloszenia/{request_id}/status/declined",
        data={
            "csrf_token": token,
            "declined-version": stale_version,
            "declined-note": "Poza zakresem",
        },
        follow_redirects=True,
    )

    assert first.status_code == 303
    page = second.get_data(as_text=True)
    assert 'class="notice notice--error"' in page
    assert 'id="current-status"' in page
    request, events = _load(app, request_id)
    assert request.status == Status.ACCEPTED
    assert Status.DECLINED not in [e[2] for e in events]


def test_notes_are_internal(app, client, staff):
    request_id, token = _new_request(app)
    page = client.get(f"/backoffice/zgloszenia/{request_id}").get_data(as_text=True)

    empty = client.post(
        f"/backoffice/zgloszenia/{request_id}/notatki",
        data={"csrf_token": hidden_value(page, "csrf_token"), "body": " "},
    )
    added = client.post(
        f"/backoffice/zgloszenia/{request_id}/notatki",
        data={"csrf_token": hidden_value(page, "csrf_token"), "body": "Dzwonić po 15"},
    )

    assert 'id="body-error"' in empty.get_data(as_text=True)
    assert added.status_code == 303
    assert "Dzwonić po 15" in client.get(f"/backoffice/zgloszenia/{request_id}").get_data(
        as_text=True
    )
    assert "Dzwonić po 15" not in client.get(f"/zgloszenie/{token}").get_data(as_text=True)


def _edit_form(client, request_id):
    page = client.get(f"/backoffice/zgloszenia/{request_id}/edycja").get_data(as_text=True)
    fields = {name: hidden_value(page, name) for name in ("csrf_token", "version")}
    for name in (
        "name",
        "phone",
        "address",
        "contact_time",
        "email",
        "institution_name",
        "institution_contact",
    ):
        match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
            rf'value="([^"]*)"[^>]*name="{name}"', page
        )
        fields[name] = match.group(1) if match else ""
    fields["description"] = (
        re.search(r'<textarea[^>]*name="description"[^>]*>\s*([^<]*)</textarea>', page)
        .group(1)
        .strip()
    )
    fields["category_id"] = (
        re.search(r'<option selected value="(\d+)"|<option value="(\d+)" selected', page).group(1)
        or ""
    )
    fields["is_senior"] = "y"
    return fields


def test_correcting_data_records_old_and_new_values(app, client, staff):
    request_id, _ = _new_request(app, name="Jan Kowalsky", phone="600 123 456")
    form = _edit_form(client, request_id)
    form.update(name="Jan Kowalski", phone="601 000 000")

    response = client.post(f"/backoffice/zgloszenia/{request_id}/edycja", data=form)

    assert response.status_code == 303
    request, events = _load(app, request_id)
    assert request.name == "Jan Kowalski" and request.phone_digits == "601000000"
    kind, *_, changes = events[-1]
    assert kind == EventKind.EDIT
    assert changes["name"] == {"old": "Jan Kowalsky", "new": "Jan Kowalski"}
    assert changes["phone"] == {"old": "600 123 456", "new": "601 000 000"}
    history = client.get(f"/backoffice/zgloszenia/{request_id}").get_data(as_text=True)
    assert "Jan Kowalsky" in history


def test_a_stale_edit_saves_nothing_keeps_what_was_typed_and_shows_the_current_values(
    app, client, staff
):
    request_id, _ = _new_request(app, name="Pierwotna Nazwa")
    mine = _edit_form(client, request_id)
    theirs = _edit_form(client, request_id)
    theirs.update(name="Zmiana Kolegi")
    client.post(f"/backoffice/zgloszenia/{request_id}/edycja", data=theirs)

    mine.update(contact_time="tylko wieczorem")
    response = client.post(f"/backoffice/zgloszenia/{request_id}/edycja", data=mine)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="stale-warning"' in page
    assert "Zmiana Kolegi" in page
    assert 'value="tylko wieczorem"' in page
    assert _load(app, request_id)[0].contact_time != "tylko wieczorem"


def test_edit_with_bad_phone_gets_a_message(app, client, staff):
    request_id, _ = _new_request(app)
    form = _edit_form(client, request_id)
    form.update(phone="123")

    response = client.post(f"/backoffice/zgloszenia/{request_id}/edycja", data=form)

    assert 'id="phone-error"' in response.get_data(as_text=True)


def test_v3_2_1_photos_are_served_to_staff_only_from_the_back_office(
    app, client, staff, upload_folder
):
    from portal.photos import clean_photo

    with app.app_context():
        request = factories.make_request(
            upload_folder=str(upload_folder),
            photos=[
                clean_photo(
                    factories.image_bytes(), max_bytes=10**7, max_pixels=10**8, max_side=400
                )
            ],
        )
        request_id, photo_id, token = request.id, request.photos[0].id, request.access_token

    response = client.get(f"/backoffice/zgloszenia/{request_id}/zdjecia/{photo_id}")

    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "no-store"
    assert (
        client.get(f"/backoffice/zgloszenia/{request_id}/zdjecia/{photo_id + 99}").status_code
        == 404
    )
    assert "zdjecia" not in client.get(f"/zgloszenie/{token}").get_data(as_text=True)


def test_the_request_page_issues_the_same_queries_for_a_short_and_a_long_history(
    app, client, staff
):
    short_id, _ = _new_request(app)
    long_id, _ = _new_request(app, status=Status.IN_PROGRESS)
    with app.app_context():
        request = db.session.get(ServiceRequest, long_id)
        trainee = factories.trainee("Alicja Uczennica")
        for number in range(15):
            services_note(request, f"Notatka {number}")
            factories.work_session(request, trainee, supervisor=factories.user(), hours="1")
        db.session.remove()
    with app.app_context():
        request = db.session.get(ServiceRequest, short_id)
        factories.walk_to(request, Status.IN_PROGRESS)
        services_note(request, "Jedna notatka")
        factories.work_session(
            request, factories.trainee("Basia Uczennica"), supervisor=factories.user(), hours="1"
        )
        db.session.remove()

    assert count_queries(app, client, f"/backoffice/zgloszenia/{short_id}") == count_queries(
        app, client, f"/backoffice/zgloszenia/{long_id}"
    )


def services_note(request, text):
    from portal import services
    from portal.domain.lifecycle import Role as _Role

    services.add_note(request, text, Actor(_Role.STAFF))
