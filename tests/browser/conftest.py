"""Headless Chromium against the real app.

Playwright cannot download its own browsers here, so pytest-playwright is pointed at
Debian's Chromium (or CHROMIUM_PATH). Without it the browser tests are skipped, except on
CI, where a missing browser is a failure.

The browser tests run on SQLite only: what they check (layout, accessibility, keyboard
use, scripts) does not depend on the database, and every rule behind the pages is tested
on both backends in tests/web and tests/integration.

Screenshots at a phone's and a desktop's width are written to test-artifacts/screenshots/
when SCREENSHOTS=1 (`make screenshots`); encoding full-page images is most of what a
browser test costs, so a plain run skips them.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import make_server

from portal import services
from portal.domain.actor import Actor
from portal.extensions import db
from portal.models import ServiceCategory
from tests.conftest import (
    ON_CI,
    empty_database,
    make_app,
    migrated_sqlite_url,
    restore_demo_institution,
)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parent.parent / "test-artifacts" / "screenshots"
TAKE_SCREENSHOTS = os.environ.get("SCREENSHOTS", "").lower() in {"1", "true", "yes"}
WIDTHS = (360, 1280)
HEIGHT = 800

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# resultTypes only trims the details axe sends back about rules that passed; which rules
# run is decided by runOnly alone.
WCAG_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "resultTypes": ["violations"],
}
# No runOnly: every rule axe runs by default, WCAG and best practices (landmarks, headings,
# regions...). No rule is switched off, the public pages pass all of them. If one ever has
# to be, turn it off here with the reason, e.g. {"rules": {"region": {"enabled": False}}}.
BEST_PRACTICE_OPTIONS: dict = {"resultTypes": ["violations"]}


class _Axe(Axe):
    """axe-playwright-python's runner, injecting axe-core only once per loaded document.

    The library evaluates the whole axe.min.js (about 600 kB) before every run; a page here
    is checked three times (WCAG at two widths, best practices at one).
    """

    def run(self, page, context=None, options=None):
        try:
            return self._run(page, context, options)
        except PlaywrightError as error:
            # Seen once in hundreds of runs: axe read the document while Chromium was still
            # swapping it in after a navigation, and found no documentElement. That says
            # nothing about the page; wait until it has loaded and check it again.
            if "documentElement" not in str(error):
                raise
            page.wait_for_load_state("load")
            return self._run(page, context, options)

    def _run(self, page, context, options):
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self.axe_script)
        response = page.evaluate(
            "([context, options]) => axe.run(context || document, options)",
            [context, options or {}],
        )
        return AxeResults(response)


_axe = _Axe()


def pytest_collection_modifyitems(config, items):
    """Every test in this folder drives a browser: mark it so it can be selected or skipped."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --- Playwright -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium instead of a Playwright download."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (install chromium or set CHROMIUM_PATH)"
        if ON_CI:
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A browser set to Polish, as the residents' are (navigator.language, Accept-Language).
    # Chromium's own widgets, e.g. the file picker's button, follow its UI language instead,
    # so they stay in English in the screenshots.
    return {
        **browser_context_args,
        "viewport": {"width": WIDTHS[-1], "height": HEIGHT},
        "locale": "pl-PL",
        "timezone_id": "Europe/Warsaw",
    }


# --- The live server --------------------------------------------------------------------


@dataclass(frozen=True)
class SeededRequest:
    reference: str
    token: str


