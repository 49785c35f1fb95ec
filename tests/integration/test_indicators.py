"""The strategy's indicators against a hand-counted 2025: every figure an indicator can take,
the edge days of the year, the paper counts wholly inside it and partly outside, the
percentage of the plan, the administrator's use cases, the demo's 2018 and 2026, and a
table that costs the same number of queries for one indicator or eight, few jobs or many."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from portal import services
from portal.domain.actor import Actor
from portal.domain.errors import DomainError
from portal.domain.indicators import MANUAL, Figure
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import (
    AfterProgramme,
    BaselineTotal,
    Channel,
    Gender,
    Indicator,
    IndicatorValue,
    Outcome,
    ParticipationEnd,
    ProgrammeBaseline,
    RequesterKind,
)
from portal.queries.indicators import indicator_table, percent_of_plan
from portal.services import indicators as indicator_services
from tests import factories

STAFF = Actor(Role.STAFF)
YEAR = 2025

# What a hand count of the world below gives for 2025.
EXPECTED_2025 = {
    # Recorded: 1 January, 15 June, 31 December; and 10 counted on paper in March.
    Figure.SERVICES: 13,
    # The job of 31 December was for an institution, and so were the 10 of March.
    Figure.SERVICES_FOR_INSTITUTIONS: 11,
    # Ala (1 January) and Basia (15 June); the institution apart.
    Figure.RESIDENTS_SERVED: 2,
    # Basia was served before, on 31 December 2024.
    Figure.FIRST_TIME_RESIDENTS: 1,
    Figure.INSTITUTIONS_SERVED: 1,
    Figure.JOBS_NOT_DONE: 1,
    # Two trainees of the 2025 edition and 5 counted on paper in January–February.
    Figure.PARTICIPANTS: 7,
    Figure.COMPLETED_PROGRAMME: 1 + 4,
    Figure.EMPLOYED_AFTER: 1 + 2,
    Figure.INTERNSHIPS_AFTER: 0 + 1,
    # 2.5 hours on 1 January and 1.25 on 31 December.
    Figure.TRAINEE_HOURS: Decimal("3.75"),
}


def completed_job(completed_on, *, phone, kind="senior", outcome=Outcome.DONE):
    fields = {}
    if kind == "institution":
        fields = {"channel": Channel.INSTITUTION, "institution_name": "DDP Złota Jesień"}
    elif kind == "assisted":
        fields = {"receives_assistance": True, "is_senior": False}
    request = factories.make_request(status=Status.IN_PROGRESS, phone=phone, **fields)
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


def only_these_indicators(*sources) -> None:
    """Replace the demo's indicators by one of each source given, with a plan for 2025."""
    for indicator in db.session.scalars(select(Indicator)):
        db.session.delete(indicator)
    db.session.commit()
    for position, source in enumerate(sources):
        indicator = indicator_services.save_indicator(
            None,
            action="Centrum RE-Start – trening pracy",
            name=f"Wskaźnik {position + 1}: {source}",
            unit="Liczba",
            source=source,
        )
        indicator_services.save_indicator_value(indicator, year=YEAR, planned=Decimal(10))


