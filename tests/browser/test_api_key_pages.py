"""The administrator's pages of partners' API keys in headless Chromium: the list with its form,
the key shown once, and the revocation asked first, each without axe violations and fitting a
320 px phone and a desktop. Elements are found by id, so the checks hold whatever the
catalogue says."""

from __future__ import annotations

from playwright.sync_api import expect

from portal.domain.lifecycle import Role
from portal.extensions import db
from tests import factories

from .conftest import HEIGHT, check_accessibility, horizontal_overflow, save_screenshots

PASSWORD = "haslo-testowe-123"
WIDTHS = (320, 1280)
# A long name with no spaces to break at, as a pasted institution name may be.
INSTITUTION = "Miejski Ośrodek Pomocy Społecznej w Kędzierzynie-Koźlu (Dział Usług Opiekuńczych)"


def _log_in_as_admin(page, live_server) -> None:
    with live_server.app.app_context():
        email = factories.user(Role.ADMIN, password=PASSWORD).email
        db.session.remove()
    page.goto(live_server("/backoffice/logowanie"))
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("#password").press("Enter")


def _check_each_width(page) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        check_accessibility(page, best_practices=(width == WIDTHS[0]))
        assert horizontal_overflow(page) <= 0, f"{page.url} at {width} px"


def test_the_key_pages_are_accessible_and_fit_a_phone(page, live_server):
    _log_in_as_admin(page, live_server)

    page.goto(live_server("/backoffice/klucze-api"))
    expect(page.locator("#api-keys")).to_be_visible()
    _check_each_width(page)

    # An empty form: the errors are shown at the field, accessibly.
    with page.expect_navigation():
        page.locator("#issue-key button[type=submit]").click()
    expect(page.locator("#institution_name-error")).to_be_visible()
    _check_each_width(page)

    page.locator("#institution_name").fill(INSTITUTION)
    page.locator("#note").fill("System ewidencji, kontakt: dział IT")
    with page.expect_navigation():
        page.locator("#issue-key button[type=submit]").click()
    expect(page.locator("#api-key-warning")).to_be_visible()
    secret = page.locator("#api-key-secret").inner_text()
    assert secret.startswith("kis_")
    _check_each_width(page)
    save_screenshots(page, "backoffice-api-key-issued", widths=WIDTHS)

    page.goto(live_server("/backoffice/klucze-api"))
    assert secret not in page.content()
    revoke = page.locator("#api-keys a[id^=revoke-]")
    expect(revoke).to_have_count(1)
    _check_each_width(page)
    save_screenshots(page, "backoffice-api-keys", widths=WIDTHS)

    with page.expect_navigation():
        revoke.click()
    expect(page.locator("#revoke-warning")).to_be_visible()
    _check_each_width(page)
    save_screenshots(page, "backoffice-api-key-revoke", widths=WIDTHS)

    with page.expect_navigation():
        page.locator("#revoke-form button[type=submit]").click()
    expect(page.locator("#api-keys a[id^=revoke-]")).to_have_count(0)
    _check_each_width(page)


def test_the_menu_leads_to_the_key_pages_by_keyboard(page, live_server):
    _log_in_as_admin(page, live_server)
    page.goto(live_server("/backoffice/konto"))

    link = page.locator('.bo-nav a[href="/backoffice/klucze-api"]')
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator("#api-keys")).to_be_visible()
    expect(page.locator('.bo-nav a[aria-current="page"]')).to_have_attribute(
        "href", "/backoffice/klucze-api"
    )
