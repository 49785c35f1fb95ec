"""A resident's data protection rights in practice: the information clause (GDPR art. 13)
with every element from the institution's settings, consent recorded with time and version,
a copy of everything held on a person, erasure where the law allows it, and report files
that carry totals only."""

from __future__ import annotations

import base64
import io
import json
import logging
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select

from portal import services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.domain.period import Period
from portal.extensions import db
from portal.models import (
    AuditEntry,
    Channel,
    ConsentMethod,
    Institution,
    OutboxMessage,
    Photo,
    RequestEvent,
    ServiceRequest,
    utcnow,
)
from portal.photos import clean_photo
from portal.queries import figures
from portal.services.retention import ERASED
from tests import factories

from .helpers import csrf_from, hidden_value, log_in, only_request, submit

STAFF = Actor(Role.STAFF)


# --- The information clause ----------------------------------------------------------------


class Sections(HTMLParser):
    """The text under each <h2 id> of a page, and the ids of every element."""

    def __init__(self):
        super().__init__()
        self.order: list[str] = []
        self.text: dict[str, str] = {}
        self.ids: list[str] = []
        self._current: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "h2" and attributes.get("id"):
            self._current = attributes["id"]
            self.order.append(self._current)
            self.text[self._current] = ""
        elif tag == "footer":
            self._current = None

    def handle_data(self, data):
        if self._current:
            self.text[self._current] += data


def _sections(page: str) -> Sections:
    parser = Sections()
    parser.feed(page)
    return parser


# Article 13 element -> the section of the page that answers it, in the order of the article.
CLAUSE = [
    ("13(1)(a) controller and contact", "clause-controller"),
    ("13(1)(b) data protection officer", "clause-dpo"),
    ("13(1)(c) purposes and legal basis", "clause-purpose"),
    ("13(1)(e) recipients", "clause-recipients"),
    ("13(1)(f) transfers to third countries", "clause-transfers"),
    ("13(2)(a) retention", "clause-retention"),
    ("13(2)(b)-(d) rights, withdrawal of consent, complaint", "clause-rights"),
    ("13(2)(e) whether the data must be given", "clause-requirement"),
    ("13(2)(f) automated decisions", "clause-automated"),
]
RIGHTS = [
    "right-access",
    "right-rectification",
    "right-erasure",
    "right-objection",
    "right-portability",
    "right-withdraw-consent",
    "right-complaint",
]


@pytest.fixture
def own_settings(app):
    """The institution's own clause settings, each a value found nowhere else."""
    values = {
        "controller_name": "Ośrodek Kontrolny Administratora",
        "controller_address": "ul. Administracyjna 13, 00-013 Testowo",
        "dpo_contact": "inspektor-testowy@example.org",
        "legal_basis": "Podstawa prawna testowa: art. 6 ust. 1 lit. e RODO, ustawa testowa.",
        "retention": "Okres testowy: do końca świata i jeden dzień dłużej.",
        "office_address": "ul. Biurowa 7, 00-007 Testowo",
        "phone": "71 000 00 13",
        "email": "kontakt-testowy@example.org",
        "retention_months": 18,
    }
    with app.app_context():
        institution = db.session.scalars(select(Institution)).one()
        for key, value in values.items():
            setattr(institution, key, value)
        db.session.commit()
    return values


def test_priv_1_the_clause_walks_every_article_13_element_in_order(client):
    page = _sections(client.get("/ochrona-danych").get_data(as_text=True))

    assert [section for section in page.order if section.startswith("clause-")][: len(CLAUSE)] == [
        section for _element, section in CLAUSE
    ]
    assert [found for found in page.ids if found.startswith("right-")] == RIGHTS
    for _element, section in CLAUSE:
        assert page.text[section].strip(), section


def test_each_part_of_the_clause_that_differs_between_institutions_comes_from_settings(
    client, own_settings
):
    page = _sections(client.get("/ochrona-danych").get_data(as_text=True))

    controller = page.text["clause-controller"]
    assert own_settings["controller_name"] in controller
    assert own_settings["controller_address"] in controller
    assert own_settings["phone"] in controller and own_settings["email"] in controller
    assert own_settings["dpo_contact"] in page.text["clause-dpo"]
    assert own_settings["legal_basis"] in page.text["clause-purpose"]
    assert own_settings["retention"] in page.text["clause-retention"]
    assert "18" in page.text["clause-retention"]


