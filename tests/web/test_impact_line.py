"""The home page's impact line: the services done since the first day counted, by service,
from the council report's own figures; shown only when the institution turns it on, never
stale for longer than the worker keeps it, and at a fixed number of queries."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

import pytest
from flask_babel import ngettext
from sqlalchemy import delete, select

from portal import services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.domain.period import Period
from portal.extensions import db
from portal.models import (
    BaselineTotal,
    ConsentMethod,
    Institution,
    Outcome,
    ServiceRequest,
    utcnow,
)
from portal.queries import figures
from portal.queries.figures import CategoryTotal, ServiceTotals
from portal.reports.impact import impact_sentence
from portal.web import pagecache
from tests import factories

from .helpers import count_queries

SUMMARY = "/backoffice/raporty/podsumowanie"
# The Opole demo's past totals: 2019-01-01 to 2026-03-31, by service.
OPOLE_PARTS = (
    "686 usług krawieckich, 333 usługi stolarsko-tapicerskie i 103 usługi remontowo-budowlane"
)


@pytest.fixture(autouse=True)
def nothing_remembered():
    """The figures a worker keeps are the module's: no test sees another's."""
    pagecache._remembered.clear()
    yield
    pagecache._remembered.clear()


@pytest.fixture
def said(app):
    """The sentence as the page says it, so the tests hold once the catalogue is filled in."""

    def say(total: int, year: int, parts: str) -> str:
        with app.test_request_context():
            return ngettext(
                "Since %(year)s, our workshops have carried out %(num)d service free of charge: "
                "%(parts)s.",
                "Since %(year)s, our workshops have carried out %(num)d services free of charge: "
                "%(parts)s.",
                total,
                year=year,
                parts=parts,
            )

    return say


def _line(client) -> str | None:
    page = client.get("/").get_data(as_text=True)
    found = re.search(r'<p class="impact">(.*?)</p>', page, flags=re.S)
    return found.group(1) if found else None


def _show_impact(app, shown: bool) -> None:
    with app.app_context():
        db.session.scalars(select(Institution)).one().show_impact = shown
        db.session.commit()


def _today(app) -> date:
    return services.local_today(app.config["BABEL_DEFAULT_TIMEZONE"])


# --- On and off -----------------------------------------------------------------------------


def test_the_demo_home_page_says_the_opole_total_since_2019(client, said):
    assert _line(client) == said(1122, 2019, OPOLE_PARTS)


def test_turned_off_the_home_page_says_nothing_of_it(app, client):
    _show_impact(app, False)

    page = client.get("/").get_data(as_text=True)

    assert 'class="impact"' not in page and "1122" not in page


def test_turning_it_off_takes_it_off_at_once_even_while_a_worker_keeps_the_figures(app, client):
    app.config["WAITING_ESTIMATE_SECONDS"] = 300
    assert _line(client) is not None

    _show_impact(app, False)

    assert _line(client) is None


# --- The council report's figures ------------------------------------------------------------


def test_a_new_completion_counts_as_in_the_council_report(app, client, accounts, said):
    with app.app_context():
        factories.make_request(code="tailoring", status=Status.COMPLETED)
        factories.make_request(code="renovation", status=Status.COMPLETED)
        not_done = factories.make_request(code="upholstery", status=Status.IN_PROGRESS)
        services.complete_job(
            not_done,
            Actor(Role.STAFF),
            completed_on=_today(app),
            outcome=Outcome.NOT_DONE,
            not_done_reason="Brak części",
        )
        totals = figures.service_totals(Period.since(date(2019, 1, 1), _today(app)))
    parts = (
        "687 usług krawieckich, 333 usługi stolarsko-tapicerskie i 104 usługi remontowo-budowlane"
    )

    line = _line(client)

    assert totals.total == 1124 and totals.baseline == 1122
    assert line == said(1124, 2019, parts)
    accounts.login_as("staff")
    summary = client.get(SUMMARY, query_string={"period": "since", "since": "2019-01-01"})
    council = summary.get_data(as_text=True).split('<p class="council-summary__sentence">')[1]
    for figure in ("1124", "687 usług krawieckich", "333 usługi stolarsko-tapicerskie"):
        assert figure in council.split("</p>")[0] and figure in line
    assert "104 usługi remontowo-budowlane" in council.split("</p>")[0]


def test_without_past_totals_it_counts_from_the_first_completion(app, client, said):
    with app.app_context():
        db.session.execute(delete(BaselineTotal))
        db.session.commit()
    assert _line(client) is None

    with app.app_context():
        factories.make_request(code="upholstery", status=Status.COMPLETED)

    assert _line(client) == said(1, _today(app).year, "1 usługa stolarsko-tapicerska")


def test_with_nothing_to_count_nothing_shows(app, client):
    with app.app_context():
        db.session.execute(delete(BaselineTotal))
        db.session.commit()
        not_done = factories.make_request(status=Status.IN_PROGRESS)
        services.complete_job(
            not_done,
            Actor(Role.STAFF),
            completed_on=_today(app),
            outcome=Outcome.NOT_DONE,
            not_done_reason="Brak części",
        )

    page = client.get("/").get_data(as_text=True)

    assert 'class="impact"' not in page


# --- Polish plural forms -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, phrase",
    [
        (1, "1 usługa krawiecka"),
        (2, "2 usługi krawieckie"),
        (5, "5 usług krawieckich"),
        (22, "22 usługi krawieckie"),
        (12, "12 usług krawieckich"),
    ],
)
def test_each_number_takes_its_polish_form(app, said, number, phrase):
    with app.test_request_context():
        tailoring = factories.category("tailoring")
        totals = ServiceTotals(by_category=[CategoryTotal(tailoring, recorded=number)], by_kind={})

        sentence = impact_sentence(date(2014, 5, 1), totals)

    assert sentence == said(number, 2014, phrase)


def test_two_services_are_joined_by_i_and_services_with_none_are_left_out(app, said):
    with app.test_request_context():
        tailoring, upholstery, renovation = (
            factories.category(code) for code in ("tailoring", "upholstery", "renovation")
        )
        totals = ServiceTotals(
            by_category=[
                CategoryTotal(tailoring, recorded=2, baseline=20),
                CategoryTotal(upholstery),
                CategoryTotal(renovation, baseline=5),
            ],
            by_kind={},
        )

        sentence = impact_sentence(date(2014, 1, 1), totals)

    assert sentence == said(27, 2014, "22 usługi krawieckie i 5 usług remontowo-budowlanych")


def test_zero_services_make_no_sentence(app):
    with app.test_request_context():
        totals = ServiceTotals(
            by_category=[CategoryTotal(factories.category("tailoring"))], by_kind={}
        )

        assert impact_sentence(date(2014, 1, 1), totals) is None


# --- Cost and freshness ---------------------------------------------------------------------------


def _bulk_done(count: int, today: date) -> None:
    """Insert many services done over the last months at once (the tallies follow)."""
    categories = [factories.category(code) for code in ("tailoring", "upholstery", "renovation")]
    now = utcnow()
    for number in range(count):
        db.session.add(
            ServiceRequest(
                reference=f"KR/2026/{secrets.token_hex(4)}",
                access_token=secrets.token_urlsafe(24),
                status=Status.COMPLETED,
                outcome=Outcome.DONE,
                completed_on=today - timedelta(days=number % 200),
                category_id=categories[number % 3].id,
                description="Naprawa",
                name=f"Osoba {number}",
                phone="600 000 000",
                phone_digits="600000000",
                consent_at=now,
                consent_version="1",
                consent_method=ConsentMethod.ONLINE,
                created_at=now - timedelta(days=400),
            )
        )
    db.session.commit()


def test_the_home_page_costs_the_same_queries_for_5_and_200_services(app, client):
    with app.app_context():
        _bulk_done(5, _today(app))
    few = count_queries(app, client, "/")

    with app.app_context():
        _bulk_done(195, _today(app))
    many = count_queries(app, client, "/")

    assert few == many
    # The institution, the services with their workshops; the first day counted, the
    # services, and the tally and the past totals added up.
    assert many == 6


def test_a_worker_keeps_the_count_for_a_while_and_then_counts_again(app, client, monkeypatch):
    app.config["WAITING_ESTIMATE_SECONDS"] = 300
    clock = [1000.0]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock[0])
    first = count_queries(app, client, "/")
    with app.app_context():
        factories.make_request(code="tailoring", status=Status.COMPLETED)

    kept = count_queries(app, client, "/")
    still = _line(client)
    clock[0] += 301
    counted_again = _line(client)

    assert (first, kept) == (6, 2)
    assert "1122" in still and "686 usług krawieckich" in still
    assert "1123" in counted_again and "687 usług krawieckich" in counted_again
