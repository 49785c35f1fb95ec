"""gunicorn's entry point for benchmarks/pages.py --http: the portal on the filled database.

gunicorn calls create() ("portal_wsgi:create()") in each worker. The database and the
upload folder come from BENCH_DATABASE_URL and BENCH_UPLOAD_FOLDER. The test
configuration keeps password hashing cheap (the load generator logs in through the real
form); CSRF protection and the rate limiter stay on, with limits no benchmark reaches.
"""

from __future__ import annotations

import os


def settings(database_url: str, upload_folder: str) -> dict:
    """The overrides of TestConfig for a portal served over HTTP to the load generator."""
    high = "100000 per minute"
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_FOLDER": upload_folder,
        # Errors are answered by the portal's own handlers, as in production.
        "TESTING": False,
        "MAIL_SUPPRESS_SEND": True,
        "SUBMIT_RATE_LIMIT": high,
        "LOOKUP_RATE_LIMIT": high,
        "LOGIN_RATE_LIMIT_IP": high,
        "LOGIN_RATE_LIMIT_ACCOUNT": high,
        "LINK_EMAIL_RATE_LIMIT": high,
        "ANSWER_RATE_LIMIT": high,
        "PRIVATE_LINK_IP_RATE_LIMIT": high,
        "API_RATE_LIMIT": high,
        "API_KEY_RATE_LIMIT": high,
        # As in production: each worker keeps the form's waiting estimates a few minutes.
        "WAITING_ESTIMATE_SECONDS": 300,
    }


def create():
    from portal import create_app
    from portal.config import TestConfig

    return create_app(
        TestConfig,
        settings(os.environ["BENCH_DATABASE_URL"], os.environ["BENCH_UPLOAD_FOLDER"]),
    )
