"""Service totals against a hand-counted world: every kind of period, edge dates, jobs that do
not count, institutions apart, editions, trainee hours and genders, the paper count before
the portal, and the Opole demo figure."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from portal import services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.domain.period import Period
from portal.extensions import db
from portal.models import BaselineTotal, Channel, Gender, Outcome, RequesterKind
from portal.queries import figures
from portal.reports import wording
from portal.services import baseline
from portal.settings import DEMO_FILE, load_institution
from tests import factories

STAFF = Actor(Role.STAFF)
OPOLE_BASELINE = {"tailoring": 686, "upholstery": 333, "renovation": 103}


def completed_job(code, completed_on, *, kind="senior", outcome=Outcome.DONE):
    """A job of a category and requester kind, completed on a chosen day."""
    fields = {}
    if kind == "institution":
        fields = {"channel": Channel.INSTITUTION, "institution_name": "DDP Złota Jesień"}
    elif kind == "assisted":
        fields = {"receives_assistance": True, "is_senior": False}
    request = factories.make_request(code=code, status=Status.IN_PROGRESS, **fields)
    factories.sent_on(request, completed_on)
    services.complete_job(
        request,
        STAFF,
        completed_on=completed_on,
        outcome=outcome,
        work_done="Wykonano" if outcome == Outcome.DONE else "",
        not_done_reason="Nie dało się naprawić" if outcome == Outcome.NOT_DONE else "",
    )
    return request


@pytest.fixture
def world(app):
    """Eight services that count and four jobs that do not, in and around 2026.

    Edition 1 runs January–May 2026, edition 2 June–October 2026, edition 0 in 2025.
    """
    with app.app_context():
        old = factories.edition(100, date(2025, 1, 1), date(2025, 5, 31))
        first = factories.edition(101, date(2026, 1, 1), date(2026, 5, 31))
        second = factories.edition(102, date(2026, 6, 1), date(2026, 10, 31))

        jobs = [
            completed_job("tailoring", date(2026, 1, 1)),  # first day of the year, H1, Q1, January
            completed_job("tailoring", date(2026, 3, 31), kind="assisted"),  # last day of Q1
            completed_job("upholstery", date(2026, 4, 1)),  # the day after Q1
            completed_job("renovation", date(2026, 6, 30), kind="assisted"),  # last day of H1
            completed_job("renovation", date(2026, 7, 1), kind="institution"),  # first day of H2
            completed_job(
                "tailoring", date(2026, 10, 31), kind="institution"
            ),  # last day of edition 2
            completed_job("upholstery", date(2026, 11, 1)),  # after every edition
            completed_job("tailoring", date(2025, 12, 31)),  # the day before the year
        ]
        # None of these counts.
        completed_job("tailoring", date(2026, 2, 10), outcome=Outcome.NOT_DONE)
        factories.make_request(code="tailoring", status=Status.DECLINED)
        factories.make_request(code="upholstery", status=Status.CANCELLED)
        factories.make_request(code="tailoring", status=Status.IN_PROGRESS)

        instructor = factories.user(Role.INSTRUCTOR)
        anna = factories.trainee(
            "Anna Żółkiewska", group_code="tailoring", edition_=first, gender=Gender.FEMALE
        )
        jan = factories.trainee(
            "Jan Łęcki", group_code="upholstery", edition_=first, gender=Gender.MALE
        )
        ola = factories.trainee("Ola Bez Płci", group_code="tailoring", edition_=first, gender=None)
        ewa = factories.trainee(
            "Ewa Górska", group_code="renovation", edition_=second, gender=Gender.FEMALE
        )
        factories.trainee("Piotr Stary", group_code="tailoring", edition_=old, gender=Gender.MALE)
        for trainee, hours, day, job in [
            (anna, "2.5", date(2026, 1, 1), jobs[0]),
            (anna, "3", date(2026, 3, 31), jobs[1]),
            (anna, "1", date(2025, 12, 31), jobs[7]),
            (jan, "4", date(2026, 4, 1), jobs[2]),
            (ola, "1.25", date(2026, 1, 1), jobs[0]),
            (ewa, "6", date(2026, 7, 1), jobs[4]),
        ]:
            factories.work_session(job, trainee, supervisor=instructor, hours=hours, worked_on=day)
        return {"first": first.id, "second": second.id, "old": old.id}


def _by_code(totals, attribute="total"):
    return {row.category.code: getattr(row, attribute) for row in totals.by_category}


def _kinds(totals):
    return {kind.value: count for kind, count in totals.by_kind.items()}


YEAR_2026 = {"tailoring": 3, "upholstery": 2, "renovation": 2}


@pytest.mark.parametrize(
    ("period", "categories", "kinds"),
    [
        (Period.year(2026), YEAR_2026, {"senior": 3, "assisted": 2, "institution": 2}),
        (
            Period.year(2025),
            {"tailoring": 1, "upholstery": 0, "renovation": 0},
            {"senior": 1, "assisted": 0, "institution": 0},
        ),
        (
            Period.half(2026, 1),
            {"tailoring": 2, "upholstery": 1, "renovation": 1},
            {"senior": 2, "assisted": 2, "institution": 0},
        ),
        (
            Period.half(2026, 2),
            {"tailoring": 1, "upholstery": 1, "renovation": 1},
            {"senior": 1, "assisted": 0, "institution": 2},
        ),
        (
            Period.quarter(2026, 1),
            {"tailoring": 2, "upholstery": 0, "renovation": 0},
            {"senior": 1, "assisted": 1, "institution": 0},
        ),
        (
            Period.quarter(2026, 2),
            {"tailoring": 0, "upholstery": 1, "renovation": 1},
            {"senior": 1, "assisted": 1, "institution": 0},
        ),
        (
            Period.quarter(2026, 4),
            {"tailoring": 1, "upholstery": 1, "renovation": 0},
            {"senior": 1, "assisted": 0, "institution": 1},
        ),
        (
            Period.month(2026, 2),
            {"tailoring": 0, "upholstery": 0, "renovation": 0},
            {"senior": 0, "assisted": 0, "institution": 0},
        ),
        (
            Period.month(2026, 3),
            {"tailoring": 1, "upholstery": 0, "renovation": 0},
            {"senior": 0, "assisted": 1, "institution": 0},
        ),
        (
            Period.between(date(2026, 3, 31), date(2026, 4, 1)),
            {"tailoring": 1, "upholstery": 1, "renovation": 0},
            {"senior": 1, "assisted": 1, "institution": 0},
        ),
        (
            Period.since(date(2026, 1, 1), date(2026, 11, 25)),
            YEAR_2026,
            {"senior": 3, "assisted": 2, "institution": 2},
        ),
    ],
)
def test_recorded_services_per_period(app, world, period, categories, kinds):
    with app.app_context():
        totals = figures.service_totals(period)

    assert _by_code(totals, "recorded") == categories
    assert _by_code(totals, "baseline") == {"tailoring": 0, "upholstery": 0, "renovation": 0}
    assert _kinds(totals) == kinds
    assert totals.total == sum(categories.values()) == sum(kinds.values())


def test_the_paper_count_joins_when_its_whole_period_lies_inside(app, world):
    with app.app_context():
        exact = figures.service_totals(Period.between(date(2019, 1, 1), date(2026, 3, 31)))
        one_day_short = figures.service_totals(Period.between(date(2019, 1, 1), date(2026, 3, 30)))
        starts_a_day_late = figures.service_totals(
            Period.between(date(2019, 1, 2), date(2026, 12, 31))
        )

    # Before the portal 1122, then the jobs of 2025-12-31, 2026-01-01 and 2026-03-31.
    assert _by_code(exact) == {"tailoring": 686 + 3, "upholstery": 333, "renovation": 103}
    assert exact.total == 1125 and exact.baseline == 1122 and exact.partial_baseline == 0
    assert _kinds(exact) == {"senior": 2, "assisted": 1, "institution": 57}
    assert exact.kind_not_recorded == 1125 - 60

    assert one_day_short.baseline == 0 and one_day_short.partial_baseline == 1122
    assert one_day_short.total == 2  # and the job of 2026-03-31 falls out with it
    assert starts_a_day_late.baseline == 0 and starts_a_day_late.total == 8


def test_the_cumulative_total_continues_the_paper_count(app, world):
    with app.app_context():
        totals = figures.service_totals(Period.since(date(2019, 1, 1), date(2026, 11, 25)))

    assert _by_code(totals) == {"tailoring": 686 + 4, "upholstery": 333 + 2, "renovation": 103 + 2}
    assert totals.total == 1130
    assert totals.by_kind[RequesterKind.INSTITUTION] == 57 + 2


def test_a_year_that_cuts_through_the_paper_count_leaves_it_out_and_says_how_much(app, world):
    with app.app_context():
        totals = figures.service_totals(Period.year(2026))

    assert totals.total == 7
    assert totals.partial_baseline == 1122


def test_paper_rows_with_a_kind_add_to_it_and_rows_without_a_category_add_nothing(app):
    with app.app_context():
        tailoring = factories.category("tailoring").id
        baseline.add_baseline_total(
            starts_on=date(2018, 1, 1),
            ends_on=date(2018, 12, 31),
            services=10,
            category_id=tailoring,
            requester_kind=RequesterKind.ASSISTED,
        )
        baseline.add_baseline_total(
            starts_on=date(2018, 1, 1),
            ends_on=date(2018, 12, 31),
            services=4,
            category_id=tailoring,
        )
        baseline.add_baseline_total(
            starts_on=date(2018, 1, 1),
            ends_on=date(2018, 12, 31),
            services=3,
            requester_kind=RequesterKind.INSTITUTION,
        )
        totals = figures.service_totals(Period.year(2018))

    assert _by_code(totals) == {"tailoring": 14, "upholstery": 0, "renovation": 0}
    assert totals.total == 14
    assert _kinds(totals) == {"senior": 0, "assisted": 10, "institution": 3}
    assert totals.kind_not_recorded == 1


def test_month_by_month_for_the_chart(app, world):
    with app.app_context():
        tailoring, upholstery, renovation = (factories.category(code).id for code in OPOLE_BASELINE)
        months = figures.monthly_completions(Period.year(2026))

    table = {row.month.month: row.by_category for row in months}
    assert [row.month for row in months] == [date(2026, month, 1) for month in range(1, 13)]
    assert table == {
        1: {tailoring: 1},
        2: {},
        3: {tailoring: 1},
        4: {upholstery: 1},
        5: {},
        6: {renovation: 1},
        7: {renovation: 1},
        8: {},
        9: {},
        10: {tailoring: 1},
        11: {upholstery: 1},
        12: {},
    }


def test_services_by_programme_edition(app, world):
    with app.app_context():
        tailoring, upholstery, renovation = (factories.category(code).id for code in OPOLE_BASELINE)
        editions = figures.completions_by_edition(Period.year(2026))
        numbers = [row.edition.number if row.edition else None for row in editions]

    assert numbers == [101, 102, None]
    assert [row.by_category for row in editions] == [
        {tailoring: 2, upholstery: 1},
        {renovation: 2, tailoring: 1},
        {upholstery: 1},
    ]


def test_trainee_hours_by_trainee_group_and_edition(app, world):
    with app.app_context():
        period = Period.year(2026)
        by_trainee = {row.name: row.hours for row in figures.hours_by_trainee(period)}
        by_group = {row.label: (row.trainees, row.hours) for row in figures.hours_by_group(period)}
        by_edition = {
            row.label: (row.trainees, row.hours) for row in figures.hours_by_edition(period)
        }
        last_year = {row.name: row.hours for row in figures.hours_by_trainee(Period.year(2025))}

    assert by_trainee == {
        "Anna Żółkiewska": Decimal("5.5"),
        "Jan Łęcki": Decimal("4"),
        "Ola Bez Płci": Decimal("1.25"),
        "Ewa Górska": Decimal("6"),
    }
    assert by_group == {
        "Pracownia krawiecka": (2, Decimal("6.75")),
        "Pracownia stolarsko-tapicerska": (1, Decimal("4")),
        "Grupa remontowo-budowlana": (1, Decimal("6")),
    }
    assert by_edition == {101: (3, Decimal("10.75")), 102: (1, Decimal("6"))}
    assert last_year == {"Anna Żółkiewska": Decimal("1")}


@pytest.mark.parametrize(
    ("period", "female", "male", "not_given"),
    [
        (Period.year(2026), 2, 1, 1),
        (Period.year(2025), 0, 1, 0),
        (Period.month(2026, 6), 1, 0, 0),  # only edition 2 runs in June
        (Period.between(date(2025, 5, 31), date(2026, 1, 1)), 1, 2, 1),  # touches editions 0 and 1
    ],
)
def test_trainees_by_gender_taking_part_in_the_period(app, world, period, female, male, not_given):
    with app.app_context():
        genders = figures.programme_figures(period).genders()

    assert (genders.female, genders.male, genders.not_given) == (female, male, not_given)


def _statements(app, work):
    captured = []

    def record(conn, cursor, statement, parameters, context, executemany):
        captured.append(statement)

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            result = work()
        finally:
            event.remove(engine, "before_cursor_execute", record)
    return captured, result


def test_totals_are_counted_by_the_database_in_grouped_queries(app, world):
    captured, _ = _statements(app, lambda: figures.service_totals(Period.year(2026)))

    assert len(captured) == 3
    assert all("GROUP BY" in statement.upper() for statement in captured[1:])
    assert all(
        "count(" in statement.lower() or "sum(" in statement.lower() for statement in captured[1:]
    )


def test_the_whole_report_is_twenty_queries_or_nineteen_without_names(app, world):
    period = Period.year(2026)

    with_names, report = _statements(
        app, lambda: figures.build_report(period, with_trainee_names=True)
    )
    without_names, export = _statements(
        app, lambda: figures.build_report(period, with_trainee_names=False)
    )

    # The figures grouped in the database, and the categories, reasons and projects (once
    # each for every table that lays them out) they are laid out by.
    assert len(with_names) == 20 and len(without_names) == 19
    assert sum("GROUP BY" in statement.upper() for statement in with_names) == 15
    assert export.hours_by_trainee is None and len(report.hours_by_trainee) == 4


def test_the_opole_demo_cumulative_report_reads_1122_services(app):
    with app.app_context():
        totals = figures.service_totals(Period.since(date(2019, 1, 1), date(2026, 11, 25)))
        sentence = wording.council_sentence(
            totals, Period.between(date(2019, 1, 1), date(2026, 3, 31))
        )

    assert totals.total == 1122
    assert _by_code(totals) == OPOLE_BASELINE
    assert totals.by_kind[RequesterKind.INSTITUTION] == 57
    assert "1122" in sentence
    assert "333 usługi stolarsko-tapicerskie" in sentence
    assert "103 usługi remontowo-budowlane" in sentence
    assert "686 usług krawieckich" in sentence
    assert "57 " in sentence.split("686 usług krawieckich")[1]


def test_loading_the_settings_again_does_not_count_the_past_twice(app):
    with app.app_context():
        load_institution(DEMO_FILE)
        load_institution(DEMO_FILE)
        rows = db.session.scalar(select(func.count()).select_from(BaselineTotal))
        total = figures.service_totals(Period.since(date(2019, 1, 1), date(2026, 11, 25))).total

    assert rows == 4
    assert total == 1122


def test_past_totals_the_administrator_changed_are_not_brought_back_by_a_reload(app):
    with app.app_context():
        tailoring = db.session.scalars(
            select(BaselineTotal).where(
                BaselineTotal.category_id == factories.category("tailoring").id
            )
        ).one()
        baseline.delete_baseline_total(tailoring)
        load_institution(DEMO_FILE)
        total = figures.service_totals(Period.since(date(2019, 1, 1), date(2026, 11, 25))).total

    assert total == 1122 - 686
