"""The strategy's indicators in the back office: who may see the table and keep the
indicators, the table of a year as the strategy report lays it out, its XLSX read back cell by
cell and audited, the administrator's forms with their messages at the field, and a page
that costs the same number of queries for one indicator or eight."""

import html
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from flask_babel import gettext
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal import services
from portal.audit import AuditAction
from portal.domain.actor import Actor
from portal.domain.indicators import Figure
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import AuditEntry, Indicator, IndicatorValue, Outcome
from portal.services import indicators as indicator_services
from tests import factories

from .helpers import count_queries, csrf_from

TABLE = "/backoffice/wskazniki"
EXPORT = "/backoffice/wskazniki/eksport.xlsx"
SETTINGS = "/backoffice/wskazniki/ustawienia"
UNEMPLOYED = "Przeciwdziałanie alienacji osób bezrobotnych"
RESTART = "Centrum RE-Start – trening pracy"


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


def _indicator_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Indicator.id).where(Indicator.name == name)).one()


def _cells(page: str, table_id: str) -> list[list[str]]:
    """The rows of the table with this id, as lists of cell texts, its caption left out."""
    table = page.split(f'<table id="{table_id}"')[1].split("</table>")[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)
    return [
        [
            re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", cell))).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        for row in rows
    ]


# --- Access ------------------------------------------------------------------------------------


def test_staff_see_the_table_but_not_the_settings(client, staff):
    page = client.get(TABLE).get_data(as_text=True)

    assert 'id="indicators-table"' in page
    assert SETTINGS not in page
    assert client.get(SETTINGS).status_code == 403


@pytest.mark.parametrize(
    "url", [TABLE, f"{TABLE}?year=2018", f"{EXPORT}?year=2018", SETTINGS, f"{SETTINGS}/1"]
)
def test_instructors_are_refused_as_for_the_reports(app, client, accounts, url):
    accounts.login_as("instructor", groups=["tailoring"])

    assert client.get(url).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_missing_indicator_is_not_found(client, admin):
    assert client.get(f"{SETTINGS}/999999").status_code == 404


# --- The table ---------------------------------------------------------------------------------


def test_the_2018_table_has_each_action_once_and_the_plan_against_the_realised(client, staff, t):
    page = client.get(TABLE, query_string={"year": 2018}).get_data(as_text=True)

    rows = _cells(page, "indicators-table")
    services_done = t("from the portal: %(figure)s", figure=t("services done"))
    assert rows[0] == [
        t("Indicator name"),
        t("Unit of measure"),
        t("Planned value"),
        t("Realised value"),
        t("%(sign)s of the plan", sign="%"),
        t("Notes"),
    ]
    assert rows[1:7] == [
        [UNEMPLOYED],
        ["Realizacja prac społecznie użytecznych", "Liczba osób", "71", "26", "37 %", ""],
        ["Program Aktywizacja i Integracja", "Liczba osób", "17", "20", "118 %", ""],
        ["Program zatrudnienia dłużników czynszowych", "Liczba osób", "7", "9", "129 %", ""],
        [
            "Osoby, które podjęły zatrudnienie na otwartym rynku pracy",
            "Liczba osób",
            "",
            "16",
            "",
            "Ponadto 2 osoby realizowały staż zawodowy.",
        ],
        [RESTART],
    ]
    assert [
        "Bezpłatne usługi wykonane w pracowniach",
        "Liczba usług",
        "",
        "0",
        "",
        services_done,
    ] in rows
    assert page.count(f">{UNEMPLOYED}<") == 1 and page.count(f">{RESTART}<") == 1
    assert f'href="{TABLE}?year=2026"' in page  # a year with values entered, one click away


def test_the_table_shows_this_year_unless_told_and_counts_the_year_of_the_portal(
    app, client, staff, t
):
    with app.app_context():
        today = services.local_today("Europe/Warsaw")
        request = factories.make_request(status=Status.IN_PROGRESS)
        services.complete_job(
            request, Actor(Role.STAFF), completed_on=today, outcome=Outcome.DONE, work_done="Gotowe"
        )

    page = client.get(TABLE).get_data(as_text=True)

    assert t("Indicators for %(year)s", year=today.year) in page
    rows = {row[0]: row for row in _cells(page, "indicators-table")}
    assert rows["Bezpłatne usługi wykonane w pracowniach"][3] == "1"
    assert rows["Mieszkańcy, którym pomogły pracownie"][3] == "1"
    if today.year == 2026:  # the year the demo plans
        assert rows["Bezpłatne usługi wykonane w pracowniach"][2:5] == ["150", "1", "1 %"]


@pytest.mark.parametrize("year", ["dwa tysiące", "1989", "2101", ""])
def test_a_year_that_cannot_be_is_explained_at_its_field(client, staff, year):
    response = client.get(TABLE, query_string={"year": year})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="year-error"' in page
    assert 'id="indicators-table"' not in page
    assert client.get(EXPORT, query_string={"year": year}).status_code == 302


# --- The file ----------------------------------------------------------------------------------


def test_the_xlsx_file_reads_back_cell_by_cell_and_the_export_is_audited(app, client, staff, t):
    with app.app_context():
        indicator = db.session.get(
            Indicator, _indicator_id(app, "Program Aktywizacja i Integracja")
        )
        indicator_services.save_indicator_value(
            indicator, year=2018, planned=Decimal("17.5"), realised=Decimal(20), note="=1+1 żółć"
        )

    response = client.get(EXPORT, query_string={"year": 2018})

    assert response.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"] == 'attachment; filename="wskazniki-2018.xlsx"'
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == [t("Indicators %(year)s", year=2018)]
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    services_done = t("from the portal: %(figure)s", figure=t("services done"))
    assert rows[:7] == [
        [t("Indicators %(year)s", year=2018), None, None, None, None, None, None],
        [
            t("Strategy action"),
            t("Indicator name"),
            t("Unit of measure"),
            t("Planned value"),
            t("Realised value"),
            t("%(sign)s of the plan", sign="%"),
            t("Notes"),
        ],
        [UNEMPLOYED, "Realizacja prac społecznie użytecznych", "Liczba osób", 71, 26, 37, None],
        [
            UNEMPLOYED,
            "Program Aktywizacja i Integracja",
            "Liczba osób",
            17.5,
            20,
            114,
            "'=1+1 żółć",
        ],
        [UNEMPLOYED, "Program zatrudnienia dłużników czynszowych", "Liczba osób", 7, 9, 129, None],
        [
            UNEMPLOYED,
            "Osoby, które podjęły zatrudnienie na otwartym rynku pracy",
            "Liczba osób",
            None,
            16,
            None,
            "Ponadto 2 osoby realizowały staż zawodowy.",
        ],
        [
            RESTART,
            "Uczestnicy programu Centrum RE-Start",
            "Liczba osób",
            None,
            0,
            None,
            t("from the portal: %(figure)s", figure=t("programme participants")),
        ],
    ]
    assert [
        RESTART,
        "Bezpłatne usługi wykonane w pracowniach",
        "Liczba usług",
        None,
        0,
        None,
        services_done,
    ] in rows
    assert len(rows) == 2 + 8
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry)).one()
        assert (entry.actor_id, entry.action, entry.request_id, entry.detail) == (
            staff,
            AuditAction.EXPORT_REPORT.value,
            None,
            "wskazniki-2018.xlsx",
        )


