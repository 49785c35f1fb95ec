"""The residents' pages in headless Chromium: accessibility, keyboard use, small screens."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal import services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import ServiceRequest
from tests import factories

from .conftest import HEIGHT, WIDTHS, check_accessibility, save_screenshots

REQUEST_FORM = "form.request-form"
PHONE = "600 123 456"


# --- Every state of every public page ---------------------------------------------------
# Each opener brings the page to one state and returns the HTTP status of what it shows.


def _submit(page, form_selector: str) -> int:
    with page.expect_navigation() as navigation:
        page.locator(f"{form_selector} button[type=submit]").click()
    return navigation.value.status


def open_home(page, server):
    return page.goto(server("/")).status


def open_request_form(page, server):
    return page.goto(server("/zglos")).status


def open_request_form_with_errors(page, server):
    page.goto(server("/zglos"))
    status = _submit(page, REQUEST_FORM)
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator(".field-error").first).to_be_visible()
    return status


def open_confirmation(page, server):
    seeded = server.seed_request()
    status = page.goto(server(f"/zgloszenie/{seeded.token}/potwierdzenie")).status
    expect(page.locator("#reference")).to_have_text(seeded.reference)
    return status


def open_status(page, server):
    seeded = server.seed_request()
    status = page.goto(server(f"/zgloszenie/{seeded.token}")).status
    expect(page.locator("a[href$='/anuluj']")).to_be_visible()
    return status


def open_cancel(page, server):
    seeded = server.seed_request()
    return page.goto(server(f"/zgloszenie/{seeded.token}/anuluj")).status


def open_status_after_cancelling(page, server):
    seeded = server.seed_request()
    page.goto(server(f"/zgloszenie/{seeded.token}/anuluj"))
    page.locator("#reason").fill("Naprawiła mi sąsiadka.")
    status = _submit(page, "main form")
    expect(page.locator("#status")).to_have_text("Anulowane")
    expect(page.locator(".notice--success")).to_be_visible()
    return status


def open_printable(page, server):
    seeded = server.seed_request()
    status = page.goto(server(f"/zgloszenie/{seeded.token}/do-druku")).status
    expect(page.locator("#reference")).to_have_text(seeded.reference)
    return status


def open_status_scheduled(page, server):
    seeded = server.seed_request(status=Status.SCHEDULED)
    status = page.goto(server(f"/zgloszenie/{seeded.token}")).status
    expect(page.locator("#status-facts")).to_contain_text("10:00–12:00")
    return status


def open_status_declined(page, server):
    seeded = server.seed_request(status=Status.DECLINED)
    status = page.goto(server(f"/zgloszenie/{seeded.token}")).status
    expect(page.locator("#status-message")).to_be_visible()
    return status


def open_status_needs_info(page, server):
    seeded = server.seed_request(status=Status.NEEDS_INFO)
    status = page.goto(server(f"/zgloszenie/{seeded.token}")).status
    expect(page.locator("#answer")).to_be_visible()
    return status


def open_status_answer_errors(page, server):
    seeded = server.seed_request(status=Status.NEEDS_INFO)
    page.goto(server(f"/zgloszenie/{seeded.token}"))
    status = _submit(page, ".answer-panel form")
    expect(page.locator("#error-summary")).to_be_focused()
    return status


def open_status_answered(page, server):
    seeded = server.seed_request(status=Status.NEEDS_INFO)
    page.goto(server(f"/zgloszenie/{seeded.token}"))
    page.locator("#answer").fill("Spodnie są wełniane.")
    status = _submit(page, ".answer-panel form")
    expect(page.locator(".notice--success")).to_be_visible()
    return status


def open_status_answer_not_sent(page, server):
    seeded = server.seed_request(status=Status.NEEDS_INFO)
    page.goto(server(f"/zgloszenie/{seeded.token}"))
    page.locator("#answer").fill("Spodnie są wełniane, proszę skrócić o 5 cm.")
    with server.app.app_context():  # the office moves on while the resident types
        request = db.session.scalars(
            select(ServiceRequest).where(ServiceRequest.access_token == seeded.token)
        ).one()
        services.accept_request(
            request, Actor(Role.STAFF), group_id=factories.group_for("tailoring").id
        )
        db.session.remove()
    status = _submit(page, ".answer-panel form")
    expect(page.locator(".unsent-answer")).to_contain_text("proszę skrócić o 5 cm")
    return status


def open_status_completed(page, server):
    seeded = server.seed_request(status=Status.COMPLETED)
    status = page.goto(server(f"/zgloszenie/{seeded.token}")).status
    expect(page.locator("#feedback-heading")).to_be_visible()
    return status


def open_status_feedback_errors(page, server):
    seeded = server.seed_request(status=Status.COMPLETED)
    page.goto(server(f"/zgloszenie/{seeded.token}"))
    status = _submit(page, ".feedback-panel form")
    expect(page.locator("#error-summary")).to_be_focused()
    return status


def open_accessibility_statement(page, server):
    return page.goto(server("/deklaracja-dostepnosci")).status


def open_lost_link(page, server):
    return page.goto(server("/nie-mam-linku")).status


def open_lost_link_with_errors(page, server):
    page.goto(server("/nie-mam-linku"))
    status = _submit(page, "main form")
    expect(page.locator("#error-summary")).to_be_focused()
    return status


def open_lost_link_not_found(page, server):
    page.goto(server("/nie-mam-linku"))
    page.locator("#reference").fill("KR/2026/9999")
    page.locator("#phone").fill(PHONE)
    status = _submit(page, "main form")
    expect(page.locator(".notice--error")).to_be_visible()
    return status


def open_privacy(page, server):
    return page.goto(server("/ochrona-danych")).status


def open_not_found(page, server):
    return page.goto(server("/nie-ma-takiej-strony")).status


def open_form_without_cookie(page, server):
    page.goto(server("/nie-mam-linku"))
    page.context.clear_cookies()  # the session holding the CSRF token never comes back
    page.locator("#reference").fill("KR/2026/0001")
    page.locator("#phone").fill(PHONE)
    return _submit(page, "main form")


def open_form_expired(page, server):
    page.goto(server("/nie-mam-linku"))
    page.evaluate("document.querySelector('input[name=csrf_token]').value = 'stale'")
    page.locator("#reference").fill("KR/2026/0001")
    page.locator("#phone").fill(PHONE)
    return _submit(page, "main form")


PAGES = {
    "home": (open_home, 200),
    "request-form": (open_request_form, 200),
    "request-form-errors": (open_request_form_with_errors, 200),
    "confirmation": (open_confirmation, 200),
    "status": (open_status, 200),
    "cancel": (open_cancel, 200),
    "status-cancelled": (open_status_after_cancelling, 200),
    "status-scheduled": (open_status_scheduled, 200),
    "status-declined": (open_status_declined, 200),
    "printable": (open_printable, 200),
    "status-needs-info": (open_status_needs_info, 200),
    "status-answer-errors": (open_status_answer_errors, 200),
    "status-answered": (open_status_answered, 200),
    "status-answer-not-sent": (open_status_answer_not_sent, 409),
    "status-completed": (open_status_completed, 200),
    "status-feedback-errors": (open_status_feedback_errors, 200),
    "accessibility-statement": (open_accessibility_statement, 200),
    "lost-link": (open_lost_link, 200),
    "lost-link-errors": (open_lost_link_with_errors, 200),
    "lost-link-not-found": (open_lost_link_not_found, 200),
    "privacy": (open_privacy, 200),
    "not-found": (open_not_found, 404),
    "form-expired": (open_form_expired, 400),
    "form-without-cookie": (open_form_without_cookie, 400),
}


@pytest.mark.parametrize("name", PAGES)
def test_public_page_is_accessible_and_fits_a_phone(page, live_server, subtests, name):
    """One page state, several checks: each is reported on its own, the page is loaded once."""
    opener, expected_status = PAGES[name]
    page.set_viewport_size({"width": 360, "height": HEIGHT})
    assert opener(page, live_server) == expected_status
    save_screenshots(page, name)  # first, so a failing page can be looked at

    with subtests.test("no sideways scrolling at 320 px"):
        page.set_viewport_size({"width": 320, "height": HEIGHT})
        too_wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > 320.5)
                .slice(0, 5).map(el => el.outerHTML.slice(0, 120))"""
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, too_wide

    for width in WIDTHS:
        with subtests.test(f"axe at {width} px"):
            page.set_viewport_size({"width": width, "height": HEIGHT})
            check_accessibility(page, best_practices=(width == WIDTHS[0]))


