"""Logged-in sessions kept on the server, and the Flask session that points at them.

At login the browser gets a random token (256 bits) inside the signed Flask cookie; the
``user_session`` table keeps only its SHA-256 hash. Flask-Login's user loader finds the
row by that hash on every request and refuses it when it was revoked (logout, a password
or two-factor change, deactivation, an administrator), when the account is inactive, when
it has been idle longer than SESSION_IDLE_MINUTES or open longer than
SESSION_ABSOLUTE_HOURS. A copy of an old cookie is therefore worth nothing once the row
has ended. ``last_seen_at`` is written at most once a minute, not on every request.

Between the password and the second factor the user is not logged in: the Flask session
holds only a "pending login" (account id, when, where to go next) for a few minutes.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, request, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from . import queries
from .extensions import db
from .models import User, UserSession, utcnow
from .securitylog import log_event

SESSION_KEY = "sid"
PENDING_KEY = "pending_login"
# Rows of sessions started longer ago than this are deleted at the owner's next login.
KEEP_ENDED_SESSIONS = timedelta(days=30)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def _absolute_limit() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])


def start(user: User, *, user_agent: str = "") -> tuple[str, UserSession]:
    """Open a session for user; return its token and row (the row keeps only the hash)."""
    now = utcnow()
    token = secrets.token_urlsafe(32)
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.created_at < now - KEEP_ENDED_SESSIONS
        )
    )
    record = UserSession(
        user_id=user.id,
        token_hash=token_hash(token),
        created_at=now,
        last_seen_at=now,
        user_agent=(user_agent or "")[:200],
    )
    db.session.add(record)
    user.last_login_at = now
    db.session.commit()
    return token, record


def ending_reason(record: UserSession, now: datetime) -> str | None:
    """Why the session can no longer be used, or None while it is good."""
    if record.revoked_at is not None:
        return "revoked"
    if not record.user.active:
        return "inactive"
    if now - record.created_at > _absolute_limit():
        return "absolute"
    if now - record.last_seen_at > _idle_limit():
        return "idle"
    institution = queries.institution()
    if institution is not None and institution.require_two_factor:
        if record.user.totp_enabled_at is None:
            return "mfa_required"
    return None


def live_sessions(user_id: int) -> list[UserSession]:
    """The sessions of an account that still let someone in, newest first."""
    now = utcnow()
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user_id,
                UserSession.revoked_at.is_(None),
                UserSession.created_at >= now - _absolute_limit(),
                UserSession.last_seen_at >= now - _idle_limit(),
            )
            .order_by(UserSession.created_at.desc())
        )
    )


def revoke_all(
    user_id: int, *, reason: str, keep: UserSession | None = None, actor_id: int | None = None
) -> int:
    """End every open session of the account except keep; the caller commits."""
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    count = db.session.execute(statement).rowcount or 0
    if count:
        log_event(
            "session_revoked",
            user_id=user_id,
            actor_id=actor_id,
            reason=reason,
            count=count,
            kept_current=keep is not None,
        )
    return count


def end_sessions(user: User, *, actor: User) -> int:
    """An administrator ends every session of an account, wherever it is open."""
    count = revoke_all(user.id, reason="ended_by_admin", actor_id=actor.id)
    db.session.commit()
    return count


def end_other_sessions(user: User) -> int:
    """A user logs out everywhere except here."""
    count = revoke_all(user.id, reason="ended_by_user", keep=current_record(), actor_id=user.id)
    db.session.commit()
    return count


# --- The Flask side: the token in the cookie, the user loader, login and logout ------------


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user of the session whose token the cookie holds."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        return None
    record = db.session.scalars(
        select(UserSession)
        .options(joinedload(UserSession.user))
        .where(UserSession.token_hash == token_hash(token))
    ).first()
    if record is None or str(record.user_id) != str(user_id):
        _forget("revoked")
        return None
    now = utcnow()
    reason = ending_reason(record, now)
    if reason is not None:
        if reason in ("idle", "absolute"):
            log_event(
                "authn_session_expired", outcome="failure", user_id=record.user_id, reason=reason
            )
        _forget(reason)
        return None
    if now - record.last_seen_at >= timedelta(seconds=current_app.config["SESSION_TOUCH_SECONDS"]):
        record.last_seen_at = now
        db.session.commit()
    g.user_session = record
    return record.user


def _forget(reason: str) -> None:
    """Drop a dead session from the cookie and remember why, for the login page to say."""
    session.pop(SESSION_KEY, None)
    session.pop("_user_id", None)
    session.pop("_fresh", None)
    g.session_ended = reason


def current_record() -> UserSession | None:
    """The server-side row of this request's session, once the user has been loaded."""
    return g.get("user_session")


def log_in(user: User, *, factors: int = 1, method: str = "password") -> None:
    """Start a fresh session: new token, nothing kept from before (no session fixation)."""
    session.clear()
    token, g.user_session = start(user, user_agent=request.user_agent.string)
    session[SESSION_KEY] = token
    login_user(user, remember=False)
    session.permanent = True
    log_event("authn_login_success", user_id=user.id, factors=factors, method=method)


def log_out() -> None:
    """End the session on the server, then forget it in the browser."""
    record = current_record()
    user_id = record.user_id if record is not None else None
    if record is not None and record.revoked_at is None:
        record.revoked_at = utcnow()
        db.session.commit()
    logout_user()
    session.clear()
    log_event("authn_logout", user_id=user_id)


def extend() -> None:
    """Count the user as active now (the 'extend session' button)."""
    record = current_record()
    if record is not None:
        record.last_seen_at = utcnow()
        db.session.commit()


@dataclass(frozen=True)
class Timer:
    """Seconds until the idle and the absolute limit end the current session."""

    idle: int
    absolute: int


def timer() -> Timer | None:
    record = current_record()
    if record is None:
        return None
    now = utcnow()
    idle = record.last_seen_at + _idle_limit() - now
    absolute = record.created_at + _absolute_limit() - now
    return Timer(max(0, int(idle.total_seconds())), max(0, int(absolute.total_seconds())))


# --- Between the password and the second factor --------------------------------------------


def begin_pending_login(user: User, *, next_url: str | None, purpose: str) -> None:
    """Remember that user gave the right password; purpose is 'verify' or 'enrol'."""
    session.clear()
    session[PENDING_KEY] = {
        "user_id": user.id,
        "at": int(time.time()),
        "next": next_url,
        "purpose": purpose,
    }


def pending_login() -> tuple[User, dict] | None:
    """The account waiting for its second factor, or None (also when the wait ran out)."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    waited = time.time() - pending.get("at", 0)
    user = db.session.get(User, pending.get("user_id"))
    if waited > current_app.config["TWO_FACTOR_PENDING_SECONDS"] or user is None or not user.active:
        session.pop(PENDING_KEY, None)
        g.session_ended = "pending_expired"
        return None
    return user, pending


def clear_pending_login() -> None:
    session.pop(PENDING_KEY, None)


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def describe_user_agent(user_agent: str) -> str:
    """A short 'Browser, system' for the list of sessions, e.g. 'Firefox, Windows'."""
    browser = next((name for marker, name in _BROWSERS if marker in (user_agent or "")), "")
    system = next((name for marker, name in _SYSTEMS if marker in (user_agent or "")), "")
    return ", ".join(part for part in (browser, system) if part) or "?"