# --- The administrator's settings ----------------------------------------------------------------


def _indicator_fields(**changes) -> dict:
    fields = {
        "action": "Wspieranie seniorów",
        "name": "Seniorzy, którym pomogły pracownie",
        "unit": "Liczba osób",
        "source": "manual",
        "position": "",
        "active": "y",
    }
    fields.update(changes)
    return {key: value for key, value in fields.items() if value is not None}


def test_the_administrator_sees_every_indicator_and_where_its_value_comes_from(client, admin, t):
    page = client.get(SETTINGS).get_data(as_text=True)

    for name in ("Program Aktywizacja i Integracja", "Mieszkańcy, którym pomogły pracownie"):
        assert name in page
    assert t("from the portal: %(figure)s", figure=t("residents served")) in page
    assert f'<option value="{UNEMPLOYED}">' in page  # the actions in use, to choose again


def test_the_administrator_adds_an_indicator_and_enters_its_values(app, client, admin):
    response = client.post(
        SETTINGS, data={"csrf_token": csrf_from(client, SETTINGS), **_indicator_fields()}
    )

    assert response.status_code == 303
    indicator_id = _indicator_id(app, "Seniorzy, którym pomogły pracownie")
    assert response.headers["Location"] == f"{SETTINGS}/{indicator_id}"
    page_url = f"{SETTINGS}/{indicator_id}"
    response = client.post(
        f"{page_url}/wartosci",
        data={
            "csrf_token": csrf_from(client, page_url),
            "year": "2026",
            "planned": " 1 234,5 ",
            "realised": "12,5",
            "note": "Z listy obecności",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        value = db.session.scalars(
            select(IndicatorValue).where(IndicatorValue.indicator_id == indicator_id)
        ).one()
        assert (value.year, value.planned, value.realised, value.note) == (
            2026,
            Decimal("1234.5"),
            Decimal("12.5"),
            "Z listy obecności",
        )
    row = next(
        row
        for row in _cells(
            client.get(f"{TABLE}?year=2026").get_data(as_text=True), "indicators-table"
        )
        if row[0] == "Seniorzy, którym pomogły pracownie"
    )
    assert row == [
        "Seniorzy, którym pomogły pracownie",
        "Liczba osób",
        "1 234,5",
        "12,5",
        "1 %",
        "Z listy obecności",
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"action": "   "}, "action"),
        ({"unit": "x" * 61}, "unit"),
        ({"source": "everything"}, "source"),
        ({"position": "-1"}, "position"),
        ({"position": "pierwszy"}, "position"),
    ],
)
def test_an_indicator_that_cannot_be_is_refused_at_its_field_with_the_typed_values_kept(
    app, client, admin, changes, field
):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Indicator))

    response = client.post(
        SETTINGS,
        data={"csrf_token": csrf_from(client, SETTINGS), **_indicator_fields(**changes)},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page
    assert 'value="Seniorzy, którym pomogły pracownie"' in page or field == "name"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Indicator)) == before


