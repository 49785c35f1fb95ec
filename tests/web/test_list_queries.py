"""Every list of the back office costs the same number of queries for a few rows or many."""

from datetime import date
from itertools import count

import pytest

from portal.domain.lifecycle import Role
from portal.extensions import db
from portal.models import WorkshopGroup
from portal.services import baseline
from tests import factories

from .helpers import count_queries

_numbers = count(1)
LISTS = [
    "/backoffice/konta",
    "/backoffice/grupy",
    "/backoffice/edycje",
    "/backoffice/poczta",
    "/backoffice/dane-historyczne",
]


def _grow(rows: int) -> None:
    """Add rows of everything the lists show: accounts in groups, groups, editions with
    trainees, e-mail waiting in the outbox, past totals."""
    tailoring = factories.category("tailoring")
    for number in range(rows):
        group = WorkshopGroup(name=f"Grupa {next(_numbers)}", category_id=tailoring.id)
        db.session.add(group)
        account = factories.user(Role.INSTRUCTOR)
        account.groups = [group]
        edition = factories.edition()
        factories.trainee(f"Uczestnik {number}", edition_=edition)
        factories.make_request(email=f"osoba{number}@example.org", email_updates=True)
        baseline.add_baseline_total(
            starts_on=date(2015 + number % 5, 1, 1),
            ends_on=date(2015 + number % 5, 12, 31),
            services=10 + number,
            category_id=tailoring.id,
        )
        db.session.commit()


@pytest.mark.parametrize("url", LISTS)
def test_a_list_costs_the_same_queries_for_one_row_or_twelve(app, client, accounts, url):
    accounts.login_as("admin")
    with app.app_context():
        _grow(1)
    few = count_queries(app, client, url)

    with app.app_context():
        _grow(11)

    assert count_queries(app, client, url) == few


def test_an_edition_page_costs_the_same_queries_for_one_trainee_or_twelve(app, client, accounts):
    accounts.login_as("admin")
    with app.app_context():
        edition = factories.edition()
        factories.trainee("Pierwsza Uczestniczka", edition_=edition)
        url = f"/backoffice/edycje/{edition.id}"
    few = count_queries(app, client, url)

    with app.app_context():
        for number in range(11):
            factories.trainee(f"Uczestnik {number}", edition_=db.session.merge(edition))

    assert count_queries(app, client, url) == few
