"""The public pages in Ukrainian and English: accessible, fitting a phone, switched with a
plain link that works without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import HEIGHT, check_accessibility, horizontal_overflow, save_screenshots


def _pages(server) -> dict[str, str]:
    seeded = server.seed_request()
    return {
        "home": "/",
        "form": "/zglos?rodzaj=renovation",
        "status": f"/zgloszenie/{seeded.token}",
        "privacy": "/ochrona-danych",
        "accessibility": "/deklaracja-dostepnosci",
        "lost-link": "/nie-mam-linku",
    }


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_public_pages_in_each_language_are_accessible_and_fit_a_phone(
    page, live_server, subtests, language
):
    page.context.add_cookies([{"name": "jezyk", "value": language, "url": live_server("/")}])
    for name, path in _pages(live_server).items():
        page.set_viewport_size({"width": 320, "height": HEIGHT})
        page.goto(live_server(path))
        expect(page.locator("html")).to_have_attribute("lang", language)
        save_screenshots(page, f"{language}-{name}", widths=(320, 1280))
        with subtests.test(f"{name} fits 320 px"):
            assert horizontal_overflow(page) == 0
        with subtests.test(f"{name} axe at 320 px"):
            check_accessibility(page)
        with subtests.test(f"{name} axe at 1280 px"):
            page.set_viewport_size({"width": 1280, "height": HEIGHT})
            check_accessibility(page, best_practices=False)


def test_the_switcher_works_without_javascript_and_the_questions_follow_the_service(
    browser, live_server
):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": HEIGHT}, locale="pl-PL"
    )
    page = context.new_page()
    try:
        page.goto(live_server("/zglos"))
        expect(page.locator("html")).to_have_attribute("lang", "pl")
        page.get_by_role("link", name="Українська").click()
        expect(page).to_have_url(re.compile(r"/zglos$"))
        expect(page.locator("html")).to_have_attribute("lang", "uk")
        expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("pomocy"))

        # A service's questions show only once it is chosen (CSS, no script).
        questions = page.locator("#questions-renovation")
        expect(questions).to_be_hidden()
        page.get_by_label("Дрібний ремонт у квартирі").check()
        expect(questions).to_be_visible()
        expect(questions.get_by_label("У якому приміщенні?")).to_be_visible()
        expect(page.locator("#questions-tailoring")).to_be_hidden()

        # Remembered on the next page, and back to Polish with one link.
        page.goto(live_server("/"))
        expect(page.locator("html")).to_have_attribute("lang", "uk")
        page.get_by_role("link", name="Polski").click()
        expect(page.locator("html")).to_have_attribute("lang", "pl")
    finally:
        context.close()
