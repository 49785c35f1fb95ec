"""Sessions kept on the server: what the cookie holds, timeouts, logout and revocation (ASVS V7)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from portal import create_app
from portal.config import ProductionConfig
from portal.extensions import db
from portal.models import User, UserSession, utcnow
from portal.services import sessions
from portal.web import sessions as web_sessions
from tests import factories
from tests.conftest import Accounts

from .helpers import csrf_from, hidden_value, log_in

QUEUE = "/backoffice/zgloszenia"


class Clock:
    """The sessions module's idea of now, moved by hand."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(sessions, "utcnow", clock)
    monkeypatch.setattr(web_sessions, "utcnow", clock)
    return clock


def _rows(app, user_id) -> list[UserSession]:
    with app.app_context():
        rows = db.session.scalars(
            select(UserSession).where(UserSession.user_id == user_id).order_by(UserSession.id)
        ).all()
        db.session.expunge_all()
        return rows


def _cookie(client) -> str:
    return client.get_cookie(client.application.config["SESSION_COOKIE_NAME"]).value


def _client_with_cookie(app, value):
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    return other


def _notice(page: str) -> str:
    match = re.search(r'class="notice notice--info"[^>]*>([^<]*)<', page)
    assert match, "no notice on the page"
    return match.group(1)


def _log_out(client):
    return client.post(
        "/backoffice/wyloguj", data={"csrf_token": csrf_from(client, "/backoffice/konto")}
    )


def test_v7_2_1_the_cookie_holds_a_random_token_and_the_table_only_its_hash(app, client, accounts):
    user_id = accounts.login_as("staff")

    with client.session_transaction() as flask_session:
        token = flask_session["sid"]
    [row] = _rows(app, user_id)

    assert row.token_hash == sessions.token_hash(token)
    assert token not in row.token_hash
    assert row.revoked_at is None


def test_v7_2_3_tokens_are_random_with_at_least_128_bits(app, client, accounts):
    _, email = accounts.create("staff")
    tokens = set()

    for _ in range(3):
        log_in(client, email)
        with client.session_transaction() as flask_session:
            tokens.add(flask_session["sid"])
        _log_out(client)

    assert len(tokens) == 3
    # token_urlsafe(32): 32 random bytes, 43 characters of base64.
    assert all(len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token) for token in tokens)


def test_v7_2_4_login_issues_a_new_session_and_the_pre_login_cookie_is_useless(
    app, client, accounts
):
    _, email = accounts.create("staff")
    client.get("/backoffice/logowanie")
    with client.session_transaction() as flask_session:
        flask_session["planted"] = "by an attacker"
    before = _cookie(client)

    assert log_in(client, email).status_code == 303

    with client.session_transaction() as flask_session:
        assert "planted" not in flask_session
    assert _cookie(client) != before
    assert _client_with_cookie(app, before).get(QUEUE).status_code == 302
    assert client.get(QUEUE).status_code == 200


def test_v7_3_1_a_session_idle_for_30_minutes_ends_with_a_plain_message(
    app, client, accounts, clock
):
    accounts.login_as("staff")

    clock.advance(minutes=29, seconds=59)
    assert client.get(QUEUE).status_code == 200
    clock.advance(minutes=30, seconds=1)
    response = client.get(QUEUE)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/backoffice/logowanie")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "30" in _notice(page)


def test_v7_3_1_requests_keep_the_session_alive(client, accounts, clock):
    accounts.login_as("staff")

    for _ in range(4):
        clock.advance(minutes=20)
        assert client.get(QUEUE).status_code == 200


def test_v7_3_2_a_session_ends_8_hours_after_login_however_active(app, client, accounts, clock):
    accounts.login_as("staff")
    for _ in range(32):
        clock.advance(minutes=15)
        assert client.get(QUEUE).status_code == 200

    clock.advance(seconds=1)
    response = client.get(QUEUE)

    assert response.status_code == 302
    page = client.get("/backoffice/logowanie").get_data(as_text=True)
    assert "8" in _notice(page)


def test_last_seen_is_written_at_most_once_a_minute(app, client, accounts, clock):
    accounts.login_as("staff")
    writes = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE USER_SESSION"):
            writes.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        for _ in range(5):
            clock.advance(seconds=10)
            client.get(QUEUE)
        clock.advance(seconds=20)
        client.get(QUEUE)
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert len(writes) == 1


def test_extending_the_session_resets_the_idle_clock(app, client, accounts, clock):
    accounts.login_as("staff")
    token = csrf_from(client, QUEUE)
    clock.advance(minutes=28, seconds=30)

    response = client.post(
        "/backoffice/sesja/przedluz", headers={"X-CSRFToken": token, "Accept": "application/json"}
    )

    assert response.status_code == 200
    assert response.json["idle"] == 30 * 60
    clock.advance(minutes=29)
    assert client.get(QUEUE).status_code == 200


def test_the_page_tells_the_idle_warning_how_long_is_left(client, accounts, clock):
    accounts.login_as("staff")
    clock.advance(minutes=10)

    page = client.get(QUEUE).get_data(as_text=True)

    assert 'data-session-idle="1800"' in page
    assert f'data-session-absolute="{8 * 3600 - 600}"' in page
    assert 'data-session-warning="120"' in page
    assert 'data-session-extend-url="/backoffice/sesja/przedluz"' in page
    assert "/static/js/session.js" in page
    assert "<script>" not in page


def test_the_login_page_has_no_session_timer(client):
    page = client.get("/backoffice/logowanie").get_data(as_text=True)

    assert "data-session-idle" not in page


