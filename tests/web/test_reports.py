"""The reports in the back office: who may see them, the period form, the page's queries,
the CSV and XLSX files read back cell by cell, the summary for the council, past totals."""

import csv
import io
import re
import secrets
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_babel import gettext
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal import services
from portal.backoffice.reports import period_title
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.domain.period import Period
from portal.extensions import db
from portal.models import (
    BaselineTotal,
    Channel,
    ConsentMethod,
    Gender,
    Outcome,
    ServiceRequest,
    Trainee,
    WorkEntry,
    WorkSession,
    utcnow,
)
from tests import factories

from .helpers import count_queries, csrf_from

STAFF = Actor(Role.STAFF)
REPORTS = "/backoffice/raporty"
# A category name with the letters a Polish file must keep.
SEWING = "Szycie – żakiety, płaszcze i spódnice"


def completed_job(code, completed_on, *, kind="senior", outcome=Outcome.DONE, name="Anna Kowalska"):
    fields = {}
    if kind == "institution":
        fields = {"channel": Channel.INSTITUTION, "institution_name": "DDP Złota Jesień"}
    elif kind == "assisted":
        fields = {"receives_assistance": True, "is_senior": False}
    request = factories.make_request(code=code, status=Status.IN_PROGRESS, name=name, **fields)
    factories.sent_on(request, completed_on)
    services.complete_job(
        request,
        STAFF,
        completed_on=completed_on,
        outcome=outcome,
        work_done="Wykonano" if outcome == Outcome.DONE else "",
        not_done_reason="Brak części" if outcome == Outcome.NOT_DONE else "",
    )
    return request


@pytest.fixture
def t(app):
    """Say a message as the page says it, so the tests hold once the catalogue is filled in."""

    def translate(message, **variables):
        with app.test_request_context():
            return gettext(message, **variables)

    return translate


@pytest.fixture
def staff(accounts):
    return accounts.login_as("staff")


@pytest.fixture
def admin(accounts):
    return accounts.login_as("admin")


@pytest.fixture
def season(app):
    """A small hand-counted 2026: four services, one not done, one declined, trainees at work."""
    with app.app_context():
        factories.category("tailoring").name = SEWING
        db.session.commit()
        edition = factories.edition(7, date(2026, 1, 1), date(2026, 6, 30))
        jobs = [
            completed_job("tailoring", date(2026, 1, 1), name="Janina Tajna"),
            completed_job("tailoring", date(2026, 3, 31), kind="assisted"),
            completed_job("upholstery", date(2026, 3, 15), kind="institution"),
            completed_job("renovation", date(2026, 6, 30)),
        ]
        completed_job("tailoring", date(2026, 2, 2), outcome=Outcome.NOT_DONE)
        factories.make_request(code="upholstery", status=Status.DECLINED)
        instructor = factories.user(Role.INSTRUCTOR)
        zofia = factories.trainee(
            "Zofia Trenująca", group_code="tailoring", edition_=edition, gender=Gender.FEMALE
        )
        adam = factories.trainee(
            "Adam Trenujący", group_code="renovation", edition_=edition, gender=Gender.MALE
        )
        factories.work_session(
            jobs[0], zofia, supervisor=instructor, hours="2.5", worked_on=date(2026, 1, 1)
        )
        factories.work_session(
            jobs[3], adam, supervisor=instructor, hours="3", worked_on=date(2026, 6, 30)
        )


# --- Access ---------------------------------------------------------------------------------


def test_staff_see_the_reports_and_find_them_in_the_menu(client, staff):
    response = client.get(REPORTS)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/backoffice/raporty"' in page
    assert "/backoffice/dane-historyczne" not in page  # past totals are the administrator's


@pytest.mark.parametrize(
    "url",
    [
        REPORTS,
        f"{REPORTS}/eksport.csv",
        f"{REPORTS}/eksport.xlsx",
        f"{REPORTS}/podsumowanie",
        "/backoffice/dane-historyczne",
    ],
)
def test_instructors_get_403_from_every_report(client, accounts, url):
    accounts.login_as("instructor", groups=["tailoring"])

    assert client.get(url).status_code == 403
    assert 'href="/backoffice/raporty"' not in client.get("/backoffice/zgloszenia").get_data(
        as_text=True
    )


def test_staff_cannot_change_past_totals(client, staff):
    assert client.get("/backoffice/dane-historyczne").status_code == 403


