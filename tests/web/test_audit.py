"""The audit trail: who opened, exported or erased residents' data, and the page that answers
"whose data did account X see between T1 and T2" and "who looked at request N"."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal import audit
from portal.audit import AuditAction
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import AuditEntry
from portal.photos import clean_photo
from tests import factories

from .helpers import count_queries, log_in

AUDIT = "/backoffice/audyt"


def _entries(app) -> list[tuple[int | None, str, int | None]]:
    with app.app_context():
        return [
            (entry.actor_id, entry.action, entry.request_id)
            for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def _photo():
    return clean_photo(factories.image_bytes(), max_bytes=10**7, max_pixels=10**8, max_side=400)


@pytest.fixture
def job(app, upload_folder):
    """An accepted tailoring job with one photo."""
    with app.app_context():
        request = factories.make_request(
            status=Status.ACCEPTED, upload_folder=str(upload_folder), photos=[_photo()]
        )
        return request.id, request.photos[0].id, request.reference


def test_opening_a_request_page_and_its_photo_is_recorded_with_the_account(
    app, client, accounts, job
):
    request_id, photo_id, _reference = job
    staff = accounts.login_as("staff")

    assert client.get(f"/backoffice/zgloszenia/{request_id}").status_code == 200
    assert client.get(f"/backoffice/zgloszenia/{request_id}/zdjecia/{photo_id}").status_code == 200

    assert _entries(app) == [
        (staff, "view_request", request_id),
        (staff, "view_photo", request_id),
    ]


def test_a_refused_look_leaves_no_entry(app, client, accounts, job):
    request_id, photo_id, _reference = job
    accounts.login_as("instructor", groups=["upholstery"])

    assert client.get(f"/backoffice/zgloszenia/{request_id}").status_code == 403
    assert client.get(f"/backoffice/zgloszenia/{request_id}/zdjecia/{photo_id}").status_code == 403

    assert _entries(app) == []


def test_an_instructor_looking_at_their_own_job_is_recorded_too(app, client, accounts, job):
    request_id, _photo_id, _reference = job
    instructor = accounts.login_as("instructor", groups=["tailoring"])

    client.get(f"/backoffice/zgloszenia/{request_id}")

    assert _entries(app) == [(instructor, "view_request", request_id)]


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_a_report_export_is_recorded_without_any_request(app, client, accounts, extension):
    staff = accounts.login_as("staff")

    response = client.get(f"/backoffice/raporty/eksport.{extension}?period=year&year=2026")

    assert response.status_code == 200
    assert _entries(app) == [(staff, "export_report", None)]
    with app.app_context():
        assert extension in db.session.scalars(select(AuditEntry.detail)).one()


def test_recording_inside_a_transaction_waits_for_its_commit(app):
    with app.app_context():
        user = factories.user(Role.ADMIN)

        audit.record(user, AuditAction.ERASE_PERSON, 7, "requests=1", commit=False)
        db.session.rollback()

        assert db.session.scalars(select(AuditEntry)).all() == []


# --- The audit page ----------------------------------------------------------------------


@pytest.fixture
def history(app):
    """Two accounts and three requests, looked at over three days."""
    with app.app_context():
        first = factories.make_request(name="Pierwsza Osoba")
        second = factories.make_request(name="Druga Osoba", phone="601 000 002")
        third = factories.make_request(name="Trzecia Osoba", phone="601 000 003")
        anna = factories.user(Role.STAFF)
        anna.name = "Anna Kontrolowana"
        bogdan = factories.user(Role.INSTRUCTOR)
        bogdan.name = "Bogdan Inny"
        db.session.commit()
        day = datetime(2026, 5, 10, 10, 0)
        rows = [
            (anna, AuditAction.VIEW_REQUEST, first, day - timedelta(days=1)),
            (anna, AuditAction.VIEW_REQUEST, second, day),
            (anna, AuditAction.EXPORT_PERSON, second, day + timedelta(hours=2)),
            (anna, AuditAction.VIEW_REQUEST, third, day + timedelta(days=2)),
            (bogdan, AuditAction.VIEW_REQUEST, first, day),
            (bogdan, AuditAction.VIEW_PHOTO, first, day),
        ]
        for user, action, request, when in rows:
            entry = audit.record(user, action, request.id, commit=False)
            entry.created_at = when
        db.session.commit()
        return {
            "anna": anna.id,
            "bogdan": bogdan.id,
            "first": first.reference,
            "second": second.reference,
            "third": third.reference,
        }


def _table_rows(page: str) -> list[str]:
    """The rows of the audit table, as HTML."""
    table = page.split('id="audit-entries"', 1)[1]
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


def test_whose_data_did_an_account_see_between_two_days(app, client, accounts, history):
    accounts.login_as("admin")

    page = client.get(
        AUDIT,
        query_string={"actor": history["anna"], "date_from": "2026-05-10", "date_to": "2026-05-10"},
    ).get_data(as_text=True)

    rows = _table_rows(page)
    assert len(rows) == 2
    assert all("Anna Kontrolowana" in row for row in rows)
    assert any(history["second"] in row for row in rows)
    assert not any(history["first"] in row or history["third"] in row for row in rows)


def test_who_looked_at_a_request(app, client, accounts, history):
    accounts.login_as("admin")
    typed = history["first"].lower().replace("/", " ")  # as someone might type it

    page = client.get(AUDIT, query_string={"reference": typed}).get_data(as_text=True)

    rows = _table_rows(page)
    assert len(rows) == 3
    assert sum("Anna Kontrolowana" in row for row in rows) == 1
    assert sum("Bogdan Inny" in row for row in rows) == 2


def test_the_audit_filters_by_action(app, client, accounts, history):
    accounts.login_as("admin")

    page = client.get(AUDIT, query_string={"action": "export_person"}).get_data(as_text=True)

    rows = _table_rows(page)
    assert len(rows) == 1 and history["second"] in rows[0]


def test_a_reference_that_names_no_request_finds_nothing(app, client, accounts, history):
    accounts.login_as("admin")

    page = client.get(AUDIT, query_string={"reference": "KR/1999/9999"}).get_data(as_text=True)

    assert 'id="audit-empty"' in page


def test_nonsense_in_the_filters_is_ignored_not_an_error(app, client, accounts, history):
    accounts.login_as("admin")

    response = client.get(
        AUDIT,
        query_string={"actor": "x", "action": "drop", "date_from": "2026-13-45", "page": "-3"},
    )

    assert response.status_code == 200
    assert len(_table_rows(response.get_data(as_text=True))) == 6


def test_the_audit_is_paginated_newest_first(app, client, accounts):
    with app.app_context():
        user = factories.user(Role.STAFF)
        start = datetime(2026, 1, 1, 8, 0)
        for number in range(60):
            entry = audit.record(user, AuditAction.VIEW_REQUEST, number + 1, commit=False)
            entry.created_at = start + timedelta(minutes=number)
        db.session.commit()
    accounts.login_as("admin")

    first = client.get(AUDIT).get_data(as_text=True)
    second = client.get(AUDIT, query_string={"page": 2}).get_data(as_text=True)

    assert len(_table_rows(first)) == 50 and len(_table_rows(second)) == 10
    assert 'datetime="2026-01-01T08:59:00Z"' in _table_rows(first)[0]
    assert 'datetime="2026-01-01T08:00:00Z"' in _table_rows(second)[-1]
    assert 'rel="next"' in first and 'rel="prev"' in second


def _add_entries(app, count: int) -> None:
    with app.app_context():
        users = [factories.user(Role.STAFF) for _ in range(3)]
        requests = [factories.make_request(phone=f"602 000 {n:03d}") for n in range(3)]
        for number in range(count):
            audit.record(
                users[number % 3],
                AuditAction.VIEW_REQUEST,
                requests[number % 3].id,
                commit=False,
            )
        db.session.commit()


def test_the_audit_page_issues_the_same_number_of_queries_for_5_and_200_entries(
    app, client, accounts
):
    accounts.login_as("admin")
    _add_entries(app, 5)
    few = count_queries(app, client, AUDIT)

    _add_entries(app, 195)
    many = count_queries(app, client, AUDIT)

    assert few == many


def test_only_administrators_find_the_audit_in_the_menu(app, client, accounts):
    accounts.login_as("staff")
    with app.app_context():
        admin_email = factories.user(Role.ADMIN).email
    admin_client = app.test_client()
    log_in(admin_client, admin_email)

    assert AUDIT not in client.get("/backoffice/zgloszenia").get_data(as_text=True)
    assert AUDIT in admin_client.get("/backoffice/zgloszenia").get_data(as_text=True)
