"""The home page and the blank form are rendered once per settings version, yet each
visitor gets their own form token and submission key, and a change of settings shows."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Institution, ServiceCategory

from .helpers import count_queries, hidden_value, submit


def test_each_visitor_gets_a_token_and_a_key_of_their_own(app, client):
    other = app.test_client()

    first, again, second = (
        client.get("/zglos").data,
        client.get("/zglos").data,
        other.get("/zglos").data,
    )

    keys = {hidden_value(page, "submission_key") for page in (first, again, second)}
    assert len(keys) == 3
    assert hidden_value(first, "csrf_token") != hidden_value(second, "csrf_token")
    assert b"csrf-" not in first and b"submission_key-" not in first


def test_a_form_from_the_cache_is_accepted(app, client):
    client.get("/zglos")

    response = submit(client)

    assert response.status_code == 303


def test_a_change_of_settings_shows_at_once(app, client):
    client.get("/")
    client.get("/zglos")
    with app.app_context():
        tailoring = db.session.scalars(
            select(ServiceCategory).where(ServiceCategory.code == "tailoring")
        ).one()
        tailoring.name = "Szycie i przeróbki"
        db.session.scalars(select(Institution)).one().phone = "77 000 00 99"
        db.session.commit()

    home, form = client.get("/").get_data(as_text=True), client.get("/zglos").get_data(as_text=True)

    assert "Szycie i przeróbki" in home and "Szycie i przeróbki" in form
    assert "77 000 00 99" in home and "77 000 00 99" in form


def test_the_chosen_service_is_kept_apart_in_the_cache(client):
    plain = client.get("/zglos").get_data(as_text=True)
    chosen = client.get("/zglos?rodzaj=renovation").get_data(as_text=True)

    assert plain.count("checked") < chosen.count("checked")


def test_the_blank_form_costs_the_same_queries_rendered_or_copied(app, client):
    first = count_queries(app, client, "/zglos")
    second = count_queries(app, client, "/zglos")

    # The institution, the services with their workshops, and the waiting estimates.
    assert first == second == 3


def test_a_worker_keeps_the_waiting_estimates_for_a_while(app, client):
    from portal.web import pagecache

    pagecache._remembered.clear()
    app.config["WAITING_ESTIMATE_SECONDS"] = 300
    try:
        first = count_queries(app, client, "/zglos")
        second = count_queries(app, client, "/zglos")
    finally:
        app.config["WAITING_ESTIMATE_SECONDS"] = 0
        pagecache._remembered.clear()

    assert (first, second) == (3, 2)


def test_the_cache_holds_a_bounded_number_of_pages(app):
    from portal.web import pagecache

    with app.test_request_context("/zglos"):
        for estimate in range(pagecache.MAX_PAGES * 2):  # estimates changing for months
            page = pagecache.cached_page(("settings",), ("form", estimate), lambda: "strona")
            assert page == "strona"
            assert len(pagecache._pages) <= pagecache.MAX_PAGES