def test_v7_4_1_logout_invalidates_the_session_on_the_server(app, client, accounts):
    user_id = accounts.login_as("staff")
    copied = _cookie(client)

    response = _log_out(client)

    assert response.status_code == 303
    [row] = _rows(app, user_id)
    assert row.revoked_at is not None
    assert client.get(QUEUE).status_code == 302
    assert _client_with_cookie(app, copied).get(QUEUE).status_code == 302


def test_v14_3_1_logout_clears_what_the_browser_kept(client, accounts):
    accounts.login_as("staff")

    response = _log_out(client)

    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_v7_4_2_deactivating_an_account_ends_all_its_sessions(app, client, accounts):
    user_id = accounts.login_as("staff")
    elsewhere = _client_with_cookie(app, _cookie(client))
    admin = app.test_client()
    Accounts(app, admin).login_as("admin")
    token = csrf_from(admin, f"/backoffice/konta/{user_id}")

    admin.post(
        f"/backoffice/konta/{user_id}",
        data={"csrf_token": token, "name": "Była Pracownica", "role": "staff"},
    )

    assert all(row.revoked_at is not None for row in _rows(app, user_id))
    assert client.get(QUEUE).status_code == 302
    assert elsewhere.get(QUEUE).status_code == 302


def test_v7_4_3_a_password_change_ends_the_other_sessions_but_not_this_one(app, client, accounts):
    user_id, email = accounts.create("staff")
    other = app.test_client()
    log_in(other, email)
    log_in(client, email)
    token = csrf_from(client, "/backoffice/konto")

    response = client.post(
        "/backoffice/konto",
        data={
            "csrf_token": token,
            "current_password": "haslo-testowe-123",
            "password": "nowe-dlugie-haslo-2026",
        },
    )

    assert response.status_code == 303
    assert client.get(QUEUE).status_code == 200
    assert other.get(QUEUE).status_code == 302
    assert [row.revoked_at is None for row in _rows(app, user_id)] == [False, True]


def test_v7_4_2_an_admin_password_reset_ends_every_session_of_the_account(app, client, accounts):
    user_id = accounts.login_as("staff")
    admin = app.test_client()
    Accounts(app, admin).login_as("admin")

    admin.post(
        f"/backoffice/konta/{user_id}/nowe-haslo",
        data={"csrf_token": csrf_from(admin, f"/backoffice/konta/{user_id}")},
    )

    assert client.get(QUEUE).status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).password_changed_at is not None


def test_v7_4_5_an_admin_sees_and_ends_every_session_of_an_account(app, client, accounts):
    user_id = accounts.login_as("staff")
    admin = app.test_client()
    Accounts(app, admin).login_as("admin")
    page = admin.get(f"/backoffice/konta/{user_id}").get_data(as_text=True)
    assert 'id="session-list"' in page and 'id="end-sessions"' in page

    response = admin.post(
        f"/backoffice/konta/{user_id}/wyloguj",
        data={"csrf_token": hidden_value(page, "csrf_token")},
    )

    assert response.status_code == 303
    assert client.get(QUEUE).status_code == 302
    assert admin.get(QUEUE).status_code == 200


def test_v7_5_2_a_user_sees_their_sessions_and_ends_the_others(app, client, accounts):
    user_id, email = accounts.create("staff")
    other = app.test_client()
    other.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Windows NT 10.0) Gecko Firefox/140.0"
    log_in(other, email)
    log_in(client, email)

    page = client.get("/backoffice/konto").get_data(as_text=True)
    response = client.post(
        "/backoffice/konto/sesje/zakoncz-inne",
        data={"csrf_token": hidden_value(page, "csrf_token")},
    )

    assert page.count("<tr>") == 3  # the header and two sessions
    assert "Firefox, Windows" in page
    assert 'id="end-other-sessions"' in page
    assert response.status_code == 303
    assert other.get(QUEUE).status_code == 302
    assert client.get(QUEUE).status_code == 200


def test_a_remember_me_cookie_is_never_set(client, accounts):
    _, email = accounts.create("staff")

    responses = [client.get("/backoffice/logowanie"), log_in(client, email)]
    responses += [client.get(QUEUE), _log_out(client)]

    cookies = [header for r in responses for header in r.headers.getlist("Set-Cookie")]
    assert cookies
    assert not [cookie for cookie in cookies if "remember_token" in cookie]


@pytest.fixture
def production(app, database_url, tmp_path):
    return create_app(
        ProductionConfig,
        {
            "SECRET_KEY": "p" * 48,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_FOLDER": str(tmp_path),
        },
    )


def test_v3_3_1_the_production_login_cookie_is_host_only_secure_httponly_and_lax(production):
    with production.app_context():
        email = factories.user().email
    client = production.test_client()
    https = "https://localhost"
    page = client.get("/backoffice/logowanie", base_url=https).get_data(as_text=True)

    response = client.post(
        "/backoffice/logowanie",
        base_url=https,
        # Flask-WTF insists on a same-site Referer over HTTPS (WTF_CSRF_SSL_STRICT).
        headers={"Referer": "https://localhost/backoffice/logowanie"},
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "email": email,
            "password": "haslo-testowe-123",
        },
    )

    assert response.status_code == 303
    [cookie] = response.headers.getlist("Set-Cookie")
    attributes = [part.strip() for part in cookie.split(";")]
    assert attributes[0].startswith("__Host-session=")
    assert {"Secure", "HttpOnly", "SameSite=Lax", "Path=/"} <= set(attributes)
    assert not [part for part in attributes if part.lower().startswith("domain")]
    assert client.get(QUEUE, base_url=https).status_code == 200