# --- The page ------------------------------------------------------------------------------


def _cells(page, table_id):
    """The rows of the table with this id, as lists of cell texts, its caption left out."""
    table = page.split(f'<table id="{table_id}"')[1].split("</table>")[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        for row in rows
    ]


def test_the_page_shows_the_hand_counted_totals_of_a_year(client, staff, season, t):
    page = client.get(REPORTS, query_string={"period": "year", "year": 2026}).get_data(as_text=True)

    assert _cells(page, "report-categories")[1:] == [
        [SEWING, "2", "0", "2"],
        ["Stolarstwo i tapicerstwo – naprawa mebli", "1", "0", "1"],
        ["Drobne remonty w mieszkaniu", "1", "0", "1"],
        [t("Total"), "4", "0", "4"],
    ]
    assert _cells(page, "report-requesters")[1:] == [
        [t("senior"), "2"],
        [t("receiving social assistance"), "1"],
        [t("for institutions: welfare centre units, city units, NGOs"), "1"],
        [t("Total"), "4"],
    ]
    notice = page.split('<p class="notice">')[1].split("</p>")[0]
    assert "1122" in notice  # the paper count the year cuts through, said to be left out


def test_the_page_names_trainees_with_their_hours_only_inside_the_back_office(
    client, staff, season, t
):
    page = client.get(REPORTS, query_string={"period": "half", "year": 2026, "half": 1}).get_data(
        as_text=True
    )

    assert _cells(page, "report-hours-trainees")[1:] == [
        ["Adam Trenujący", "Grupa remontowo-budowlana", "7", "3"],
        ["Zofia Trenująca", "Pracownia krawiecka", "7", "2,5"],
    ]
    assert _cells(page, "report-hours-groups")[1:] == [
        ["Grupa remontowo-budowlana", "1", "3"],
        ["Pracownia krawiecka", "1", "2,5"],
    ]
    assert _cells(page, "report-hours-editions")[1:] == [
        [t("Edition %(number)s", number=7), "2", "5,5"]
    ]
    assert _cells(page, "report-genders")[1:] == [
        [t("women"), "1"],
        [t("men"), "1"],
        [t("not given"), "0"],
        [t("Total"), "2"],
    ]
    assert _cells(page, "report-edition-table")[1:] == [
        [t("Edition %(number)s", number=7), "01.01.2026 – 30.06.2026", "2", "1", "1", "4"]
    ]


def test_the_chart_is_drawn_on_the_server_without_scripts_or_inline_styles(client, staff, season):
    page = client.get(REPORTS, query_string={"period": "year", "year": 2026}).get_data(as_text=True)

    chart = page.split('<svg class="chart__svg')[1].split("</svg>")[0]
    assert (
        'role="img"' in chart
        and '<title id="chart-title">' in chart
        and '<desc id="chart-desc">' in chart
    )
    assert chart.count("<rect x=") == 4  # January, March (two services), June
    assert f"Marzec 2026, {SEWING}: 1" in chart
    assert "style=" not in page and "<script>" not in page
    assert len(_cells(page, "report-month-table")) == 13


TODAY = services.local_today("Europe/Warsaw")


def test_over_a_long_period_the_chart_runs_from_the_first_to_the_last_month_with_services(
    client, staff, season
):
    page = client.get(REPORTS, query_string={"period": "since", "since": "2019-01-01"}).get_data(
        as_text=True
    )

    months = [row[0] for row in _cells(page, "report-month-table")[1:]]
    assert months == [
        "Styczeń 2026",
        "Luty 2026",
        "Marzec 2026",
        "Kwiecień 2026",
        "Maj 2026",
        "Czerwiec 2026",
    ]


