"""The `portal` command: Flask's commands for this app, with the installation's settings.

It reads the environment file named by PORTAL_ENV_FILE (default /etc/portal/portal.env,
the file the systemd units use), so an administrator's command reaches the same
database as the running portal; variables already set win over the file. The file is
read before anything of the portal is imported, because the configuration reads the
environment when it is first imported.
"""

from __future__ import annotations

import os

DEFAULT_ENV_FILE = "/etc/portal/portal.env"


def main() -> None:
    from dotenv import load_dotenv

    env_file = os.environ.get("PORTAL_ENV_FILE", DEFAULT_ENV_FILE)
    if os.path.exists(env_file):
        try:
            load_dotenv(env_file, override=False)
        except PermissionError:
            raise SystemExit(
                f"Cannot read {env_file}: run this command as the portal's user "
                "(sudo -u portal …) or as root."
            ) from None

    from flask.cli import FlaskGroup

    from . import create_app

    cli = FlaskGroup(
        name="portal",
        create_app=lambda: create_app(),
        load_dotenv=False,
        help="The portal's commands: setup, check-deploy, outbox, retention, backup, …",
    )
    cli.main(prog_name="portal")