def test_the_forms_that_collect_data_show_the_short_clause_from_settings(
    client, accounts, own_settings
):
    public = client.get("/zglos").get_data(as_text=True)
    accounts.login_as("staff")
    intake = client.get("/backoffice/zapisz-zgloszenie").get_data(as_text=True)

    for page in (public, intake):
        assert own_settings["controller_name"] in page
        assert own_settings["dpo_contact"] in page
    assert 'href="/ochrona-danych"' in public


# --- Consent -------------------------------------------------------------------------------


def _set_consent_version(app, version: str) -> None:
    with app.app_context():
        db.session.scalars(select(Institution)).one().consent_version = version
        db.session.commit()


def test_online_consent_is_stored_with_its_time_and_the_clause_version(app, client):
    _set_consent_version(app, "2027-3")
    before = utcnow()

    assert submit(client).status_code == 303

    request = only_request(client)
    assert request.consent_method == ConsentMethod.ONLINE
    assert request.consent_version == "2027-3"
    assert before - timedelta(seconds=1) <= request.consent_at <= utcnow()
    assert request.taken_by_id is None


def test_oral_consent_is_stored_with_its_time_version_and_who_attested_it(app, client, accounts):
    _set_consent_version(app, "2027-4")
    staff = accounts.login_as("staff")
    page = client.get("/backoffice/zapisz-zgloszenie").get_data(as_text=True)
    before = utcnow()

    response = client.post(
        "/backoffice/zapisz-zgloszenie",
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "submission_key": hidden_value(page, "submission_key"),
            "channel": "phone",
            "category_id": str(_category_id(app)),
            "description": "Podszyć zasłony",
            "name": "Stefania Telefon",
            "phone": "77 441 23 70",
            "is_senior": "y",
            "oral_consent": "y",
        },
    )

    assert response.status_code == 303
    request = only_request(client)
    assert request.consent_method == ConsentMethod.ORAL
    assert request.consent_version == "2027-4"
    assert before - timedelta(seconds=1) <= request.consent_at <= utcnow()
    assert request.taken_by_id == staff
    shown = client.get(f"/backoffice/zgloszenia/{request.id}").get_data(as_text=True)
    assert "2027-4" in shown


def _category_id(app) -> int:
    with app.app_context():
        return factories.category("tailoring").id


# --- A person's data: export --------------------------------------------------------------


def _photo():
    return clean_photo(factories.image_bytes(), max_bytes=10**7, max_pixels=10**8, max_side=300)


@pytest.fixture
def person(app, upload_folder):
    """Zofia has three requests (two by phone, one by e-mail only); someone else has one."""
    with app.app_context():
        staff = factories.user(Role.STAFF)
        staff.name = "Pracownica Nieujawniana"
        db.session.commit()
        actor = Actor.of(staff)
        first = factories.make_request(
            name="Zofia Eksportowa",
            phone="600 700 800",
            email="zofia@example.org",
            email_updates=True,
            description="Skrócić płaszcz ZOFIA-OPIS",
            upload_folder=str(upload_folder),
            photos=[_photo()],
        )
        services.add_note(first, "Notatka wewnętrzna ZOFIA-NOTATKA", actor)
        services.move_request(
            first, Status.ACCEPTED, actor, group_id=factories.group_for("tailoring").id
        )
        services.move_request(first, Status.IN_PROGRESS, actor)
        trainee = factories.trainee("Uczestniczka Poufna", group_code="tailoring")
        factories.work_session(first, trainee, supervisor=staff, hours="1.5")
        services.complete_job(
            first,
            actor,
            completed_on=services.local_today("Europe/Warsaw"),
            outcome="done",
            work_done="Skrócono ZOFIA-ZROBIONO",
        )
        from portal.models import AsAgreed
        from portal.services.feedback import FeedbackAnswers, record_feedback

        record_feedback(
            first, FeedbackAnswers(AsAgreed.YES, comment="ZOFIA-OPINIA"), Actor.resident()
        )
        second = factories.make_request(
            name="Zofia Eksportowa", phone="+48 600-700-800", status=Status.DECLINED
        )
        third = factories.make_request(
            name="Z. Eksportowa", phone="77 400 11 22", email="ZOFIA@example.org"
        )
        services.move_request(third, Status.CANCELLED, actor, note="Rezygnacja")
        other = factories.make_request(name="Ktoś Inny", phone="601 111 222")
        return {
            "ids": [first.id, second.id, third.id],
            "first": first.id,
            "other": other.id,
            "photo": first.photos[0].stored_name,
            "references": [first.reference, second.reference, third.reference],
        }


