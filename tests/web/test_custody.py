"""An item left at the workshop: written down, a receipt, ready for N days, one reminder,
the list to phone about, and who collected it."""

import io
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from portal import services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import ItemCustody, MessageKind, OutboxMessage, ServiceRequest, utcnow
from portal.services import notifications, outbox
from tests import factories

from .helpers import hidden_value


@pytest.fixture
def app_overrides():
    return {"PUBLIC_BASE_URL": "https://portal.example.pl"}


def _job(app, status=Status.ACCEPTED, **fields):
    with app.app_context():
        return factories.make_request(status=status, **fields).id


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, "JPEG")
    return buffer.getvalue()


def _drop_off(client, job, **fields):
    page = client.get(f"/backoffice/zgloszenia/{job}").get_data(as_text=True)
    data = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "received_on": date.today().isoformat(),
        "condition": "Rękaw rozpruty na szwie",
        "place": "Półka B2",
    }
    data.update(fields)
    return client.post(
        f"/backoffice/zgloszenia/{job}/rzecz", data=data, content_type="multipart/form-data"
    )


def _to_ready(app, job):
    with app.app_context():
        request = db.session.get(ServiceRequest, job)
        services.start_job(request, Actor.of(factories.user(Role.STAFF)))
        services.mark_ready(request, Actor.of(factories.user(Role.STAFF)))


def _ready_for(app, job, days):
    with app.app_context():
        request = db.session.get(ServiceRequest, job)
        request.ready_at = utcnow() - timedelta(days=days, hours=1)
        db.session.commit()


def test_the_item_is_written_down_with_a_photo_and_the_receipt_says_what_the_resident_needs(
    app, client, accounts
):
    accounts.login_as("instructor", groups=["tailoring"])
    job = _job(app, name="Anna Kowalska")

    response = _drop_off(client, job, photo=(io.BytesIO(_jpeg()), "rekaw.jpg"))

    assert response.status_code == 303
    with app.app_context():
        held = db.session.scalars(select(ItemCustody).where(ItemCustody.request_id == job)).one()
        assert (held.place, held.condition, held.received_on) == (
            "Półka B2",
            "Rękaw rozpruty na szwie",
            date.today(),
        )
        assert held.photo is not None and held.received_by is not None
        reference, token = held.request.reference, held.request.access_token
    page = client.get(f"/backoffice/zgloszenia/{job}").get_data(as_text=True)
    assert "Półka B2" in page and "Rzecz zostawiona w pracowni" in page  # and in the history

    receipt = client.get(f"/backoffice/zgloszenia/{job}/pokwitowanie").get_data(as_text=True)
    assert re.search(rf'id="receipt-reference">{re.escape(reference)}<', receipt)
    assert "Rękaw rozpruty na szwie" in receipt and "Anna Kowalska" in receipt
    assert "ul. Henryka Sienkiewicza 29, 45-000 Opole" in receipt
    assert "poniedziałek–piątek, 8:00–14:00" in receipt
    assert "przekazujemy na cele charytatywne" in receipt  # the institution's policy
    assert f"https://portal.example.pl/zgloszenie/{token}" in receipt
    assert 'src="data:image/svg+xml' in receipt  # the QR code of the status page
    assert "Półka B2" not in receipt  # the shelf is the workshop's business

    tag = client.get(f"/backoffice/zgloszenia/{job}/metka").get_data(as_text=True)
    assert "Półka B2" in tag and date.today().strftime("%d.%m.%Y") in tag


def test_nothing_is_left_for_work_at_home_and_a_wrong_day_is_shown_at_its_field(
    app, client, accounts
):
    accounts.login_as("staff")
    at_home = _job(app, code="renovation")
    page = client.get(f"/backoffice/zgloszenia/{at_home}").get_data(as_text=True)
    assert "/rzecz" not in page

    job = _job(app)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = _drop_off(client, job, received_on=tomorrow, place="Półka A1")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Dzień pozostawienia rzeczy nie może być w przyszłości." in page
    assert 'value="Półka A1"' in page


def test_ready_for_n_days_shows_on_the_board_the_queue_and_the_list_to_phone_about(
    app, client, accounts
):
    accounts.login_as("staff")
    job = _job(app, name="Ida Nieodebrana", phone="600 111 222")
    _drop_off(client, job)
    _to_ready(app, job)
    _ready_for(app, job, 9)

    board = client.get("/backoffice/tablica").get_data(as_text=True)
    queue = client.get("/backoffice/zgloszenia?status=ready").get_data(as_text=True)
    listing = client.get("/backoffice/do-odbioru").get_data(as_text=True)

    assert "od 9 dni" in board and "od 9 dni" in queue
    row = re.search(r'<tr>\s*<th scope="row".*?</tr>', listing, re.S).group(0)
    assert "Ida Nieodebrana" in row and 'href="tel:600111222"' in row
    assert "Półka B2" in row and "9 dni" in row and "bez e-maila: zadzwoń" in row