# --- Keyboard only ----------------------------------------------------------------------


FOCUS_MATCHES = "s => !!document.activeElement && document.activeElement.matches(s)"
FOCUSED_HTML = "document.activeElement && document.activeElement.outerHTML.slice(0, 200)"


def tab_to(page, selector: str, max_presses: int = 80) -> None:
    """Press Tab until the focused element matches selector, as a keyboard user would."""
    for _ in range(max_presses):
        if page.evaluate(FOCUS_MATCHES, selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(
        f"{selector} not reached in {max_presses} Tab presses; "
        f"focus is on {page.evaluate(FOCUSED_HTML)}"
    )


def focused_is(page, selector: str) -> bool:
    return page.evaluate(FOCUS_MATCHES, selector)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, live_server):
    page.goto(live_server("/zglos"))

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert focused_is(page, "a.skip-link[href='#main']")
    expect(skip).to_be_in_viewport()
    expect(skip).to_have_text("Przejdź do treści głównej")

    page.keyboard.press("Enter")
    assert focused_is(page, "main#main")
    page.keyboard.press("Tab")  # the next stop is inside the main content, past the header
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_resident_sends_follows_and_cancels_a_request_with_the_keyboard_only(page, live_server):
    page.set_viewport_size({"width": 360, "height": HEIGHT})  # a phone, as most residents use
    page.goto(live_server("/zglos"))

    tab_to(page, "input[name=category_id]")
    assert focused_is(page, "#category_id-0")  # the first service: tailoring
    page.keyboard.press("Space")
    expect(page.locator("#category_id-0")).to_be_checked()

    # The service's own questions open under it: what the garment is, and what it needs.
    tab_to(page, "input[id$='_garment']")
    page.keyboard.type("spodnie")
    tab_to(page, "input[id$='_alteration-0']")
    page.keyboard.press("Space")
    tab_to(page, "#description")
    page.keyboard.type("Proszę skrócić spodnie o 5 cm i wymienić zamek.")
    tab_to(page, "#name")
    page.keyboard.type("Janina Nowak")
    tab_to(page, "#phone")
    page.keyboard.type(PHONE)
    tab_to(page, "#is_senior")
    page.keyboard.press("Space")
    expect(page.locator("#is_senior")).to_be_checked()
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    expect(page.locator("#consent")).to_be_checked()

    tab_to(page, f"{REQUEST_FORM} button[type=submit]")
    with page.expect_navigation(url=re.compile(r"/potwierdzenie$")):
        page.keyboard.press("Enter")
    expect(page.locator("#reference")).to_have_text(re.compile(r"^KR/\d{4}/0001$"))
    expect(page.locator("h1")).to_have_text("Twoje zgłoszenie zostało wysłane")

    tab_to(page, "#status-link")
    with page.expect_navigation(url=re.compile(r"/zgloszenie/[^/]+$")):
        page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("Wysłane – czeka na sprawdzenie")

    tab_to(page, "a[href$='/anuluj']")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Anuluj zgłoszenie"
    with page.expect_navigation(url=re.compile(r"/anuluj$")):
        page.keyboard.press("Enter")

    tab_to(page, "#reason")
    page.keyboard.type("Naprawiła mi sąsiadka.")
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation(url=re.compile(r"/zgloszenie/[^/]+$")):
        page.keyboard.press("Enter")

    expect(page.locator("#status")).to_have_text("Anulowane")
    expect(page.locator(".notice--success")).to_have_text("Twoje zgłoszenie zostało anulowane.")
    expect(page.locator("#timeline")).to_contain_text("Naprawiła mi sąsiadka.")
    expect(page.locator("a[href$='/anuluj']")).to_have_count(0)