def _export(client, request_id):
    token = csrf_from(client, f"/backoffice/zgloszenia/{request_id}")
    return client.post(
        f"/backoffice/zgloszenia/{request_id}/dane-osoby/eksport", data={"csrf_token": token}
    )


def test_staff_export_everything_held_on_one_person_as_readable_json(
    app, client, accounts, person, upload_folder
):
    accounts.login_as("staff")

    response = _export(client, person["first"])

    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert ".json" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8")
    assert "Zofia Eksportowa" in text and "płaszcz" in text  # not \\u escapes
    document = json.loads(text)
    assert [item["reference"] for item in document["requests"]] == person["references"]
    first = document["requests"][0]
    assert first["name"] == "Zofia Eksportowa" and first["email"] == "zofia@example.org"
    assert first["description"] == "Skrócić płaszcz ZOFIA-OPIS"
    assert first["work_done"] == "Skrócono ZOFIA-ZROBIONO"
    assert first["consent"]["method"] == "online" and first["consent"]["clause_version"]
    assert first["satisfaction"]["done_as_agreed"] == "yes"
    assert first["satisfaction"]["comment"] == "ZOFIA-OPINIA"
    notes = [event["note"] for event in first["history"]]
    assert "Notatka wewnętrzna ZOFIA-NOTATKA" in notes
    assert any(not event["visible_to_resident"] for event in first["history"])
    assert first["work_log"] == [
        {"date": date.today().isoformat(), "description": "Praca", "hours": "1.5"}
    ]
    photo = first["photos"][0]
    assert photo["media_type"] == "image/jpeg"
    image = Image.open(io.BytesIO(base64.b64decode(photo["content_base64"])))
    assert image.format == "JPEG"
    assert document["controller"]["data_protection_officer"]


def test_the_export_names_no_other_person(client, accounts, person):
    accounts.login_as("staff")

    text = _export(client, person["first"]).get_data().decode("utf-8")

    for other in ("Ktoś Inny", "601111222", "Pracownica Nieujawniana", "Uczestniczka Poufna"):
        assert other not in text


def test_an_export_is_audited_for_each_request_and_security_logged(
    app, client, accounts, person, caplog, monkeypatch
):
    staff = accounts.login_as("staff")
    # Alembic's logging set-up at the start of the session switches existing loggers off.
    monkeypatch.setattr(logging.getLogger("portal.security"), "disabled", False)

    with caplog.at_level(logging.INFO, logger="portal.security"):
        _export(client, person["first"])

    with app.app_context():
        exported = db.session.execute(
            select(AuditEntry.actor_id, AuditEntry.request_id).where(
                AuditEntry.action == "export_person"
            )
        ).all()
    assert sorted(exported) == sorted((staff, request_id) for request_id in person["ids"])
    lines = [r.getMessage() for r in caplog.records if '"privacy_export"' in r.getMessage()]
    assert len(lines) == 1 and "Zofia" not in lines[0] and "600700800" not in lines[0]


def test_an_export_needs_the_form_token(client, accounts, person):
    accounts.login_as("staff")

    response = client.post(f"/backoffice/zgloszenia/{person['first']}/dane-osoby/eksport")

    assert response.status_code == 400


