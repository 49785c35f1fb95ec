"""Fixtures shared by the whole suite: the app on SQLite and on PostgreSQL, a client, data."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db
from portal.settings import DEMO_FILE, load_institution

ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def _postgres_reachable(url: str) -> str | None:
    try:
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as error:  # any failure to connect means: not available
        return str(error).splitlines()[0]
    return None


def _backends() -> list:
    backends = [pytest.param("sqlite", id="sqlite")]
    if POSTGRES_URL:
        backends.append(pytest.param("postgresql", id="postgresql"))
    elif ON_CI:
        raise pytest.UsageError("TEST_DATABASE_URL must point at PostgreSQL on CI")
    return backends


def pytest_report_header(config):
    return f"database backends: {', '.join(p.id for p in _backends())}"


def _reset_postgres_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=_backends())
def database_url(request, tmp_path_factory):
    """A database migrated to head through the real migrations, once per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.sqlite3'}"
    else:
        problem = _postgres_reachable(POSTGRES_URL)
        if problem:
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is not reachable: {problem}")
        url = POSTGRES_URL
        _reset_postgres_schema(url)
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
    return url


def make_app(database_url: str, upload_folder: str, **overrides):
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_FOLDER": upload_folder,
        "SUBMIT_RATE_LIMIT": "1000 per minute",
        "LOOKUP_RATE_LIMIT": "1000 per minute",
        "PHOTO_MAX_BYTES": 2 * 1024 * 1024,
    }
    config.update(overrides)
    return create_app(TestConfig, config)


def empty_database() -> None:
    db.session.rollback()
    tables = [table for table in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_overrides():
    """Config values a test module wants changed; override this fixture to set them."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, app_overrides):
    upload_folder = tmp_path / "uploads"
    upload_folder.mkdir()
    app = make_app(database_url, str(upload_folder), **app_overrides)
    with app.app_context():
        empty_database()
        load_institution(DEMO_FILE)
    yield app
    with app.app_context():
        empty_database()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def upload_folder(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


@pytest.fixture(scope="session")
def scratch_dir():
    with tempfile.TemporaryDirectory() as path:
        yield Path(path)


class Accounts:
    """Creates a user of a role and logs the test client in as that user, through the login form."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def create(self, role, groups=()):
        from portal.lifecycle import Role
        from tests import factories

        with self.app.app_context():
            user = factories.user(Role(role))
            if groups:
                user.groups = [factories.group_for(code) for code in groups]
                db.session.commit()
            return user.id, user.email

    def login_as(self, role, groups=()):
        from tests.web.helpers import log_in

        user_id, email = self.create(role, groups)
        response = log_in(self.client, email)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return user_id

    def turn_on_two_factor(self, user_id) -> str:
        """Give the account two-factor login, as if set up through its pages; return the secret."""
        import pyotp

        from portal.models import User, utcnow

        with self.app.app_context():
            user = db.session.get(User, user_id)
            user.totp_secret = pyotp.random_base32()
            user.totp_enabled_at = utcnow()
            db.session.commit()
            return user.totp_secret

    def login_with_two_factor(self, role, groups=()):
        """Create an account with two-factor login and log in with password and code."""
        import pyotp

        from tests.web.helpers import csrf_from, log_in

        user_id, email = self.create(role, groups)
        secret = self.turn_on_two_factor(user_id)
        assert log_in(self.client, email).headers["Location"] == "/backoffice/logowanie/kod"
        response = self.client.post(
            "/backoffice/logowanie/kod",
            data={
                "csrf_token": csrf_from(self.client, "/backoffice/logowanie/kod"),
                "code": pyotp.TOTP(secret).now(),
            },
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return user_id, secret


@pytest.fixture
def accounts(app, client):
    return Accounts(app, client)


class SmtpServer:
    """A real SMTP server (aiosmtpd) on a local port, keeping every message it receives.

    It can be stopped and started again on the same port, to play a mail server
    outage; addresses in `refuse` get a permanent 550 at RCPT.
    """

    def __init__(self, port: int, **server_options):
        self.host = "127.0.0.1"
        self.port = port
        self.messages = []
        self.refuse = set()
        self.server_options = server_options
        self._controller = None

    def app_config(self, **changes) -> dict:
        config = {
            "MAIL_SERVER": self.host,
            "MAIL_PORT": self.port,
            "MAIL_USE_TLS": False,
            "MAIL_USE_SSL": False,
            # Flask-Mail suppresses sending whenever TESTING is on, unless told otherwise.
            "MAIL_SUPPRESS_SEND": False,
            "MAIL_DEFAULT_SENDER": "powiadomienia@kis.example.pl",
            "MAIL_TIMEOUT": 5,
            "PUBLIC_BASE_URL": "https://portal.example.pl",
        }
        config.update(changes)
        return config

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(
            self, hostname=self.host, port=self.port, **self.server_options
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import email
        import email.policy

        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def received(self):
        """The parsed messages, in the order they arrived."""
        return [message for _rcpt, message in self.messages]


def free_port() -> int:
    import socket

    # aiosmtpd cannot start on port 0: its readiness probe would connect to port 0.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A running local SMTP server collecting messages; `app_overrides` can point the app at it."""
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()
