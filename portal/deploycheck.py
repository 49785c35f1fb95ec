"""What `flask check-deploy` looks at: a production configuration that is unsafe, and how to fix it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext

from . import sms
from .i18n import missing_catalogues

WEAK_SECRETS = {"dev-only-not-secret", "test-secret-key", "secret", "changeme", "change-me", "dev"}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class Finding:
    setting: str
    problem: str
    fix: str
    fatal: bool = True


def check(config, root_path: str | None = None) -> list[Finding]:
    """Return every problem of config for running in production, fatal ones first."""
    findings: list[Finding] = []
    add = findings.append

    if root_path is not None:
        missing = missing_catalogues(root_path, config)
        if missing:
            add(
                Finding(
                    "LANGUAGES",
                    f"the compiled catalogue of {', '.join(missing)} is missing: every page would be in English",
                    "Install the portal from a wheel or sdist built with `python -m build` (they carry the compiled catalogues), or run `pybabel compile -d portal/translations` in the checkout.",
                )
            )

    secret = config.get("SECRET_KEY") or ""
    if not secret:
        add(Finding("SECRET_KEY", "is not set", _SECRET_FIX))
    elif secret in WEAK_SECRETS or len(secret) < 32:
        add(
            Finding(
                "SECRET_KEY", "is weak (a known value or shorter than 32 characters)", _SECRET_FIX
            )
        )

    if config.get("SMS_GATEWAY"):
        problem = sms.configuration_problem(config)
        if problem:
            add(
                Finding(
                    "SMS_GATEWAY",
                    f"is set, but no text message could be sent: {problem}",
                    "Complete the SMS_* settings (README: Text messages), or leave SMS_GATEWAY "
                    "empty so that residents are not offered text messages.",
                )
            )

    if config.get("DEBUG"):
        add(
            Finding(
                "DEBUG",
                "is on: tracebacks and the debugger would be shown to anyone",
                "Unset FLASK_DEBUG and run with PORTAL_ENV=production.",
            )
        )
    if config.get("TESTING"):
        add(
            Finding(
                "TESTING", "is on", "Run with PORTAL_ENV=production, not the test configuration."
            )
        )

    if not config.get("SESSION_COOKIE_SECURE"):
        add(
            Finding(
                "SESSION_COOKIE_SECURE",
                "is off: the session cookie would travel over plain HTTP",
                "Run with PORTAL_ENV=production (it sets it) behind HTTPS.",
            )
        )
    if not config.get("SESSION_COOKIE_HTTPONLY"):
        add(
            Finding(
                "SESSION_COOKIE_HTTPONLY",
                "is off: scripts could read the session cookie",
                "Remove the override; it is on by default.",
            )
        )
    if (config.get("SESSION_COOKIE_SAMESITE") or "").lower() not in {"lax", "strict"}:
        add(
            Finding(
                "SESSION_COOKIE_SAMESITE",
                "is not Lax or Strict",
                'Set SESSION_COOKIE_SAMESITE = "Lax".',
            )
        )

    if not config.get("HSTS"):
        add(
            Finding(
                "HSTS",
                "no Strict-Transport-Security header is sent",
                'Set HSTS = "max-age=31536000; includeSubDomains" (PORTAL_ENV=production does).',
            )
        )

    server = (config.get("MAIL_SERVER") or "").strip().lower()
    if server not in LOCAL_HOSTS and not (config.get("MAIL_USE_TLS") or config.get("MAIL_USE_SSL")):
        add(
            Finding(
                "MAIL_USE_TLS",
                f"mail to {server or '(no server)'} would go without TLS, passwords and residents' data in clear",
                "Set MAIL_USE_TLS=true (port 587) or MAIL_USE_SSL=true (port 465), or relay through a mail server on this machine.",
            )
        )

    base = config.get("PUBLIC_BASE_URL") or ""
    if urlsplit(base).scheme != "https":
        add(
            Finding(
                "PUBLIC_BASE_URL",
                "is not an https:// address: links in e-mails would not be private",
                "Set PUBLIC_BASE_URL=https://your-portal-address",
            )
        )

    if not _password_hash_is_strong(config.get("PASSWORD_HASH_METHOD") or ""):
        add(
            Finding(
                "PASSWORD_HASH_METHOD",
                "is weaker than OWASP's minimum",
                'Use "scrypt:131072:8:1" (the default) or "pbkdf2:sha256:600000" or more.',
            )
        )

    if not config.get("MAX_CONTENT_LENGTH"):
        add(
            Finding(
                "MAX_CONTENT_LENGTH",
                "requests of any size would be read",
                "Remove the override; the default allows three photos.",
            )
        )

    workers = int(config.get("WEB_CONCURRENCY") or 1)
    if (config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
        add(
            Finding(
                "RATELIMIT_STORAGE_URI",
                f"is memory:// with {workers} gunicorn workers: each counts alone, so every rate limit is {workers} times looser"
                if workers > 1
                else "rate limits are counted per process; fine for one worker only",
                "Set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 (Redis), or WEB_CONCURRENCY=1.",
                fatal=workers > 1,
            )
        )

    if config.get("REQUIRE_HTTPS") is False:
        add(
            Finding(
                "REQUIRE_HTTPS",
                "is off: pages would be served over plain HTTP",
                "Run with PORTAL_ENV=production (it turns it on).",
            )
        )
    bind = (config.get("BIND") or "").strip()
    if _behind_a_proxy(bind) and not config.get("TRUSTED_PROXIES"):
        add(
            Finding(
                "TRUSTED_PROXIES",
                f"is 0 while the portal listens on {bind}, behind a reverse proxy: every resident would share the proxy's address (one rate limit for all) and HTTPS would not be recognised",
                "Set TRUSTED_PROXIES=1 (one Caddy or nginx in front that sets X-Forwarded-For and X-Forwarded-Proto).",
            )
        )
    elif not _behind_a_proxy(bind) and not config.get("TRUSTED_PROXIES"):
        add(
            Finding(
                "PORTAL_BIND",
                f"is {bind}: browsers would reach gunicorn directly, over plain HTTP",
                "Listen on 127.0.0.1 or a unix socket and put the reverse proxy from deploy/ in front.",
                fatal=False,
            )
        )
    if (config.get("SQLALCHEMY_DATABASE_URI") or "").startswith("sqlite"):
        add(
            Finding(
                "DATABASE_URL",
                "is SQLite: fine for one machine and one worker process",
                "Use PostgreSQL (DATABASE_URL=postgresql+psycopg://…) for several workers.",
                fatal=False,
            )
        )

    findings.sort(key=lambda finding: not finding.fatal)
    return findings


_SECRET_FIX = "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))' and set SECRET_KEY in the environment."


def _behind_a_proxy(bind: str) -> bool:
    """Whether gunicorn listens where only a local reverse proxy can reach it."""
    if bind.startswith("unix:"):
        return True
    host = bind.rsplit(":", 1)[0].strip("[]")
    return host in LOCAL_HOSTS


def _password_hash_is_strong(method: str) -> bool:
    scrypt = re.fullmatch(r"scrypt:(\d+):(\d+):(\d+)", method)
    if scrypt:
        return int(scrypt.group(1)) >= 2**17
    pbkdf2 = re.fullmatch(r"pbkdf2:sha256:(\d+)", method)
    return bool(pbkdf2) and int(pbkdf2.group(1)) >= 600_000


@click.command("check-deploy")
@with_appcontext
def check_deploy_command() -> None:
    """Refuse an unsafe production configuration, saying how to fix each problem."""
    findings = check(current_app.config, current_app.root_path)
    for finding in findings:
        label = "ERROR" if finding.fatal else "warning"
        click.echo(f"{label}: {finding.setting} {finding.problem}.\n    Fix: {finding.fix}")
    fatal = sum(finding.fatal for finding in findings)
    if fatal:
        raise click.ClickException(f"{fatal} problem(s) must be fixed before going live.")
    click.echo("The configuration is fit for production.")
