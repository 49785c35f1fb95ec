"""Flask commands: the institution's settings, accounts, the demo data, the mail worker, retention."""

from __future__ import annotations

import os
import signal
import threading

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from . import services, settings
from .backup import backup_group
from .database import gather_statistics
from .demo.activity import load_demo_activity
from .deploycheck import check_deploy_command
from .domain.errors import DomainError
from .domain.lifecycle import Role
from .extensions import db
from .models import User, WorkshopGroup
from .services import accounts, notifications, outbox, retention

DEMO_ACCOUNTS = [
    ("admin@demo.example", "Anna Administratorka", Role.ADMIN, []),
    ("koordynator@demo.example", "Katarzyna Koordynatorka", Role.STAFF, []),
    ("krawcowa@demo.example", "Irena Instruktorka", Role.INSTRUCTOR, ["Pracownia krawiecka"]),
    (
        "stolarz@demo.example",
        "Stanisław Instruktor",
        Role.INSTRUCTOR,
        ["Pracownia stolarsko-tapicerska"],
    ),
    ("remonty@demo.example", "Roman Instruktor", Role.INSTRUCTOR, ["Grupa remontowo-budowlana"]),
]
DEMO_PASSWORD = "demo-haslo-2026"


def register_cli(app: Flask) -> None:
    app.cli.add_command(load_institution_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(outbox_group)
    app.cli.add_command(retention_group)
    app.cli.add_command(check_deploy_command)
    app.cli.add_command(backup_group)
    app.cli.add_command(setup_command)


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
    """Load the demo institution (Opole, Centrum RE-Start), demo accounts and their activity."""
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
    added = load_demo_activity()
    click.echo(
        f"Demo activity: {added} requests added." if added else "Demo activity: already loaded."
    )
    click.echo("Back office: /backoffice/ — demo logins (password for all: " + DEMO_PASSWORD + "):")
    for email, _name, role, _groups in DEMO_ACCOUNTS:
        click.echo(f"  {role:<10} {email}")


@click.command("create-user")
@with_appcontext
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role if r != Role.RESIDENT]),
    default="admin",
    show_default=True,
)
@click.password_option(help="At least 12 characters; asked for when not given.")
def create_user_command(email: str, name: str, role: str, password: str) -> None:
    """Create a back-office account (use it for the first administrator)."""
    try:
        user, _ = accounts.create_user(email, name, Role(role), password)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} account {user.email}.")


outbox_group = AppGroup("outbox", help="Send the e-mail waiting in the outbox.")


@outbox_group.command("run")
@click.option("--once", is_flag=True, help="Send what is due now and exit (for cron).")
def outbox_run_command(once: bool) -> None:
    """Send due messages: as a long-running worker, or once."""
    try:
        if once:
            done = outbox.deliver_due()
            click.echo(_delivery_line(done))
            return
        app = current_app._get_current_object()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        click.echo("Outbox worker running; Ctrl+C or SIGTERM stops it.")
        try:
            outbox.run_forever(
                app,
                stop,
                poll_seconds=app.config["OUTBOX_POLL_SECONDS"],
                report=lambda done: click.echo(_delivery_line(done)),
            )
        except KeyboardInterrupt:
            stop.set()
        click.echo("Outbox worker stopped.")
    except outbox.OutboxNotConfigured as error:
        raise click.ClickException(str(error)) from None


def _delivery_line(done: outbox.Delivery) -> str:
    return f"sent {done.sent}, to retry {done.retried}, parked {done.parked}"


@outbox_group.command("digest")
def outbox_digest_command() -> None:
    """Queue the daily messages: staff digests of new requests, residents' one reminder of
    the satisfaction check, one of an item waiting to be collected, and one the day before an
    arranged date."""
    created = notifications.build_digests()
    click.echo(f"Queued {len(created)} digest(s).")
    reminders = notifications.queue_feedback_reminders()
    click.echo(f"Queued {reminders} satisfaction reminder(s).")
    pickups = notifications.queue_pickup_reminders(
        after_days=current_app.config["PICKUP_REMINDER_DAYS"]
    )
    click.echo(f"Queued {pickups} reminder(s) of items to collect.")
    visits = notifications.queue_visit_reminders(
        services.local_today(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    )
    click.echo(f"Queued {visits} reminder(s) of tomorrow's dates.")


retention_group = AppGroup("retention", help="Erase the personal data of old closed requests.")


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Only count the requests due; change nothing.")
def retention_run_command(dry_run: bool) -> None:
    """Anonymise closed requests older than the institution's retention period (daily, cron)."""
    try:
        done = retention.run(upload_folder=current_app.config["UPLOAD_FOLDER"], dry_run=dry_run)
    except retention.RetentionNotConfigured as error:
        raise click.ClickException(str(error)) from None
    if dry_run:
        click.echo(f"due for anonymising: {done.requests} request(s); nothing changed")
    else:
        click.echo(f"anonymised: {done.summary()}")
        # The daily run is also when SQLite's planner learns how the tables have grown.
        with db.engine.begin() as connection:
            gather_statistics(connection)


@click.command("setup")
@with_appcontext
@click.option(
    "--institution",
    "institution_file",
    type=click.Path(exists=True, dir_okay=False),
    help="The institution's settings (TOML); needed the first time, reloaded when given again.",
)
@click.option("--admin-email", envvar="PORTAL_ADMIN_EMAIL", help="The first administrator.")
@click.option("--admin-name", envvar="PORTAL_ADMIN_NAME", default="Administrator")
def setup_command(institution_file: str | None, admin_email: str | None, admin_name: str) -> None:
    """Set up or upgrade an installation: migrations, settings, first administrator.

    Safe to run again after every upgrade. The administrator's password is read from
    PORTAL_ADMIN_PASSWORD or asked for (never echoed); it is only needed while the
    portal has no administrator.
    """
    from . import installation

    installation.migrate_schema()
    click.echo("Database schema: up to date.")
    admin = None
    if installation.needs_admin() and admin_email:
        password = os.environ.get("PORTAL_ADMIN_PASSWORD") or click.prompt(
            "Password for " + admin_email, hide_input=True, confirmation_prompt=True
        )
        admin = installation.AdminAccount(admin_email, admin_name, password)
    try:
        done = installation.set_up(institution_file, admin)
    except (installation.SetupIncomplete, DomainError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Institution: {done.institution}"
        + (" (settings loaded)." if done.institution_loaded else " (settings kept).")
    )
    if done.admin_created:
        click.echo(f"Administrator created: {done.admin_created}.")
    else:
        click.echo("Administrator: already present.")
