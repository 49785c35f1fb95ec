"""Flask commands: the institution's settings, accounts and the demo data."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from . import accounts, settings
from .extensions import db
from .lifecycle import Role
from .models import User, WorkshopGroup
from .services import DomainError

DEMO_ACCOUNTS = [
    ("admin@demo.example", "Anna Administratorka", Role.ADMIN, []),
    ("koordynator@demo.example", "Katarzyna Koordynatorka", Role.STAFF, []),
    ("krawcowa@demo.example", "Irena Instruktorka", Role.INSTRUCTOR, ["Pracownia krawiecka"]),
    ("stolarz@demo.example", "Stanisław Instruktor", Role.INSTRUCTOR, ["Pracownia stolarsko-tapicerska"]),
    ("remonty@demo.example", "Roman Instruktor", Role.INSTRUCTOR, ["Grupa remontowo-budowlana"]),
]
DEMO_PASSWORD = "demo-haslo-2026"


def register_cli(app: Flask) -> None:
    app.cli.add_command(load_institution_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)


@click.command("load-institution")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load_institution_command(path: str) -> None:
    """Load the institution's settings, services and groups from a TOML file."""
    institution = settings.load_institution(path)
    click.echo(f"Loaded settings of {institution.name}.")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo institution (Opole, Centrum RE-Start) and demo accounts."""
    institution = settings.load_institution(settings.DEMO_FILE)
    click.echo(f"Loaded demo data: {institution.name}.")
    for email, name, role, group_names in DEMO_ACCOUNTS:
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if user is None:
            user, _ = accounts.create_user(email, name, role, DEMO_PASSWORD)
        user.groups = list(
            db.session.scalars(select(WorkshopGroup).where(WorkshopGroup.name.in_(group_names)))
        )
        db.session.commit()
    click.echo("Back office: /backoffice/ — demo logins (password for all: " + DEMO_PASSWORD + "):")
    for email, _name, role, _groups in DEMO_ACCOUNTS:
        click.echo(f"  {role:<10} {email}")


@click.command("create-user")
@with_appcontext
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--role", type=click.Choice([r.value for r in Role if r != Role.RESIDENT]), default="admin", show_default=True)
@click.password_option(help="At least 12 characters; asked for when not given.")
def create_user_command(email: str, name: str, role: str, password: str) -> None:
    """Create a back-office account (use it for the first administrator)."""
    try:
        user, _ = accounts.create_user(email, name, Role(role), password)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} account {user.email}.")