def test_the_reminder_goes_once_after_the_days_and_never_after_pick_up(app, client, accounts):
    accounts.login_as("staff")
    waiting = _job(app, email="anna@example.org", email_updates=True)
    collected = _job(app, email="jan@example.org", email_updates=True)
    fresh = _job(app, email="ola@example.org", email_updates=True)
    for job in (waiting, collected, fresh):
        _drop_off(client, job)
        _to_ready(app, job)
    _ready_for(app, waiting, 8)
    _ready_for(app, collected, 8)
    _ready_for(app, fresh, 3)
    page = client.get(f"/backoffice/zgloszenia/{collected}/realizacja").get_data(as_text=True)
    done = client.post(
        f"/backoffice/zgloszenia/{collected}/realizacja",
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "version": hidden_value(page, "version"),
            "completed_on": date.today().isoformat(),
            "outcome": "done",
            "work_done": "Zszyto rękaw",
            "picked_up_by": "Jan Syn (wnuk)",
        },
    )
    assert done.status_code == 303

    with app.app_context():
        first = notifications.queue_pickup_reminders(after_days=7)
        again = notifications.queue_pickup_reminders(after_days=7)
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == MessageKind.PICKUP_REMINDER)
        ).all()
        mail = outbox.render(rows[0])
        held = db.session.scalars(
            select(ItemCustody).where(ItemCustody.request_id == collected)
        ).one()
        assert (held.picked_up_by, held.handed_over_by.role) == ("Jan Syn (wnuk)", Role.STAFF)
        assert held.picked_up_at is not None

    assert (first, again) == (1, 0)
    assert [row.request_id for row in rows] == [waiting]
    assert "czeka na odbiór" in mail.subject
    assert "ul. Henryka Sienkiewicza 29" in mail.body and "jedyne przypomnienie" in mail.body
    listing = client.get("/backoffice/do-odbioru").get_data(as_text=True)
    assert "e-mail wysłany" in listing
    assert f'/backoffice/zgloszenia/{collected}"' not in listing
    assert f'/backoffice/zgloszenia/{fresh}"' not in listing


def test_the_resident_collecting_needs_no_name_typed(app, client, accounts):
    accounts.login_as("instructor", groups=["tailoring"])
    job = _job(app, name="Halina Własna", status=Status.IN_PROGRESS)
    _drop_off(client, job)
    page = client.get(f"/backoffice/zgloszenia/{job}/realizacja").get_data(as_text=True)
    assert 'name="picked_up_by"' in page

    client.post(
        f"/backoffice/zgloszenia/{job}/realizacja",
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "version": hidden_value(page, "version"),
            "completed_on": date.today().isoformat(),
            "outcome": "done",
            "work_done": "Zszyto",
        },
    )

    with app.app_context():
        held = db.session.scalars(select(ItemCustody).where(ItemCustody.request_id == job)).one()
        assert held.picked_up_by == "Halina Własna"


def test_erasing_the_person_erases_who_collected_the_item_and_its_photo(app, client, accounts):
    from portal.services import retention

    accounts.login_as("instructor", groups=["tailoring"])
    job = _job(app, status=Status.IN_PROGRESS)
    _drop_off(client, job, photo=(io.BytesIO(_jpeg()), "rekaw.jpg"))
    with app.app_context():
        request = db.session.get(ServiceRequest, job)
        services.complete_job(
            request,
            Actor.of(factories.user(Role.STAFF)),
            completed_on=date.today(),
            outcome="done",
            work_done="Zszyto",
            picked_up_by="Jan Wnuk",
        )
        retention.anonymise([request], upload_folder=app.config["UPLOAD_FOLDER"])
        db.session.commit()
        held = db.session.scalars(select(ItemCustody).where(ItemCustody.request_id == job)).one()

        assert "Jan Wnuk" not in held.picked_up_by and held.condition == ""
        assert held.photo_id is None and held.picked_up_at is not None


def test_the_receipt_is_in_the_residents_language_and_the_page_around_it_in_polish(
    app, client, accounts
):
    accounts.login_as("instructor", groups=["tailoring"])
    job = _job(app, name="Olena Kowal", language="uk")
    _drop_off(client, job)

    receipt = client.get(f"/backoffice/zgloszenia/{job}/pokwitowanie").get_data(as_text=True)
    assert '<html lang="pl">' in receipt and '<article class="receipt" lang="uk">' in receipt
    article = receipt[receipt.index("<article") : receipt.index("</article>")]
    assert "Кравецькі послуги" in article and "понеділок–п’ятниця, 8:00–14:00" in article
    assert "Rękaw rozpruty na szwie" in article  # what staff wrote stays as written
    assert "Krawiectwo" not in article and "Pokwitowanie" not in article
    assert "Wróć do zgłoszenia" in receipt  # the staff's own controls stay Polish