def test_after_a_failed_submit_the_keyboard_goes_from_the_error_list_to_the_field(
    page, live_server
):
    page.goto(live_server("/zglos"))
    tab_to(page, f"{REQUEST_FORM} button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert focused_is(page, "#error-summary")  # read out first, before the form
    page.keyboard.press("Tab")
    assert focused_is(page, "#error-summary a[href='#category_id-0']")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the second error: the description
    assert focused_is(page, "#description")
    assert page.locator("#description").get_attribute("aria-invalid") == "true"
    assert page.title().startswith("Błąd:")


# --- Scripts ----------------------------------------------------------------------------

CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def test_vendored_htmx_loads_without_console_errors_or_csp_violations(page, live_server):
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(CSP_LISTENER)
    seeded = live_server.seed_request()

    paths = [
        "/",
        "/zglos",
        f"/zgloszenie/{seeded.token}/potwierdzenie",
        f"/zgloszenie/{seeded.token}",
        f"/zgloszenie/{seeded.token}/anuluj",
        "/nie-mam-linku",
        "/ochrona-danych",
    ]
    for path in paths:
        response = page.goto(live_server(path))  # waits for "load": deferred scripts have run
        assert response.status == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert page.evaluate("typeof htmx !== 'undefined' && htmx.version").startswith("2."), path
        assert page.evaluate("window.__cspViolations") == [], path

    assert problems == []
