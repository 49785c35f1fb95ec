"""Two-factor login, the security settings and the idle warning in headless Chromium.

Elements are found by id, not by their (translated) text.
"""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.domain.lifecycle import Role
from portal.extensions import db
from portal.models import Institution, User, utcnow
from tests import factories

from .conftest import check_accessibility, save_screenshots

PASSWORD = "haslo-testowe-123"


def _account(live_server, role: Role, *, two_factor: bool = False) -> tuple[int, str, str | None]:
    with live_server.app.app_context():
        user = factories.user(role, password=PASSWORD)
        secret = None
        if two_factor:
            secret = user.totp_secret = pyotp.random_base32()
            user.totp_enabled_at = utcnow()
            db.session.commit()
        account = (user.id, user.email, secret)
        db.session.remove()
        return account


def _password_step(page, live_server, email):
    page.goto(live_server("/backoffice/logowanie"))
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("#password").press("Enter")


def _code_step(page, code):
    page.locator("#code").fill(code)
    with page.expect_navigation():
        page.locator("#code").press("Enter")


def test_staff_turns_on_two_factor_login_and_logs_in_with_a_code(page, live_server):
    _, email, _ = _account(live_server, Role.STAFF)
    _password_step(page, live_server, email)

    page.goto(live_server("/backoffice/konto"))
    check_accessibility(page)
    page.locator("#two-factor-start").click()

    expect(page.locator("#two-factor-qr")).to_be_visible()
    check_accessibility(page)
    save_screenshots(page, "bo-two-factor-setup")
    secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")
    page.locator("#code").fill("000000")
    page.locator("#current_password").fill(PASSWORD)
    page.locator("#two-factor-confirm").click()
    expect(page.locator("#error-summary")).to_be_visible()
    check_accessibility(page)
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("#current_password").fill(PASSWORD)
    page.locator("#two-factor-confirm").click()

    expect(page.locator("#recovery-codes li")).to_have_count(10)
    check_accessibility(page)
    save_screenshots(page, "bo-two-factor-codes")
    page.locator("#recovery-codes-done").click()
    expect(page.locator("#two-factor-disable-form")).to_be_visible()
    check_accessibility(page)
    save_screenshots(page, "bo-own-account-two-factor", widths=(1280,))

    page.locator("form[action$='/wyloguj'] button").click()
    _password_step(page, live_server, email)
    expect(page).to_have_url(re.compile(r"/backoffice/logowanie/kod$"))
    check_accessibility(page)
    save_screenshots(page, "bo-login-code")
    _code_step(page, "000000")
    expect(page.locator("#error-summary")).to_be_visible()
    check_accessibility(page)
    _code_step(page, pyotp.TOTP(secret).at(time.time() + 30))
    expect(page).to_have_url(re.compile(r"/backoffice/zgloszenia$"))


def test_the_admin_security_and_account_pages_are_accessible(page, live_server):
    staff_id, _, _ = _account(live_server, Role.STAFF, two_factor=True)
    _, email, secret = _account(live_server, Role.ADMIN, two_factor=True)
    _password_step(page, live_server, email)
    _code_step(page, pyotp.TOTP(secret).now())

    for name, path in {
        "bo-security": "/backoffice/bezpieczenstwo",
        "bo-account-sessions": f"/backoffice/konta/{staff_id}",
    }.items():
        response = page.goto(live_server(path))
        assert response.status == 200, path
        check_accessibility(page)
        save_screenshots(page, name, widths=(1280,))

    page.goto(live_server("/backoffice/bezpieczenstwo"))
    page.locator("#require_two_factor").check()
    page.locator("#security-save").click()
    expect(page.locator(".notice--success")).to_be_visible()
    expect(page.locator("#require_two_factor")).to_be_checked()
    check_accessibility(page)


def test_the_forced_set_up_at_login_is_accessible(page, live_server):
    with live_server.app.app_context():
        db.session.scalars(select(Institution)).one().require_two_factor = True
        db.session.commit()
        db.session.remove()
    user_id, email, _ = _account(live_server, Role.INSTRUCTOR)
    _password_step(page, live_server, email)

    expect(page).to_have_url(re.compile(r"/backoffice/logowanie/dwuetapowe$"))
    expect(page.locator("#two-factor-qr")).to_be_visible()
    check_accessibility(page)
    save_screenshots(page, "bo-two-factor-enrol")
    secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("#two-factor-confirm").click()

    expect(page.locator("#recovery-codes li")).to_have_count(10)
    with live_server.app.app_context():
        assert db.session.get(User, user_id).totp_enabled_at is not None
        db.session.remove()


def test_the_idle_warning_lets_staff_extend_the_session(page, live_server):
    _, email, _ = _account(live_server, Role.STAFF)
    page.clock.install()
    _password_step(page, live_server, email)
    expect(page.locator("#session-warning")).to_have_count(0)

    page.clock.fast_forward("28:30")

    warning = page.locator("#session-warning")
    expect(warning).to_be_visible()
    expect(warning).to_have_attribute("role", "alertdialog")
    expect(page.locator("#session-extend")).to_be_focused()
    check_accessibility(page)
    save_screenshots(page, "bo-idle-warning", widths=(360, 1280))
    with page.expect_response(re.compile(r"/backoffice/sesja/przedluz$")) as extended:
        page.locator("#session-extend").click()
    assert extended.value.status == 200
    expect(warning).to_be_hidden()
    expect(page.locator("#session-status")).not_to_be_empty()

    page.clock.fast_forward("31:00")

    expect(warning).to_be_visible()
    expect(page.locator("#session-login")).to_have_attribute(
        "href", re.compile(r"/backoffice/logowanie\?next=")
    )


@pytest.fixture(autouse=True)
def _quick_failures_and_no_console_errors(page):
    """Fail fast, and fail on any console error: a CSP violation shows up there."""
    page.set_default_timeout(8000)
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield
    assert problems == []
