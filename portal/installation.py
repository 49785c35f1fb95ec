"""Setting up a real installation: the schema, the institution's settings, the first administrator.

One idempotent step that an administrator runs after installing or upgrading the
package: migrations to the newest revision, the institution's settings file loaded
(again, if given: settings are updated, past totals never added twice), and the first
administrator created when the portal has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select

from . import settings
from .database import MIGRATIONS_DIR
from .domain.lifecycle import Role
from .extensions import db
from .models import Institution, User
from .services import accounts


class SetupIncomplete(Exception):
    """Something the installation needs was not given; the message says what."""


@dataclass(frozen=True)
class AdminAccount:
    email: str
    name: str
    password: str


@dataclass(frozen=True)
class SetupDone:
    institution: str
    institution_loaded: bool
    admin_created: str | None


def needs_admin() -> bool:
    """Whether the portal has no administrator yet (the schema must exist)."""
    admins = select(func.count()).select_from(User).where(User.role == Role.ADMIN)
    return not db.session.scalar(admins)


def migrate_schema() -> None:
    """Bring the database schema to the newest migration."""
    upgrade(directory=MIGRATIONS_DIR)


def set_up(institution_file: Path | str | None, admin: AdminAccount | None) -> SetupDone:
    """After migrate_schema: load the settings file if given, create the first admin if none."""
    institution = db.session.scalars(select(Institution)).first()
    if institution_file is not None:
        institution = settings.load_institution(institution_file)
    elif institution is None:
        raise SetupIncomplete(
            "The institution's settings are not loaded yet: give --institution FILE "
            "(a TOML file shaped like portal/demo/opole.toml)."
        )
    created = None
    if needs_admin():
        if admin is None:
            raise SetupIncomplete("The portal has no administrator yet: give --admin-email.")
        user, _ = accounts.create_user(admin.email, admin.name, Role.ADMIN, admin.password)
        created = user.email
    return SetupDone(institution.name, institution_file is not None, created)
