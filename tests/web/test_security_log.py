"""The security log: every authentication event and denial, and no personal data (ASVS V16)."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pyotp
import pytest

from portal.domain.lifecycle import Role
from portal.extensions import db
from portal.models import User, utcnow
from portal.web import sessions
from tests import factories
from tests.conftest import Accounts

from .helpers import csrf_from, log_in

MARKER_EMAIL = "znacznik.logu@example.org"
MARKER_NAME = "Znacznikowa Logowska"
PASSWORD = "haslo-testowe-123"


@pytest.fixture
def security_log(caplog, monkeypatch):
    # The migrations' logging.config.fileConfig disables loggers that already exist.
    monkeypatch.setattr(logging.getLogger("portal.security"), "disabled", False)
    caplog.set_level(logging.DEBUG)
    return caplog


def _events(caplog) -> list[dict]:
    return [
        json.loads(record.getMessage())
        for record in caplog.records
        if record.name == "portal.security"
    ]


def _named(caplog, name: str) -> list[dict]:
    return [event for event in _events(caplog) if event["event"] == name]


def _marked_user(app) -> int:
    with app.app_context():
        user = factories.user(Role.STAFF, email=MARKER_EMAIL)
        user.name = MARKER_NAME
        db.session.commit()
        return user.id


def _log_out(client):
    return client.post(
        "/backoffice/wyloguj", data={"csrf_token": csrf_from(client, "/backoffice/konto")}
    )


def test_v16_2_1_each_line_is_one_json_object_with_utc_time_event_and_outcome(
    app, client, accounts, security_log
):
    accounts.login_as("staff")

    [line] = [r.getMessage() for r in security_log.records if r.name == "portal.security"]
    event = json.loads(line)

    assert "\n" not in line
    assert event["event"] == "authn_login_success"
    assert event["outcome"] == "success"
    assert datetime.fromisoformat(event["ts"]).utcoffset() == timedelta(0)
    assert {"user_id", "ip", "path"} <= set(event)


def test_v16_3_1_logins_failures_and_logouts_are_logged(app, client, accounts, security_log):
    user_id, email = accounts.create("staff")

    log_in(client, "nikt-taki@example.org", "wrong-password-1")
    log_in(client, email, "wrong-password-1")
    log_in(client, email)
    _log_out(client)

    fails = _named(security_log, "authn_login_fail")
    assert [(e["user_id"], e["reason"], e["outcome"]) for e in fails] == [
        (None, "unknown_account", "failure"),
        (user_id, "wrong_password", "failure"),
    ]
    assert [e["user_id"] for e in _named(security_log, "authn_login_success")] == [user_id]
    assert [e["user_id"] for e in _named(security_log, "authn_logout")] == [user_id]


class TestLockout:
    @pytest.fixture
    def app_overrides(self):
        return {"LOGIN_RATE_LIMIT_ACCOUNT": "2 per 15 minutes"}

    def test_v16_3_1_a_lock_out_is_logged_with_the_account_not_the_address(
        self, app, client, security_log, monkeypatch
    ):
        monkeypatch.setattr(logging.getLogger("flask-limiter"), "disabled", False)
        user_id = _marked_user(app)

        for _ in range(3):
            log_in(client, MARKER_EMAIL, "wrong-password-1")

        [lock] = _named(security_log, "authn_login_lock")
        assert lock["user_id"] == user_id and lock["stage"] == "password"
        breaches = [r for r in security_log.records if r.name == "flask-limiter"]
        assert breaches
        assert not [r for r in security_log.records if "znacznik" in r.getMessage()]


def test_v16_3_1_two_factor_events_are_logged(app, client, accounts, security_log):
    user_id, email = accounts.create("staff")
    secret = accounts.turn_on_two_factor(user_id)
    with app.app_context():
        from portal.services import twofactor

        codes = twofactor._replace_recovery_codes(db.session.get(User, user_id))
        db.session.commit()

    log_in(client, email)
    client.post(
        "/backoffice/logowanie/kod",
        data={"csrf_token": csrf_from(client, "/backoffice/logowanie/kod"), "code": "000000"},
    )
    client.post(
        "/backoffice/logowanie/kod",
        data={"csrf_token": csrf_from(client, "/backoffice/logowanie/kod"), "code": codes[0]},
    )
    client.post(
        "/backoffice/konto/dwuetapowe/wylacz",
        data={
            "csrf_token": csrf_from(client, "/backoffice/konto"),
            "disable-current_password": PASSWORD,
        },
    )

    assert [e["user_id"] for e in _named(security_log, "authn_mfa_fail")] == [user_id]
    assert [e["user_id"] for e in _named(security_log, "authn_recovery_code_used")] == [user_id]
    [success] = _named(security_log, "authn_login_success")
    assert success["factors"] == 2 and success["method"] == "recovery_code"
    assert [e["user_id"] for e in _named(security_log, "authn_mfa_disabled")] == [user_id]
    assert secret not in security_log.text
    assert codes[0] not in security_log.text


def test_v16_3_1_turning_on_two_factor_is_logged(app, client, accounts, security_log):
    user_id = accounts.login_as("staff")
    client.post(
        "/backoffice/konto/dwuetapowe/wlacz",
        data={"csrf_token": csrf_from(client, "/backoffice/konto")},
    )
    with app.app_context():
        secret = db.session.get(User, user_id).totp_secret

    client.post(
        "/backoffice/konto/dwuetapowe",
        data={
            "csrf_token": csrf_from(client, "/backoffice/konto/dwuetapowe"),
            "code": pyotp.TOTP(secret).now(),
            "current_password": PASSWORD,
        },
    )

    assert [e["user_id"] for e in _named(security_log, "authn_mfa_enabled")] == [user_id]


def test_v16_3_1_password_changes_and_ended_sessions_are_logged(
    app, client, accounts, security_log
):
    user_id, email = accounts.create("staff")
    other = app.test_client()
    log_in(other, email)
    log_in(client, email)

    client.post(
        "/backoffice/konto",
        data={
            "csrf_token": csrf_from(client, "/backoffice/konto"),
            "current_password": PASSWORD,
            "password": "nowe-dlugie-haslo-2026",
        },
    )
    admin = app.test_client()
    admin_id = Accounts(app, admin).login_as("admin")
    admin.post(
        f"/backoffice/konta/{user_id}/nowe-haslo",
        data={"csrf_token": csrf_from(admin, f"/backoffice/konta/{user_id}")},
    )

    changes = _named(security_log, "authn_password_change")
    assert [(e["user_id"], e["by"]) for e in changes] == [(user_id, "self"), (user_id, "admin")]
    assert changes[1]["actor_id"] == admin_id
    revoked = _named(security_log, "session_revoked")
    assert [(e["user_id"], e["reason"], e["count"]) for e in revoked] == [
        (user_id, "password_change", 1),
        (user_id, "password_reset", 1),
    ]


def test_v16_3_1_an_expired_session_is_logged(app, client, accounts, security_log, monkeypatch):
    user_id = accounts.login_as("staff")
    later = utcnow() + timedelta(minutes=31)
    monkeypatch.setattr(sessions, "utcnow", lambda: later)

    client.get("/backoffice/zgloszenia")

    [expired] = _named(security_log, "authn_session_expired")
    assert expired["user_id"] == user_id and expired["reason"] == "idle"


def test_v16_3_2_every_refusal_is_logged_with_who_and_what(app, client, accounts, security_log):
    instructor_id = accounts.login_as("instructor", groups=["upholstery"])
    with app.app_context():
        request_id = factories.make_request().id

    client.get("/backoffice/konta")
    client.get(f"/backoffice/zgloszenia/{request_id}")

    denials = _named(security_log, "authz_fail")
    assert [(e["user_id"], e["resource"], e["outcome"]) for e in denials] == [
        (instructor_id, "backoffice.accounts_list", "failure"),
        (instructor_id, "backoffice.request_page", "failure"),
    ]
    assert denials[0]["permission"] == "manage_accounts"


def test_v16_2_5_no_e_mail_address_or_name_reaches_any_log(app, client, security_log):
    user_id = _marked_user(app)
    with app.app_context():
        secret = pyotp.random_base32()
        user = db.session.get(User, user_id)
        user.totp_secret, user.totp_enabled_at = secret, utcnow()
        db.session.commit()

    log_in(client, MARKER_EMAIL, "wrong-password-1")
    log_in(client, MARKER_EMAIL.upper(), PASSWORD)
    client.post(
        "/backoffice/logowanie/kod",
        data={"csrf_token": csrf_from(client, "/backoffice/logowanie/kod"), "code": "000000"},
    )
    client.post(
        "/backoffice/logowanie/kod",
        data={
            "csrf_token": csrf_from(client, "/backoffice/logowanie/kod"),
            "code": pyotp.TOTP(secret).now(),
        },
    )
    client.get("/backoffice/konta")
    _log_out(client)

    assert {e["event"] for e in _events(security_log)} >= {
        "authn_login_fail",
        "authn_mfa_fail",
        "authn_login_success",
        "authz_fail",
        "authn_logout",
    }
    for record in security_log.records:
        line = record.getMessage()
        for marker in (MARKER_EMAIL, MARKER_EMAIL.upper(), "znacznik", MARKER_NAME, "Logowska"):
            assert marker not in line, (record.name, line)
