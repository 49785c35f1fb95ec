"""Staff accounts: the logged-in user, passwords, and the admin's account and group changes."""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.errors import DomainError
from ..domain.lifecycle import Role
from ..domain.text import strip_control_characters
from ..extensions import db
from ..i18n import N_
from ..models import ServiceCategory, User, UserSession, WorkshopGroup, utcnow
from ..securitylog import log_event
from . import sessions
from .transaction import use_case

MIN_PASSWORD_LENGTH = 12
# Checked against when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def password_matches(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def normalise_email(email: str) -> str:
    # Raw form values reach here too (the login limiter's key, the lock-out page): no NUL
    # byte may go on to PostgreSQL.
    return strip_control_characters(email or "").strip().lower()


def authenticate(email: str, password: str) -> User | None:
    """Return the active account with this e-mail and password, or None.

    A failure is logged with the account's id when the address is known; the address
    itself never goes into the log.
    """
    global _DUMMY_HASH
    user = db.session.scalars(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password(secrets.token_hex(8))
        check_password_hash(_DUMMY_HASH, password or "")
        log_event("authn_login_fail", outcome="failure", reason="unknown_account")
        return None
    if not password_matches(user, password or ""):
        log_event("authn_login_fail", outcome="failure", user_id=user.id, reason="wrong_password")
        return None
    if not user.active:
        log_event("authn_login_fail", outcome="failure", user_id=user.id, reason="inactive")
        return None
    return user


def account_id(email: str) -> int | None:
    """The id of the account with this e-mail, for the security log, which never holds e-mails."""
    return db.session.scalar(select(User.id).where(User.email == normalise_email(email)))


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(N_("Use a password of at least 12 characters."), field="password")


@use_case
def create_user(email: str, name: str, role: Role, password: str | None = None) -> tuple[User, str]:
    """Create an account; return it with its password (generated when none is given)."""
    email = normalise_email(email)
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise DomainError(N_("An account with this e-mail address already exists."), field="email")
    password = password or generate_password()
    check_password_strength(password)
    user = User(
        email=email, name=name.strip(), role=Role(role), password_hash=hash_password(password)
    )
    db.session.add(user)
    db.session.commit()
    return user, password


@use_case
def update_user(
    user: User, *, name: str, role: Role, active: bool, group_ids: list[int], acting: User
) -> None:
    """Change an account's name, role, groups and whether it may log in."""
    if user.id == acting.id and (not active or Role(role) != Role.ADMIN):
        raise DomainError(N_("You cannot take away your own administrator access."), field="role")
    user.name = name.strip()
    user.role = Role(role)
    if user.active and not active:
        sessions.revoke_all(user.id, reason="deactivated", actor_id=acting.id)
    user.active = active
    groups = db.session.scalars(select(WorkshopGroup).where(WorkshopGroup.id.in_(group_ids))).all()
    user.groups = list(groups) if user.role == Role.INSTRUCTOR else []
    db.session.commit()


@use_case
def reset_password(user: User, *, acting: User | None = None) -> str:
    """Give the account a new random password and return it, to be handed over once.

    Every session of the account ends: whoever knew the old password is logged out.
    """
    password = generate_password()
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    sessions.revoke_all(
        user.id, reason="password_reset", actor_id=acting.id if acting is not None else None
    )
    db.session.commit()
    log_event(
        "authn_password_change",
        user_id=user.id,
        actor_id=acting.id if acting is not None else None,
        by="admin",
    )
    return password


@use_case
def change_own_password(
    user: User, current: str, new: str, *, keep: UserSession | None = None
) -> None:
    """Change the user's password; every other session of the account ends."""
    if not password_matches(user, current or ""):
        log_event("authn_password_change", outcome="failure", user_id=user.id, by="self")
        raise DomainError(N_("The current password is not correct."), field="current_password")
    check_password_strength(new)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    sessions.revoke_all(user.id, reason="password_change", keep=keep, actor_id=user.id)
    db.session.commit()
    log_event("authn_password_change", user_id=user.id, by="self")


def generate_password() -> str:
    words = secrets.token_urlsafe(12)
    return f"{words[:4]}-{words[4:8]}-{words[8:12]}-{words[12:]}"


@use_case
def save_group(
    group: WorkshopGroup | None,
    *,
    name: str,
    category_id: int,
    location: str,
    active: bool,
    opening_hours: str = "",
) -> WorkshopGroup:
    """Create or change a workshop group."""
    name = (name or "").strip()
    clash = db.session.scalars(select(WorkshopGroup).where(WorkshopGroup.name == name)).first()
    if clash is not None and clash is not group:
        raise DomainError(N_("A group with this name already exists."), field="name")
    if db.session.get(ServiceCategory, category_id) is None:
        raise DomainError(N_("Choose one of the services offered."), field="category_id")
    group = group or WorkshopGroup()
    group.name = name
    group.category_id = category_id
    group.location = (location or "").strip()
    group.opening_hours = (opening_hours or "").strip()
    group.active = active
    db.session.add(group)
    db.session.commit()
    return group