@dataclass
class LiveServer:
    url: str
    app: Flask
    database_url: str

    def __call__(self, path: str = "/") -> str:
        return self.url + path

    def seed_request(self, status=None, **changes) -> SeededRequest:
        """A request as the form would record it, made through the service layer.

        status: walk it there through the office's moves, as tests.factories does.
        """
        with self.app.app_context():
            category = db.session.scalars(
                db.select(ServiceCategory).where(ServiceCategory.code == "tailoring")
            ).one()
            answers = {
                "category_id": category.id,
                "description": "Proszę skrócić spodnie o 5 cm i wymienić zamek.",
                "name": "Janina Nowak",
                "phone": "600 123 456",
                "contact_time": "rano",
                "is_senior": True,
                "answers": {"garment": "spodnie", "alteration": "shorten"},
            }
            answers.update(changes)
            submission = services.submit_request(
                services.RequestData(**answers),
                Actor.resident(),
                upload_folder=self.app.config["UPLOAD_FOLDER"],
                timezone=self.app.config["BABEL_DEFAULT_TIMEZONE"],
            )
            if status is not None:
                from tests.factories import walk_to

                walk_to(submission.request, status)
            seeded = SeededRequest(submission.request.reference, submission.request.access_token)
            db.session.remove()
            return seeded


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The browser tests' own SQLite database, migrated to head (see the module's note)."""
    return migrated_sqlite_url(tmp_path_factory)


@pytest.fixture(scope="session")
def live_server(database_url, tmp_path_factory):
    """The real app on a free local port, once a session."""
    upload_folder = tmp_path_factory.mktemp("browser-uploads")
    app = make_app(database_url, str(upload_folder))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, database_url)
    server.shutdown()
    thread.join(5)
    with app.app_context():
        empty_database()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def fresh_database(live_server):
    """Each browser test starts from the demo institution and no requests."""
    with live_server.app.app_context():
        restore_demo_institution(live_server.database_url)
        db.session.remove()
    yield


# --- Checks and artifacts ---------------------------------------------------------------


def check_accessibility(page, *, best_practices: bool = True) -> None:
    """No axe-core violations: of every rule axe runs by default, or of the WCAG 2.1 A/AA ones.

    The default rules include every WCAG 2.1 A/AA rule (test_axe_rules.py keeps that true),
    so one run checks both. The best-practice rules are about structure (landmarks,
    headings, regions), which does not change with the width, so a caller checking several
    widths runs them at one and the WCAG rules alone at the others.
    """
    results = _axe.run(page, options=BEST_PRACTICE_OPTIONS if best_practices else WCAG_OPTIONS)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def axe_rules_run(page, options: dict) -> set[str]:
    """The ids of the rules one axe run with options checks on page."""
    results = _axe.run(page, options={**options, "resultTypes": ["violations"]})
    response = results.response
    return {
        rule["id"]
        for kind in ("passes", "violations", "incomplete", "inapplicable")
        for rule in response.get(kind, [])
    }


def save_screenshots(page, name: str, *, widths=WIDTHS) -> list[Path]:
    """Full-page screenshots at a phone's and a desktop's width; the viewport is restored.

    Only with SCREENSHOTS=1; otherwise nothing is written and the list is empty.
    """
    if not TAKE_SCREENSHOTS:
        return []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    paths = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        path = SCREENSHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        paths.append(path)
    if original:
        page.set_viewport_size(original)
    return paths


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


LAYOUT_PROBLEMS = """
(scope) => {
  const problems = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0
    && getComputedStyle(el).visibility !== 'hidden'; };
  for (const root of document.querySelectorAll(scope)) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (!visible(el)) continue;
      const style = getComputedStyle(el);
      // Text cut off: a box that hides what does not fit, without an ellipsis and a title
      // (form fields scroll their own text; a text for screen readers only is 1 px on purpose).
      if (!['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)
          && !el.classList.contains('visually-hidden')
          && ['hidden', 'clip'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1
          && !(style.textOverflow === 'ellipsis' && el.title)) {
        problems.push('clipped: ' + name(el));
      }
      // Boxes laid side by side that run into each other.
      if (['grid', 'flex', 'inline-flex', 'inline-grid'].includes(style.display)) {
        const kids = [...el.children].filter(visible).map((k) => [k, k.getBoundingClientRect()]);
        for (let i = 0; i < kids.length; i++) for (let j = i + 1; j < kids.length; j++) {
          const [a, ra] = kids[i], [b, rb] = kids[j];
          const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
          const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
          if (w > 1 && h > 1) problems.push('overlap: ' + name(a) + ' / ' + name(b));
        }
      }
    }
  }
  return [...new Set(problems)];
}
"""


def layout_problems_at_double_text(page, scope: str = "main") -> list[str]:
    """Text cut off or boxes running into each other with the text at 200 %: the root font
    size doubled (through the CSSOM: the portal's CSP refuses a <style> element), so every
    size given in rem or em doubles, as a reader's larger text makes it."""
    page.evaluate("document.documentElement.style.setProperty('font-size', '200%', 'important')")
    page.wait_for_timeout(50)
    try:
        return page.evaluate(LAYOUT_PROBLEMS, scope)
    finally:
        page.evaluate("document.documentElement.style.removeProperty('font-size')")