@pytest.fixture
def world(app):
    """A hand-counted 2025 with jobs, hours and trainees just inside and just outside it."""
    with app.app_context():
        ala, basia, celina = "600 100 001", "600 100 002", "600 100 003"
        jobs = [
            completed_job(date(2025, 1, 1), phone=ala),  # the first day of the year
            completed_job(date(2025, 6, 15), phone=basia, kind="assisted"),
            completed_job(date(2025, 12, 31), phone=celina, kind="institution"),  # the last
            completed_job(date(2024, 12, 31), phone=basia),  # the day before the year
            completed_job(date(2026, 1, 1), phone=ala),  # the day after it
        ]
        completed_job(date(2025, 5, 5), phone=celina, outcome=Outcome.NOT_DONE)
        completed_job(date(2026, 1, 2), phone=celina, outcome=Outcome.NOT_DONE)
        factories.make_request(status=Status.DECLINED, phone=celina)
        db.session.add_all(
            [
                # Wholly inside 2025: counts.
                BaselineTotal(
                    starts_on=date(2025, 3, 1),
                    ends_on=date(2025, 3, 31),
                    category_id=factories.category("tailoring").id,
                    requester_kind=RequesterKind.INSTITUTION,
                    services=10,
                    note="Zeszyt, marzec 2025",
                ),
                # Only partly inside: left out.
                BaselineTotal(
                    starts_on=date(2024, 12, 1),
                    ends_on=date(2025, 1, 31),
                    category_id=factories.category("tailoring").id,
                    services=30,
                    note="Zeszyt, przełom lat",
                ),
                ProgrammeBaseline(
                    starts_on=date(2025, 1, 1),
                    ends_on=date(2025, 2, 28),
                    editions=1,
                    participants=5,
                    completed=4,
                    employed=2,
                    internships=1,
                ),
            ]
        )
        db.session.commit()

        edition = factories.edition(501, date(2025, 3, 1), date(2025, 8, 31))
        older = factories.edition(500, date(2024, 3, 1), date(2024, 8, 31))
        zofia = factories.trainee("Zofia Żak", edition_=edition, gender=Gender.FEMALE)
        zofia.ended_because, zofia.after = ParticipationEnd.COMPLETED, AfterProgramme.EMPLOYMENT
        zofia.after_on = date(2025, 10, 1)
        adam = factories.trainee("Adam Łoś", edition_=edition, gender=Gender.MALE)
        adam.ended_because, adam.after = ParticipationEnd.LEFT_EARLY, AfterProgramme.INTERNSHIP
        adam.after_on = date(2026, 1, 10)  # an internship begun after the year
        factories.trainee("Piotr Stary", edition_=older, gender=Gender.MALE)
        db.session.commit()
        instructor = factories.user(Role.INSTRUCTOR)
        for trainee, hours, day, job in [
            (zofia, "2.5", date(2025, 1, 1), jobs[0]),
            (adam, "1.25", date(2025, 12, 31), jobs[2]),
            (zofia, "4", date(2024, 12, 31), jobs[3]),
            (adam, "3", date(2026, 1, 1), jobs[4]),
        ]:
            factories.work_session(job, trainee, supervisor=instructor, hours=hours, worked_on=day)


def test_every_computed_indicator_takes_the_hand_counted_figure_of_the_year(app, world):
    with app.app_context():
        only_these_indicators(*Figure)

        table = indicator_table(YEAR)

        realised = {row.figure: row.realised for row in table.rows}
        assert realised == EXPECTED_2025


def test_the_year_before_and_after_count_only_their_own_days(app, world):
    with app.app_context():
        only_these_indicators(Figure.SERVICES, Figure.JOBS_NOT_DONE, Figure.TRAINEE_HOURS)

        before = {row.figure: row.realised for row in indicator_table(2024).rows}
        after = {row.figure: row.realised for row in indicator_table(2026).rows}

        assert before == {
            Figure.SERVICES: 1,
            Figure.JOBS_NOT_DONE: 0,
            Figure.TRAINEE_HOURS: Decimal(4),
        }
        assert after == {
            Figure.SERVICES: 1,
            Figure.JOBS_NOT_DONE: 1,
            Figure.TRAINEE_HOURS: Decimal(3),
        }


def test_a_computed_indicator_compares_its_figure_with_the_plan(app, world):
    with app.app_context():
        only_these_indicators(Figure.SERVICES)

        row = indicator_table(YEAR).rows[0]

        assert (row.planned, row.realised, row.percent) == (Decimal(10), 13, 130)


