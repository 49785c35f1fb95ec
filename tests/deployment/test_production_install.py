"""The README's production install, run for real: wheel, PostgreSQL, Redis, gunicorn, Caddy, TLS.

This follows README "Installing at a club" with the same commands, in a temporary
folder instead of /srv/portal and /etc/portal: the package is built (sdist, then the
wheel from the sdist, so the compiled catalogue cannot come from this checkout),
installed with the constraints file into a clean virtualenv, set up with
`portal setup` against a new PostgreSQL database, checked with `portal check-deploy`,
and served by gunicorn from deploy/gunicorn.conf.py (3 workers, rate limits in Redis)
behind Caddy with deploy/Caddyfile, terminating TLS with a certificate made here. The
mail worker sends to a local SMTP server. Everything below talks HTTPS only, except
the checks that plain HTTP is redirected or explained.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import ON_CI, POSTGRES_URL, SmtpServer, free_port

REPO = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "haslo-administratora-2026"
STAFF_PASSWORD = "haslo-koordynatora-2026"

pytestmark = pytest.mark.deployment


def _missing_tools() -> list[str]:
    missing = [tool for tool in ("caddy", "openssl") if shutil.which(tool) is None]
    if not POSTGRES_URL:
        missing.append("TEST_DATABASE_URL")
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        missing.append("Redis on 127.0.0.1:6379")
    return missing


@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    missing = _missing_tools()
    if missing:
        message = "production install test needs: " + ", ".join(missing)
        if ON_CI:
            pytest.fail(message)
        pytest.skip(message)
    root = tmp_path_factory.mktemp("install")
    site = Installation(root)
    try:
        site.install()
        site.start()
        yield site
    finally:
        site.stop()


class Installation:
    def __init__(self, root: Path):
        self.root = root
        self.venv = root / "venv"
        self.processes: dict[str, subprocess.Popen] = {}
        self.web_port, self.https_port, self.http_port, self.admin_port = (
            free_port() for _ in range(4)
        )
        self.base = f"https://localhost:{self.https_port}"
        self.smtp = SmtpServer(free_port())
        admin_url = sa.engine.make_url(POSTGRES_URL)
        self.database = f"{admin_url.database}_install"
        self.admin_url = admin_url
        self.database_url = admin_url.set(database=self.database).render_as_string(
            hide_password=False
        )
        self.cert = root / "tls" / "cert.pem"
        self.key = root / "tls" / "key.pem"
        self.env_file = root / "portal.env"

    # -- the README's steps --------------------------------------------------------

    def install(self) -> None:
        # Built from a copy of the checkout: building writes portal.egg-info into the source
        # tree, and two workers of the suite building the same tree at once break each other.
        source = self.root / "source"
        shutil.copytree(
            REPO,
            source,
            ignore=shutil.ignore_patterns(
                ".git",
                ".venv",
                "build",
                "dist",
                "*.egg-info",
                "instance",
                "test-artifacts",
                "__pycache__",
                ".pytest_cache",
                ".ruff_cache",
                "node_modules",
            ),
        )
        self._run([sys.executable, "-m", "build", "--outdir", self.root / "dist", source])
        wheel = next((self.root / "dist").glob("portal-*.whl"))
        self._run([sys.executable, "-m", "venv", self.venv])
        self._run(
            [self.venv / "bin/pip", "install", "--quiet", "-c", REPO / "constraints.txt", wheel]
        )
        self._fresh_database()
        self._write_env_file()
        institution = self.root / "institution.toml"
        shutil.copy(REPO / "portal/demo/opole.toml", institution)
        self.portal(
            "setup",
            "--institution",
            institution,
            "--admin-email",
            "admin@klub.example.pl",
            env={"PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD},
        )
        self.portal(
            "create-user",
            "--email",
            "koordynator@klub.example.pl",
            "--name",
            "Koordynatorka",
            "--role",
            "staff",
            "--password",
            STAFF_PASSWORD,
        )
        self.check_deploy = self.portal("check-deploy")
        self._make_certificate()

    def start(self) -> None:
        self.smtp.start()
        settings = self.settings()
        self._spawn(
            "gunicorn",
            [self.venv / "bin/gunicorn", "-c", REPO / "deploy/gunicorn.conf.py"],
            env=settings,
        )
        self._spawn("outbox", [self.venv / "bin/portal", "outbox", "run"], env=self._portal_env())
        self._spawn(
            "caddy",
            ["caddy", "run", "--config", REPO / "deploy/Caddyfile", "--adapter", "caddyfile"],
            env={
                "PATH": os.environ["PATH"],
                "HOME": str(self.root),
                "XDG_DATA_HOME": str(self.root / "caddy-data"),
                "XDG_CONFIG_HOME": str(self.root / "caddy-config"),
                "PORTAL_HOST": "localhost",
                "PORTAL_TLS": f"{self.cert} {self.key}",
                "PORTAL_UPSTREAM": f"127.0.0.1:{self.web_port}",
                "PORTAL_HTTP_PORT": str(self.http_port),
                "PORTAL_HTTPS_PORT": str(self.https_port),
                "CADDY_ADMIN": f"localhost:{self.admin_port}",
            },
        )
        for name, port in (("gunicorn", self.web_port), ("caddy", self.https_port)):
            self._wait_for_port(name, port)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.smtp.stop()

    # -- helpers -------------------------------------------------------------------

    def settings(self) -> dict[str, str]:
        """The environment file as systemd's EnvironmentFile= would pass it."""
        pairs = [
            line.split("=", 1)
            for line in self.env_file.read_text().splitlines()
            if line and not line.startswith("#")
        ]
        return {"PATH": os.environ["PATH"], **dict(pairs)}

    def portal(self, *args, env=None) -> str:
        return self._run(
            [self.venv / "bin/portal", *args], env={**self._portal_env(), **(env or {})}
        )

    def session(self):
        import requests

        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE would override the test's certificate
        session.verify = str(self.cert)
        return session

    def gunicorn_log(self) -> str:
        return (self.root / "gunicorn.log").read_text()

    def workers(self) -> list[int]:
        master = self.processes["gunicorn"].pid
        found = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
        return [int(pid) for pid in found.stdout.split()]

    def query(self, statement: str, **params):
        engine = sa.create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return connection.execute(sa.text(statement), params).all()
        finally:
            engine.dispose()

    def _portal_env(self) -> dict[str, str]:
        return {"PATH": os.environ["PATH"], "PORTAL_ENV_FILE": str(self.env_file)}

    def _write_env_file(self) -> None:
        import secrets

        lines = {
            "PORTAL_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": self.database_url,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
            "PUBLIC_BASE_URL": self.base,
            "TRUSTED_PROXIES": "1",
            "PORTAL_BIND": f"127.0.0.1:{self.web_port}",
            "WEB_CONCURRENCY": "3",
            "UPLOAD_FOLDER": str(self.root / "uploads"),
            "MAIL_SERVER": self.smtp.host,
            "MAIL_PORT": str(self.smtp.port),
            "MAIL_DEFAULT_SENDER": "naprawy@klub.example.pl",
            "OUTBOX_POLL_SECONDS": "1",
            "SUBMIT_RATE_LIMIT": "500 per minute",
            "LOOKUP_RATE_LIMIT": "5 per hour",
        }
        self.env_file.write_text("".join(f"{k}={v}\n" for k, v in lines.items()))
        self.env_file.chmod(0o600)
        import redis

        redis.Redis(host="127.0.0.1", port=6379, db=15).flushdb()

    def _fresh_database(self) -> None:
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{self.database}"'))
        engine.dispose()

    def _make_certificate(self) -> None:
        self.cert.parent.mkdir()
        self._run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-keyout", self.key, "-out", self.cert, "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ]
        )  # fmt: skip

    def _run(self, command, env=None) -> str:
        result = subprocess.run(
            [str(part) for part in command],
            env=env or os.environ,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise AssertionError(f"{command} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout + result.stderr

    def _spawn(self, name, command, env) -> None:
        log = open(self.root / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(
            [str(part) for part in command],
            env=env,
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def _wait_for_port(self, name, port) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise AssertionError(f"{name} exited:\n{(self.root / f'{name}.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"{name} did not listen on {port}")


# -- a resident and the office, over HTTPS -------------------------------------------


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    assert match, f"no field {name}"
    return match.group(1)


def _submit(site, session, name="Janina Testowa", email=""):
    form_url = site.base + "/zglos"
    page = session.get(form_url).text
    category = re.search(r'name="category_id"[^>]*value="(\d+)"', page).group(1)
    answers = {
        "csrf_token": _hidden(page, "csrf_token"),
        "submission_key": _hidden(page, "submission_key"),
        "category_id": category,
        "description": "Proszę skrócić spodnie o 5 cm.",
        "name": name,
        "phone": "600 000 001",
        "email": email,
        "email_updates": "y" if email else "",
        "contact_time": "rano",
        "is_senior": "y",
        "consent": "y",
        "website": "",
        # The first service (tailoring) asks what the garment is and what it needs.
        f"q{category}_garment": "spodnie",
        f"q{category}_alteration": "shorten",
    }
    return session.post(
        form_url,
        data={k: v for k, v in answers.items() if v},
        files={"photos": ("", b"")},
        headers={"Referer": form_url},
        allow_redirects=False,
    )


def test_the_installed_package_passes_its_own_deployment_check(installation):
    assert "The configuration is fit for production." in installation.check_deploy


def test_the_home_page_and_the_form_are_in_polish_over_https(installation):
    session = installation.session()

    home = session.get(installation.base + "/")
    form = session.get(installation.base + "/zglos")

    assert home.status_code == 200 and form.status_code == 200
    assert '<html lang="pl"' in home.text
    assert "Bezpłatne naprawy ubrań i mebli" in home.text
    assert "Wyślij zgłoszenie" in form.text and "Send the request" not in form.text
    assert home.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_resident_submits_gets_a_reference_and_one_email_and_staff_triage_it(installation):
    resident = installation.session()

    response = _submit(installation, resident, email="janina.testowa@example.org")

    assert response.status_code == 303, response.text[:500]
    confirmation = resident.get(installation.base + response.headers["Location"])
    reference = re.search(r'id="reference">([^<]+)<', confirmation.text).group(1)
    assert "/zgloszenie/" in confirmation.text
    _wait_until(lambda: _mail_to(installation, "janina.testowa@example.org"), seconds=30)
    time.sleep(3)  # a second copy would have arrived by now
    assert len(_mail_to(installation, "janina.testowa@example.org")) == 1

    staff = installation.session()
    login_url = installation.base + "/backoffice/logowanie"
    page = staff.get(login_url).text
    logged_in = staff.post(
        login_url,
        data={
            "csrf_token": _hidden(page, "csrf_token"),
            "email": "koordynator@klub.example.pl",
            "password": STAFF_PASSWORD,
        },
        headers={"Referer": login_url},
        allow_redirects=False,
    )
    assert logged_in.status_code == 303, logged_in.text[:500]
    [(request_id,)] = installation.query(
        "select id from service_request where reference = :r", r=reference
    )
    request_url = f"{installation.base}/backoffice/zgloszenia/{request_id}"
    page = staff.get(request_url).text
    group = re.search(r'name="accepted-group_id"[^>]*>.*?<option value="(\d+)"', page, re.S)
    moved = staff.post(
        f"{request_url}/status/accepted",
        data={
            "csrf_token": _hidden(page, "csrf_token"),
            "accepted-version": _hidden(page, "accepted-version"),
            "accepted-group_id": group.group(1),
        },
        headers={"Referer": request_url},
        allow_redirects=False,
    )
    assert moved.status_code == 303, moved.text[:500]
    assert installation.query("select status from service_request where id = :i", i=request_id) == [
        ("accepted",)
    ]
    assert '"event": "authn_login_success"' in installation.gunicorn_log()


def test_the_per_address_limit_holds_across_the_three_workers(installation):
    assert len(installation.workers()) == 3
    codes = []

    for attempt in range(8):
        session = installation.session()
        url = installation.base + "/nie-mam-linku"
        page = session.get(url).text
        response = session.post(
            url,
            data={
                "csrf_token": _hidden(page, "csrf_token"),
                "reference": f"KIS-2026-{attempt:05d}",
                "phone": "600 000 009",
            },
            headers={"Referer": url},
            allow_redirects=False,
        )
        codes.append(response.status_code)

    assert codes[:5] == [200] * 5
    assert codes[5:] == [429] * 3


def test_plain_http_is_redirected_or_explained_never_a_bare_400(installation):
    import requests

    through_proxy = requests.get(
        f"http://localhost:{installation.http_port}/zglos", allow_redirects=False
    )
    direct = requests.get(f"http://127.0.0.1:{installation.web_port}/zglos", allow_redirects=False)
    posted = requests.post(
        f"http://127.0.0.1:{installation.web_port}/zglos", data={"name": "x"}, allow_redirects=False
    )

    assert through_proxy.status_code in (301, 302, 307, 308)
    assert through_proxy.headers["Location"].startswith("https://localhost")
    assert direct.status_code == 308
    assert direct.headers["Location"] == installation.base + "/zglos"
    assert posted.status_code == 403 and "https://" in posted.text
    assert "Otwórz portal przez bezpieczne połączenie" in posted.text


def test_killing_a_worker_during_a_burst_loses_no_acknowledged_request(installation):
    acknowledged: list[str] = []
    outcomes: list[str] = []

    def one(number: int) -> None:
        session = installation.session()
        try:
            response = _submit(installation, session, name=f"Seria {number:02d}")
        except Exception as error:  # a connection cut by the kill is an unacknowledged request
            outcomes.append(type(error).__name__)
            return
        outcomes.append(str(response.status_code))
        if response.status_code == 303:
            token = response.headers["Location"].split("/")[2]
            acknowledged.append(token)

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(one, n) for n in range(50)]
        time.sleep(1.0)
        victim = installation.workers()[0]
        os.kill(victim, signal.SIGKILL)
        for future in futures:
            future.result()

    assert len(acknowledged) >= 25, outcomes
    stored = {
        token
        for (token,) in installation.query(
            "select access_token from service_request where name like 'Seria %'"
        )
    }
    assert set(acknowledged) <= stored
    assert not [code for code in outcomes if code.startswith("5") and code not in ("502",)]
    _wait_until(lambda: len(installation.workers()) == 3, seconds=30)
    assert victim not in installation.workers()


def _mail_to(site, address):
    return [message for rcpt, message in site.smtp.messages if address in rcpt]


def _wait_until(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError("timed out waiting")