@pytest.mark.parametrize(
    ("params", "period", "in_title"),
    [
        ({}, Period.year(TODAY.year), str(TODAY.year)),
        ({"period": "year", "year": "2025"}, Period.year(2025), "2025"),
        ({"period": "half", "year": "2026", "half": "2"}, Period.half(2026, 2), "2026"),
        ({"period": "quarter", "year": "2026", "quarter": "1"}, Period.quarter(2026, 1), "2026"),
        ({"period": "month", "year": "2026", "month": "3"}, Period.month(2026, 3), "Marzec 2026"),
        (
            {"period": "range", "date_from": "2026-03-31", "date_to": "2026-04-01"},
            Period.between(date(2026, 3, 31), date(2026, 4, 1)),
            "31 marca 2026",
        ),
        (
            {"period": "since", "since": "2019-01-01"},
            Period.since(date(2019, 1, 1), TODAY),
            "1 stycznia 2019",
        ),
    ],
)
def test_every_kind_of_period_can_be_chosen(app, client, staff, params, period, in_title):
    with app.test_request_context():
        title = period_title(period)

    page = client.get(REPORTS, query_string=params).get_data(as_text=True)

    assert in_title in title
    assert f'<h2 id="report-title">{title}</h2>' in page


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "range", "date_from": "2026-04-02", "date_to": "2026-04-01"}, "date_to"),
        ({"period": "range", "date_from": "2026-04-02", "date_to": ""}, "date_to"),
        ({"period": "range", "date_from": "wczoraj", "date_to": "2026-04-01"}, "date_from"),
        ({"period": "year", "year": "abc"}, "year"),
        ({"period": "year", "year": "1200"}, "year"),
        ({"period": "month", "year": "2026", "month": "13"}, "month"),
        ({"period": "since", "since": "2999-01-01"}, "since"),
        ({"period": "nonsense"}, "period"),
    ],
)
def test_a_period_that_cannot_be_is_explained_at_its_field_not_an_error(
    client, staff, params, field
):
    response = client.get(REPORTS, query_string=params)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="error-summary"' in page and f'id="{field}-error"' in page
    assert 'id="report-title"' not in page


def test_a_typo_in_a_field_the_period_does_not_use_is_ignored(client, staff):
    page = client.get(
        REPORTS, query_string={"period": "year", "year": "2026", "date_from": "x"}
    ).get_data(as_text=True)

    assert '<h2 id="report-title">' in page and 'id="error-summary"' not in page


def test_files_for_a_period_that_cannot_be_send_back_to_the_form(client, staff):
    response = client.get(
        f"{REPORTS}/eksport.csv",
        query_string={"period": "range", "date_from": "2026-05-01", "date_to": "2026-04-01"},
    )

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/backoffice/raporty?")


# --- A fixed number of queries ------------------------------------------------------------------


