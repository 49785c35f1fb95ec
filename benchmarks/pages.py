"""Measure how long the main pages take with many requests stored.

It fills a database (a temporary SQLite file by default) with the demo institution, N
requests spread over the last five years and all statuses (one event each) and a staff
account, then times each page in one of two ways:

- in-process (the default): through the app with Flask's test client, no network; the
  median and the 95th percentile of repeated runs and the SQL queries per page.
- over HTTP (--http): the portal under gunicorn (2 sync workers, as deploy/gunicorn.conf.py
  runs it; benchmarks/portal_wsgi.py) and a bare Flask page (benchmarks/bare.py) under
  the same settings, both driven by C concurrent clients (threads, http.client). Staff
  clients log in through the real login form; the submission posts the real multipart
  form with the CSRF token of the client's session and a fresh submission key. A page's
  runs alternate with runs of the bare page, so a busy machine slows both, and the page
  is reported as a ratio to it: requests/s ÷ the bare page's requests/s (1.0 = as fast as
  a bare Flask page), its median in bare medians, and the gunicorn workers' CPU time per
  request in bare ones (PostgreSQL's own CPU per request is shown beside it). The query
  count comes from one in-process run of the same page.

Usage:
    .venv/bin/python benchmarks/pages.py [--requests 200000] [--database-url URL]
    .venv/bin/python benchmarks/pages.py --http [--hits 200] [--clients 4] ...

    --requests N        requests to fill (default 200000)
    --database-url URL  default: a temporary SQLite file, deleted at the end. A PostgreSQL
                        database is emptied first (DROP SCHEMA public CASCADE)!
    --reuse             use the database at --database-url as an earlier run filled it
                        (the count is read from it); fill it first if it is not filled
    --keep              keep the temporary folder (SQLite file) and print how to reuse it
    --repeats R         in-process runs per page (default 30)
    --http              measure over HTTP with gunicorn instead
    --hits K            HTTP requests per page, and as many of the bare page (default 200)
    --page-seconds S    fewer hits (at least R×C) on a page whose K would take longer
                        than about S seconds, judged from its warm-up (default 60)
    --clients C         concurrent clients (default 4)
    --rounds R          alternations of page and bare runs per page (default 4)
    --only a,b          only the pages whose label contains one of these words
    --bare-path /string the bare page compiling its template on every request (bare.py)

Large sizes: fill once, measure as often as needed. With --reuse, the first run fills
the database and later runs find it filled (a million requests take a couple of minutes
to fill on either backend). Make the PostgreSQL database first, e.g.
`psql -h 127.0.0.1 -U postgres -c "create database bench_1m"`, then:

    .venv/bin/python benchmarks/pages.py --http --reuse --requests 1000000 \
        --database-url sqlite:////tmp/portal-bench-1m.sqlite3
    .venv/bin/python benchmarks/pages.py --http --reuse --requests 1000000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_1m

An interrupted SQLite fill leaves a file that --reuse refuses: delete it and run again.
Every run over HTTP stops its gunicorn servers when it ends, fails or is interrupted.
"""

from __future__ import annotations

import argparse
import enum
import math
import random
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from portal import (
    create_app,  # noqa: E402
    persons,  # noqa: E402
    tallies,  # noqa: E402
)
from portal.config import TestConfig  # noqa: E402
from portal.database import gather_statistics  # noqa: E402
from portal.domain.lifecycle import Role, Status  # noqa: E402
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
# One request in a thousand: what a search for someone's surname usually finds.
RARE_NAME = "Bronisława Zięba"
# Every filled request has this description: a later --reuse counts them by it.
FILL_DESCRIPTION = "Skrócić spodnie i wymienić zamek"
STAFF_EMAIL, STAFF_PASSWORD = "bench@example.org", "bench-password-1"
BATCH = 5000


# --- Filling ---------------------------------------------------------------------------------