def test_staff_see_the_export_button_and_only_administrators_the_erasure(
    app, client, accounts, person
):
    accounts.login_as("staff")
    staff_page = client.get(f"/backoffice/zgloszenia/{person['first']}").get_data(as_text=True)
    with app.app_context():
        admin_email = factories.user(Role.ADMIN).email
    admin_client = app.test_client()
    log_in(admin_client, admin_email)
    admin_page = admin_client.get(f"/backoffice/zgloszenia/{person['first']}").get_data(
        as_text=True
    )

    assert 'id="export-person"' in staff_page and 'id="erase-person"' not in staff_page
    assert 'id="export-person"' in admin_page and 'id="erase-person"' in admin_page


def test_instructors_get_neither_button(app, client, accounts, person):
    with app.app_context():
        job = factories.make_request(status=Status.ACCEPTED, phone="603 000 000")
        job_id = job.id
    accounts.login_as("instructor", groups=["tailoring"])

    page = client.get(f"/backoffice/zgloszenia/{job_id}").get_data(as_text=True)

    assert 'id="person-data-actions"' not in page


# --- A person's data: erasure -------------------------------------------------------------


def _erase(client, request_id, **answers):
    url = f"/backoffice/zgloszenia/{request_id}/dane-osoby/usun"
    data = {"csrf_token": csrf_from(client, url), "reason": "", "decision": ""}
    data.update(answers)
    return client.post(url, data=data)


REASON = "Pismo z 3 maja 2026 r. z prośbą o usunięcie danych"
DECISION = "Usunięto: brak obowiązku dalszego przechowywania (art. 17 ust. 1 lit. a RODO)"


def test_erasure_is_refused_while_any_request_of_the_person_is_open(
    app, client, accounts, person, upload_folder
):
    with app.app_context():
        still_open = factories.make_request(name="Zofia Eksportowa", phone="600700800")
        still_open_id, still_open_reference = still_open.id, still_open.reference
    accounts.login_as("admin")

    page = client.get(f"/backoffice/zgloszenia/{person['first']}/dane-osoby/usun")
    response = _erase(client, person["first"], reason=REASON, decision=DECISION)

    assert page.status_code == 200
    assert 'id="erase-blocked"' in page.get_data(as_text=True)
    assert still_open_reference in page.get_data(as_text=True)
    assert 'id="erase-form"' not in page.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="erase-refused"' in response.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ServiceRequest)
                .where(ServiceRequest.anonymised_at.is_not(None))
            )
            == 0
        )
        assert db.session.get(ServiceRequest, still_open_id).name == "Zofia Eksportowa"
    assert (upload_folder / person["photo"]).exists()


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"reason": "", "decision": DECISION}, "reason"),
        ({"reason": REASON, "decision": " "}, "decision"),
    ],
)
def test_erasure_needs_a_reason_and_a_decision(app, client, accounts, person, answers, field):
    accounts.login_as("admin")

    response = _erase(client, person["first"], **answers)

    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ServiceRequest, person["first"]).anonymised_at is None


def test_erasure_anonymises_every_request_of_the_person_and_keeps_the_totals(
    app, client, accounts, person, upload_folder
):
    period = Period.since(date(2019, 1, 1), date.today())
    with app.test_request_context():
        before = figures.service_totals(period)
        before = ([(r.category.code, r.total) for r in before.by_category], dict(before.by_kind))
    admin = accounts.login_as("admin")

    response = _erase(client, person["first"], reason=REASON, decision=DECISION)

    assert response.status_code == 303
    assert not (upload_folder / person["photo"]).exists()
    with app.app_context():
        for request_id in person["ids"]:
            request = db.session.get(ServiceRequest, request_id)
            assert request.anonymised_at is not None
            assert request.name == ERASED and request.email is None and request.phone_digits == ""
            last = request.events[-1]
            assert last.kind == "note" and not last.is_public and last.actor_id == admin
            assert REASON in last.note and DECISION in last.note
            assert all(
                "ZOFIA" not in (event.note or "") and "Zofia" not in json.dumps(event.changes or {})
                for event in request.events
            )
        assert db.session.get(ServiceRequest, person["other"]).name == "Ktoś Inny"
        assert not db.session.scalar(select(func.count()).select_from(Photo))
        assert not db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.request_id.in_(person["ids"]))
        )
        erased = db.session.execute(
            select(AuditEntry.actor_id, AuditEntry.request_id).where(
                AuditEntry.action == "erase_person"
            )
        ).all()
        assert sorted(erased) == sorted((admin, request_id) for request_id in person["ids"])
    with app.test_request_context():
        after = figures.service_totals(period)
        assert (
            [(r.category.code, r.total) for r in after.by_category],
            dict(after.by_kind),
        ) == before


