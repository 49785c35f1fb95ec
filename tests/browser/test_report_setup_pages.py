"""The reports' new pages in headless Chromium: the report with persons, outcomes, projects
and the programme; the administrator's lists; the programme before the portal; a trainee's
participation; the completion's reason; a request's project. Accessible, none wider than a
phone, nothing cut off at 200 % text."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal import services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import NotDoneReason, Outcome, Project
from tests import factories

from .conftest import (
    check_accessibility,
    horizontal_overflow,
    layout_problems_at_double_text,
    save_screenshots,
)
from .test_backoffice_pages import _account, _log_in


def _world(live_server) -> dict[str, int]:
    with live_server.app.app_context():
        reason = db.session.scalars(select(NotDoneReason)).first()
        project = db.session.scalars(select(Project)).first()
        trainee = factories.trainee("Alicja Uczennica")
        done = factories.make_request(status=Status.IN_PROGRESS)
        services.complete_job(
            done,
            Actor(Role.STAFF),
            completed_on=date.today(),
            outcome=Outcome.DONE,
            work_done="Skrócono spodnie.",
        )
        not_done = factories.make_request(status=Status.IN_PROGRESS, phone="600 700 800")
        services.complete_job(
            not_done,
            Actor(Role.STAFF),
            completed_on=date.today(),
            outcome=Outcome.NOT_DONE,
            not_done_reason_id=reason.id,
        )
        job = factories.make_request(status=Status.IN_PROGRESS, phone="600 700 900")
        ids = {
            "reason": reason.id,
            "project": project.id,
            "trainee": trainee.id,
            "job": job.id,
            "done": done.id,
        }
        db.session.remove()
        return ids


@pytest.mark.parametrize("width", [320, 1280])
def test_the_report_and_its_settings_are_accessible_and_fit_a_phone(page, live_server, width):
    ids = _world(live_server)
    page.set_viewport_size({"width": width, "height": 800})
    _log_in(page, live_server, _account(live_server, Role.ADMIN))
    year = date.today().year
    paths = {
        "report-year": f"/backoffice/raporty?period=year&year={year}",
        "report-cumulative": "/backoffice/raporty?period=since&since=2019-01-01",
        "report-summary": "/backoffice/raporty/podsumowanie?period=since&since=2019-01-01",
        "not-done-reasons": "/backoffice/powody-niewykonania",
        "not-done-reason": f"/backoffice/powody-niewykonania/{ids['reason']}",
        "projects": "/backoffice/projekty",
        "project": f"/backoffice/projekty/{ids['project']}",
        "programme-baseline": "/backoffice/dane-historyczne/program",
        "trainee": f"/backoffice/uczestnicy/{ids['trainee']}",
        "complete": f"/backoffice/zgloszenia/{ids['job']}/realizacja",
        "request-with-project": f"/backoffice/zgloszenia/{ids['job']}",
    }
    for name, path in paths.items():
        response = page.goto(live_server(path))
        assert response.status == 200, path
        check_accessibility(page)
        assert horizontal_overflow(page) == 0, path
        save_screenshots(page, name, widths=(width,))
    if width == 320:
        page.goto(live_server(paths["report-cumulative"]))
        assert layout_problems_at_double_text(page) == []


def test_an_error_on_the_programme_baseline_form_is_at_its_field(page, live_server):
    _log_in(page, live_server, _account(live_server, Role.ADMIN))
    page.goto(live_server("/backoffice/dane-historyczne/program"))
    page.get_by_label("Pierwszy dzień okresu").fill("2015-01-01")
    page.get_by_label("Ostatni dzień okresu").fill("2015-12-31")
    page.get_by_label("Edycje programu").fill("2")
    page.get_by_label("Uczestnicy", exact=True).fill("20")
    page.get_by_label("Podjęli zatrudnienie po programie (nieobowiązkowe)").fill("25")
    page.get_by_role("button", name="Dodaj dane").click()

    error = page.locator("#employed-error")
    assert "nie może być większa" in error.inner_text()
    assert page.get_by_label("Uczestnicy", exact=True).input_value() == "20"
    check_accessibility(page)