def bulk_completed(count, *, start=date(2026, 1, 1)):
    """Insert many completed services with trainees and hours at once, across the year."""
    categories = [factories.category(code) for code in ("tailoring", "upholstery", "renovation")]
    groups = [factories.group_for(code) for code in ("tailoring", "upholstery", "renovation")]
    edition = factories.edition(None, date(2026, 1, 1), date(2026, 12, 31))
    supervisor = factories.user(Role.INSTRUCTOR)
    trainees = [
        Trainee(
            name=f"Uczestnik {secrets.token_hex(3)}",
            edition=edition,
            group=groups[n % 3],
            gender=[Gender.FEMALE, Gender.MALE, None][n % 3],
        )
        for n in range(max(1, count // 5))
    ]
    db.session.add_all(trainees)
    now = utcnow()
    for number in range(count):
        request = ServiceRequest(
            reference=f"KR/2026/{secrets.token_hex(4)}",
            access_token=secrets.token_urlsafe(24),
            status=Status.COMPLETED,
            outcome=Outcome.DONE,
            completed_on=start + timedelta(days=number % 330),
            edition=edition,
            category_id=categories[number % 3].id,
            channel=Channel.INSTITUTION if number % 7 == 0 else Channel.ONLINE,
            receives_assistance=number % 2 == 0,
            description="Naprawa",
            name=f"Osoba {number}",
            phone="600 000 000",
            phone_digits="600000000",
            consent_at=now,
            consent_version="1",
            consent_method=ConsentMethod.ONLINE,
            created_at=now,
        )
        request.work_sessions.append(
            WorkSession(
                worked_on=request.completed_on,
                description="Praca",
                supervisor=supervisor,
                entries=[WorkEntry(trainee=trainees[number % len(trainees)], hours=Decimal("1.5"))],
            )
        )
        db.session.add(request)
    db.session.commit()


@pytest.mark.parametrize(
    "url",
    [
        f"{REPORTS}?period=year&year=2026",
        f"{REPORTS}?period=since&since=2019-01-01",
        f"{REPORTS}/eksport.csv?period=year&year=2026",
        f"{REPORTS}/eksport.xlsx?period=year&year=2026",
        f"{REPORTS}/podsumowanie?period=year&year=2026",
    ],
)
def test_the_reports_issue_the_same_number_of_queries_for_5_and_200_services(
    app, client, staff, url
):
    with app.app_context():
        bulk_completed(5)
    few = count_queries(app, client, url)

    with app.app_context():
        bulk_completed(195, start=date(2026, 2, 1))
        assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == 200
    many = count_queries(app, client, url)

    assert few == many
    # The user, the institution, the first paper count, and the report's own: its grouped
    # figures, the categories, reasons and projects they are laid out by (one more query
    # for a period over several years).
    assert many <= 24, many


# --- The files ----------------------------------------------------------------------------


def _csv_rows(response):
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM that tells Excel it is UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def _section(rows, title):
    start = rows.index([title])
    end = rows.index([], start) if [] in rows[start:] else len(rows)
    return rows[start + 1 : end]


def test_the_csv_file_reads_back_cell_by_cell(app, client, staff, season, t):
    response = client.get(
        f"{REPORTS}/eksport.csv", query_string={"period": "half", "year": 2026, "half": 1}
    )

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="raport-2026-01-01-2026-06-30.csv"'
    )
    rows = _csv_rows(response)
    with app.test_request_context():
        title = period_title(Period.half(2026, 1))
    summary = _section(rows, t("Service totals"))
    assert summary[0] == [t("Item"), t("Value")]
    assert summary[1] == [t("Institution"), "Klub Integracji Społecznej – Centrum RE-Start"]
    assert summary[2:5] == [
        [t("Period"), title],
        [t("From"), "2026-01-01"],
        [t("To"), "2026-06-30"],
    ]
    assert summary[5][0] == t("Summary")
    for phrase in (
        "2 usługi krawieckie",
        "1 usługa stolarsko-tapicerska",
        "1 usługa remontowo-budowlana",
    ):
        assert phrase in summary[5][1]
    assert _section(rows, t("Services by category")) == [
        [t("Service"), t("Recorded in the portal"), t("Counted before the portal"), t("Total")],
        [SEWING, "2", "0", "2"],
        ["Stolarstwo i tapicerstwo – naprawa mebli", "1", "0", "1"],
        ["Drobne remonty w mieszkaniu", "1", "0", "1"],
        [t("Total"), "4", "0", "4"],
    ]
    assert _section(rows, t("Services by requester"))[1:] == [
        ["osoba w wieku 60+", "2"],
        ["osoba korzystająca z pomocy społecznej", "1"],
        ["instytucja", "1"],
        [t("not recorded (counted before the portal)"), "0"],
        [t("Total"), "4"],
    ]
    months = _section(rows, t("Services per month"))
    assert months[0] == [
        t("Month"),
        SEWING,
        "Stolarstwo i tapicerstwo – naprawa mebli",
        "Drobne remonty w mieszkaniu",
        t("Total"),
    ]
    assert months[1:] == [
        ["Styczeń 2026", "1", "0", "0", "1"],
        ["Luty 2026", "0", "0", "0", "0"],
        ["Marzec 2026", "1", "1", "0", "2"],
        ["Kwiecień 2026", "0", "0", "0", "0"],
        ["Maj 2026", "0", "0", "0", "0"],
        ["Czerwiec 2026", "0", "0", "1", "1"],
    ]
    edition = t("Edition %(number)s", number=7)
    assert _section(rows, t("Services by programme edition"))[1:] == [
        [edition, "2026-01-01", "2026-06-30", "2", "1", "1", "4"]
    ]
    assert _section(rows, t("Trainee hours by workshop group"))[1:] == [
        ["Grupa remontowo-budowlana", "1", "3"],
        ["Pracownia krawiecka", "1", "2,5"],
    ]
    assert _section(rows, t("Trainee hours by programme edition"))[1:] == [[edition, "2", "5,5"]]
    assert _section(rows, t("Trainees by gender"))[1:] == [
        [t("women"), "1"],
        [t("men"), "1"],
        [t("not given"), "0"],
        [t("Total"), "2"],
    ]


def test_the_files_hold_no_names_of_residents_or_trainees(client, staff, season):
    csv_text = client.get(f"{REPORTS}/eksport.csv?period=year&year=2026").data.decode("utf-8-sig")
    workbook = load_workbook(
        io.BytesIO(client.get(f"{REPORTS}/eksport.xlsx?period=year&year=2026").data)
    )
    xlsx_text = " ".join(
        str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row
    )

    for text in (csv_text, xlsx_text):
        for name in ("Janina Tajna", "Anna Kowalska", "Zofia", "Adam", "DDP Złota Jesień", "600"):
            assert name not in text


def test_the_xlsx_file_reads_back_cell_by_cell(app, client, staff, season, t):
    response = client.get(
        f"{REPORTS}/eksport.xlsx", query_string={"period": "quarter", "year": 2026, "quarter": 1}
    )

    assert (
        response.headers["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="raport-2026-01-01-2026-03-31.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(response.data))
    assert len(workbook.sheetnames) == 15 and workbook.sheetnames[0] == t("Service totals")[:31]
    summary = workbook.worksheets[0]
    assert summary["A1"].value == t("Service totals")
    assert [summary["A3"].value, summary["B3"].value] == [
        t("Institution"),
        "Klub Integracji Społecznej – Centrum RE-Start",
    ]
    assert summary["B5"].value.date() == date(2026, 1, 1) and summary["B6"].value.date() == date(
        2026, 3, 31
    )
    assert "2 usługi krawieckie, 1 usługa stolarsko-tapicerska" in summary["B7"].value
    categories = [
        list(row) for row in workbook.worksheets[1].iter_rows(min_row=1, values_only=True)
    ]
    assert categories == [
        [t("Services by category"), None, None, None],
        [t("Service"), t("Recorded in the portal"), t("Counted before the portal"), t("Total")],
        [SEWING, 2, 0, 2],
        ["Stolarstwo i tapicerstwo – naprawa mebli", 1, 0, 1],
        ["Drobne remonty w mieszkaniu", 0, 0, 0],
        [t("Total"), 3, 0, 3],
    ]
    months = [list(row) for row in workbook.worksheets[3].iter_rows(min_row=2, values_only=True)]
    assert months == [
        [
            t("Month"),
            SEWING,
            "Stolarstwo i tapicerstwo – naprawa mebli",
            "Drobne remonty w mieszkaniu",
            t("Total"),
        ],
        ["Styczeń 2026", 1, 0, 0, 1],
        ["Luty 2026", 0, 0, 0, 0],
        ["Marzec 2026", 1, 1, 0, 2],
    ]
    hours = [list(row) for row in workbook.worksheets[5].iter_rows(min_row=3, values_only=True)]
    assert hours == [["Pracownia krawiecka", 1, 2.5]]
    assert workbook.worksheets[5]["C3"].number_format == "0.00"


def test_the_opole_files_say_usług_krawieckich_in_polish(client, staff, t):
    params = {"period": "range", "date_from": "2019-01-01", "date_to": "2026-03-31"}

    rows = _csv_rows(client.get(f"{REPORTS}/eksport.csv", query_string=params))
    workbook = load_workbook(
        io.BytesIO(client.get(f"{REPORTS}/eksport.xlsx", query_string=params).data)
    )

    sentence = dict(_section(rows, t("Service totals"))[1:])[t("Summary")]
    assert "1122" in sentence and "686 usług krawieckich" in sentence
    assert (
        "333 usługi stolarsko-tapicerskie" in sentence
        and "103 usługi remontowo-budowlane" in sentence
    )
    assert re.search(r"\b57\b", sentence.split("103 usługi remontowo-budowlane")[1])
    assert workbook.worksheets[0]["B7"].value == sentence
    requesters = _section(rows, t("Services by requester"))
    assert [t("not recorded (counted before the portal)"), "1065"] in requesters
    assert ["instytucja", "57"] in requesters
    assert [t("Total"), "1122"] in requesters


# --- The summary for the council ------------------------------------------------------------


def test_the_summary_for_the_council_states_the_opole_cumulative_total(client, staff):
    response = client.get(
        f"{REPORTS}/podsumowanie", query_string={"period": "since", "since": "2019-01-01"}
    )

    page = response.get_data(as_text=True)
    sentence = page.split('<p class="council-summary__sentence">')[1].split("</p>")[0]
    assert response.status_code == 200
    assert "1122" in sentence
    assert "686 usług krawieckich" in sentence
    assert "333 usługi stolarsko-tapicerskie" in sentence
    assert "103 usługi remontowo-budowlane" in sentence
    assert re.search(r"\b57\b", sentence.split("103 usługi remontowo-budowlane")[1])
    assert "Klub Integracji Społecznej – Centrum RE-Start" in page
    assert "style=" not in page


def test_the_report_page_links_to_the_summary_and_files_of_the_same_period(client, staff):
    page = client.get(
        REPORTS, query_string={"period": "quarter", "year": 2026, "quarter": 2}
    ).get_data(as_text=True)

    for endpoint in ("podsumowanie", "eksport.csv", "eksport.xlsx"):
        link = re.search(rf'href="/backoffice/raporty/{re.escape(endpoint)}\?([^"]+)"', page).group(
            1
        )
        assert sorted(link.replace("&amp;", "&").split("&")) == [
            "period=quarter",
            "quarter=2",
            "year=2026",
        ]


def test_the_summary_counts_women_and_men_of_the_period(client, staff, season):
    page = client.get(f"{REPORTS}/podsumowanie?period=year&year=2026").get_data(as_text=True)

    assert "W programie uczestniczyły 2 osoby (w tym 1 kobieta i 1 mężczyzna)." in page


# --- Past totals --------------------------------------------------------------------------------


def _baseline_post(client, **fields):
    data = {
        "csrf_token": csrf_from(client, "/backoffice/dane-historyczne"),
        "starts_on": "2018-01-01",
        "ends_on": "2018-12-31",
        "category_id": "",
        "requester_kind": "",
        "services": "40",
        "note": "Zeszyt warsztatu, 2018 r.",
    }
    data.update(fields)
    return client.post("/backoffice/dane-historyczne", data=data)


def test_the_administrator_sees_the_demo_past_totals(client, admin):
    page = client.get("/backoffice/dane-historyczne").get_data(as_text=True)

    assert 'href="/backoffice/dane-historyczne" aria-current="page"' in page
    for number in ("333", "103", "686", "57"):
        assert f'<td class="num">{number}</td>' in page
    assert "PS.ZD-000089/26" in page


def test_the_administrator_adds_a_past_total_and_the_cumulative_report_counts_it(
    app, client, admin
):
    with app.app_context():
        tailoring = factories.category("tailoring").id

    response = _baseline_post(client, category_id=str(tailoring), requester_kind="senior")

    assert response.status_code == 303
    page = client.get(f"{REPORTS}/podsumowanie?period=since&since=2018-01-01").get_data(
        as_text=True
    )
    assert "1162" in page and "726 usług krawieckich" in page


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_on": "2017-12-31"}, "ends_on"),
        ({"ends_on": "2999-12-31"}, "ends_on"),
        ({"starts_on": ""}, "starts_on"),
        ({"services": "-3"}, "services"),
        ({"services": "dużo"}, "services"),
        ({"category_id": "", "requester_kind": ""}, "category_id"),
        ({"requester_kind": "alien"}, "requester_kind"),
    ],
)
def test_a_past_total_that_cannot_be_is_refused_at_its_field(app, client, admin, fields, field):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(BaselineTotal))
    if "category_id" not in fields:
        with app.app_context():
            fields = {"category_id": str(factories.category("upholstery").id), **fields}

    response = _baseline_post(client, **fields)

    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BaselineTotal)) == before


