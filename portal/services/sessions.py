"""Logged-in sessions kept on the server: opening, judging, listing and ending them.

At login the browser gets a random token (256 bits); the ``user_session`` table keeps
only its SHA-256 hash. A session ends when it is revoked (logout, a password or
two-factor change, deactivation, an administrator), when the account is inactive, when
it has been idle longer than SESSION_IDLE_MINUTES or open longer than
SESSION_ABSOLUTE_HOURS. The cookie that carries the token is `web/sessions.py`'s.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from .. import queries
from ..extensions import db
from ..models import User, UserSession, utcnow
from ..securitylog import log_event
from .transaction import use_case

# Rows of sessions started longer ago than this are deleted at the owner's next login.
KEEP_ENDED_SESSIONS = timedelta(days=30)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_limit() -> timedelta:
    """How long a session may go unused."""
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def absolute_limit() -> timedelta:
    """How long a session may last after login, however busy."""
    return timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])


@use_case
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
    if now - record.created_at > absolute_limit():
        return "absolute"
    if now - record.last_seen_at > idle_limit():
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
                UserSession.created_at >= now - absolute_limit(),
                UserSession.last_seen_at >= now - idle_limit(),
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


@use_case
def end_sessions(user: User, *, actor: User) -> int:
    """An administrator ends every session of an account, wherever it is open."""
    count = revoke_all(user.id, reason="ended_by_admin", actor_id=actor.id)
    db.session.commit()
    return count


@use_case
def end_other_sessions(user: User, *, keep: UserSession | None) -> int:
    """A user logs out everywhere except in the session keep."""
    count = revoke_all(user.id, reason="ended_by_user", keep=keep, actor_id=user.id)
    db.session.commit()
    return count
