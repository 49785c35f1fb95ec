"""The accessibility statement (deklaracja dostępności) the Polish act requires: built from the
institution's settings, with the ids the statement validators look for, valid dates, the
other ways to get the service, and a link to it from every page."""

from __future__ import annotations

import re
import warnings
from datetime import date
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from portal.domain.lifecycle import Status
from portal.extensions import db
from portal.models import Institution
from portal.settings import load_institution
from tests import factories

STATEMENT = "/deklaracja-dostepnosci"
MANDATORY = [
    "a11y-wstep",
    "a11y-podmiot",
    "a11y-url",
    "a11y-data-publikacja",
    "a11y-data-aktualizacja",
    "a11y-status",
    "a11y-data-sporzadzenie",
    "a11y-data-przeglad",
    "a11y-audytor",
    "a11y-kontakt",
    "a11y-osoba",
    "a11y-email",
    "a11y-telefon",
    "a11y-procedura",
    "a11y-architektura",
    "a11y-aplikacje",
]
DATES = {
    "a11y-data-publikacja": "accessibility_published_on",
    "a11y-data-aktualizacja": "accessibility_updated_on",
    "a11y-data-sporzadzenie": "accessibility_prepared_on",
    "a11y-data-przeglad": "accessibility_reviewed_on",
}