def test_the_administrator_switches_an_indicator_off_and_it_leaves_the_years_without_values(
    app, client, admin
):
    indicator_id = _indicator_id(app, "Program Aktywizacja i Integracja")
    url = f"{SETTINGS}/{indicator_id}"

    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(client, url),
            **_indicator_fields(
                action=UNEMPLOYED,
                name="Program Aktywizacja i Integracja (PAI)",
                active=None,
                position="3",
            ),
        },
    )

    assert response.status_code == 303
    with app.app_context():
        indicator = db.session.get(Indicator, indicator_id)
        assert (indicator.name, indicator.active, indicator.position) == (
            "Program Aktywizacja i Integracja (PAI)",
            False,
            3,
        )
    assert "Program Aktywizacja i Integracja (PAI)" in client.get(f"{TABLE}?year=2018").get_data(
        as_text=True
    )
    assert "Program Aktywizacja i Integracja" not in client.get(f"{TABLE}?year=2026").get_data(
        as_text=True
    )


def test_an_indicator_with_values_typed_by_hand_is_not_made_computed(app, client, admin):
    indicator_id = _indicator_id(app, "Program Aktywizacja i Integracja")
    url = f"{SETTINGS}/{indicator_id}"

    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(client, url),
            **_indicator_fields(
                action=UNEMPLOYED, name="Program Aktywizacja i Integracja", source="participants"
            ),
        },
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="source-error"' in page and "2018" in page.split('id="source-error"')[1][:300]
    assert '<option selected value="participants">' in page  # the choice made stays chosen
    with app.app_context():
        assert db.session.get(Indicator, indicator_id).source == "manual"


def test_a_years_change_link_fills_the_form_with_its_values(app, client, admin):
    indicator_id = _indicator_id(app, "Program Aktywizacja i Integracja")

    page = client.get(f"{SETTINGS}/{indicator_id}", query_string={"year": 2018}).get_data(
        as_text=True
    )

    form = page.split('id="value-form-title"')[1].split("</form>")[0]
    assert 'value="2018"' in form and 'value="17"' in form and 'value="20"' in form