@pytest.mark.parametrize(
    ("realised", "planned", "percent"),
    [
        (26, 71, 37),  # 36.6
        (20, 17, 118),  # 117.6
        (9, 7, 129),  # 128.6
        (1, 8, 13),  # 12.5: halves go up
        (3, 8, 38),  # 37.5
        (0, 5, 0),
        (Decimal("12.5"), Decimal("10"), 125),
        (5, 0, None),  # no plan to compare with
        (5, None, None),
        (None, 5, None),  # nothing realised yet
    ],
)
def test_the_percentage_of_the_plan_is_rounded_to_whole_percent(realised, planned, percent):
    assert percent_of_plan(realised, planned) == percent


def test_the_demo_gives_the_2018_report_and_the_2026_plans(app):
    with app.app_context():
        table_2018 = indicator_table(2018)
        table_2026 = indicator_table(2026)

    rows = {row.indicator.name: row for row in table_2018.rows}
    assert [group.action for group in table_2018.actions] == [
        "Przeciwdziałanie alienacji osób bezrobotnych",
        "Centrum RE-Start – trening pracy",
    ]
    assert [
        (row.planned, row.realised, row.percent)
        for row in [
            rows["Realizacja prac społecznie użytecznych"],
            rows["Program Aktywizacja i Integracja"],
            rows["Program zatrudnienia dłużników czynszowych"],
        ]
    ] == [(71, 26, 37), (17, 20, 118), (7, 9, 129)]
    employed = rows["Osoby, które podjęły zatrudnienie na otwartym rynku pracy"]
    assert (employed.planned, employed.realised, employed.percent) == (None, 16, None)
    assert employed.note == "Ponadto 2 osoby realizowały staż zawodowy."
    computed = {row.indicator.name: row for row in table_2026.rows if row.figure}
    assert {name: (row.figure, row.planned) for name, row in computed.items()} == {
        "Uczestnicy programu Centrum RE-Start": (Figure.PARTICIPANTS, 18),
        "Uczestnicy, którzy po programie podjęli zatrudnienie": (Figure.EMPLOYED_AFTER, 5),
        "Bezpłatne usługi wykonane w pracowniach": (Figure.SERVICES, 150),
        "Mieszkańcy, którym pomogły pracownie": (Figure.RESIDENTS_SERVED, 100),
    }
    assert all(row.realised == 0 for row in computed.values())  # nothing recorded in 2026 yet


def test_a_switched_off_indicator_stays_in_the_years_it_has_values_for(app):
    with app.app_context():
        indicator = db.session.scalars(
            select(Indicator).where(Indicator.name == "Program Aktywizacja i Integracja")
        ).one()
        indicator_services.save_indicator(
            indicator,
            action=indicator.action,
            name=indicator.name,
            unit=indicator.unit,
            source=indicator.source,
            active=False,
        )

        names_2018 = [row.indicator.name for row in indicator_table(2018).rows]
        names_2026 = [row.indicator.name for row in indicator_table(2026).rows]

    assert "Program Aktywizacja i Integracja" in names_2018
    assert "Program Aktywizacja i Integracja" not in names_2026


# --- The administrator's use cases -----------------------------------------------------------


def _manual(app) -> int:
    with app.app_context():
        return db.session.scalars(
            select(Indicator.id).where(Indicator.name == "Program Aktywizacja i Integracja")
        ).one()


def _computed(app) -> int:
    with app.app_context():
        return db.session.scalars(
            select(Indicator.id).where(Indicator.source == Figure.SERVICES.value)
        ).one()


