"""The strategy's indicators in headless Chromium: accessible, no page wider than a phone, and
nothing cut off with the text at 200 %."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.domain.lifecycle import Role
from portal.extensions import db
from portal.models import Indicator

from .conftest import (
    check_accessibility,
    horizontal_overflow,
    layout_problems_at_double_text,
    save_screenshots,
)
from .test_backoffice_pages import _account, _log_in


def _indicator_ids(live_server) -> dict[str, int]:
    with live_server.app.app_context():
        ids = {
            "manual": db.session.scalars(
                select(Indicator.id).where(Indicator.name == "Program Aktywizacja i Integracja")
            ).one(),
            "computed": db.session.scalars(
                select(Indicator.id).where(Indicator.source == "services")
            ).one(),
        }
        db.session.remove()
        return ids


@pytest.mark.parametrize("width", [320, 1280])
def test_the_indicator_pages_are_accessible_and_fit_a_phone(page, live_server, width):
    ids = _indicator_ids(live_server)
    page.set_viewport_size({"width": width, "height": 800})
    _log_in(page, live_server, _account(live_server, Role.ADMIN))

    paths = {
        "bo-indicators-2018": "/backoffice/wskazniki?year=2018",
        "bo-indicators": "/backoffice/wskazniki",
        "bo-indicators-bad-year": "/backoffice/wskazniki?year=1900",
        "bo-indicator-settings": "/backoffice/wskazniki/ustawienia",
        "bo-indicator-manual": f"/backoffice/wskazniki/ustawienia/{ids['manual']}?year=2018",
        "bo-indicator-computed": f"/backoffice/wskazniki/ustawienia/{ids['computed']}",
    }
    for name, path in paths.items():
        response = page.goto(live_server(path))
        assert response.status == 200, path
        assert horizontal_overflow(page) == 0, path
        assert layout_problems_at_double_text(page) == [], path
        check_accessibility(page, best_practices=width == 1280)
        save_screenshots(page, name, widths=(width,))

    page.goto(live_server(f"/backoffice/wskazniki/ustawienia/{ids['manual']}"))
    page.get_by_label("Rok", exact=True).fill("1900")
    page.locator("#planned").fill("-3")
    page.locator("#value-form-title ~ form button[type=submit]").first.click()
    assert page.locator("#year-error").is_visible()
    assert horizontal_overflow(page) == 0
    check_accessibility(page, best_practices=width == 1280)
