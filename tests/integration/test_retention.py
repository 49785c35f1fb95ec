"""Retention, by time travel: requests closed long ago lose every trace of their residents,
in every table and on disk, while every report figure stays exactly what it was.

Each request carries a marker of its own in every field a resident or staff member writes
about the resident; after the run the whole database is searched for the markers of the
expired requests, column by column, table by table."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from portal import services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.domain.period import Period
from portal.extensions import db
from portal.models import (
    AuditEntry,
    Channel,
    Gender,
    OutboxMessage,
    Photo,
    ServiceRequest,
    utcnow,
)
from portal.photos import clean_photo
from portal.queries import figures
from portal.reports import wording
from portal.services import retention, worklog
from tests import factories

TODAY = date.today()


@dataclass
class Made:
    """One request made for the test, and what of it must go or stay."""

    id: int
    marker: str
    phone_digits: str
    token: str
    photo_files: list[str] = field(default_factory=list)
    institution_name: str | None = None


def _photo():
    return clean_photo(factories.image_bytes(), max_bytes=10**7, max_pixels=10**8, max_side=400)


class World:
    """Requests in every state, each with unique markers in every personal field."""

    def __init__(self, app, upload_folder):
        self.app = app
        self.upload_folder = str(upload_folder)
        self.count = 0
        self.staff = factories.user(Role.STAFF)
        self.admin = factories.user(Role.ADMIN)
        self.actor = Actor.of(self.staff)
        self.trainees = {}
        for year in sorted({2024, TODAY.year - 1, TODAY.year}):
            number = year - 1800
            edition = factories.edition(number, date(year, 1, 1), date(year, 12, 31))
            for code, gender in (("tailoring", Gender.FEMALE), ("renovation", Gender.MALE)):
                self.trainees[(year, code)] = factories.trainee(
                    f"Uczestnik {code} {year}", group_code=code, edition_=edition, gender=gender
                )

    def submit(self, *, code="tailoring", institution=False, assisted=False, photos=1) -> Made:
        self.count += 1
        marker = f"Znacznik{self.count:03d}Qx"
        digits = f"5{self.count:02d}{self.count:06d}"
        data = services.RequestData(
            category_id=factories.category(code).id,
            description=f"Opis {marker}-opis",
            name=f"Osoba {marker}-imie",
            phone=f"{digits[:3]} {digits[3:6]} {digits[6:]}",
            email=f"{marker.lower()}@example.org",
            email_updates=True,
            address=f"ul. {marker}-adres 1, Opole",
            contact_time=f"rano {marker}-czas",
            is_senior=not assisted,
            receives_assistance=assisted,
            channel=Channel.INSTITUTION if institution else Channel.ONLINE,
            institution_name="Dom Dziennego Pobytu Złota Jesień" if institution else None,
            institution_contact=f"{marker}-kontakt" if institution else None,
            submission_key=f"{marker}-klucz",
            photos=[_photo() for _ in range(photos)],
            answers={"garment": f"{marker}-odpowiedz", "alteration": "mend", "room": "kuchnia"},
        )
        request = services.submit_request(
            data, Actor.resident(), upload_folder=self.upload_folder
        ).request
        services.add_note(request, f"Notatka {marker}-notatka", self.actor)
        services.correct_request(
            request,
            {"contact_time": f"wieczorem {marker}-poprawka"},
            self.actor,
            expected_version=None,
        )
        return Made(
            id=request.id,
            marker=marker,
            phone_digits=digits,
            token=request.access_token,
            photo_files=[photo.stored_name for photo in request.photos],
            institution_name=request.institution_name,
        )

    def completed(self, completed_on: date, *, code="tailoring", done=True, **kinds) -> Made:
        made = self.submit(code=code, **kinds)
        request = factories.sent_on(db.session.get(ServiceRequest, made.id), completed_on)
        services.move_request(
            request, Status.ACCEPTED, self.actor, group_id=factories.group_for(code).id
        )
        services.move_request(request, Status.IN_PROGRESS, self.actor)
        trainee = self.trainees[(completed_on.year, code)]
        worklog.log_work(
            request,
            self.actor,
            worklog.WorkData(completed_on, f"Praca {made.marker}-praca", {trainee.id: "2.5"}),
            today=TODAY,
        )
        services.complete_job(
            request,
            self.actor,
            completed_on=completed_on,
            outcome="done" if done else "not_done",
            work_done=f"Zrobiono {made.marker}-zrobiono" if done else "",
            not_done_reason="" if done else f"Powód {made.marker}-powod",
        )
        return made

    def declined(self, **kinds) -> Made:
        made = self.submit(**kinds)
        request = db.session.get(ServiceRequest, made.id)
        services.move_request(
            request, Status.DECLINED, self.actor, note=f"Odmowa {made.marker}-odmowa"
        )
        return made

    def cancelled_by_resident(self, **kinds) -> Made:
        made = self.submit(**kinds)
        request = db.session.get(ServiceRequest, made.id)
        services.cancel_by_resident(request, f"Rezygnuję {made.marker}-rezygnacja")
        return made

    def open(self, status: Status, **kinds) -> Made:
        made = self.submit(**kinds)
        factories.walk_to(db.session.get(ServiceRequest, made.id), status)
        return made


def _closed_on(made: Made, moment: datetime) -> None:
    db.session.execute(
        update(ServiceRequest).where(ServiceRequest.id == made.id).values(closed_at=moment)
    )
    db.session.commit()


@pytest.fixture
def world(app, upload_folder):
    """Old closed requests (past 24 months), recent closed ones, one at the edge, open ones."""
    with app.app_context():
        made = World(app, upload_folder)
        long_ago = utcnow() - timedelta(days=3 * 365)
        expired = [
            made.completed(date(2024, 3, 12)),
            made.completed(date(2024, 7, 1), code="renovation", assisted=True),
            made.completed(date(2024, 9, 30), institution=True),
            made.completed(date(2024, 11, 5), done=False),
            made.declined(),
            made.cancelled_by_resident(assisted=True),
        ]
        for item in expired:
            _closed_on(item, long_ago)
        edge = made.completed(date(2024, 12, 20))
        # One day short of 24 months: kept until tomorrow's run.
        _closed_on(edge, retention.months_before(utcnow(), 24) + timedelta(days=1))
        kept = [
            edge,
            made.completed(TODAY - timedelta(days=3)),
            made.completed(TODAY, code="renovation", institution=True),
            made.declined(),
            made.open(Status.SUBMITTED),
            made.open(Status.IN_PROGRESS),
        ]
        db.session.remove()
    return {"expired": expired, "kept": kept}


PERIODS = [
    Period.year(2024),
    Period.year(2025),
    Period.year(TODAY.year),
    Period.half(2024, 1),
    Period.half(2024, 2),
    Period.quarter(2024, 3),
    Period.month(2024, 7),
    Period.between(date(2024, 1, 1), TODAY),
    Period.since(date(2019, 1, 1), TODAY),
]


def every_figure(app) -> dict:
    """Every figure of every report for several periods, as plain values."""
    result = {}
    with app.test_request_context():
        for period in PERIODS:
            report = figures.build_report(period, with_trainee_names=True)
            totals = report.totals
            result[str(period)] = {
                "categories": [
                    (row.category.code, row.recorded, row.baseline, row.total)
                    for row in totals.by_category
                ],
                "kinds": {str(kind): count for kind, count in totals.by_kind.items()},
                "partial": totals.partial_baseline,
                "total": totals.total,
                "months": [(row.month, sorted(row.by_category.items())) for row in report.months],
                "editions": [
                    (row.edition.number if row.edition else None, sorted(row.by_category.items()))
                    for row in report.editions
                ],
                "hours_by_group": [(r.label, r.trainees, r.hours) for r in report.hours_by_group],
                "hours_by_edition": [
                    (r.label, r.trainees, r.hours) for r in report.hours_by_edition
                ],
                "hours_by_trainee": [
                    (r.trainee_id, r.hours) for r in report.hours_by_trainee or []
                ],
                "genders": (report.genders.female, report.genders.male, report.genders.not_given),
                "sentence": wording.council_sentence(totals, period),
            }
    return result


def every_text_in_the_database() -> list[tuple[str, str, str]]:
    """(table, column, text) for every value of every column of every table."""
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()).mappings():
            for column, value in row.items():
                if value is None:
                    continue
                text = (
                    json.dumps(value, ensure_ascii=False)
                    if isinstance(value, dict | list)
                    else str(value)
                )
                found.append((table.name, column, text))
    return found


def traces_of(made: Made, texts) -> list[tuple[str, str]]:
    needles = [made.marker, made.marker.lower(), made.phone_digits, made.token]
    return [
        (table, column)
        for table, column, text in texts
        if any(needle in text for needle in needles)
    ]


def _run(app):
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    return result.output


def test_priv_3_after_a_run_no_trace_of_expired_residents_remains_and_every_figure_is_the_same(
    app, world, upload_folder, monkeypatch
):
    monkeypatch.setattr(retention, "BATCH_SIZE", 4)  # two batches of the six
    before = every_figure(app)
    with app.app_context():
        assert all(traces_of(made, every_text_in_the_database()) for made in world["expired"])

    output = _run(app)

    with app.app_context():
        texts = every_text_in_the_database()
        for made in world["expired"]:
            assert traces_of(made, texts) == [], made.marker
        for made in world["kept"]:
            assert traces_of(made, texts), made.marker
    assert every_figure(app) == before
    assert "requests=6" in output


def test_the_photos_of_expired_requests_are_gone_from_disk_and_the_others_stay(
    app, world, upload_folder
):
    _run(app)

    on_disk = {path.name for path in upload_folder.iterdir()}
    for made in world["expired"]:
        assert made.photo_files and not set(made.photo_files) & on_disk
    for made in world["kept"]:
        assert set(made.photo_files) <= on_disk
    with app.app_context():
        expired_ids = [made.id for made in world["expired"]]
        assert not db.session.scalar(
            select(func.count()).select_from(Photo).where(Photo.request_id.in_(expired_ids))
        )


def test_what_the_totals_and_history_need_stays_on_the_anonymised_request(app, world):
    with app.app_context():
        old = {made.id: db.session.get(ServiceRequest, made.id) for made in world["expired"]}
        kept_values = {
            request_id: (
                request.reference,
                request.status,
                request.category_id,
                request.channel,
                request.completed_on,
                request.outcome,
                request.edition_id,
                request.is_senior,
                request.receives_assistance,
                request.created_at,
                request.closed_at,
                request.consent_at,
                request.consent_method,
                len(request.events),
                len(request.work_sessions),
            )
            for request_id, request in old.items()
        }
        db.session.remove()

    _run(app)

    with app.app_context():
        for made in world["expired"]:
            request = db.session.get(ServiceRequest, made.id)
            assert request.anonymised_at is not None
            assert request.name == retention.ERASED
            assert request.email is None and request.email_updates is False
            assert request.phone_digits == "" and request.submission_key is None
            assert request.institution_name == made.institution_name
            assert (
                request.reference,
                request.status,
                request.category_id,
                request.channel,
                request.completed_on,
                request.outcome,
                request.edition_id,
                request.is_senior,
                request.receives_assistance,
                request.created_at,
                request.closed_at,
                request.consent_at,
                request.consent_method,
                len(request.events),
                len(request.work_sessions),
            ) == kept_values[made.id]
            assert not db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.request_id == made.id)
            )


def test_the_old_private_link_finds_nothing_after_the_run(app, client, world):
    made = world["expired"][0]
    assert client.get(f"/zgloszenie/{made.token}").status_code == 200

    _run(app)

    assert client.get(f"/zgloszenie/{made.token}").status_code == 404


def test_a_second_run_changes_nothing_and_each_run_leaves_one_audit_entry_with_counts(app, world):
    _run(app)
    with app.app_context():
        first = {
            made.id: db.session.get(ServiceRequest, made.id).version for made in world["expired"]
        }

    output = _run(app)

    assert "requests=0" in output
    with app.app_context():
        assert {
            made.id: db.session.get(ServiceRequest, made.id).version for made in world["expired"]
        } == first
        entries = list(
            db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "retention_run")
                .order_by(AuditEntry.id)
            )
        )
        assert [entry.detail.split()[0] for entry in entries] == ["requests=6", "requests=0"]
        assert all(entry.actor_id is None and entry.request_id is None for entry in entries)


def test_a_dry_run_only_counts(app, world):
    with app.app_context():
        before = db.session.scalar(
            select(func.count())
            .select_from(ServiceRequest)
            .where(ServiceRequest.anonymised_at.is_(None))
        )

    result = app.test_cli_runner().invoke(args=["retention", "run", "--dry-run"])

    assert result.exit_code == 0 and "6" in result.output
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ServiceRequest)
                .where(ServiceRequest.anonymised_at.is_(None))
            )
            == before
        )
        assert not db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_the_security_log_gets_counts_and_nothing_personal(app, world, caplog, monkeypatch):
    # Alembic's logging set-up, run by the migrations at the start of the session, turns off
    # loggers that existed before it; the security log has to be listened to again.
    monkeypatch.setattr(logging.getLogger("portal.security"), "disabled", False)
    with caplog.at_level(logging.INFO, logger="portal.security"):
        _run(app)

    lines = [record.getMessage() for record in caplog.records if record.name == "portal.security"]
    run = [json.loads(line) for line in lines if '"retention_run"' in line]
    assert len(run) == 1 and run[0]["requests"] == 6 and run[0]["photos"] == 6
    for made in world["expired"]:
        assert not any(made.marker in line or made.phone_digits in line for line in lines)


def test_the_run_refuses_a_retention_period_that_makes_no_sense(app):
    with app.app_context():
        from portal.models import Institution

        db.session.scalars(select(Institution)).one().retention_months = 0
        db.session.commit()

    result = app.test_cli_runner().invoke(args=["retention", "run"])

    assert result.exit_code != 0
    assert "retention_months" in result.output


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 3, 31, 12, 0), 1, datetime(2026, 2, 28, 12, 0)),
        (datetime(2026, 3, 31, 12, 0), 25, datetime(2024, 2, 29, 12, 0)),
        (datetime(2026, 1, 15), 24, datetime(2024, 1, 15)),
        (datetime(2026, 1, 15), 13, datetime(2024, 12, 15)),
    ],
)
def test_months_are_counted_on_the_calendar(moment, months, expected):
    assert retention.months_before(moment, months) == expected
