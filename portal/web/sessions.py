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

import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g, request, session
from flask_login import login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db, login_manager
from ..models import User, UserSession, utcnow
from ..securitylog import log_event
from ..services.sessions import (
    absolute_limit,
    ending_reason,
    idle_limit,
    start,
    token_hash,
)

SESSION_KEY = "sid"
PENDING_KEY = "pending_login"


# --- The Flask side: the token in the cookie, the user loader, login and logout ------------


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Return the user of the session whose token the cookie holds (Flask-Login's loader)."""
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
    idle = record.last_seen_at + idle_limit() - now
    absolute = record.created_at + absolute_limit() - now
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
