"""The queue search folds case in every alphabet, the same on SQLite and PostgreSQL.

It looks in a case-folded copy of the reference, name, e-mail and institution, which every
write keeps in step: intake, corrections and anonymisation.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal import queries, services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import Channel, ServiceRequest
from portal.services import retention
from tests import factories

NAMES = [
    "Łucja Łąkowska",
    "Ślęzak Świętosław",
    "Żaneta Żółkiewska",
    "Ćwikła Ćwierćwiecz",
    "Óskar Ósmy",
    "Anna Zwykła",
]


def _found(term: str) -> set[str]:
    user = factories.user(Role.ADMIN)
    page = queries.queue(
        queries.QueueFilters(status="all", search=term),
        user,
        page_size=100,
        timezone="Europe/Warsaw",
    )
    return {request.name for request in page.items}


@pytest.fixture
def people(app):
    with app.app_context():
        for number, name in enumerate(NAMES):
            factories.make_request(name=name, phone=f"600 000 00{number}")
    return app


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("łąk", {"Łucja Łąkowska"}),
        ("ŁĄKOWSKA", {"Łucja Łąkowska"}),
        ("Łąkowska", {"Łucja Łąkowska"}),
        ("śl", {"Ślęzak Świętosław"}),
        ("ŚWIĘTO", {"Ślęzak Świętosław"}),
        ("żół", {"Żaneta Żółkiewska"}),
        ("ćwierć", {"Ćwikła Ćwierćwiecz"}),
        ("ósmy", {"Óskar Ósmy"}),
        ("ÓSKAR", {"Óskar Ósmy"}),
        # Exact letters: folding case does not strip the accents.
        ("lakowska", set()),
        ("zwykła", {"Anna Zwykła"}),
    ],
)
def test_names_are_found_whatever_the_case_of_their_polish_letters(people, term, expected):
    with people.app_context():
        assert _found(term) == expected


def test_percent_and_underscore_are_matched_literally(app):
    with app.app_context():
        factories.make_request(name="Anna 100% Zwykła")
        factories.make_request(name="Anna Zwykła")

        assert _found("100%") == {"Anna 100% Zwykła"}
        assert _found("a_n") == set()
        assert _found("%") == {"Anna 100% Zwykła"}


@pytest.mark.parametrize(
    "name",
    ['Anna "Ania" Zwykła', "Anna (Zwykła)", "Anna Zwykła-Nowak*", "AND OR NOT NEAR", "x: y^z"],
)
def test_search_syntax_of_the_index_is_matched_as_plain_text(app, name):
    with app.app_context():
        factories.make_request(name=name)
        factories.make_request(name="Ktoś Inny")

        for term in (name, name[2:9], name[-5:]):
            assert _found(term) == {name}, term


def test_phone_digits_are_found_from_three_digits_in_any_layout(app):
    with app.app_context():
        factories.make_request(name="Jan Telefon", phone="+48 601 234 567")
        factories.make_request(name="Ktoś Inny", phone="700 000 000")

        assert _found("601-234") == {"Jan Telefon"}
        assert _found("4567") == {"Jan Telefon"}
        assert _found("60") == set()


def test_a_search_goes_through_the_trigram_index(app):
    """SQLite asks its FTS5 table; PostgreSQL's plan uses the pg_trgm index."""
    with app.app_context():
        factories.make_request(name="Łucja Łąkowska")
        condition = queries.requests.search_condition("łąkowska")
        statement = sa.select(ServiceRequest.id).where(condition)
        connection = db.session.connection()
        if connection.dialect.name == "sqlite":
            compiled = statement.compile(connection)
            plan = connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {compiled}", tuple(compiled.params.values())
            ).all()
            assert any("VIRTUAL TABLE" in str(row) for row in plan), plan
        else:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            compiled = statement.compile(connection, compile_kwargs={"literal_binds": True})
            plan = connection.exec_driver_sql(f"EXPLAIN {compiled}").scalars().all()
            assert any("ix_service_request_search_text_trgm" in line for line in plan), plan
        db.session.rollback()


def test_the_email_and_the_institution_are_searched_too(app):
    with app.app_context():
        factories.make_request(name="Jan Pocztowy", email="Łucja.Mail@Example.org")
        factories.make_request(
            name="Dom Dziennego Pobytu",
            channel=Channel.INSTITUTION,
            institution_name="ŚRODOWISKOWY DOM SAMOPOMOCY",
        )

        assert _found("łucja.mail@") == {"Jan Pocztowy"}
        assert _found("środowiskowy") == {"Dom Dziennego Pobytu"}


def test_a_corrected_name_is_found_by_the_new_name_only(app):
    with app.app_context():
        request = factories.make_request(name="Łucja Łąkowska")
        services.correct_request(
            request,
            {"name": "Łucja Żurawska"},
            Actor.of(factories.user(Role.STAFF)),
            expected_version=None,
        )

        assert _found("łąkowska") == set()
        assert _found("żuraw") == {"Łucja Żurawska"}


def test_an_anonymised_request_is_no_longer_found_by_the_persons_name(app, upload_folder):
    with app.app_context():
        request = factories.make_request(
            name="Łucja Łąkowska", email="lucja@example.org", status=Status.DECLINED
        )
        retention.anonymise([request], upload_folder=str(upload_folder))
        db.session.commit()

        stored = db.session.get(ServiceRequest, request.id).search_text
        assert "łąkowska" not in stored and "lucja@" not in stored
        assert _found("łąkowska") == set()
        assert _found(request.reference) == {retention.ERASED}


def test_the_migration_fills_the_search_text_of_requests_already_there(database_url, tmp_path):
    from flask_migrate import downgrade, upgrade

    from portal import create_app
    from portal.config import TestConfig
    from tests.integration.test_migrations import ROWS_AT_FIRST_REVISION, _migrations

    if not database_url.startswith("sqlite"):
        pytest.skip("the backfill is plain SQL; the SQLite run covers it")
    url = f"sqlite:///{tmp_path / 'backfill.sqlite3'}"
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=_migrations(), revision="702f37e0f67c")
        with db.engine.begin() as connection:
            for statement in ROWS_AT_FIRST_REVISION:
                connection.execute(sa.text(statement))
            connection.execute(
                sa.text("UPDATE service_request SET name = 'Łucja ŁĄKOWSKA', email = 'Ł@X.PL'")
            )

        upgrade(directory=_migrations(), revision="e6f2870f8a06")

        with db.engine.connect() as connection:
            text = connection.execute(sa.text("SELECT search_text FROM service_request")).scalar()
        assert text == "kr/2024/0001\nłucja łąkowska\nł@x.pl"
        downgrade(directory=_migrations(), revision="702f37e0f67c")
        db.engine.dispose()