def test_after_erasure_the_page_says_so_and_offers_neither_action_again(
    app, client, accounts, person
):
    accounts.login_as("admin")
    _erase(client, person["first"], reason=REASON, decision=DECISION)

    page = client.get(f"/backoffice/zgloszenia/{person['first']}").get_data(as_text=True)
    again = client.get(f"/backoffice/zgloszenia/{person['first']}/dane-osoby/usun")
    export = _export(client, person["first"])

    assert 'id="anonymised-notice"' in page and 'id="person-data-actions"' not in page
    assert again.status_code == 303
    assert export.status_code == 303


def test_the_erasure_keeps_the_staff_note_but_the_audit_detail_holds_only_counts(
    app, client, accounts, person
):
    accounts.login_as("admin")

    _erase(client, person["first"], reason=REASON, decision=DECISION)

    with app.app_context():
        details = db.session.scalars(select(AuditEntry.detail)).all()
        assert details and all(REASON not in detail and "Zofia" not in detail for detail in details)
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(RequestEvent)
                .where(RequestEvent.note.contains(REASON))
            )
            == 3
        )


# --- Reports that leave the back office ---------------------------------------------------

PERSONAL = {
    "name": "Henryka Raportowa",
    "description": "OPIS-PRYWATNY-RAPORT",
    "email": "henryka@example.org",
    "address": "ul. Ukryta 99/1",
    "contact_time": "CZAS-PRYWATNY",
    "phone": "605 432 198",
}


@pytest.fixture
def reported(app):
    """Completed jobs whose every personal field holds a value to look for in the files."""
    with app.app_context():
        staff = factories.user(Role.STAFF)
        staff.name = "Koordynatorka Ukryta"
        db.session.commit()
        actor = Actor.of(staff)
        trainee = factories.trainee("Trenujący Ukryty", group_code="renovation")
        for code, channel in (("renovation", Channel.ONLINE), ("tailoring", Channel.INSTITUTION)):
            fields = dict(PERSONAL)
            if channel == Channel.INSTITUTION:
                fields.update(
                    channel=channel,
                    institution_name="Stowarzyszenie Ukryte",
                    institution_contact="KONTAKT-PRYWATNY",
                )
            request = factories.make_request(code=code, status=Status.IN_PROGRESS, **fields)
            services.add_note(request, "NOTATKA-PRYWATNA", actor)
            if code == "renovation":
                factories.work_session(request, trainee, supervisor=staff)
            services.complete_job(
                request,
                actor,
                completed_on=services.local_today("Europe/Warsaw"),
                outcome="done",
                work_done="ZROBIONO-PRYWATNIE",
            )


def test_priv_4_files_and_the_council_summary_carry_no_personal_field(client, accounts, reported):
    accounts.login_as("staff")
    query = f"?period=year&year={date.today().year}"

    csv_text = client.get(f"/backoffice/raporty/eksport.csv{query}").data.decode("utf-8-sig")
    workbook = load_workbook(
        io.BytesIO(client.get(f"/backoffice/raporty/eksport.xlsx{query}").data)
    )
    xlsx_text = " ".join(
        str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row
    )
    summary = client.get(f"/backoffice/raporty/podsumowanie{query}").get_data(as_text=True)
    summary = summary.split("<main", 1)[1].split("</main>", 1)[0]

    hidden = [
        *PERSONAL.values(),
        "605432198",
        "Stowarzyszenie Ukryte",
        "KONTAKT-PRYWATNY",
        "NOTATKA-PRYWATNA",
        "ZROBIONO-PRYWATNIE",
        "Koordynatorka Ukryta",
        "Trenujący Ukryty",
    ]
    assert "2" in csv_text  # the files do hold the totals
    for text in (csv_text, xlsx_text, summary):
        for value in hidden:
            assert value not in text
