"""Measure how long the main pages take with many requests stored.

Usage: .venv/bin/python benchmarks/pages.py [--requests 200000] [--database-url URL]

It fills a fresh database (a temporary SQLite file by default) with the demo
institution and N requests spread over five years and all statuses, then times
each page through the real app in-process (no network), reporting the median and
the 95th percentile of repeated runs and the number of SQL queries per page.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from portal import create_app  # noqa: E402
from portal.config import TestConfig  # noqa: E402
from portal.domain.lifecycle import Role, Status
from portal.extensions import db  # noqa: E402
from portal.models import (  # noqa: E402
    RequestEvent,
    ServiceCategory,
    ServiceRequest,
    User,
    WorkshopGroup,
)
from portal.settings import DEMO_FILE, load_institution  # noqa: E402

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")
NAMES = [
    "Anna Nowak",
    "Jan Kowalski",
    "Zofia Wiśniewska",
    "Józef Wójcik",
    "Halina Kamińska",
    "Łucja Lewandowska",
]


def fill(count: int) -> None:
    """Insert count requests with one event each, in batches, straight through Core."""
    categories = db.session.scalars(sa.select(ServiceCategory)).all()
    groups = {g.category_id: g.id for g in db.session.scalars(sa.select(WorkshopGroup))}
    statuses = list(Status)
    weights = [3, 1, 3, 2, 2, 1, 40, 4, 4]
    start = datetime(2021, 1, 1)
    rng = random.Random(7)
    batch, events = [], []
    for number in range(1, count + 1):
        status = rng.choices(statuses, weights)[0]
        category = rng.choice(categories)
        created = start + timedelta(minutes=rng.randrange(5 * 365 * 24 * 60))
        completed = status == Status.COMPLETED
        reference, name = f"KR/{created.year}/{number:06d}", rng.choice(NAMES)
        batch.append(
            {
                "id": number,
                "reference": reference,
                "access_token": secrets.token_urlsafe(24),
                "status": status.value,
                "category_id": category.id,
                "group_id": groups.get(category.id)
                if status not in (Status.SUBMITTED, Status.NEEDS_INFO)
                else None,
                "description": "Skrócić spodnie i wymienić zamek",
                "name": name,
                # What the ORM's before_insert hook would write (the queue searches it).
                "search_text": f"{reference}\n{name}".casefold(),
                "phone": "600 123 456",
                "phone_digits": f"6{rng.randrange(10**8):08d}",
                "email_updates": False,
                "is_senior": True,
                "receives_assistance": rng.random() < 0.4,
                "channel": "online" if rng.random() < 0.7 else "phone",
                "consent_at": created,
                "consent_version": "1",
                "consent_method": "online",
                "created_at": created,
                "updated_at": created,
                "completed_on": (created + timedelta(days=14)).date() if completed else None,
                "outcome": "done" if completed else None,
                "version": 1,
            }
        )
        events.append(
            {
                "request_id": number,
                "created_at": created,
                "kind": "submitted",
                "actor_role": "resident",
                "to_status": "submitted",
                "note": "",
                "is_public": True,
            }
        )
        if len(batch) == 5000:
            _flush(batch, events)
    _flush(batch, events)
    if db.engine.dialect.name == "postgresql":
        # Rows were inserted with explicit ids: move the sequences past them.
        for table in ("service_request", "request_event"):
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            )
        db.session.commit()


def _flush(batch, events) -> None:
    if batch:
        db.session.execute(sa.insert(ServiceRequest.__table__), batch)
        db.session.execute(sa.insert(RequestEvent.__table__), events)
        db.session.commit()
        batch.clear()
        events.clear()


def timed(client, url, repeats, engine, method="GET", data=None):
    queries = []
    listener = lambda *args: queries.append(1)  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    durations = []
    try:
        for _ in range(repeats):
            queries.clear()
            started = time.perf_counter()
            response = client.open(url, method=method, data=data)
            durations.append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 303), (url, response.status_code)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    durations.sort()
    p95 = durations[min(len(durations) - 1, int(len(durations) * 0.95))]
    return statistics.median(durations), p95, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp())
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app(
        TestConfig,
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(folder),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        },
    )
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=MIGRATIONS)
        load_institution(DEMO_FILE)
        started = time.perf_counter()
        fill(args.requests)
        filled = time.perf_counter() - started
        from portal.services.accounts import hash_password

        db.session.add(
            User(
                email="bench@example.org",
                name="Bench",
                role=Role.STAFF,
                password_hash=hash_password("bench-password-1"),
            )
        )
        db.session.commit()
        token = db.session.scalar(
            sa.select(ServiceRequest.access_token).where(ServiceRequest.id == args.requests // 2)
        )
        request_id = args.requests // 2
        engine = db.engine

    client = app.test_client()
    client.post(
        "/backoffice/logowanie", data={"email": "bench@example.org", "password": "bench-password-1"}
    )
    year = date.today().year
    pages = [
        ("home page", "/"),
        ("request form", "/zglos"),
        ("status page (private link)", f"/zgloszenie/{token}"),
        ("queue: waiting for review", "/backoffice/zgloszenia"),
        ("queue: all, newest first", "/backoffice/zgloszenia?status=all&sort=newest"),
        ("queue: search by name", "/backoffice/zgloszenia?status=all&q=kowalski"),
        (
            "queue: filter category+kind+dates",
            "/backoffice/zgloszenia?status=all&category=1&kind=assisted&date_from=2024-01-01&date_to=2024-12-31",
        ),
        ("request page", f"/backoffice/zgloszenia/{request_id}"),
        ("workshop board", "/backoffice/tablica"),
        ("report: this year", f"/backoffice/raporty?period=year&year={year}"),
        ("report: cumulative since 2019", "/backoffice/raporty?period=since&since=2019-01-01"),
    ]
    print(
        f"{args.requests} requests in {url.split(':')[0]}, filled in {filled:.1f} s; {args.repeats} runs each"
    )
    print(f"{'page':40} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, path in pages:
        median, p95, queries = timed(client, path, args.repeats, engine)
        print(f"{name:40} {median:10.1f} {p95:8.1f} {queries:8d}")
    form = {
        "category": "1",
        "description": "Skrócić spodnie o 5 cm",
        "name": "Anna Test",
        "phone": "600 123 456",
        "is_senior": "y",
        "consent": "y",
    }
    median, p95, queries = timed(client, "/zglos", args.repeats, engine, method="POST", data=form)
    print(f"{'submit a request (POST)':40} {median:10.1f} {p95:8.1f} {queries:8d}")


if __name__ == "__main__":
    main()
