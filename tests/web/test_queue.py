"""The queue: filters, search, counts, waiting too long, pages, htmx, and a fixed number of queries."""

import re
from datetime import datetime, time, timedelta

import pytest

from portal.domain.lifecycle import Status
from portal.extensions import db
from portal.models import Channel, ServiceRequest
from tests import factories

from .helpers import count_queries


@pytest.fixture
def staff(accounts):
    return accounts.login_as("staff")


@pytest.fixture
def mix(app):
    """A handful of requests that differ in every filtered property."""
    with app.app_context():
        factories.make_request(name="Alicja Krawiecka", code="tailoring", phone="600 111 111")
        factories.make_request(
            name="Bogdan Stolarski", code="upholstery", status=Status.ACCEPTED, phone="600 222 222"
        )
        factories.make_request(
            name="Celina Remontowa",
            code="renovation",
            status=Status.NEEDS_INFO,
            receives_assistance=True,
            is_senior=False,
        )
        factories.make_request(
            name="Dom Dziennego Pobytu",
            code="tailoring",
            channel=Channel.INSTITUTION,
            institution_name="DDP Złota Jesień",
            status=Status.COMPLETED,
        )
        factories.make_request(
            name="Edward Telefoniczny",
            code="tailoring",
            channel=Channel.PHONE,
            status=Status.DECLINED,
        )


def _names(client, **params):
    page = client.get("/backoffice/zgloszenia", query_string=params).get_data(as_text=True)
    names = [
        "Alicja Krawiecka",
        "Bogdan Stolarski",
        "Celina Remontowa",
        "DDP Złota Jesień",
        "Edward Telefoniczny",
    ]
    return {name.split()[0] for name in names if name in page}


def test_default_view_is_what_waits_for_review_oldest_first(client, staff, mix):
    assert _names(client) == {"Alicja", "Celina"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "all"}, {"Alicja", "Bogdan", "Celina", "DDP", "Edward"}),
        ({"status": "open"}, {"Alicja", "Bogdan", "Celina"}),
        ({"status": "closed"}, {"DDP", "Edward"}),
        ({"status": "accepted"}, {"Bogdan"}),
        ({"status": "jobs"}, {"Bogdan"}),
        ({"status": "all", "channel": "phone"}, {"Edward"}),
        ({"status": "all", "kind": "institution"}, {"DDP"}),
        ({"status": "all", "kind": "assisted"}, {"Celina"}),
        ({"status": "all", "kind": "senior"}, {"Alicja", "Bogdan", "Edward"}),
        ({"status": "all", "q": "stolar"}, {"Bogdan"}),
        ({"status": "all", "q": "600 222"}, {"Bogdan"}),
        ({"status": "all", "q": "KR/"}, {"Alicja", "Bogdan", "Celina", "DDP", "Edward"}),
    ],
)
def test_filters_and_search(client, staff, mix, params, expected):
    assert _names(client, **params) == expected


def test_filter_by_category_and_group(app, client, staff, mix):
    with app.app_context():
        upholstery = factories.category("upholstery").id
        group = factories.group_for("upholstery").id

    assert _names(client, status="all", category=upholstery) == {"Bogdan"}
    assert _names(client, status="all", group=group) == {"Bogdan"}


def test_filter_by_date_range(app, client, staff, mix):
    with app.app_context():
        old = db.session.query(ServiceRequest).filter_by(name="Alicja Krawiecka").one()
        # Midday in UTC is the same day in Warsaw, whatever the hour the suite runs at.
        day = old.created_at.date() - timedelta(days=40)
        old.created_at = datetime.combine(day, time(12, 0))
        db.session.commit()

    assert _names(client, status="all", date_to=day.isoformat()) == {"Alicja"}
    assert "Alicja" not in _names(
        client, status="all", date_from=(day + timedelta(days=2)).isoformat()
    )


def test_the_date_range_counts_days_in_the_clubs_time_zone(app, client, staff, mix):
    with app.app_context():
        late = db.session.query(ServiceRequest).filter_by(name="Alicja Krawiecka").one()
        day = late.created_at.date() - timedelta(days=40)
        # 23:30 UTC is already the next day in Warsaw, in winter and in summer.
        late.created_at = datetime.combine(day, time(23, 30))
        db.session.commit()
    warsaw_day = (day + timedelta(days=1)).isoformat()

    assert "Alicja" in _names(client, status="all", date_from=warsaw_day, date_to=warsaw_day)
    assert "Alicja" not in _names(client, status="all", date_to=day.isoformat())


def test_bad_filter_values_are_ignored_not_an_error(client, staff, mix):
    response = client.get(
        "/backoffice/zgloszenia",
        query_string={
            "status": "nonsense",
            "category": "x",
            "date_from": "yesterday",
            "page": "-5",
        },
    )

    assert response.status_code == 200


def test_counts_per_status_are_shown(client, staff, mix):
    page = client.get("/backoffice/zgloszenia").get_data(as_text=True)

    assert "status-count--submitted" in page
    counts = page.split('status-count--accepted">')[1].split("</strong>")[0]
    assert counts.endswith("<strong>1")