@pytest.mark.parametrize(
    ("changes", "field", "kept"),
    [
        ({"planned": "-3"}, "planned", "-3"),
        ({"planned": "dużo"}, "planned", "dużo"),
        ({"planned": "NaN"}, "planned", "NaN"),
        ({"realised": "1,005"}, "realised", "1,005"),
        ({"realised": "99999999999"}, "realised", "99999999999"),
        ({"year": "1989"}, "year", "1989"),
        ({"year": "2101"}, "year", "2101"),
        ({"year": ""}, "year", "12,5"),
        ({"year": "rok"}, "year", "rok"),
        ({"planned": "", "realised": ""}, "planned", "Z zeszytu"),
        ({"note": "ż" * 301}, "note", "12,5"),
    ],
)
def test_a_value_that_cannot_be_is_refused_at_its_field_with_the_typed_values_kept(
    app, client, admin, changes, field, kept
):
    indicator_id = _indicator_id(app, "Program Aktywizacja i Integracja")
    url = f"{SETTINGS}/{indicator_id}"
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(IndicatorValue))
    fields = {"year": "2019", "planned": "12,5", "realised": "4", "note": "Z zeszytu", **changes}

    response = client.post(f"{url}/wartosci", data={"csrf_token": csrf_from(client, url), **fields})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page
    assert f'value="{kept}"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IndicatorValue)) == before


def test_a_computed_indicator_takes_only_its_plan(app, client, admin, t):
    indicator_id = _indicator_id(app, "Bezpłatne usługi wykonane w pracowniach")
    url = f"{SETTINGS}/{indicator_id}"

    page = client.get(url).get_data(as_text=True)
    response = client.post(
        f"{url}/wartosci",
        data={
            "csrf_token": csrf_from(client, url),
            "year": "2027",
            "planned": "160",
            "realised": "5",
        },
    )

    assert 'name="realised"' not in page and 'name="note"' not in page
    assert response.status_code == 303
    with app.app_context():
        value = db.session.scalars(
            select(IndicatorValue).where(
                IndicatorValue.indicator_id == indicator_id, IndicatorValue.year == 2027
            )
        ).one()
        assert (value.planned, value.realised) == (Decimal(160), None)


def test_the_administrator_removes_a_years_values_with_the_form_token_only(app, client, admin):
    indicator_id = _indicator_id(app, "Program Aktywizacja i Integracja")
    with app.app_context():
        value_id = db.session.scalars(
            select(IndicatorValue.id).where(IndicatorValue.indicator_id == indicator_id)
        ).one()
    url = f"{SETTINGS}/wartosci/{value_id}/usun"
    token = csrf_from(client, f"{SETTINGS}/{indicator_id}")

    assert client.post(url).status_code == 400
    response = client.post(url, data={"csrf_token": token})

    assert response.status_code == 303
    assert response.headers["Location"] == f"{SETTINGS}/{indicator_id}"
    with app.app_context():
        assert db.session.get(IndicatorValue, value_id) is None
    assert client.post(url, data={"csrf_token": token}).status_code == 404


# --- A fixed number of queries ---------------------------------------------------------------


def _only(app, sources) -> None:
    with app.app_context():
        for indicator in db.session.scalars(select(Indicator)):
            db.session.delete(indicator)
        db.session.commit()
        for number, source in enumerate(sources):
            indicator = indicator_services.save_indicator(
                None,
                action=f"Działanie {number % 3}",
                name=f"Wskaźnik {number}",
                unit="Liczba",
                source=source,
            )
            indicator_services.save_indicator_value(
                indicator, year=2025, planned=Decimal(number + 1)
            )


def _done_jobs(app, count: int) -> None:
    with app.app_context():
        for number in range(count):
            request = factories.make_request(
                status=Status.IN_PROGRESS, phone=f"600 300 {number:03d}"
            )
            factories.sent_on(request, date(2025, 3, 1 + number % 28))
            services.complete_job(
                request,
                Actor(Role.STAFF),
                completed_on=date(2025, 3, 1 + number % 28),
                outcome=Outcome.DONE,
                work_done="Gotowe",
            )


@pytest.mark.parametrize("url", [f"{TABLE}?year=2025", f"{EXPORT}?year=2025"])
def test_the_table_issues_the_same_queries_for_one_indicator_or_eight_and_few_jobs_or_many(
    app, client, staff, url
):
    _only(app, [Figure.SERVICES.value])
    _done_jobs(app, 2)
    one = count_queries(app, client, url)

    _only(app, [Figure.SERVICES.value, "manual", *(figure.value for figure in list(Figure)[:6])])
    eight = count_queries(app, client, url)

    _done_jobs(app, 30)
    many = count_queries(app, client, url)

    assert one == eight == many
