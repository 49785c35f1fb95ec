"""The pages about residents' data and accessibility, in headless Chromium: the accessibility
statement, the data protection clause, the audit trail and a person's erasure, each without
axe violations and reachable from the footer. Elements are found by id and CSS, so the
checks hold whatever the catalogue says."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from portal import audit, services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from tests import factories

from .conftest import HEIGHT, WIDTHS, check_accessibility, horizontal_overflow, save_screenshots

PASSWORD = "haslo-testowe-123"


def _log_in_as_admin(page, live_server) -> None:
    with live_server.app.app_context():
        email = factories.user(Role.ADMIN, password=PASSWORD).email
        db.session.remove()
    page.goto(live_server("/backoffice/logowanie"))
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("#password").press("Enter")


@pytest.mark.parametrize(
    ("name", "path"),
    [("accessibility-statement", "/deklaracja-dostepnosci"), ("privacy", "/ochrona-danych")],
)
def test_the_public_statements_are_accessible_and_fit_a_phone(page, live_server, name, path):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        assert page.goto(live_server(path)).status == 200
        check_accessibility(page, best_practices=(width == WIDTHS[0]))
        assert horizontal_overflow(page) <= 0
    save_screenshots(page, name)


def test_the_footer_leads_to_the_statement_from_the_home_page(page, live_server):
    page.goto(live_server("/"))

    link = page.locator("footer a#footer-accessibility")
    expect(link).to_have_attribute("href", "/deklaracja-dostepnosci")
    link.click()

    expect(page.locator("#a11y-wstep")).to_be_visible()
    expect(page.locator("time#a11y-data-przeglad")).to_have_attribute(
        "datetime", date(2026, 4, 1).isoformat()
    )


def test_the_request_page_the_erasure_and_the_audit_are_accessible(page, live_server):
    with live_server.app.app_context():
        done = factories.make_request(
            name="Zofia Przeglądarka",
            status=Status.COMPLETED,
            upload_folder=live_server.app.config["UPLOAD_FOLDER"],
        )
        still_open = factories.make_request(name="Adam Otwarty", phone="601 222 333")
        done_id, open_id = done.id, still_open.id
        db.session.remove()
    _log_in_as_admin(page, live_server)

    page.goto(live_server(f"/backoffice/zgloszenia/{done_id}"))
    expect(page.locator("#export-person")).to_be_visible()
    expect(page.locator("footer a#footer-accessibility")).to_be_visible()
    check_accessibility(page)

    # An open request: the erasure page explains why nothing can be erased yet.
    page.goto(live_server(f"/backoffice/zgloszenia/{open_id}/dane-osoby/usun"))
    expect(page.locator("#erase-blocked")).to_be_visible()
    check_accessibility(page)
    save_screenshots(page, "bo-erase-blocked")

    # A closed one: the form, first sent empty, then filled in.
    page.goto(live_server(f"/backoffice/zgloszenia/{done_id}"))
    page.locator("#erase-person").click()
    expect(page.locator("#erase-form")).to_be_visible()
    check_accessibility(page)
    page.locator("#erase-form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#reason-error")).to_be_visible()
    check_accessibility(page)
    save_screenshots(page, "bo-erase-errors")
    page.locator("#reason").fill("Pismo z prośbą o usunięcie danych")
    page.locator("#decision").fill("Usunięto po konsultacji z inspektorem ochrony danych")
    page.locator("#erase-form button[type=submit]").click()
    expect(page.locator("#anonymised-notice")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Zofia Przeglądarka")
    check_accessibility(page)

    page.goto(live_server("/backoffice/audyt"))
    expect(page.locator("#audit-entries tbody tr").first).to_be_visible()
    check_accessibility(page)
    save_screenshots(page, "bo-audit")


def test_a_long_audit_is_paginated_and_stays_accessible_on_a_phone(page, live_server):
    with live_server.app.app_context():
        staff = factories.user(Role.STAFF)
        request = factories.make_request()
        for _ in range(55):
            audit.record(staff, audit.AuditAction.VIEW_REQUEST, request.id, commit=False)
        db.session.commit()
        services.add_note(request, "Notatka", Actor.of(staff))
        db.session.remove()
    _log_in_as_admin(page, live_server)
    page.set_viewport_size({"width": 360, "height": HEIGHT})

    page.goto(live_server("/backoffice/audyt"))

    expect(page.locator("#audit-entries tbody tr")).to_have_count(50)
    expect(page.locator(".pagination a[rel=next]")).to_be_visible()
    check_accessibility(page)
    page.locator(".pagination a[rel=next]").click()
    expect(page.locator("#audit-entries tbody tr")).to_have_count(5)
    check_accessibility(page, best_practices=False)
