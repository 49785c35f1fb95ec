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
from tests import tallies

ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Under pytest-xdist every worker gets a PostgreSQL database of its own, named after the
# one TEST_DATABASE_URL gives (portal_test_gw0, portal_test_gw1, ...) and created on demand.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
BASE_POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
POSTGRES_URL = (
    sa.engine.make_url(BASE_POSTGRES_URL)
    .set(database=f"{sa.engine.make_url(BASE_POSTGRES_URL).database}_{_WORKER}")
    .render_as_string(hide_password=False)
    if BASE_POSTGRES_URL and _WORKER
    else BASE_POSTGRES_URL
)
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
    if BASE_POSTGRES_URL:
        backends.append(pytest.param("postgresql", id="postgresql"))
    elif ON_CI:
        raise pytest.UsageError("TEST_DATABASE_URL must point at PostgreSQL on CI")
    return backends


def pytest_sessionstart(session):
    """Make this worker's PostgreSQL database exist before any test reaches for it."""
    if BASE_POSTGRES_URL and not _postgres_reachable(BASE_POSTGRES_URL):
        _create_worker_database()


def pytest_report_header(config):
    return f"database backends: {', '.join(p.id for p in _backends())}"


def _create_worker_database() -> None:
    """Create this worker's own database next to TEST_DATABASE_URL's when it is missing."""
    if POSTGRES_URL == BASE_POSTGRES_URL:
        return
    name = sa.engine.make_url(POSTGRES_URL).database
    engine = sa.create_engine(BASE_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def _reset_postgres_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def migrated_sqlite_url(tmp_path_factory) -> str:
    """A new SQLite database migrated to head, in a directory of its own."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.sqlite3'}"
    _migrate(url)
    return url


def _migrate(url: str) -> None:
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()


@pytest.fixture(scope="session", params=_backends())
def database_url(request, tmp_path_factory):
    """A database migrated to head through the real migrations, once per backend."""
    if request.param == "sqlite":
        return migrated_sqlite_url(tmp_path_factory)
    else:
        problem = _postgres_reachable(BASE_POSTGRES_URL)
        if problem:
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is not reachable: {problem}")
        url = POSTGRES_URL
        _reset_postgres_schema(url)
    _migrate(url)
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
    """Delete every row: cheaper than TRUNCATE on tables this small, on both backends."""
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


class Snapshot:
    """The rows of every table as `build` left an empty database, copied back on demand.

    Loading the demo institution from its TOML file costs tens of milliseconds, seeding
    the demo club seconds; inserting the rows they produced costs one statement a table.
    The first restore runs `build` itself, so what is copied is what the code produces.
    """

    def __init__(self, build):
        self.build = build
        self.rows: dict[str, list[dict]] | None = None

    def restore(self) -> None:
        """Empty the database and fill it as `build` did."""
        empty_database()
        if self.rows is None:
            self.build()
            db.session.commit()
            self.rows = {}
            for table in db.metadata.sorted_tables:
                # In key order: a row referring to another row of its table (a duplicate
                # to the request it repeats) comes after it.
                ordered = table.select().order_by(*table.primary_key.columns)
                rows = [dict(row) for row in db.session.execute(ordered).mappings()]
                if rows:
                    self.rows[table.name] = rows
            db.session.commit()
            return
        for table in db.metadata.sorted_tables:
            if table.name in self.rows:
                db.session.execute(table.insert(), self.rows[table.name])
        if db.engine.dialect.name == "postgresql":
            # The rows keep their ids; a sequence restarted by a migration test must not
            # hand those ids out again.
            with_ids = [
                table.name
                for table in db.metadata.sorted_tables
                if table.name in self.rows and "id" in table.c
            ]
            db.session.execute(
                sa.text(
                    "SELECT "
                    + ", ".join(
                        f"setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f'(SELECT max(id) FROM "{name}"))'
                        for name in with_ids
                    )
                )
            )
        db.session.commit()


_snapshots: dict[tuple[str, str], Snapshot] = {}


def restore_snapshot(database_url: str, name: str, build) -> None:
    """Inside an app context: the database as `build` leaves an empty one, built once."""
    _snapshots.setdefault((database_url, name), Snapshot(build)).restore()


def restore_demo_institution(database_url: str) -> None:
    """Inside an app context: every table empty but the demo institution's."""
    restore_snapshot(database_url, "institution", lambda: load_institution(DEMO_FILE))


class SharedApp:
    """One app per database backend and configuration, reset between tests.

    Building an app costs tens of milliseconds; a test gets a shared one with its
    configuration as built, its own upload folder, fresh rate-limit counters and the
    database holding only the demo institution. A test that changes the app itself
    (adds a route, swaps an extension) asks for `own_app` instead.
    """

    def __init__(self, app):
        self.app = app
        self.config = dict(app.config)
        self.extensions = dict(app.extensions)

    def reset(self, upload_folder: str):
        from portal.extensions import limiter

        self.app.config.clear()
        self.app.config.update(self.config)
        self.app.config["UPLOAD_FOLDER"] = upload_folder
        self.app.extensions.clear()
        self.app.extensions.update(self.extensions)
        # The limiter is one object for every app: binding it again gives it this app's
        # storage, with no counts in it.
        limiter.init_app(self.app)
        return self.app


_shared_apps: dict[tuple, SharedApp] = {}


def _config_key(overrides: dict) -> tuple:
    return tuple(sorted((key, repr(value)) for key, value in overrides.items()))


@pytest.fixture
def app_overrides():
    """Config values a test module wants changed; override this fixture to set them."""
    return {}


@pytest.fixture
def app(request, database_url, tmp_path, tmp_path_factory, app_overrides):
    upload_folder = tmp_path / "uploads"
    upload_folder.mkdir()
    if request.node.get_closest_marker("own_app"):
        app = make_app(database_url, str(upload_folder), **app_overrides)
    else:
        key = (database_url, _config_key(app_overrides))
        if key not in _shared_apps:
            built_in = tmp_path_factory.mktemp("shared-uploads")
            _shared_apps[key] = SharedApp(make_app(database_url, str(built_in), **app_overrides))
        app = _shared_apps[key].reset(str(upload_folder))
    with app.app_context():
        restore_demo_institution(database_url)
    yield app
    with app.app_context():
        db.session.remove()
        # Whatever a test did, the running tallies still equal a recount.
        assert tallies.disagreement() is None, tallies.disagreement()
        db.session.remove()
    if request.node.get_closest_marker("own_app"):
        with app.app_context():
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
        from portal.domain.lifecycle import Role
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
