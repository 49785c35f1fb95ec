"""Two-factor login: time-based codes from an authenticator app, and recovery codes.

Codes follow RFC 6238 (TOTP: 6 digits, 30-second steps, HMAC-SHA1, as every authenticator
app expects) through pyotp. A code is accepted one step either side of now, and never for
a step at or before the last one accepted, so a code cannot be used twice (ASVS 6.5.1,
6.5.5). Turning two-factor login on takes two moves: a new secret is stored unconfirmed,
and only a right code from the app turns it on; then ten recovery codes are shown once.

Recovery codes are 12 characters from a 32-letter alphabet (60 bits), short enough to
type. Below 112 bits ASVS 6.5.2 asks for the password hash, so they are stored with the
app's password hashing (scrypt in production), each with its own salt, and each can be
used once. A login with one costs up to ten hash checks, which the login throttle bounds.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, or_, select, update
from werkzeug.security import check_password_hash

from .. import queries
from ..domain.errors import DomainError
from ..extensions import db
from ..i18n import N_
from ..models import RecoveryCode, User, UserSession, utcnow
from ..securitylog import log_event
from . import accounts, sessions
from .transaction import use_case

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to mix up
_RECOVERY_LENGTH = 12
_TOTP_CODE = re.compile(r"\d{6}")


def current_time() -> float:
    """Seconds since the epoch; tests replace it to step through time."""
    return time.time()


def has_two_factor(user: User) -> bool:
    return user.totp_enabled_at is not None


def required() -> bool:
    institution = queries.institution()
    return bool(institution and institution.require_two_factor)


# --- Turning it on ---------------------------------------------------------------------------


@use_case
def begin_enrolment(user: User) -> None:
    """Store a new, not yet confirmed secret (160 bits) for the user's app to scan."""
    if has_two_factor(user):
        raise DomainError(N_("Two-factor login is already on."))
    user.totp_secret = pyotp.random_base32()
    db.session.commit()


def provisioning_uri(user: User, issuer: str) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_code(uri: str) -> str:
    """The otpauth:// address as an SVG QR code in a data: URI, for an <img>."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@use_case
def confirm_enrolment(
    user: User, code: str, *, password: str | None, keep: UserSession | None
) -> list[str]:
    """Turn two-factor login on when code matches the new secret; return recovery codes.

    password is the current password (None only right after the password step of a login).
    """
    if has_two_factor(user) or not user.totp_secret:
        raise DomainError(N_("Start setting up two-factor login again."), field="code")
    if password is not None and not accounts.password_matches(user, password):
        raise DomainError(N_("The current password is not correct."), field="current_password")
    step = _matching_step(user.totp_secret, code)
    if step is None:
        log_event("authn_mfa_fail", outcome="failure", user_id=user.id, stage="enrolment")
        raise DomainError(
            N_("The code is not correct. Enter the 6 digits the app shows now."), field="code"
        )
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _replace_recovery_codes(user)
    sessions.revoke_all(user.id, reason="mfa_enabled", keep=keep, actor_id=user.id)
    db.session.commit()
    log_event("authn_mfa_enabled", user_id=user.id)
    return codes


# --- Logging in with it ----------------------------------------------------------------------


def verify_login(user: User, code: str) -> str | None:
    """Check the second factor; return 'totp' or 'recovery_code', or None when it is wrong."""
    code = (code or "").strip()
    compact = re.sub(r"\s", "", code)
    if _TOTP_CODE.fullmatch(compact):
        step = _matching_step(user.totp_secret, compact)
        if step is not None and _claim_step(user, step):
            return "totp"
    elif _use_recovery_code(user, code):
        remaining = recovery_codes_left(user)
        log_event("authn_recovery_code_used", user_id=user.id, remaining=remaining)
        return "recovery_code"
    log_event("authn_mfa_fail", outcome="failure", user_id=user.id, stage="login")
    return None


def _matching_step(secret: str | None, code: str) -> int | None:
    """The time step, within one either side of now, whose code is code."""
    code = re.sub(r"\s", "", code or "")
    if not secret or not _TOTP_CODE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(current_time())
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Record step as used, unless it (or a later one) already was: one UPDATE, race-free."""
    claimed = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


# --- Recovery codes --------------------------------------------------------------------------


def _new_recovery_code() -> str:
    return "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))


def _normalise_recovery_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def show_recovery_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=accounts.hash_password(code)) for code in codes
    )
    return [show_recovery_code(code) for code in codes]


def _use_recovery_code(user: User, code: str) -> bool:
    code = _normalise_recovery_code(code)
    if len(code) != _RECOVERY_LENGTH or set(code) - set(_RECOVERY_ALPHABET):
        return False
    unused = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    for row in unused:
        if check_password_hash(row.code_hash, code):
            claimed = db.session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow())
                .execution_options(synchronize_session=False)
            ).rowcount
            db.session.commit()
            return claimed == 1
    return False


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


@use_case
def new_recovery_codes(user: User, password: str) -> list[str]:
    """Replace the recovery codes (the old ones stop working); needs the current password."""
    if not has_two_factor(user):
        raise DomainError(N_("Two-factor login is not on."))
    if not accounts.password_matches(user, password or ""):
        raise DomainError(N_("The current password is not correct."), field="current_password")
    codes = _replace_recovery_codes(user)
    db.session.commit()
    log_event("authn_mfa_recovery_codes_replaced", user_id=user.id)
    return codes


# --- Turning it off --------------------------------------------------------------------------


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


@use_case
def disable(user: User, password: str, *, keep: UserSession | None) -> None:
    """The user turns their own two-factor login off, with their current password."""
    if required():
        raise DomainError(
            N_("The administrator requires two-factor login of every account."),
            field="current_password",
        )
    if not accounts.password_matches(user, password or ""):
        raise DomainError(N_("The current password is not correct."), field="current_password")
    _clear(user)
    sessions.revoke_all(user.id, reason="mfa_disabled", keep=keep, actor_id=user.id)
    db.session.commit()
    log_event("authn_mfa_disabled", user_id=user.id)


@use_case
def reset(user: User, *, actor: User) -> None:
    """An administrator turns off someone's two-factor login (a lost phone); ends their sessions."""
    _clear(user)
    sessions.revoke_all(user.id, reason="mfa_reset", actor_id=actor.id)
    db.session.commit()
    log_event("authn_mfa_disabled", user_id=user.id, actor_id=actor.id)


@use_case
def set_required(value: bool, *, actor: User) -> int:
    """Require (or stop requiring) two-factor login of every account.

    Turning it on ends the sessions of accounts without it: they set it up at their next
    login. Returns how many accounts that concerns.
    """
    institution = queries.institution()
    if value and not has_two_factor(actor):
        raise DomainError(
            N_("Turn on two-factor login for your own account first."), field="require_two_factor"
        )
    institution.require_two_factor = value
    without = []
    if value:
        without = db.session.scalars(
            select(User).where(User.active.is_(True), User.totp_enabled_at.is_(None))
        ).all()
        for user in without:
            sessions.revoke_all(user.id, reason="mfa_required", actor_id=actor.id)
    db.session.commit()
    log_event("mfa_requirement_changed", user_id=actor.id, required=value)
    return len(without)


def accounts_without_two_factor() -> list[User]:
    """Active accounts that log in with a password alone, by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.totp_enabled_at.is_(None))
            .order_by(User.name)
        )
    )
