"""The anonymised list of completed jobs: who may download it, the CSV and XLSX read back
cell by cell, no trace of a resident or a trainee in any cell, the audit entry, and one
query for the list whatever its length."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from flask_babel import gettext
from openpyxl import load_workbook
from sqlalchemy import select

from portal import services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.labels import REQUESTER_KIND_LABELS
from portal.models import (
    AuditEntry,
    Channel,
    ConsentMethod,
    NotDoneReason,
    Outcome,
    Project,
    ServiceRequest,
    WorkEntry,
    WorkSession,
    utcnow,
)
from tests import factories

from .helpers import count_queries

STAFF = Actor(Role.STAFF)
LIST = "/backoffice/raporty/lista-zlecen"
FIRST_HALF = {"period": "half", "year": 2026, "half": 1}
TAILORING = "Usługi krawieckie"
PROJECT = "Festyn „Łódź na ludowo”"
REASON = "Brak części zamiennych"

# Everything that says who a job was for, for each resident of the fixture.
RESIDENTS = {
    "done": {
        "name": "Janina Tajna",
        "phone": "600 111 222",
        "email": "janina.tajna@example.org",
        "address": "ul. Ozimska 10/2, Opole",
        "description": "Skrócić zielony płaszcz o 5 cm",
        "receives_assistance": True,
        "is_senior": False,
    },
    "listed_reason": {
        "name": "Bogdan Sekretny",
        "phone": "601 333 444",
        "email": "bogdan.sekretny@example.org",
        "address": "ul. Krakowska 3, Opole",
        "description": "Naprawić nogę krzesła po dziadku",
    },
    "other_reason": {
        "name": "Celina Ukryta",
        "phone": "602 555 666",
        "email": "celina.ukryta@example.org",
        "address": "ul. Łąkowa 7/1, Łódź",
        "description": "Pomalować przedpokój w kolorze żółtym",
        "channel": Channel.INSTITUTION,
        "institution_name": "Dom Dziennego Pobytu „Wrzos”",
        "institution_contact": "Irena Kontaktowa, 77 444 55 66",
    },
    "project": {
        "name": "Dorota Poufna",
        "phone": "603 777 888",
        "email": "dorota.poufna@example.org",
        "address": "ul. Piastowska 1, Opole",
        "description": "Uszyć fartuchy dla grupy teatralnej",
    },
    "same_day": {
        "name": "Henryk Skryty",
        "phone": "604 999 000",
        "email": "henryk.skryty@example.org",
        "address": "ul. Reymonta 5, Opole",
        "description": "Wymienić zamek w kurtce zimowej",
    },
    "before": {
        "name": "Edward Wcześniejszy",
        "phone": "605 121 212",
        "email": "edward.wczesniejszy@example.org",
        "address": "ul. Ozimska 99, Opole",
        "description": "Zszyć rozdarty rękaw marynarki",
    },
    "after": {
        "name": "Felicja Późniejsza",
        "phone": "606 343 434",
        "email": "felicja.pozniejsza@example.org",
        "address": "ul. Damrota 8, Opole",
        "description": "Odnowić blat stolika nocnego",
    },
    "open": {
        "name": "Grażyna Otwarta",
        "phone": "607 565 656",
        "email": "grazyna.otwarta@example.org",
        "address": "ul. Katowicka 4, Opole",
        "description": "Przerobić spódnicę na krótszą",
    },
}
TRAINEES = ("Zofia Trenująca", "Adam Trenujący")


@pytest.fixture
def t(app):
    """Say a message as the file says it, so the tests hold once the catalogue is filled in."""

    def translate(message, **variables):
        with app.test_request_context():
            return gettext(message, **variables)

    return translate


@pytest.fixture
def staff(accounts):
    return accounts.login_as("staff")


def _request(key, code, *, sent_at=None, sent_on=None, status=Status.IN_PROGRESS):
    fields = dict(RESIDENTS[key])
    request = factories.make_request(code=code, status=status, **fields)
    if sent_at is not None:  # a UTC moment, as stored
        request.created_at = request.consent_at = sent_at
        db.session.commit()
    if sent_on is not None:
        factories.sent_on(request, sent_on)
    return request


def _complete(
    request, completed_on, outcome=Outcome.DONE, *, work_done="", reason_text="", reason_id=None
):
    services.complete_job(
        request,
        STAFF,
        completed_on=completed_on,
        outcome=outcome,
        work_done=work_done,
        not_done_reason=reason_text,
        not_done_reason_id=reason_id,
    )


@pytest.fixture
def jobs(app):
    """Completed jobs of the first half of 2026 and around its edges; their references."""
    with app.app_context():
        factories.category("tailoring").name = TAILORING
        reason = NotDoneReason(label=REASON, position=99)
        project = Project(name=PROJECT)
        db.session.add_all([reason, project])
        db.session.commit()
        supervisor = factories.user(Role.INSTRUCTOR)
        edition = factories.edition(None, date(2026, 1, 1), date(2026, 6, 30))
        zofia, adam = (factories.trainee(name, edition_=edition) for name in TRAINEES)

        # Sent at 23:30 UTC on New Year's Eve: in Warsaw already the first of January.
        done = _request("done", "tailoring", sent_at=datetime(2025, 12, 31, 23, 30))
        _complete(done, date(2026, 1, 1), work_done="Skrócono płaszcz i wymieniono zamek")
        factories.work_session(
            done, zofia, supervisor=supervisor, hours="2.5", worked_on=date(2026, 1, 1)
        )
        factories.work_session(
            done, adam, supervisor=supervisor, hours="3", worked_on=date(2026, 1, 1)
        )

        listed = _request("listed_reason", "upholstery", sent_on=date(2026, 2, 2))
        _complete(
            listed,
            date(2026, 2, 10),
            Outcome.NOT_DONE,
            reason_id=reason.id,
            # Staff may add a line naming the person: it stays in the back office.
            reason_text="Pan Bogdan Sekretny nie ma już tych części",
        )

        other = _request("other_reason", "renovation", sent_on=date(2026, 3, 1))
        _complete(
            other,
            date(2026, 3, 15),
            Outcome.NOT_DONE,
            reason_text="Celina Ukryta wyjechała do córki, tel. 602 555 666",
        )

        same_day = _request("same_day", "tailoring", sent_on=date(2026, 6, 1))
        with_project = _request("project", "tailoring", sent_on=date(2026, 6, 2))
        _complete(with_project, date(2026, 6, 30), work_done="Uszyto 12 fartuchów na festyn")
        services.set_project(with_project, project.id, STAFF)
        factories.work_session(
            with_project, zofia, supervisor=supervisor, hours="4", worked_on=date(2026, 6, 29)
        )
        _complete(same_day, date(2026, 6, 30), work_done="Wymieniono zamek")

        before = _request("before", "tailoring", sent_on=date(2025, 12, 20))
        _complete(before, date(2025, 12, 31), work_done="Zszyto rękaw")
        after = _request("after", "upholstery", sent_on=date(2026, 6, 20))
        _complete(after, date(2026, 7, 1), work_done="Odnowiono blat")
        _request("open", "tailoring", sent_on=date(2026, 3, 3))
        return {
            "done": done.reference,
            "listed_reason": listed.reference,
            "other_reason": other.reference,
            "same_day": same_day.reference,
            "project": with_project.reference,
        }


def _expected_rows(jobs, t) -> list[list]:
    """The list as a person would write it down: dates, words and hours of each job."""
    return [
        [
            jobs["done"],
            TAILORING,
            "Pracownia krawiecka",
            date(2026, 1, 1),
            date(2026, 1, 1),
            t("done"),
            "",
            "",
            "Skrócono płaszcz i wymieniono zamek",
            Decimal("5.5"),
        ],
        [
            jobs["listed_reason"],
            "Stolarstwo i tapicerstwo – naprawa mebli",
            "Pracownia stolarsko-tapicerska",
            date(2026, 2, 2),
            date(2026, 2, 10),
            t("could not be done"),
            REASON,
            "",
            "",
            Decimal(0),
        ],
        [
            jobs["other_reason"],
            "Drobne remonty w mieszkaniu",
            "Grupa remontowo-budowlana",
            date(2026, 3, 1),
            date(2026, 3, 15),
            t("could not be done"),
            t("other reason"),
            "",
            "",
            Decimal(0),
        ],
        # Two jobs of the same day, in the order of their references.
        *sorted(
            [
                [
                    jobs["project"],
                    TAILORING,
                    "Pracownia krawiecka",
                    date(2026, 6, 2),
                    date(2026, 6, 30),
                    t("done"),
                    "",
                    PROJECT,
                    "Uszyto 12 fartuchów na festyn",
                    Decimal(4),
                ],
                [
                    jobs["same_day"],
                    TAILORING,
                    "Pracownia krawiecka",
                    date(2026, 6, 1),
                    date(2026, 6, 30),
                    t("done"),
                    "",
                    "",
                    "Wymieniono zamek",
                    Decimal(0),
                ],
            ]
        ),
    ]


def _header(t) -> list[str]:
    return [
        t("Request number"),
        t("Service"),
        t("Workshop group"),
        t("Sent"),
        t("Completed on"),
        t("Outcome"),
        t("Why it could not be done"),
        t("Project or event"),
        t("What was done"),
        t("Trainees' hours"),
    ]


def _csv_rows(response) -> list[list[str]]:
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM that tells Excel it is UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def _xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- Who may download it -------------------------------------------------------------------


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_and_administrators_download_the_list(client, accounts, role, extension):
    accounts.login_as(role)

    response = client.get(f"{LIST}.{extension}", query_string=FIRST_HALF)

    assert response.status_code == 200


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_an_instructor_gets_403(client, accounts, extension):
    accounts.login_as("instructor", groups=["tailoring"])

    assert client.get(f"{LIST}.{extension}", query_string=FIRST_HALF).status_code == 403


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, extension):
    response = client.get(f"{LIST}.{extension}", query_string=FIRST_HALF)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/backoffice/logowanie")


def test_a_period_that_cannot_be_sends_back_to_the_reports_form(client, staff):
    response = client.get(
        f"{LIST}.csv",
        query_string={"period": "range", "date_from": "2026-05-01", "date_to": "2026-04-01"},
    )

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/backoffice/raporty?")


# --- The files, cell by cell ------------------------------------------------------------------


def test_the_csv_file_reads_back_cell_by_cell(client, staff, jobs, t):
    response = client.get(f"{LIST}.csv", query_string=FIRST_HALF)

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="lista-zlecen-2026-01-01-2026-06-30.csv"'
    )
    as_written = [
        [
            value.isoformat()
            if isinstance(value, date)
            else str(value).replace(".", ",")
            if isinstance(value, Decimal)
            else value
            for value in row
        ]
        for row in _expected_rows(jobs, t)
    ]
    assert _csv_rows(response) == [[t("Completed jobs")], _header(t), *as_written]


def test_the_xlsx_file_reads_back_cell_by_cell(client, staff, jobs, t):
    response = client.get(f"{LIST}.xlsx", query_string=FIRST_HALF)

    assert (
        response.headers["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="lista-zlecen-2026-01-01-2026-06-30.xlsx"'
    )
    rows = _xlsx_rows(response)
    assert rows[0] == [t("Completed jobs")] + [None] * 9
    assert rows[1] == _header(t)
    expected = [
        [
            datetime.combine(value, datetime.min.time())
            if isinstance(value, date)
            else float(value)
            if isinstance(value, Decimal)
            else value
            for value in row
        ]
        for row in _expected_rows(jobs, t)
    ]
    # Empty text cells read back as None.
    assert [[value if value != "" else None for value in row] for row in expected] == rows[2:]
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert sheet["D3"].is_date and sheet["E3"].number_format == "yyyy-mm-dd"
    assert sheet["J3"].data_type == "n" and sheet["J3"].number_format == "0.00"


def test_a_period_without_completed_jobs_gives_the_header_alone(client, staff, jobs, t):
    query = {"period": "month", "year": 2026, "month": 5}

    rows = _csv_rows(client.get(f"{LIST}.csv", query_string=query))

    assert rows == [[t("Completed jobs")], _header(t)]


def test_no_cell_of_either_file_says_who_a_job_was_for(client, staff, jobs, t):
    cells = [
        cell
        for row in _csv_rows(client.get(f"{LIST}.csv", query_string=FIRST_HALF))
        for cell in row
    ]
    cells += [
        str(cell)
        for row in _xlsx_rows(client.get(f"{LIST}.xlsx", query_string=FIRST_HALF))
        for cell in row
        if cell is not None
    ]
    secrets_ = [
        value
        for resident in RESIDENTS.values()
        for key, value in resident.items()
        if key
        in (
            "name",
            "phone",
            "email",
            "address",
            "description",
            "institution_name",
            "institution_contact",
        )
    ]
    secrets_ += [part for resident in RESIDENTS.values() for part in resident["name"].split()]
    secrets_ += [resident["phone"].replace(" ", "") for resident in RESIDENTS.values()]
    secrets_ += list(TRAINEES) + [part for name in TRAINEES for part in name.split()]
    secrets_ += ["Sekretny", "Ukryta", "córki"]  # the free texts of why a job was not done
    secrets_ += [t(str(label)) for label in REQUESTER_KIND_LABELS.values()]
    secrets_ += ["pomoc", "społeczn", "senior"]

    assert len(cells) > 50
    found = [
        (secret, cell) for cell in cells for secret in secrets_ if secret.lower() in cell.lower()
    ]
    assert found == []


# --- The audit trail ------------------------------------------------------------------------


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_each_download_is_recorded_in_the_audit_trail(app, client, staff, extension):
    client.get(f"{LIST}.{extension}", query_string=FIRST_HALF)

    with app.app_context():
        entries = [
            (entry.actor_id, entry.action, entry.request_id, entry.detail)
            for entry in db.session.scalars(select(AuditEntry))
        ]
    assert entries == [
        (staff, "export_job_list", None, f"lista-zlecen-2026-01-01-2026-06-30.{extension}")
    ]


def test_the_audit_page_names_the_download_in_polish(app, client, accounts, t):
    accounts.login_as("admin")
    client.get(f"{LIST}.csv", query_string=FIRST_HALF)

    page = client.get("/backoffice/audyt").get_data(as_text=True)

    label = t("Exported the list of completed jobs (without personal data)")
    entries = page.split('id="audit-entries"', 1)[1]
    assert f"<td>{label}</td>" in entries
    assert "export_job_list" not in entries


# --- A fixed number of queries ----------------------------------------------------------------


def _bulk_jobs(count: int, *, start: date) -> None:
    """Insert many completed jobs at once: done with hours, not done, with a project."""
    categories = [factories.category(code) for code in ("tailoring", "upholstery", "renovation")]
    groups = [factories.group_for(code) for code in ("tailoring", "upholstery", "renovation")]
    reason = NotDoneReason(label=f"Powód {secrets.token_hex(3)}")
    project = Project(name=f"Akcja {secrets.token_hex(3)}")
    supervisor = factories.user(Role.INSTRUCTOR)
    trainee = factories.trainee(f"Uczestnik {secrets.token_hex(3)}")
    db.session.add_all([reason, project])
    now = utcnow()
    for number in range(count):
        done = number % 3 != 0
        request = ServiceRequest(
            reference=f"KR/2026/{secrets.token_hex(4)}",
            access_token=secrets.token_urlsafe(24),
            status=Status.COMPLETED,
            outcome=Outcome.DONE if done else Outcome.NOT_DONE,
            completed_on=start + timedelta(days=number % 150),
            category_id=categories[number % 3].id,
            group_id=groups[number % 3].id,
            work_done="Naprawiono" if done else None,
            not_done_reason=None if done else "Opis",
            not_done_reason_choice=None if done or number % 2 else reason,
            project=project if number % 5 == 0 else None,
            description="Naprawa",
            name=f"Osoba {number}",
            phone="600 000 000",
            phone_digits="600000000",
            consent_at=now,
            consent_version="1",
            consent_method=ConsentMethod.ONLINE,
            created_at=now - timedelta(days=400),
        )
        request.work_sessions.append(
            WorkSession(
                worked_on=request.completed_on,
                description="Praca",
                supervisor=supervisor,
                entries=[WorkEntry(trainee=trainee, hours=Decimal("1.5"))],
            )
        )
        db.session.add(request)
    db.session.commit()


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_list_costs_the_same_queries_for_5_and_200_jobs(app, client, staff, extension):
    url = f"{LIST}.{extension}?period=year&year=2026"
    with app.app_context():
        _bulk_jobs(5, start=date(2026, 1, 1))
    few = count_queries(app, client, url)

    with app.app_context():
        _bulk_jobs(195, start=date(2026, 2, 1))
    many = count_queries(app, client, url)

    assert few == many
    # The user and their session, the first paper count (the period form's default), the
    # list itself, and the audit entry.
    assert many <= 5, many
