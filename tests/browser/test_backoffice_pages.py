"""The back office in headless Chromium: staff at a desk, an instructor on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from tests import factories

from .conftest import (
    TAKE_SCREENSHOTS,
    check_accessibility,
    horizontal_overflow,
    layout_problems_at_double_text,
    save_screenshots,
)

PASSWORD = "haslo-testowe-123"


def _account(live_server, role: Role, groups=()):
    with live_server.app.app_context():
        user = factories.user(role, password=PASSWORD)
        if groups:
            user.groups = [factories.group_for(code) for code in groups]
            db.session.commit()
        email = user.email
        db.session.remove()
        return email


def _log_in(page, live_server, email):
    page.goto(live_server("/backoffice/logowanie"))
    page.get_by_label("Adres e-mail").fill(email)
    page.get_by_label("Hasło").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_label("Hasło").press("Enter")


def _make(live_server, **fields):
    with live_server.app.app_context():
        request = factories.make_request(
            upload_folder=live_server.app.config["UPLOAD_FOLDER"], **fields
        )
        request_id = request.id
        db.session.remove()
        return request_id


def test_login_page_and_its_error_state_are_accessible(page, live_server):
    page.goto(live_server("/backoffice/logowanie"))
    check_accessibility(page)
    save_screenshots(page, "bo-login")

    page.get_by_label("Adres e-mail").fill("nikt@example.org")
    page.get_by_label("Hasło").fill("zle-haslo")
    page.get_by_role("button", name="Zaloguj się").click()

    expect(page.locator(".notice--error")).to_be_visible()
    check_accessibility(page)


def test_staff_filters_the_queue_triages_a_request_and_takes_a_phone_request(page, live_server):
    _make(live_server, name="Alicja Krawiecka")
    target = _make(live_server, name="Bogdan Stolarski", code="upholstery")
    _make(live_server, name="Celina Remontowa", code="renovation", status=Status.ACCEPTED)
    _log_in(page, live_server, _account(live_server, Role.STAFF))

    expect(page.get_by_role("heading", name="Zgłoszenia", exact=True)).to_be_visible()
    check_accessibility(page)
    save_screenshots(page, "bo-queue")

    # Filtering swaps the results in place (htmx) and keeps the filter in the address.
    with page.expect_response(re.compile(r"/backoffice/zgloszenia\?")) as response:
        page.get_by_label("Szukaj: numer, imię i nazwisko, telefon albo e-mail").fill("Stolar")
    assert response.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#queue-results")).not_to_contain_text("Alicja Krawiecka")
    expect(page.locator("#queue-results")).to_contain_text("Bogdan Stolarski")
    expect(page).to_have_url(re.compile(r"q=Stolar"))
    check_accessibility(page, best_practices=False)

    # Triage: accept and assign to the upholstery workshop.
    page.get_by_role("link", name=re.compile(r"KR.\d{4}.0002")).click()
    expect(page.locator("#current-status")).to_have_text("Wysłane – czeka na sprawdzenie")
    check_accessibility(page)
    save_screenshots(page, "bo-request")
    accept = page.locator("#action-accepted form")
    accept.get_by_label("Grupa warsztatowa").select_option(label="Pracownia stolarsko-tapicerska")
    accept.get_by_role("button").click()
    expect(page.locator("#current-status")).to_have_text("Przyjęte do wykonania")
    expect(page.locator(".notice--success")).to_be_visible()
    with live_server.app.app_context():
        from portal.models import ServiceRequest

        assert db.session.get(ServiceRequest, target).status == Status.ACCEPTED
        db.session.remove()

    # A phone call: the request is entered on the caller's behalf.
    page.get_by_role("link", name="Zapisz zgłoszenie").click()
    check_accessibility(page)
    save_screenshots(page, "bo-intake")
    page.get_by_label("Imię i nazwisko").fill("Stefania Telefon")
    page.get_by_label("Numer telefonu").fill("77 441 23 70")
    page.get_by_label("Usługa").select_option(label="Krawiectwo – przeróbki i naprawy ubrań")
    page.get_by_label("Co trzeba zrobić").fill("Podszyć zasłony")
    page.locator("#is_senior").check()
    page.locator("#oral_consent").check()
    page.get_by_role("button", name="Zapisz zgłoszenie").click()

    expect(page.locator("#reference")).to_have_text(re.compile(r"KR/\d{4}/0004"))
    expect(page.locator("#private-link")).to_contain_text("/zgloszenie/")
    check_accessibility(page)
    save_screenshots(page, "bo-intake-done")


def test_intake_errors_are_accessible(page, live_server):
    _log_in(page, live_server, _account(live_server, Role.STAFF))
    page.goto(live_server("/backoffice/zapisz-zgloszenie"))

    page.get_by_role("button", name="Zapisz zgłoszenie").click()

    expect(page.locator("#error-summary")).to_be_visible()
    check_accessibility(page)
    save_screenshots(page, "bo-intake-errors")


def test_intake_shows_the_callers_open_request_as_the_number_is_typed(page, live_server):
    first = _make(live_server, phone="600 123 456", name="Anna Kowalska")
    _log_in(page, live_server, _account(live_server, Role.STAFF))
    page.goto(live_server("/backoffice/zapisz-zgloszenie"))
    # The institution's fields appear only for an institution.
    expect(page.get_by_label("Instytucja", exact=True)).to_be_hidden()

    page.get_by_label("Imię i nazwisko").fill("Anna Kowalska")
    page.get_by_label("Numer telefonu").fill("+48 600-123-456")

    found = page.locator("#same-person")
    expect(found).to_contain_text("Anna Kowalska")
    expect(found.locator(f'a[href="/backoffice/zgloszenia/{first}"]')).to_be_visible()
    check_accessibility(page)
    save_screenshots(page, "bo-intake-same-person")
    page.get_by_label(re.compile("^Od instytucji")).check()
    expect(page.get_by_label("Instytucja", exact=True)).to_be_visible()

    # Saving a second open request needs a word from staff that it is new.
    page.get_by_label("Telefonicznie").check()
    page.get_by_label("Usługa").select_option(label="Krawiectwo – przeróbki i naprawy ubrań")
    page.get_by_label("Co trzeba zrobić").fill("Skrócić zasłony")
    page.locator("#is_senior").check()
    page.locator("#oral_consent").check()
    page.locator("#confirm_new").check()
    page.get_by_role("button", name="Zapisz zgłoszenie").click()
    expect(page.locator("#reference")).to_be_visible()


def test_staff_start_a_question_from_a_ready_text(page, live_server):
    request_id = _make(live_server)
    _log_in(page, live_server, _account(live_server, Role.STAFF))
    page.goto(live_server(f"/backoffice/zgloszenia/{request_id}"))

    page.get_by_text("Poproś o więcej informacji", exact=True).first.click()
    ask = page.locator("#action-needs_info")
    ask.get_by_label("Zacznij od gotowego tekstu").select_option(
        label="Prośba o zdjęcie lub wymiary"
    )

    box = ask.get_by_label("Wiadomość dla mieszkańca")
    expect(box).to_have_value(re.compile(r"^Aby ocenić, czy możemy.*77 400 00 00"))
    check_accessibility(page)
    save_screenshots(page, "bo-request-ready-text")
    box.fill(box.input_value() + " Dziękujemy.")
    ask.get_by_role("button", name="Poproś o więcej informacji").click()
    expect(page.locator("#current-status")).to_have_text("Potrzebujemy więcej informacji")


def test_every_admin_page_is_accessible(page, live_server):
    request_id = _make(live_server, status=Status.COMPLETED)
    with live_server.app.app_context():
        trainee = factories.trainee("Alicja Uczennica")
        job = factories.make_request(status=Status.IN_PROGRESS)
        session = factories.work_session(job, trainee, supervisor=factories.user(Role.INSTRUCTOR))
        ids = {
            "edition": trainee.edition_id,
            "trainee": trainee.id,
            "session": session.id,
            "job": job.id,
        }
        user_id = factories.user(Role.STAFF).id
        group_id = factories.group_for("tailoring").id
        db.session.remove()
    _log_in(page, live_server, _account(live_server, Role.ADMIN))

    paths = {
        "bo-accounts": "/backoffice/konta",
        "bo-account": f"/backoffice/konta/{user_id}",
        "bo-groups": "/backoffice/grupy",
        "bo-group": f"/backoffice/grupy/{group_id}",
        "bo-editions": "/backoffice/edycje",
        "bo-edition": f"/backoffice/edycje/{ids['edition']}",
        "bo-trainee": f"/backoffice/uczestnicy/{ids['trainee']}",
        "bo-completed-request": f"/backoffice/zgloszenia/{request_id}",
        "bo-correct-completion": f"/backoffice/zgloszenia/{request_id}/korekta-realizacji",
        "bo-edit-request": f"/backoffice/zgloszenia/{ids['job']}/edycja",
        "bo-edit-work": f"/backoffice/praca/{ids['session']}",
        "bo-job-tag": f"/backoffice/zgloszenia/{ids['job']}/metka",
        "bo-own-account": "/backoffice/konto",
        "bo-board-admin": "/backoffice/tablica",
    }
    for name, path in paths.items():
        response = page.goto(live_server(path))
        assert response.status == 200, path
        check_accessibility(page)
        save_screenshots(page, name, widths=(1280,))

    page.goto(live_server("/backoffice/konta"))
    page.get_by_role("button", name="Utwórz konto").click()
    check_accessibility(page)


def test_an_instructor_on_a_phone_moves_a_job_logs_work_for_two_trainees_and_completes_it(
    page, live_server
):
    with live_server.app.app_context():
        running = factories.edition()
        factories.trainee("Alicja Uczennica", edition_=running)
        factories.trainee("Barbara Uczennica", edition_=running)
        db.session.remove()
    job = _make(live_server, status=Status.ACCEPTED, name="Halina Własna", phone="600 700 800")
    page.set_viewport_size({"width": 360, "height": 800})
    _log_in(page, live_server, _account(live_server, Role.INSTRUCTOR, groups=["tailoring"]))

    expect(page).to_have_url(re.compile(r"/backoffice/tablica$"))
    card = page.locator(f"#job-{job}")
    expect(card).to_contain_text("Halina Własna")
    assert horizontal_overflow(page) == 0
    check_accessibility(page)
    save_screenshots(page, "bo-board")

    # One tap each: start the work, then put the item aside for pick-up (htmx, no reload).
    with page.expect_response(re.compile(r"/tablica/\d+/in_progress")) as response:
        card.get_by_role("button", name=re.compile("Rozpocznij")).click()
    assert response.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#column-in_progress")).to_contain_text("(1)")
    # The move is spoken in the live region; the focus stays on the card, on its undo.
    news = page.locator("#board-news")
    expect(news).to_have_attribute("role", "status")
    expect(news).to_contain_text("W trakcie realizacji. Możesz to cofnąć.")
    undo = page.locator(f"#job-{job}").get_by_role("button", name=re.compile("^Cofnij"))
    expect(undo).to_be_focused()
    check_accessibility(page, best_practices=False)
    save_screenshots(page, "bo-board-moved")
    page.keyboard.press("Enter")
    expect(page.locator("#column-accepted")).to_contain_text("(1)")
    expect(news).to_contain_text("cofnięte")
    expect(page.locator(f"#job-{job} .job-card__title a")).to_be_focused()
    page.locator(f"#job-{job}").get_by_role("button", name=re.compile("Rozpocznij")).click()
    expect(page.locator("#column-in_progress")).to_contain_text("(1)")

    # Hours from the card: open it, type, save; the board says what was saved.
    card = page.locator(f"#job-{job}")
    card.get_by_text("Zapisz dzisiejsze godziny").click()
    card.get_by_label("Alicja Uczennica").fill("2")
    card.get_by_label("Barbara Uczennica").fill("1,5")
    card.get_by_role("button", name=re.compile("^Zapisz godziny")).click()
    expect(news).to_contain_text("zapisano 3,5 h pracy")
    assert horizontal_overflow(page) == 0
    check_accessibility(page, best_practices=False)
    save_screenshots(page, "bo-board-hours-saved")

    page.locator(f"#job-{job}").get_by_role("button", name=re.compile("Gotowe do odbioru")).click()
    expect(page.locator("#column-ready")).to_contain_text("(1)")
    check_accessibility(page, best_practices=False)
    # At 320 px and with the text at 200 %, nothing on the board is cut off or overlaps.
    page.set_viewport_size({"width": 320, "height": 800})
    assert horizontal_overflow(page) == 0
    assert layout_problems_at_double_text(page) == []
    page.set_viewport_size({"width": 1280, "height": 800})
    assert layout_problems_at_double_text(page) == []
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server(f"/backoffice/zgloszenia/{job}/metka"))
    page.set_viewport_size({"width": 320, "height": 800})
    assert horizontal_overflow(page) == 0
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server("/backoffice/tablica"))

    # The work log: hours typed next to two trainees' names.
    page.locator(f"#job-{job}").get_by_role("link", name=re.compile(r"^KR")).click()
    page.get_by_label("Alicja Uczennica").fill("2")
    page.get_by_label("Barbara Uczennica").fill("1,5")
    page.locator("#work-description").fill("Skrócono nogawki, wymieniono zamek")
    page.get_by_role("button", name="Zapisz pracę").click()
    expect(page.locator("#work-log")).to_be_visible()
    expect(page.locator(".work-log table")).to_contain_text("Barbara Uczennica: 1,5")
    assert horizontal_overflow(page) == 0
    check_accessibility(page)
    save_screenshots(page, "bo-job-with-work-log")

    # Completion.
    page.get_by_role("link", name="Zakończ realizację").first.click()
    check_accessibility(page)
    save_screenshots(page, "bo-complete")
    page.get_by_label("Co zostało zrobione").fill("Skrócono spodnie o 5 cm")
    page.get_by_role("button", name="Zakończ realizację").click()

    expect(page).to_have_url(re.compile(r"/backoffice/tablica$"))
    expect(page.locator(f"#job-{job}")).to_have_count(0)
    with live_server.app.app_context():
        from portal.models import ServiceRequest

        assert db.session.get(ServiceRequest, job).status == Status.COMPLETED
        db.session.remove()


@pytest.mark.parametrize("width", [360])
def test_back_office_pages_fit_a_phone(page, live_server, width):
    request_id = _make(live_server)
    page.set_viewport_size({"width": width, "height": 800})
    _log_in(page, live_server, _account(live_server, Role.STAFF))

    for path in (
        "/backoffice/zgloszenia",
        f"/backoffice/zgloszenia/{request_id}",
        "/backoffice/zapisz-zgloszenie",
    ):
        page.goto(live_server(path))
        assert horizontal_overflow(page) == 0, path


@pytest.fixture(autouse=True)
def _quick_failures_and_no_console_errors(page):
    """Fail fast, and fail on any console error: a CSP violation shows up there."""
    page.set_default_timeout(8000)
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield
    if TAKE_SCREENSHOTS:
        # A screenshot writes style attributes into the page (animations stopped, caret
        # hidden); htmx settling a swap then copies them, which the CSP rightly refuses.
        problems = [p for p in problems if not p.startswith("Applying inline style")]
    assert problems == []


def test_the_period_chooser_shows_only_the_chosen_kind_and_nothing_clips_at_double_text(
    page, live_server
):
    _make(live_server, status=Status.COMPLETED)
    _log_in(page, live_server, _account(live_server, Role.STAFF))
    page.goto(live_server("/backoffice/raporty"))
    chooser = page.locator("form.report-period")

    expect(chooser.locator("input#year")).to_be_visible()
    expect(chooser.locator("select#quarter")).to_be_hidden()
    expect(chooser.locator("input#date_from")).to_be_hidden()
    page.locator("#period-2").check()  # the quarter
    expect(chooser.locator("select#quarter")).to_be_visible()
    expect(chooser.locator("select#month")).to_be_hidden()
    chooser.locator("select#quarter").select_option(label="I")
    chooser.get_by_role("button", name="Pokaż raport").click()

    expect(page.locator("#report-title")).to_have_text(re.compile(r"^1\. kwartał"))
    expect(page.locator("#report-covers")).to_contain_text("od 1 stycznia")
    check_accessibility(page)
    save_screenshots(page, "bo-reports-quarter")
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        assert layout_problems_at_double_text(page) == [], width
        assert horizontal_overflow(page) <= 0, width


def test_an_item_is_written_down_and_its_receipt_fits_a_phone(page, live_server):
    job = _make(live_server, status=Status.ACCEPTED, name="Anna Kowalska")
    page.set_viewport_size({"width": 360, "height": 800})
    _log_in(page, live_server, _account(live_server, Role.STAFF))
    page.goto(live_server(f"/backoffice/zgloszenia/{job}"))

    custody = page.locator("section.custody")
    custody.get_by_label("Stan rzeczy w jednym zdaniu").fill("Rękaw rozpruty")
    custody.get_by_label("Gdzie leży").fill("Półka B2")
    custody.get_by_role("button", name="Zapisz").click()
    expect(page.locator("section.custody")).to_contain_text("Półka B2")
    check_accessibility(page)

    page.get_by_role("link", name="Drukuj pokwitowanie dla mieszkańca").click()
    expect(page.locator("#receipt-reference")).to_be_visible()
    check_accessibility(page)
    save_screenshots(page, "bo-receipt")
    page.set_viewport_size({"width": 320, "height": 800})
    assert horizontal_overflow(page) == 0
    assert layout_problems_at_double_text(page) == []


def test_the_crews_day_list_week_and_items_to_collect_read_on_a_phone(page, live_server):
    from datetime import timedelta

    from portal import services
    from portal.domain.actor import Actor

    with live_server.app.app_context():
        tomorrow = services.local_today("Europe/Warsaw") + timedelta(days=1)
        visit = factories.make_request(
            code="renovation", status=Status.ACCEPTED, address="ul. Ozimska 10/2, Opole"
        )
        services.schedule_job(
            visit,
            Actor.of(factories.user(Role.STAFF)),
            scheduled_for=tomorrow,
            scheduled_time="10-12",
        )
        db.session.remove()
    page.set_viewport_size({"width": 360, "height": 800})
    _log_in(page, live_server, _account(live_server, Role.STAFF))

    for name, path in (
        ("bo-visits-day", f"/backoffice/wizyty?dzien={tomorrow.isoformat()}"),
        ("bo-visits-week", f"/backoffice/wizyty?tydzien={tomorrow.isoformat()}"),
        ("bo-uncollected", "/backoffice/do-odbioru"),
    ):
        page.goto(live_server(path))
        check_accessibility(page)
        save_screenshots(page, name)
        page.set_viewport_size({"width": 320, "height": 800})
        assert horizontal_overflow(page) == 0, path
        assert layout_problems_at_double_text(page) == [], path
        page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server(f"/backoffice/wizyty?dzien={tomorrow.isoformat()}"))
    expect(page.locator("#visit-list")).to_contain_text("10:00–12:00")
    expect(page.locator("#phone-before")).to_contain_text("zadzwoń")
