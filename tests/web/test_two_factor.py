"""Two-factor login: the code step, codes used once, recovery codes, setting it up (ASVS V6)."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Institution, RecoveryCode, User, UserSession
from portal.services import twofactor
from tests.conftest import Accounts

from .helpers import csrf_from, hidden_value, log_in

QUEUE = "/backoffice/zgloszenia"
CODE_PAGE = "/backoffice/logowanie/kod"
ENROL_PAGE = "/backoffice/logowanie/dwuetapowe"
PASSWORD = "haslo-testowe-123"


@pytest.fixture
def frozen(monkeypatch):
    """Stop the two-factor clock in the middle of a 30-second step."""
    now = 1_900_000_015.0
    monkeypatch.setattr(twofactor, "current_time", lambda: now)
    return now


def _code(secret: str, at: float) -> str:
    return pyotp.TOTP(secret).at(at)


def _enter_code(client, code: str):
    return client.post(CODE_PAGE, data={"csrf_token": csrf_from(client, CODE_PAGE), "code": code})


def _session_rows(app, user_id) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(UserSession).where(UserSession.user_id == user_id)
        )


def _user(app, user_id) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def _log_out(client):
    return client.post(
        "/backoffice/wyloguj", data={"csrf_token": csrf_from(client, "/backoffice/konto")}
    )


def test_v6_3_3_after_the_password_the_user_is_not_logged_in_until_the_code_is_right(
    app, client, accounts, frozen
):
    user_id, email = accounts.create("staff")
    secret = accounts.turn_on_two_factor(user_id)

    response = log_in(client, email)

    assert response.status_code == 303
    assert response.headers["Location"] == CODE_PAGE
    assert client.get(QUEUE).status_code == 302
    assert _session_rows(app, user_id) == 0
    with client.session_transaction() as flask_session:
        assert "_user_id" not in flask_session and "sid" not in flask_session

    assert _enter_code(client, "000000").status_code == 200
    assert _session_rows(app, user_id) == 0
    assert _enter_code(client, _code(secret, frozen)).status_code == 303
    assert client.get(QUEUE).status_code == 200
    assert _session_rows(app, user_id) == 1


@pytest.mark.parametrize(
    ("steps", "accepted"), [(-2, False), (-1, True), (0, True), (1, True), (2, False)]
)
def test_v6_5_5_a_code_is_accepted_only_one_time_step_either_side_of_now(
    client, accounts, frozen, steps, accepted
):
    user_id, email = accounts.create("staff")
    secret = accounts.turn_on_two_factor(user_id)
    log_in(client, email)

    response = _enter_code(client, _code(secret, frozen + 30 * steps))

    assert (response.status_code == 303) is accepted


def test_v6_5_1_a_totp_code_cannot_be_used_twice(app, client, accounts, frozen):
    user_id, email = accounts.create("staff")
    secret = accounts.turn_on_two_factor(user_id)
    code = _code(secret, frozen)
    log_in(client, email)
    assert _enter_code(client, code).status_code == 303
    _log_out(client)

    log_in(client, email)
    reused = _enter_code(client, code)
    older = _enter_code(client, _code(secret, frozen - 30))

    assert reused.status_code == 200
    assert older.status_code == 200
    assert 'id="code-error"' in reused.get_data(as_text=True)
    assert client.get(QUEUE).status_code == 302
    assert _enter_code(client, _code(secret, frozen + 30)).status_code == 303


def test_v6_5_1_a_recovery_code_can_be_used_once(app, client, accounts):
    user_id, email = accounts.create("staff")
    accounts.turn_on_two_factor(user_id)
    with app.app_context():
        codes = twofactor._replace_recovery_codes(db.session.get(User, user_id))
        db.session.commit()
    log_in(client, email)

    first = _enter_code(client, codes[0].lower().replace("-", " "))
    _log_out(client)
    log_in(client, email)
    again = _enter_code(client, codes[0])

    assert first.status_code == 303
    assert again.status_code == 200
    assert _enter_code(client, codes[1]).status_code == 303
    with app.app_context():
        assert twofactor.recovery_codes_left(db.session.get(User, user_id)) == 8


def test_v6_5_2_recovery_codes_are_stored_only_as_salted_password_hashes(app, client, accounts):
    user_id = accounts.login_as("staff")
    codes = _turn_on_through_the_pages(client, accounts)

    with app.app_context():
        hashes = db.session.scalars(
            select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user_id)
        ).all()
    assert len(codes) == len(hashes) == 10
    assert len(set(hashes)) == 10
    assert all(h.startswith(app.config["PASSWORD_HASH_METHOD"] + "$") for h in hashes)
    for code in codes:
        assert not [h for h in hashes if code.replace("-", "") in h]


def test_v6_3_3_the_code_step_expires_after_5_minutes(client, accounts, frozen):
    user_id, email = accounts.create("staff")
    secret = accounts.turn_on_two_factor(user_id)
    log_in(client, email)
    token = csrf_from(client, CODE_PAGE)
    with client.session_transaction() as flask_session:
        pending = dict(flask_session["pending_login"])
        pending["at"] -= 5 * 60 + 1
        flask_session["pending_login"] = pending

    response = client.post(CODE_PAGE, data={"csrf_token": token, "code": _code(secret, frozen)})

    assert response.status_code == 302
    assert response.headers["Location"] == "/backoffice/logowanie"
    assert client.get(QUEUE).status_code == 302
    assert 'class="notice notice--info"' in client.get("/backoffice/logowanie").get_data(
        as_text=True
    )


@pytest.mark.parametrize("path", [CODE_PAGE, ENROL_PAGE])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_code_pages_send_anyone_without_a_right_password_to_login(client, path, method):
    response = client.open(
        path,
        method=method,
        data={"csrf_token": csrf_from(client, "/backoffice/logowanie"), "code": "123456"},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/backoffice/logowanie"


def test_a_wrong_password_never_reaches_the_code_step(client, accounts):
    user_id, email = accounts.create("staff")
    accounts.turn_on_two_factor(user_id)

    assert log_in(client, email, "wrong-password-1").status_code == 200
    assert client.get(CODE_PAGE).status_code == 302


def test_the_code_step_keeps_the_page_asked_for(client, accounts, frozen):
    user_id, email = accounts.create("staff")
    secret = accounts.turn_on_two_factor(user_id)
    token = csrf_from(client, "/backoffice/logowanie")
    client.post(
        "/backoffice/logowanie",
        query_string={"next": "/backoffice/zapisz-zgloszenie"},
        data={"csrf_token": token, "email": email, "password": PASSWORD},
    )

    response = _enter_code(client, _code(secret, frozen))

    assert response.headers["Location"] == "/backoffice/zapisz-zgloszenie"


class TestThrottle:
    @pytest.fixture
    def app_overrides(self):
        return {
            "LOGIN_RATE_LIMIT_ACCOUNT": "3 per 15 minutes",
            "LOGIN_RATE_LIMIT_IP": "10 per 15 minutes",
        }

    def test_v6_3_1_wrong_codes_lock_the_account_with_a_plain_message(
        self, client, accounts, frozen
    ):
        user_id, email = accounts.create("staff")
        secret = accounts.turn_on_two_factor(user_id)
        log_in(client, email)

        failures = [_enter_code(client, "000000").status_code for _ in range(3)]
        locked = _enter_code(client, _code(secret, frozen))

        assert failures == [200, 200, 200]
        assert locked.status_code == 429
        assert "15" in locked.get_data(as_text=True)
        assert client.get(QUEUE).status_code == 302


def _turn_on_through_the_pages(client, accounts, password=PASSWORD):
    """Own account: start, read the secret off the page, confirm; return the recovery codes."""
    client.post(
        "/backoffice/konto/dwuetapowe/wlacz",
        data={"csrf_token": csrf_from(client, "/backoffice/konto")},
    )
    page = client.get("/backoffice/konto/dwuetapowe").get_data(as_text=True)
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    response = client.post(
        "/backoffice/konto/dwuetapowe",
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "code": pyotp.TOTP(secret).now(),
            "current_password": password,
        },
    )
    assert response.status_code == 200
    return re.findall(r"<li><code>([A-Z2-9-]+)</code></li>", response.get_data(as_text=True))


def test_turning_on_two_factor_shows_a_qr_code_then_ten_recovery_codes_once(app, client, accounts):
    user_id = accounts.login_as("staff")
    other = app.test_client()
    log_in(other, _user(app, user_id).email)
    client.post(
        "/backoffice/konto/dwuetapowe/wlacz",
        data={"csrf_token": csrf_from(client, "/backoffice/konto")},
    )

    page = client.get("/backoffice/konto/dwuetapowe").get_data(as_text=True)
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    wrong = client.post(
        "/backoffice/konto/dwuetapowe",
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "code": "000000",
            "current_password": PASSWORD,
        },
    )
    right = client.post(
        "/backoffice/konto/dwuetapowe",
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "code": pyotp.TOTP(secret).now(),
            "current_password": PASSWORD,
        },
    )

    assert re.search(r'<img src="data:image/svg\+xml[^"]+" alt="[^"]+" id="two-factor-qr"', page)
    assert len(secret) == 32  # 160 bits
    assert 'id="code-error"' in wrong.get_data(as_text=True)
    codes = re.findall(r"<li><code>([A-Z2-9-]+)</code></li>", right.get_data(as_text=True))
    assert len(codes) == 10 and all(
        re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", c) for c in codes
    )
    assert _user(app, user_id).totp_enabled_at is not None
    assert "two-factor-disable-form" in client.get("/backoffice/konto").get_data(as_text=True)
    assert client.get(QUEUE).status_code == 200
    assert other.get(QUEUE).status_code == 302
    assert client.get("/backoffice/konto/dwuetapowe").status_code == 302


def test_v7_5_1_turning_on_two_factor_needs_the_current_password(app, client, accounts):
    user_id = accounts.login_as("staff")

    codes = _turn_on_through_the_pages(client, accounts, password="nie-to-haslo-wcale")

    assert codes == []
    assert _user(app, user_id).totp_enabled_at is None


def test_v7_5_1_turning_off_two_factor_needs_the_current_password(app, client, accounts):
    user_id, _secret = accounts.login_with_two_factor("staff")
    token = csrf_from(client, "/backoffice/konto")

    wrong = client.post(
        "/backoffice/konto/dwuetapowe/wylacz",
        data={"csrf_token": token, "disable-current_password": "nie-to-haslo-wcale"},
    )
    right = client.post(
        "/backoffice/konto/dwuetapowe/wylacz",
        data={"csrf_token": token, "disable-current_password": PASSWORD},
    )

    assert 'id="disable-current_password-error"' in wrong.get_data(as_text=True)
    assert right.status_code == 303
    user = _user(app, user_id)
    assert user.totp_enabled_at is None and user.totp_secret is None
    assert client.get(QUEUE).status_code == 200


def test_new_recovery_codes_replace_the_old_ones(app, client, accounts):
    user_id = accounts.login_as("staff")
    old = _turn_on_through_the_pages(client, accounts)

    response = client.post(
        "/backoffice/konto/dwuetapowe/kody",
        data={
            "csrf_token": csrf_from(client, "/backoffice/konto"),
            "codes-current_password": PASSWORD,
        },
    )

    new = re.findall(r"<li><code>([A-Z2-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    with app.app_context():
        user = db.session.get(User, user_id)
        assert not twofactor._use_recovery_code(user, old[0])
        assert twofactor._use_recovery_code(user, new[0])


def _require_two_factor(client, value: bool):
    return client.post(
        "/backoffice/bezpieczenstwo",
        data={
            "csrf_token": csrf_from(client, "/backoffice/bezpieczenstwo"),
            **({"require_two_factor": "y"} if value else {}),
        },
    )


def test_an_admin_must_have_two_factor_before_requiring_it_of_everyone(app, client, accounts):
    accounts.login_as("admin")

    response = _require_two_factor(client, True)

    assert response.status_code == 200
    assert 'id="require_two_factor-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Institution)).one().require_two_factor is False


def test_when_required_a_user_without_it_is_logged_out_and_enrols_at_the_next_login(
    app, client, accounts
):
    staff = app.test_client()
    staff_id = Accounts(app, staff).login_as("staff")
    accounts.login_with_two_factor("admin")

    response = _require_two_factor(client, True)

    assert response.status_code == 303
    assert staff.get(QUEUE).status_code == 302
    assert client.get(QUEUE).status_code == 200

    login = log_in(staff, _user(app, staff_id).email)
    assert login.headers["Location"] == ENROL_PAGE
    assert staff.get(QUEUE).status_code == 302
    assert _session_rows(app, staff_id) == 1  # the one ended above, no new one
    page = staff.get(ENROL_PAGE).get_data(as_text=True)
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert "current_password" not in page

    done = staff.post(
        ENROL_PAGE,
        data={"csrf_token": hidden_value(page, "csrf_token"), "code": pyotp.TOTP(secret).now()},
    )

    assert done.status_code == 200
    assert len(re.findall(r"<li><code>", done.get_data(as_text=True))) == 10
    assert staff.get(QUEUE).status_code == 200
    assert _user(app, staff_id).totp_enabled_at is not None


def test_a_user_cannot_turn_off_two_factor_while_it_is_required(app, client, accounts):
    user_id, _secret = accounts.login_with_two_factor("admin")
    _require_two_factor(client, True)

    response = client.post(
        "/backoffice/konto/dwuetapowe/wylacz",
        data={
            "csrf_token": csrf_from(client, "/backoffice/konto"),
            "disable-current_password": PASSWORD,
        },
    )

    assert response.status_code == 200
    assert 'id="two-factor-required"' in response.get_data(as_text=True)
    assert _user(app, user_id).totp_enabled_at is not None


def test_an_admin_resets_a_users_two_factor_and_ends_their_sessions(app, client, accounts):
    staff = app.test_client()
    staff_id, _secret = Accounts(app, staff).login_with_two_factor("staff")
    accounts.login_as("admin")
    page = client.get(f"/backoffice/konta/{staff_id}").get_data(as_text=True)
    assert 'id="reset-two-factor"' in page

    response = client.post(
        f"/backoffice/konta/{staff_id}/dwuetapowe",
        data={"csrf_token": hidden_value(page, "csrf_token")},
    )

    assert response.status_code == 303
    assert staff.get(QUEUE).status_code == 302
    user = _user(app, staff_id)
    assert user.totp_enabled_at is None and user.totp_secret is None
    with app.app_context():
        assert not db.session.scalars(
            select(RecoveryCode).where(RecoveryCode.user_id == staff_id)
        ).all()
    assert log_in(staff, user.email).headers["Location"] == "/backoffice/zgloszenia"


def test_v7_1_1_the_timeouts_and_the_concurrent_session_policy_are_stated(client, accounts):
    accounts.create("instructor")
    accounts.login_as("admin")

    page = client.get("/backoffice/bezpieczenstwo").get_data(as_text=True)

    assert 'id="session-policy"' in page
    assert "30" in page and "8" in page
    assert page.count("/backoffice/konta/") >= 2