def test_a_year_entered_again_replaces_its_values(app):
    indicator_id = _manual(app)
    with app.app_context():
        indicator = db.session.get(Indicator, indicator_id)

        indicator_services.save_indicator_value(
            indicator, year=2018, planned=Decimal("18.5"), realised=Decimal(21), note="Korekta"
        )

        values = db.session.scalars(
            select(IndicatorValue).where(IndicatorValue.indicator_id == indicator_id)
        ).all()
        assert [(v.year, v.planned, v.realised, v.note) for v in values] == [
            (2018, Decimal("18.50"), Decimal("21.00"), "Korekta")
        ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"year": 1989}, "year"),
        ({"year": 2101}, "year"),
        ({"year": None}, "year"),
        ({"planned": Decimal(-1)}, "planned"),
        ({"realised": Decimal("-0.5")}, "realised"),
        ({"planned": Decimal("1.005")}, "planned"),
        ({"planned": Decimal("1e12")}, "planned"),
        ({"planned": None, "realised": None}, "planned"),
        ({"note": "x" * 301}, "note"),
    ],
)
def test_a_value_that_cannot_be_is_refused_at_its_field_and_nothing_is_saved(app, changes, field):
    indicator_id = _manual(app)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(IndicatorValue))
        values = {"year": 2019, "planned": Decimal(5), "realised": Decimal(4), "note": ""}

        with pytest.raises(DomainError) as refused:
            indicator_services.save_indicator_value(
                db.session.get(Indicator, indicator_id), **{**values, **changes}
            )

        assert refused.value.field == field
        assert db.session.scalar(select(func.count()).select_from(IndicatorValue)) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"realised": Decimal(3)}, "realised"), ({"note": "Z zeszytu"}, "note"), ({}, "planned")],
)
def test_a_computed_indicators_realised_value_is_never_entered(app, changes, field):
    indicator_id = _computed(app)
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            indicator_services.save_indicator_value(
                db.session.get(Indicator, indicator_id), year=2027, planned=None, **changes
            )

        assert refused.value.field == field
        assert not db.session.scalars(
            select(IndicatorValue).where(IndicatorValue.year == 2027)
        ).first()


def test_an_indicator_with_values_typed_by_hand_is_not_made_computed(app):
    indicator_id = _manual(app)
    with app.app_context():
        indicator = db.session.get(Indicator, indicator_id)

        with pytest.raises(DomainError) as refused:
            indicator_services.save_indicator(
                indicator,
                action=indicator.action,
                name=indicator.name,
                unit=indicator.unit,
                source=Figure.PARTICIPANTS.value,
            )

        assert refused.value.field == "source"
        assert refused.value.params == {"years": "2018"}
        assert db.session.get(Indicator, indicator_id).source == MANUAL


def test_a_new_indicator_goes_to_the_end_of_the_table(app):
    with app.app_context():
        added = indicator_services.save_indicator(
            None, action="Nowe działanie", name="Nowy wskaźnik", unit="Liczba osób"
        )

        assert added.position == db.session.scalar(select(func.max(Indicator.position)))
        assert indicator_table(2026).actions[-1].action == "Nowe działanie"


# --- A fixed number of queries ---------------------------------------------------------------


def _queries_of_a_table(app, year) -> int:
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        db.session.expire_all()
        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            table = indicator_table(year)
            [(row.realised, row.percent, row.indicator.unit) for row in table.rows]
        finally:
            event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_a_table_costs_the_same_queries_for_one_indicator_or_eight_and_few_jobs_or_many(app):
    with app.app_context():
        only_these_indicators(Figure.SERVICES)
    one = _queries_of_a_table(app, YEAR)

    with app.app_context():
        only_these_indicators(
            Figure.SERVICES,
            Figure.RESIDENTS_SERVED,
            Figure.JOBS_NOT_DONE,
            Figure.EMPLOYED_AFTER,
            Figure.TRAINEE_HOURS,
            MANUAL,
            MANUAL,
            Figure.INSTITUTIONS_SERVED,
        )
    eight = _queries_of_a_table(app, YEAR)

    with app.app_context():
        for day in range(1, 29):
            completed_job(date(2025, 2, day), phone=f"600 200 {day:03d}")
        factories.bulk_requests(50, status=Status.SUBMITTED)
    many = _queries_of_a_table(app, YEAR)

    assert one == eight == many
    # The indicators with the year's values (1) and every figure once, with the services
    # and reasons they are laid out by (12).
    assert many <= 13, many