def fill(count: int) -> None:
    """Insert count requests with one event each, in batches, straight through Core."""
    categories = db.session.scalars(sa.select(ServiceCategory)).all()
    groups = {g.category_id: g.id for g in db.session.scalars(sa.select(WorkshopGroup))}
    share = {
        Status.SUBMITTED: 3,
        Status.NEEDS_INFO: 1,
        Status.ACCEPTED: 3,
        Status.SCHEDULED: 2,
        Status.IN_PROGRESS: 2,
        Status.READY: 1,
        Status.COMPLETED: 40,
        Status.DECLINED: 4,
        Status.CANCELLED: 4,
        Status.DUPLICATE: 1,
    }
    statuses, weights = list(share), list(share.values())
    # Five years up to now, so "this year" and the waiting queue hold what they would.
    minutes = 5 * 365 * 24 * 60
    start = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(minutes=minutes)
    rng = random.Random(7)
    batch, events = [], []
    for number in range(1, count + 1):
        status = rng.choices(statuses, weights)[0]
        category = rng.choice(categories)
        created = start + timedelta(minutes=rng.randrange(minutes))
        completed = status == Status.COMPLETED
        name = RARE_NAME if number % 1000 == 0 else rng.choice(NAMES)
        reference = f"KR/{created.year}/{number:06d}"
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
                "description": FILL_DESCRIPTION,
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
                "ready_at": created + timedelta(days=10) if status == Status.READY else None,
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
        if len(batch) == BATCH:
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
        # What autovacuum would soon do on a live server: the planner needs the statistics.
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    # The rows went in past the ORM: count the running tallies once, as a restore would
    # bring them, and let SQLite's planner learn the sizes (the daily retention run does).
    tallies.recount(db.session)
    persons.link_unlinked(db.session)
    db.session.commit()
    with db.engine.begin() as connection:
        gather_statistics(connection)


def _flush(batch, events) -> None:
    if batch:
        if db.engine.dialect.name == "postgresql":
            _copy(ServiceRequest.__table__, batch)
            _copy(RequestEvent.__table__, events)
        else:
            db.session.execute(sa.insert(ServiceRequest.__table__), batch)
            db.session.execute(sa.insert(RequestEvent.__table__), events)
        db.session.commit()
        batch.clear()
        events.clear()


def _copy(table: sa.Table, rows: list[dict]) -> None:
    """PostgreSQL's COPY, several times faster than INSERTs for a million rows.

    COPY skips SQLAlchemy, so the Python-side column defaults that an INSERT would apply
    to the columns the rows leave out are applied here.
    """
    defaults = {}
    for column in table.columns:
        if column.key not in rows[0] and column.default is not None:
            value = column.default.arg
            if column.default.is_callable:
                value = value(None)
            defaults[column.key] = value.value if isinstance(value, enum.Enum) else value
    names = [*rows[0], *defaults]
    quote = db.engine.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    extra = tuple(defaults.values())
    connection = db.session.connection().connection.driver_connection
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row((*row.values(), *extra))


def filled_count() -> int | None:
    """How many requests an earlier run filled in, or None if it did not finish."""
    if not sa.inspect(db.engine).has_table("user"):
        return None
    if db.session.scalar(sa.select(User.id).where(User.email == STAFF_EMAIL)) is None:
        return None
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ServiceRequest)
        .where(ServiceRequest.description == FILL_DESCRIPTION)
    )


@dataclass
class Data:
    requests: int
    token: str
    request_id: int
    category_id: int
    fill_seconds: float | None  # None: reused
    # The form's fields answering the service's own questions, as a resident would.
    answers: dict[str, str] = field(default_factory=dict)