def test_the_administrator_deletes_a_past_total_with_the_form_token_only(app, client, admin):
    with app.app_context():
        row_id = db.session.scalars(
            select(BaselineTotal.id).where(BaselineTotal.services == 57)
        ).one()
    url = f"/backoffice/dane-historyczne/{row_id}/usun"

    assert client.post(url).status_code == 400
    response = client.post(
        url, data={"csrf_token": csrf_from(client, "/backoffice/dane-historyczne")}
    )

    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(BaselineTotal, row_id) is None
    assert (
        client.post(
            url, data={"csrf_token": csrf_from(client, "/backoffice/dane-historyczne")}
        ).status_code
        == 404
    )


def test_a_name_that_looks_like_a_formula_stays_text_in_the_files(app, client, staff):
    with app.app_context():
        factories.category("renovation").name = '=HYPERLINK("http://example.org","x")'
        db.session.commit()

    rows = _csv_rows(client.get(f"{REPORTS}/eksport.csv"))
    workbook = load_workbook(io.BytesIO(client.get(f"{REPORTS}/eksport.xlsx").data))

    assert ['\'=HYPERLINK("http://example.org","x")', "0", "0", "0"] in rows
    cell = workbook.worksheets[1]["A5"]
    assert cell.data_type == "s" and cell.value.startswith("'=")
