"""Flask commands: loading the institution's settings and the demo data."""

from __future__ import annotations

import click
from flask import Flask

from . import settings


def register_cli(app: Flask) -> None:
    app.cli.add_command(load_institution_command)
    app.cli.add_command(seed_demo_command)


@click.command("load-institution")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load_institution_command(path: str) -> None:
    """Load the institution's settings, services and groups from a TOML file."""
    institution = settings.load_institution(path)
    click.echo(f"Loaded settings of {institution.name}.")


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo institution (Opole, Centrum RE-Start)."""
    institution = settings.load_institution(settings.DEMO_FILE)
    click.echo(f"Loaded demo data: {institution.name}.")