class Elements(HTMLParser):
    """Every element with an id: its tag, attributes and text."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.found: dict[str, dict] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
            self.found[attributes["id"]] = {"tag": tag, "attrs": attributes, "text": ""}
            self._open.append(attributes["id"])
        elif self._open:
            self._open.append("")

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in self._open:
            if element_id:
                self.found[element_id]["text"] += data


def _elements(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    return parser


def _settings(app, **values):
    with app.app_context():
        institution = db.session.scalars(select(Institution)).one()
        for key, value in values.items():
            setattr(institution, key, value)
        db.session.commit()


def test_a11y_2_every_mandatory_id_occurs_exactly_once(client):
    response = client.get(STATEMENT)

    assert response.status_code == 200
    ids = _elements(response.get_data(as_text=True)).ids
    for element_id in MANDATORY:
        assert ids.count(element_id) == 1, element_id
    assert ids.count("a11y-ocena") == 1  # the demo lists content that is not accessible


def test_the_dates_are_valid_time_elements_taken_from_the_settings(app, client):
    _settings(
        app,
        accessibility_published_on=date(2025, 2, 3),
        accessibility_updated_on=date(2026, 4, 5),
        accessibility_prepared_on=date(2026, 4, 6),
        accessibility_reviewed_on=date(2026, 10, 7),
    )

    found = _elements(client.get(STATEMENT).get_data(as_text=True)).found

    expected = {
        "a11y-data-publikacja": "2025-02-03",
        "a11y-data-aktualizacja": "2026-04-05",
        "a11y-data-sporzadzenie": "2026-04-06",
        "a11y-data-przeglad": "2026-10-07",
    }
    for element_id, value in expected.items():
        assert found[element_id]["tag"] == "time"
        assert found[element_id]["attrs"]["datetime"] == value
        assert date.fromisoformat(found[element_id]["attrs"]["datetime"])
        assert found[element_id]["text"].strip()


def test_the_demo_statement_was_reviewed_within_a_year(app):
    with app.app_context():
        reviewed = db.session.scalars(select(Institution)).one().accessibility_reviewed_on
    assert reviewed is not None
    if (date.today() - reviewed).days > 365:
        # The act wants a review by 31 March every year: a reminder, not a failure.
        warnings.warn(f"the accessibility statement was last reviewed on {reviewed}", stacklevel=1)


def test_entity_address_contact_and_building_come_from_the_settings(app, client):
    _settings(
        app,
        parent_name="Miejski Ośrodek Testowy",
        accessibility_contact_name="Jan Dostępny",
        accessibility_contact_email="dostepnosc@test.example.org",
        accessibility_contact_phone="71 111 22 33",
        building_accessibility="Winda testowa przy wejściu od podwórza.",
        accessibility_exceptions="Mapa testowa nie ma opisu.",
    )

    page = client.get(STATEMENT).get_data(as_text=True)
    found = _elements(page).found

    assert found["a11y-podmiot"]["text"] == "Miejski Ośrodek Testowy"
    assert found["a11y-url"]["attrs"]["href"] == "http://localhost/"
    assert found["a11y-osoba"]["text"] == "Jan Dostępny"
    assert found["a11y-email"]["attrs"]["href"] == "mailto:dostepnosc@test.example.org"
    assert found["a11y-telefon"]["attrs"]["href"] == "tel:711112233"
    building = page.split('id="a11y-architektura"', 1)[1].split("<h2", 1)[0]
    assert "Winda testowa przy wejściu od podwórza." in building
    assert "Mapa testowa nie ma opisu." in found["a11y-ocena"]["text"]


def test_without_a_contact_of_its_own_the_statement_gives_the_institution_s(app, client):
    _settings(
        app,
        accessibility_contact_name="",
        accessibility_contact_email="",
        accessibility_contact_phone="",
        accessibility_exceptions="",
    )

    page = client.get(STATEMENT).get_data(as_text=True)
    found = _elements(page).found

    with app.app_context():
        institution = db.session.scalars(select(Institution)).one()
        assert found["a11y-email"]["attrs"]["href"] == f"mailto:{institution.email}"
        assert found["a11y-telefon"]["text"] == institution.phone
    assert "a11y-ocena" not in found


@pytest.mark.parametrize("status", ["full", "partial", "none"])
def test_each_compliance_status_says_something_different(app, client, status):
    texts = {}
    for each in ("full", "partial", "none"):
        _settings(app, accessibility_status=each)
        texts[each] = _elements(client.get(STATEMENT).get_data(as_text=True)).found["a11y-status"][
            "text"
        ]

    assert len(set(texts.values())) == 3
    assert texts[status].strip()


def test_the_statement_gives_the_other_ways_to_get_the_service(app, client):
    found = _elements(client.get(STATEMENT).get_data(as_text=True)).found

    with app.app_context():
        institution = db.session.scalars(select(Institution)).one()
        assert institution.phone in found["dostep-telefon"]["text"]
        assert institution.phone_hours in found["dostep-telefon"]["text"]
        assert institution.office_address in found["dostep-osobiscie"]["text"]
    assert found["dostep-pracownik-socjalny"]["text"].strip()
    assert found["alternatywny-dostep"]["tag"] == "h2"


def test_the_procedure_names_its_deadlines_and_the_ombudsman(client):
    page = client.get(STATEMENT).get_data(as_text=True)
    procedure = page.split('id="a11y-procedura"', 1)[1].split("<h2", 1)[0]

    assert re.search(r"\b7\b", procedure) and re.search(r"\b2\b", procedure)
    assert "Rzecznik Praw Obywatelskich" in procedure
    assert 'href="https://bip.brpo.gov.pl/"' in procedure


# --- Linked from every page ----------------------------------------------------------------

LINK = f'href="{STATEMENT}"'
META = f'<meta name="deklaracja-dostępności" content="http://localhost{STATEMENT}">'


def _public_pages(app, upload_folder) -> list[str]:
    with app.app_context():
        request = factories.make_request(upload_folder=str(upload_folder))
        token = request.access_token
    return [
        "/",
        "/zglos",
        f"/zgloszenie/{token}",
        f"/zgloszenie/{token}/potwierdzenie",
        f"/zgloszenie/{token}/anuluj",
        "/nie-mam-linku",
        "/ochrona-danych",
        STATEMENT,
        "/nie-ma-takiej-strony",
        "/zgloszenie/nie-ma-takiego-linku",
    ]


def test_every_public_page_links_to_the_statement_and_names_it_in_its_head(
    app, client, upload_folder
):
    for url in _public_pages(app, upload_folder):
        page = client.get(url).get_data(as_text=True)
        footer = page.split("<footer", 1)[1]
        assert LINK in footer, url
        assert META in page.split("</head>", 1)[0], url


def test_every_back_office_page_links_to_the_statement(app, client, accounts):
    with app.app_context():
        request_id = factories.make_request(status=Status.IN_PROGRESS).id
    login_page = client.get("/backoffice/logowanie").get_data(as_text=True)
    accounts.login_as("admin")
    urls = [
        "/backoffice/zgloszenia",
        f"/backoffice/zgloszenia/{request_id}",
        f"/backoffice/zgloszenia/{request_id}/edycja",
        f"/backoffice/zgloszenia/{request_id}/dane-osoby/usun",
        "/backoffice/zapisz-zgloszenie",
        "/backoffice/tablica",
        "/backoffice/raporty",
        "/backoffice/audyt",
        "/backoffice/konta",
        "/backoffice/grupy",
        "/backoffice/edycje",
        "/backoffice/poczta",
        "/backoffice/dane-historyczne",
        "/backoffice/konto",
        f"/backoffice/zgloszenia/{request_id}/realizacja",
        "/backoffice/raporty/podsumowanie",
    ]
    pages = {"/backoffice/logowanie": login_page}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)

    for url, page in pages.items():
        assert LINK in page.split("<footer", 1)[1], url
        assert META in page.split("</head>", 1)[0], url


# --- Settings ------------------------------------------------------------------------------


def _toml(tmp_path, body: str):
    path = tmp_path / "club.toml"
    path.write_text(
        '[institution]\nname = "Klub"\nshort_name = "Klub"\ncity = "Test"\n'
        'office_address = "ul. Testowa 1"\nphone = "71 000 00 00"\n' + body,
        encoding="utf-8",
    )
    return path


def test_dates_load_from_toml_dates_and_from_quoted_iso_dates(app, tmp_path):
    path = _toml(
        tmp_path,
        'accessibility_published_on = 2025-01-02\naccessibility_reviewed_on = "2026-03-04"\n',
    )

    with app.app_context():
        institution = load_institution(path)

        assert institution.accessibility_published_on == date(2025, 1, 2)
        assert institution.accessibility_reviewed_on == date(2026, 3, 4)


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ("accessibility_published_on = 2025-01-02T10:00:00", "without a time"),
        ('accessibility_published_on = "2 stycznia"', "must be a date"),
        ('accessibility_status = "mostly"', "accessibility_status"),
        ("retention_months = 0", "retention_months"),
        ('retention_months = "24"', "retention_months"),
        # Settings of an older version name where their content goes now.
        ('opening_hours = "pn–pt 8–16"', "office_hours"),
        ('workshop_address = "ul. Warsztatowa 1"', "each group's location"),
    ],
)
def test_settings_that_make_no_sense_are_refused_with_the_reason(app, tmp_path, line, complaint):
    path = _toml(tmp_path, line + "\n")

    with app.app_context(), pytest.raises(ValueError, match=complaint):
        load_institution(path)
