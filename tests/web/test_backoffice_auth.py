"""Logging in and out, the throttle on failed logins, and where login sends you."""

import pytest
from werkzeug.security import check_password_hash

from portal.config import Config
from portal.domain.lifecycle import Role
from portal.extensions import db
from portal.models import User
from portal.services.accounts import create_user

from .helpers import csrf_from, log_in


def test_staff_logs_in_and_sees_the_queue(client, accounts):
    _, email = accounts.create("staff")

    response = log_in(client, email)

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/backoffice/zgloszenia")
    assert client.get("/backoffice/zgloszenia").status_code == 200


def test_email_is_not_case_sensitive(client, accounts):
    _, email = accounts.create("staff")

    assert log_in(client, email.upper()).status_code == 303


@pytest.mark.parametrize("password", ["wrong-password-1", ""])
def test_wrong_password_is_refused_with_a_message(client, accounts, password):
    _, email = accounts.create("staff")

    response = log_in(client, email, password)

    assert response.status_code == 200
    assert 'class="notice notice--error"' in response.get_data(
        as_text=True
    ) or 'id="password-error"' in response.get_data(as_text=True)
    assert client.get("/backoffice/zgloszenia").status_code == 302


def test_v6_3_8_unknown_email_gets_the_same_answer_as_a_wrong_password(client, accounts):
    _, email = accounts.create("staff")

    unknown = log_in(client, "nobody@example.org", "wrong-password-1").get_data(as_text=True)
    wrong = log_in(client, email, "wrong-password-1").get_data(as_text=True)

    def notice(page):
        return page.split('class="notice notice--error"')[1].split("</div>")[0]

    assert notice(unknown) == notice(wrong)


def test_logout_ends_the_session(client, accounts):
    accounts.login_as("staff")

    client.post("/backoffice/wyloguj", data={"csrf_token": csrf_from(client, "/backoffice/konto")})

    assert client.get("/backoffice/zgloszenia").status_code == 302


def test_a_deactivated_account_is_logged_out_and_cannot_log_in(app, client, accounts):
    user_id = accounts.login_as("staff")
    email = client.application  # keep linter quiet about unused names
    with app.app_context():
        user = db.session.get(User, user_id)
        user.active = False
        email = user.email
        db.session.commit()

    assert client.get("/backoffice/zgloszenia").status_code == 302
    assert log_in(client, email).status_code == 200


def test_the_session_is_permanent_with_a_limited_lifetime(app, client, accounts):
    accounts.login_as("staff")

    with client.session_transaction() as session:
        assert session.permanent is True
    assert app.permanent_session_lifetime.total_seconds() == 8 * 60 * 60


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/backoffice/zapisz-zgloszenie", "/backoffice/zapisz-zgloszenie"),
        ("https://evil.example/", "/backoffice/zgloszenia"),
        ("//evil.example/", "/backoffice/zgloszenia"),
        ("/\\evil.example", "/backoffice/zgloszenia"),
        ("javascript:alert(1)", "/backoffice/zgloszenia"),
    ],
)
def test_v1_2_2_login_returns_only_to_pages_of_this_site(client, accounts, next_url, lands_on):
    _, email = accounts.create("staff")
    token = csrf_from(client, "/backoffice/logowanie")

    response = client.post(
        "/backoffice/logowanie",
        query_string={"next": next_url},
        data={"csrf_token": token, "email": email, "password": "haslo-testowe-123"},
    )

    assert response.headers["Location"] == lands_on


def test_anonymous_user_is_sent_to_login_and_back(client, accounts):
    response = client.get("/backoffice/zapisz-zgloszenie")

    assert response.status_code == 302
    assert (
        response.headers["Location"] == "/backoffice/logowanie?next=/backoffice/zapisz-zgloszenie"
    )


class TestThrottle:
    @pytest.fixture
    def app_overrides(self):
        return {
            "LOGIN_RATE_LIMIT_ACCOUNT": "3 per 15 minutes",
            "LOGIN_RATE_LIMIT_IP": "5 per 15 minutes",
        }

    def test_v6_1_1_an_account_is_locked_after_repeated_failures_with_a_clear_message(
        self, client, accounts
    ):
        _, email = accounts.create("staff")

        failures = [log_in(client, email, "wrong-password-1").status_code for _ in range(3)]
        locked = log_in(client, email)

        assert failures == [200, 200, 200]
        assert locked.status_code == 429
        assert "15" in locked.get_data(as_text=True)
        assert client.get("/backoffice/zgloszenia").status_code == 302

    def test_successful_logins_do_not_count_toward_the_lock(self, client, accounts):
        _, email = accounts.create("staff")

        for _ in range(4):
            assert log_in(client, email).status_code == 303
            client.post(
                "/backoffice/wyloguj", data={"csrf_token": csrf_from(client, "/backoffice/konto")}
            )

    def test_one_address_trying_many_accounts_is_stopped(self, client, accounts):
        emails = [accounts.create("staff")[1] for _ in range(3)]

        codes = [
            log_in(client, email, "wrong-password-1").status_code for email in emails + emails[:2]
        ]
        blocked = log_in(client, emails[2])

        assert codes == [200] * 5
        assert blocked.status_code == 429


def test_v11_4_2_the_production_password_hash_meets_the_owasp_minimum(app):
    assert Config.PASSWORD_HASH_METHOD == "scrypt:131072:8:1"
    with app.app_context():
        app.config["PASSWORD_HASH_METHOD"] = Config.PASSWORD_HASH_METHOD
        user, password = create_user("hash@example.org", "Hasz", Role.STAFF)
        assert user.password_hash.startswith("scrypt:131072:8:1$")
        assert check_password_hash(user.password_hash, password)


def test_v6_2_3_own_password_change_needs_the_current_one_and_12_characters(client, accounts):
    accounts.login_as("staff")
    token = csrf_from(client, "/backoffice/konto")

    short = client.post(
        "/backoffice/konto",
        data={"csrf_token": token, "current_password": "haslo-testowe-123", "password": "krotkie"},
    )
    wrong = client.post(
        "/backoffice/konto",
        data={
            "csrf_token": token,
            "current_password": "nie-to-haslo",
            "password": "nowe-dlugie-haslo-2026",
        },
    )
    right = client.post(
        "/backoffice/konto",
        data={
            "csrf_token": token,
            "current_password": "haslo-testowe-123",
            "password": "nowe-dlugie-haslo-2026",
        },
    )

    assert 'id="password-error"' in short.get_data(as_text=True)
    assert 'id="current_password-error"' in wrong.get_data(as_text=True)
    assert right.status_code == 303


def test_create_user_command_makes_the_first_admin(app):
    runner = app.test_cli_runner()

    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Pierwsza@Example.org",
            "--name",
            "Pierwsza Admin",
            "--role",
            "admin",
            "--password",
            "bardzo-dlugie-haslo",
        ]
    )

    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.query(User).filter_by(email="pierwsza@example.org").one()
        assert user.role == Role.ADMIN


def test_create_user_command_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "a@example.org", "--name", "A", "--password", "krotkie"]
    )

    assert result.exit_code != 0