def test_requests_waiting_too_long_stand_out(app, client, staff):
    with app.app_context():
        factories.make_request(name="Stara Sprawa")
        factories.make_request(name="Nowa Sprawa")
        old = db.session.query(ServiceRequest).filter_by(name="Stara Sprawa").one()
        old.created_at = old.created_at - timedelta(days=app.config["QUEUE_STALE_DAYS"] + 2)
        db.session.commit()

    page = client.get("/backoffice/zgloszenia").get_data(as_text=True)

    stale_rows = [row for row in page.split("<tr") if "row--stale" in row]
    assert len(stale_rows) == 1 and "Stara Sprawa" in stale_rows[0]


def test_newest_or_oldest_first(client, staff, mix):
    oldest = client.get("/backoffice/zgloszenia", query_string={"status": "all"}).get_data(
        as_text=True
    )
    newest = client.get(
        "/backoffice/zgloszenia", query_string={"status": "all", "sort": "newest"}
    ).get_data(as_text=True)

    assert oldest.index("Alicja") < oldest.index("Edward")
    assert newest.index("Edward") < newest.index("Alicja")


def test_pagination_keeps_the_filters(app, client, staff):
    with app.app_context():
        factories.bulk_requests(app.config["QUEUE_PAGE_SIZE"] + 5)

    first = client.get(
        "/backoffice/zgloszenia", query_string={"status": "all", "sort": "newest"}
    ).get_data(as_text=True)
    second = client.get(
        "/backoffice/zgloszenia", query_string={"status": "all", "sort": "newest", "page": 2}
    ).get_data(as_text=True)

    assert "page=2" in first and "sort=newest" in first.split('rel="next"')[0].rsplit("href=", 1)[1]
    assert second.count('<tr class="') == 5


def test_htmx_request_gets_only_the_results(client, staff, mix):
    response = client.get(
        "/backoffice/zgloszenia",
        query_string={"status": "all"},
        headers={"HX-Request": "true", "HX-Target": "queue-results"},
    )

    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<section id="queue-results"')
    assert "<html" not in page
    assert "HX-Request" in response.headers["Vary"]


def test_the_filter_form_keeps_the_filters_in_the_url_and_works_without_javascript(
    client, staff, mix
):
    page = client.get(
        "/backoffice/zgloszenia", query_string={"status": "all", "q": "Bogdan"}
    ).get_data(as_text=True)

    assert 'method="get"' in page and 'hx-push-url="true"' in page
    assert 'value="Bogdan"' in page


def test_the_queue_issues_the_same_number_of_queries_for_5_and_500_requests(app, client, staff):
    url = "/backoffice/zgloszenia?status=all"
    with app.app_context():
        group = factories.group_for("tailoring")
        factories.bulk_requests(5, status=Status.ACCEPTED, group=group)
    app.config["QUEUE_PAGE_SIZE"] = 1000
    few = count_queries(app, client, url)

    with app.app_context():
        group = factories.group_for("tailoring")
        factories.bulk_requests(495, status=Status.ACCEPTED, group=group)
        factories.bulk_requests(0)
    many = count_queries(app, client, url)

    assert few == many
    assert many <= 8, many


def test_instructor_queue_is_fixed_in_queries_too(app, client, accounts):
    accounts.login_as("instructor", groups=["tailoring"])
    url = "/backoffice/zgloszenia?status=all"
    with app.app_context():
        factories.bulk_requests(5, status=Status.ACCEPTED, group=factories.group_for("tailoring"))
    app.config["QUEUE_PAGE_SIZE"] = 1000
    few = count_queries(app, client, url)
    with app.app_context():
        factories.bulk_requests(495, status=Status.ACCEPTED, group=factories.group_for("tailoring"))

    assert count_queries(app, client, url) == few


@pytest.mark.parametrize(
    "query", ["status=waiting", "status=open&q=Osoba", "status=all&q=os&sort=newest"]
)
def test_filtered_and_searched_queues_are_fixed_in_queries_too(app, client, staff, query):
    url = f"/backoffice/zgloszenia?{query}"
    with app.app_context():
        factories.bulk_requests(5)
    few = count_queries(app, client, url)
    with app.app_context():
        factories.bulk_requests(120)
        factories.bulk_requests(30, status=Status.ACCEPTED, group=factories.group_for("tailoring"))

    assert count_queries(app, client, url) == few


def test_each_row_says_how_long_the_request_waits_and_the_number_to_call(app, client, staff):
    from datetime import timedelta

    from portal.models import utcnow

    with app.app_context():
        request = factories.make_request(phone="+48 600-123-456", name="Ida Czekająca")
        request.created_at = utcnow() - timedelta(days=3, hours=1)
        db.session.commit()
        request_id = request.id

    page = client.get("/backoffice/zgloszenia").get_data(as_text=True)

    row = re.search(rf'href="/backoffice/zgloszenia/{request_id}".*?</tr>', page, re.S).group(0)
    assert "3 dni" in row
    assert 'href="tel:600123456"' in row and "+48 600-123-456" in row