def prepare(url: str, args) -> Data:
    """Fill the database, or find what an earlier fill left; the staff account comes last."""
    count = filled_count() if args.reuse else None
    fill_seconds = None
    if count is not None:
        upgrade(directory=MIGRATIONS)
    else:
        if url.startswith("postgresql"):
            db.session.remove()
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        elif sa.inspect(db.engine).get_table_names():
            sys.exit(
                f"{db.engine.url.database} already holds tables but no finished benchmark fill "
                "(an interrupted one, or not a benchmark database): delete it to fill afresh."
            )
        upgrade(directory=MIGRATIONS)
        load_institution(DEMO_FILE)
        started = time.perf_counter()
        fill(args.requests)
        fill_seconds = time.perf_counter() - started
        from portal.services.accounts import hash_password

        db.session.add(
            User(
                email=STAFF_EMAIL,
                name="Bench",
                role=Role.STAFF,
                password_hash=hash_password(STAFF_PASSWORD),
            )
        )
        db.session.commit()
        count = args.requests
    request_id = max(1, count // 2)
    token = db.session.scalar(
        sa.select(ServiceRequest.access_token).where(ServiceRequest.id == request_id)
    )
    category = db.session.scalars(
        sa.select(ServiceCategory)
        .where(ServiceCategory.active.is_(True), ServiceCategory.requires_address.is_(False))
        .order_by(ServiceCategory.position, ServiceCategory.id)
    ).first()
    answers = {
        f"q{category.id}_{question['code']}": _an_answer(question)
        for question in category.questions or []
    }
    return Data(count, token, request_id, category.id, fill_seconds, answers)


def _an_answer(question: dict) -> str:
    """A valid answer to one of a service's questions."""
    if question["kind"] == "choice":
        return question["choices"][0]["key"]
    return {"number": "12", "yes_no": "yes"}.get(question["kind"], "spodnie")


# --- The pages -------------------------------------------------------------------------------


@dataclass
class Page:
    label: str
    path: str
    staff: bool = False
    method: str = "GET"
    expect: int = 200


def pages(data: Data) -> list[Page]:
    year = date.today().year
    queue = "/backoffice/zgloszenia"
    return [
        Page("home page", "/"),
        Page("request form", "/zglos"),
        Page("status page (private link)", f"/zgloszenie/{data.token}"),
        Page("open311: requests of 90 days", "/api/open311/v2/requests.json"),
        Page("open311: services", "/api/open311/v2/services.xml"),
        Page("queue: waiting for review", queue, staff=True),
        Page("queue: all", f"{queue}?status=all", staff=True),
        Page("queue: all, newest first", f"{queue}?status=all&sort=newest", staff=True),
        Page("queue: search by name", f"{queue}?status=all&q=Nowak", staff=True),
        Page("queue: search, a rare name", f"{queue}?status=all&q=Zi%C4%99ba", staff=True),
        Page(
            "queue: filter category+kind+dates",
            f"{queue}?status=all&category=1&kind=assisted&date_from={year - 1}-01-01"
            f"&date_to={year - 1}-12-31",
            staff=True,
        ),
        Page("request page", f"{queue}/{data.request_id}", staff=True),
        Page("workshop board", "/backoffice/tablica", staff=True),
        Page(f"report: year {year}", f"/backoffice/raporty?period=year&year={year}", staff=True),
        Page(
            "report: cumulative since 2019",
            "/backoffice/raporty?period=since&since=2019-01-01",
            staff=True,
        ),
        Page(f"indicators {year}", f"/backoffice/wskazniki?year={year}", staff=True),
        Page(
            f"job list {year} (CSV)",
            f"/backoffice/raporty/lista-zlecen.csv?period=year&year={year}",
            staff=True,
        ),
        # Last: each one adds a request to the queues above.
        Page("submit a request (POST)", "/zglos", method="POST", expect=303),
    ]


def submission(category_id: int, answers: dict[str, str]) -> dict[str, str]:
    """The request form as a resident fills it, with a fresh one-time submission key."""
    return {
        **answers,
        "category_id": str(category_id),
        "description": "Skrócić spodnie o 5 cm",
        "name": "Anna Test",
        "phone": "600 123 456",
        "email": "",
        "address": "",
        "contact_time": "",
        "is_senior": "y",
        "consent": "y",
        "website": "",
        "submission_key": secrets.token_urlsafe(24),
    }


# --- In-process ------------------------------------------------------------------------------


def timed(client, page: Page, repeats: int, engine, data: Callable[[], dict] | None = None):
    queries = []
    listener = lambda *args: queries.append(1)  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    durations = []
    try:
        for _ in range(repeats):
            queries.clear()
            started = time.perf_counter()
            response = client.open(page.path, method=page.method, data=data() if data else None)
            durations.append((time.perf_counter() - started) * 1000)
            assert response.status_code == page.expect, (page.path, response.status_code)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    durations.sort()
    p95 = durations[min(len(durations) - 1, int(len(durations) * 0.95))]
    return statistics.median(durations), p95, len(queries)


def test_clients(app):
    """An anonymous visitor for the public pages and a logged-in member of staff."""
    visitor, staff = app.test_client(), app.test_client()
    response = staff.post(
        "/backoffice/logowanie", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 303, response.status_code
    return visitor, staff


def in_process(app, engine, data: Data, chosen: list[Page], repeats: int) -> None:
    visitor, staff = test_clients(app)
    print(f"{'page':40} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for page in chosen:
        form = (
            (lambda: submission(data.category_id, data.answers)) if page.method == "POST" else None
        )
        client = staff if page.staff else visitor
        median, p95, queries = timed(client, page, repeats, engine, form)
        print(f"{page.label:40} {median:10.1f} {p95:8.1f} {queries:8d}")


# --- Over HTTP -------------------------------------------------------------------------------


def over_http(app, engine, url: str, folder: Path, data: Data, chosen: list[Page], args) -> None:
    from overhttp import Client, Sample, Server, csrf_token, multipart, run_batch

    uploads = folder / "http-uploads"
    uploads.mkdir(exist_ok=True)
    portal = Server(
        "portal",
        "portal_wsgi:create()",
        folder / "gunicorn-portal.log",
        {"BENCH_DATABASE_URL": url, "BENCH_UPLOAD_FOLDER": str(uploads)},
    )
    bare = Server("bare", "bare:app", folder / "gunicorn-bare.log")
    clients: list = []
    try:
        portal.start()
        bare.start()
        visitors = [Client(portal.port) for _ in range(args.clients)]
        staff = [Client(portal.port) for _ in range(args.clients)]
        yardsticks = [Client(bare.port) for _ in range(args.clients)]
        clients = visitors + staff + yardsticks
        for client in visitors:
            # A session with a CSRF token, as a resident has after opening the form.
            status, _, body = client.get("/zglos")
            assert status == 200, status
            client.csrf = csrf_token(body)
        for client in staff:
            status, _, body = client.get("/backoffice/logowanie")
            assert status == 200, status
            form = {
                "email": STAFF_EMAIL,
                "password": STAFF_PASSWORD,
                "csrf_token": csrf_token(body),
            }
            status, headers, _ = client.request(
                "POST",
                "/backoffice/logowanie",
                urlencode(form).encode(),
                "application/x-www-form-urlencoded",
            )
            assert status == 303, f"login answered {status}"

        def bare_hit(client):
            status, _, body = client.get(args.bare_path)
            return status, body

        run_batch(yardsticks, bare_hit, 4 * args.clients, 200, Sample())
        database_cpu = _postgres_cpu(engine) if url.startswith("postgresql") else None
        visitor, staff_client = test_clients(app)
        print(
            f"gunicorn: 2 sync workers each for the portal and the bare page; "
            f"{args.clients} clients; up to {args.hits} hits per page "
            f"(fewer past ~{args.page_seconds:g} s), in {args.rounds} alternating rounds"
        )
        print(
            "ratio: the page's requests/s ÷ the bare page's; ×p50: its median ÷ the bare median;\n"
            "CPU ms: gunicorn workers' CPU time per request"
            + ("; DB ms: PostgreSQL's, likewise" if database_cpu else "")
        )
        header = (
            f"{'page':34} {'hits':>4} {'KB':>5} {'SQL':>3} {'p50 ms':>7} {'p95 ms':>7} "
            f"{'req/s':>6} {'CPU ms':>6} {'DB ms':>5} │ {'p50':>5} {'req/s':>6} {'CPU ms':>6} "
            f"│ {'ratio':>6} {'×p50':>5} {'×CPU':>5}"
        )
        print(f"{'':34} {'the page':^60} │ {'bare page':^20} │")
        print(header)
        print("─" * len(header))
        ratios, totals = [], {"page": Sample(), "bare": Sample()}
        for page in chosen:
            hit = _hit(page, data, multipart)
            users = staff if page.staff else visitors
            # Templates compiled, page caches filled, connections opened in both workers.
            warm = Sample()
            run_batch(users, hit, 2 * args.clients, page.expect, warm)
            form = (
                (lambda: submission(data.category_id, data.answers))
                if page.method == "POST"
                else None
            )
            _, _, queries = timed(staff_client if page.staff else visitor, page, 1, engine, form)
            wanted = math.ceil(warm.per_second * args.page_seconds)
            hits = max(args.rounds * args.clients, min(args.hits, wanted))
            per_round = math.ceil(hits / args.rounds)
            measured, yardstick = Sample(), Sample()
            for number in range(args.rounds):
                runs = [
                    (users, hit, per_round, page.expect, measured, portal, database_cpu),
                    (yardsticks, bare_hit, per_round, 200, yardstick, bare),
                ]
                # Bare first in even rounds, the page first in odd ones.
                for run in runs[:: 1 if number % 2 else -1]:
                    run_batch(*run)
            ratio = measured.per_second / yardstick.per_second
            ratios.append(ratio)
            for name, sample in (("page", measured), ("bare", yardstick)):
                totals[name].seconds += sample.seconds
                totals[name].client_cpu += sample.client_cpu
            database = f"{measured.database_cpu_ms:5.1f}" if database_cpu else f"{'-':>5}"
            cpu_ratio = measured.cpu_ms / yardstick.cpu_ms if yardstick.cpu_ms else math.nan
            print(
                f"{page.label[:34]:34} {measured.count:4d} {measured.body_bytes / 1024:5.1f} "
                f"{queries:3d} {measured.p50:7.1f} {measured.p95:7.1f} "
                f"{measured.per_second:6.1f} {measured.cpu_ms:6.1f} {database} │ "
                f"{yardstick.p50:5.1f} {yardstick.per_second:6.1f} {yardstick.cpu_ms:6.2f} │ "
                f"{ratio:6.3f} {measured.p50 / yardstick.p50:5.1f} {cpu_ratio:5.1f}",
                flush=True,
            )
        print(
            f"geometric mean of the ratios: {statistics.geometric_mean(ratios):.3f} "
            f"(the share of a bare Flask page's throughput the portal's pages reach)"
        )
        print(
            "the load generator itself used "
            f"{100 * totals['bare'].client_cpu / totals['bare'].seconds:.0f}% of a core "
            f"during the bare runs, {100 * totals['page'].client_cpu / totals['page'].seconds:.0f}%"
            " during the page runs (2 cores in all)"
        )
        memory = ", ".join(f"{size:.0f}" for size in sorted(portal.worker_memory_mb()))
        print(f"the portal's gunicorn workers' resident memory at the end: {memory} MB")
    finally:
        for client in clients:
            client.close()
        bare.stop()
        portal.stop()


def _postgres_cpu(engine) -> Callable[[], float]:
    """CPU time of the PostgreSQL backends serving this database, when they run here."""
    from overhttp import process_cpu

    def measure() -> float:
        with engine.connect() as connection:
            pids = connection.scalars(
                sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            ).all()
        return sum(process_cpu(pid) for pid in pids)

    return measure


def _hit(page: Page, data: Data, multipart):
    if page.method == "POST":

        def submit(client):
            fields = {**submission(data.category_id, data.answers), "csrf_token": client.csrf}
            body, content_type = multipart(fields, files=("photos",))
            status, _, answer = client.request("POST", page.path, body, content_type)
            return status, answer

        return submit

    def get(client):
        status, _, body = client.get(page.path)
        return status, body

    return get


# --- Command line ----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--requests", type=int)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--database-url")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--hits", type=int, default=200)
    parser.add_argument("--page-seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--only")
    parser.add_argument("--bare-path", default="/", choices=["/", "/string"])
    args = parser.parse_args()
    if args.reuse and not args.database_url:
        parser.error("--reuse needs --database-url (a database that --keep kept, say)")
    asked = args.requests
    args.requests = args.requests or 200_000

    # SIGTERM, SIGHUP and Ctrl-C (even where the shell made this job ignore it) end this
    # script through its finally blocks, which stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app(
        TestConfig,
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        },
    )
    try:
        with app.app_context():
            data = prepare(url, args)
            engine = db.engine
        chosen = pages(data)
        if args.only:
            words = [word.strip().lower() for word in args.only.split(",")]
            chosen = [p for p in chosen if any(w in p.label.lower() for w in words)]
        backend = url.split(":")[0]
        if data.fill_seconds is None:
            ignored = f" (not the {asked} asked for)" if asked and asked != data.requests else ""
            print(f"{data.requests} requests in {backend}, reused{ignored}")
        else:
            print(f"{data.requests} requests in {backend}, filled in {data.fill_seconds:.1f} s")
        # The test client runs outside that app context: each request gets its own, and
        # its own database session, as under a server.
        if args.http:
            over_http(app, engine, url, folder, data, chosen, args)
        else:
            print(f"{args.repeats} runs each")
            in_process(app, engine, data, chosen, args.repeats)
        engine.dispose()
    finally:
        if args.keep:
            print(f"kept {folder}; again with: --reuse --database-url {url}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
