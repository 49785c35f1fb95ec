"""Every back-office endpoint tried with every role: each gets exactly what it should."""

import pytest
from flask import url_for
from sqlalchemy import select

from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import (
    BaselineTotal,
    IndicatorValue,
    NotDoneReason,
    ProgrammeBaseline,
    Project,
    ReplyTemplate,
)
from portal.services import apikeys
from tests import factories

from .helpers import csrf_from

# endpoint -> roles that may use it. Written out by hand: the test fails when code and intent differ.
EXPECTED = {
    "backoffice.start": {"instructor", "staff", "admin"},
    "backoffice.queue": {"instructor", "staff", "admin"},
    "backoffice.request_page": {"instructor", "staff", "admin"},
    "backoffice.change_status": {"instructor", "staff", "admin"},
    "backoffice.add_note": {"instructor", "staff", "admin"},
    "backoffice.record_feedback": {"staff", "admin"},
    "backoffice.photo": {"instructor", "staff", "admin"},
    "backoffice.edit_request": {"staff", "admin"},
    "backoffice.intake": {"staff", "admin"},
    "backoffice.intake_done": {"staff", "admin"},
    "backoffice.same_person": {"staff", "admin"},
    "backoffice.reply_templates": {"admin"},
    "backoffice.reply_template": {"admin"},
    "backoffice.delete_reply_template": {"admin"},
    "backoffice.reply_text": {"instructor", "staff", "admin"},
    "backoffice.undo_job_move": {"instructor", "staff", "admin"},
    "backoffice.board_log_work": {"instructor", "staff", "admin"},
    "backoffice.record_drop_off": {"instructor", "staff", "admin"},
    "backoffice.receipt": {"instructor", "staff", "admin"},
    "backoffice.uncollected": {"staff", "admin"},
    "backoffice.reschedule": {"instructor", "staff", "admin"},
    "backoffice.visits": {"instructor", "staff", "admin"},
    "backoffice.own_account": {"instructor", "staff", "admin"},
    "backoffice.logout": {"instructor", "staff", "admin"},
    "backoffice.accounts_list": {"admin"},
    "backoffice.edit_account": {"admin"},
    "backoffice.reset_password": {"admin"},
    "backoffice.groups_list": {"admin"},
    "backoffice.edit_group": {"admin"},
    "backoffice.board": {"instructor", "staff", "admin"},
    "backoffice.advance_job": {"instructor", "staff", "admin"},
    "backoffice.job_tag": {"instructor", "staff", "admin"},
    "backoffice.complete": {"instructor", "staff", "admin"},
    "backoffice.correct_completion": {"admin"},
    "backoffice.log_work": {"instructor", "staff", "admin"},
    # Only its author or an admin may change a work log entry; the world's is another instructor's.
    "backoffice.edit_work": {"admin"},
    "backoffice.editions": {"admin"},
    "backoffice.edition": {"admin"},
    "backoffice.add_trainee": {"admin"},
    "backoffice.trainee": {"admin"},
    "backoffice.reports": {"staff", "admin"},
    "backoffice.export_report_csv": {"staff", "admin"},
    "backoffice.export_report_xlsx": {"staff", "admin"},
    "backoffice.export_job_list_csv": {"staff", "admin"},
    "backoffice.export_job_list_xlsx": {"staff", "admin"},
    "backoffice.report_summary": {"staff", "admin"},
    "backoffice.baseline_totals": {"admin"},
    "backoffice.delete_baseline_total": {"admin"},
    "backoffice.programme_baseline": {"admin"},
    "backoffice.delete_programme_baseline": {"admin"},
    "backoffice.not_done_reasons": {"admin"},
    "backoffice.not_done_reason": {"admin"},
    "backoffice.projects": {"admin"},
    "backoffice.project": {"admin"},
    # The office labels a job with a project; instructors do not.
    "backoffice.label_project": {"staff", "admin"},
    "backoffice.indicators": {"staff", "admin"},
    "backoffice.export_indicators_xlsx": {"staff", "admin"},
    "backoffice.indicator_settings": {"admin"},
    "backoffice.indicator": {"admin"},
    "backoffice.save_indicator_value": {"admin"},
    "backoffice.delete_indicator_value": {"admin"},
    "backoffice.outbox_messages": {"admin"},
    "backoffice.retry_message": {"admin"},
    "backoffice.audit_log": {"admin"},
    "backoffice.export_person": {"staff", "admin"},
    # The world's request is open: the page explains why nothing can be erased yet.
    "backoffice.erase_person": {"admin"},
    "backoffice.extend_session": {"instructor", "staff", "admin"},
    "backoffice.end_other_sessions": {"instructor", "staff", "admin"},
    "backoffice.two_factor_start": {"instructor", "staff", "admin"},
    "backoffice.two_factor_setup": {"instructor", "staff", "admin"},
    "backoffice.two_factor_disable": {"instructor", "staff", "admin"},
    "backoffice.new_recovery_codes": {"instructor", "staff", "admin"},
    "backoffice.end_account_sessions": {"admin"},
    "backoffice.reset_two_factor": {"admin"},
    "backoffice.security_settings": {"admin"},
    # Partner institutions' API keys: issued and revoked by administrators only.
    "backoffice.api_keys": {"admin"},
    "backoffice.revoke_api_key": {"admin"},
    # The code step of a login: only after a right password; a logged-in user is sent on.
    "backoffice.two_factor_login": {"instructor", "staff", "admin"},
    "backoffice.two_factor_enrol": {"instructor", "staff", "admin"},
}
PUBLIC = {"backoffice.login"}


def _backoffice_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("backoffice.")]


def test_every_back_office_endpoint_is_in_the_expected_table(app):
    endpoints = {rule.endpoint for rule in _backoffice_rules(app)}

    assert endpoints == set(EXPECTED) | PUBLIC


@pytest.fixture
def world(app, upload_folder):
    """One accepted tailoring job with a photo, in the group of the instructor under test."""
    with app.app_context():
        request = factories.make_request(
            status=Status.ACCEPTED,
            upload_folder=str(upload_folder),
            photos=[_photo()],
        )
        staff = factories.user()
        trainee = factories.trainee(group_code="tailoring")
        session = factories.work_session(
            request, trainee, supervisor=factories.user(Role.INSTRUCTOR)
        )
        return {
            "session_id": session.id,
            "edition_id": trainee.edition_id,
            "trainee_id": trainee.id,
            "request_id": request.id,
            "photo_id": request.photos[0].id,
            "user_id": staff.id,
            "group_id": factories.group_for("tailoring").id,
            "target": Status.IN_PROGRESS.value,
            # The demo settings bring the club's past totals; any of them will do.
            "baseline_id": db.session.scalars(select(BaselineTotal.id)).first(),
            "template_id": db.session.scalars(select(ReplyTemplate.id)).first(),
            # The demo settings bring the lists of not-done reasons and projects, and the
            # programme counted on paper.
            "reason_id": db.session.scalars(select(NotDoneReason.id)).first(),
            "project_id": db.session.scalars(select(Project.id)).first(),
            "programme_baseline_id": db.session.scalars(select(ProgrammeBaseline.id)).first(),
            # The demo settings bring the strategy's indicators with values for some years.
            "indicator_id": db.session.scalars(select(IndicatorValue.indicator_id)).first(),
            "value_id": db.session.scalars(select(IndicatorValue.id)).first(),
            "message_id": _parked_message(request),
            "key_id": apikeys.issue_key("Dzienny Dom Pomocy", "", Actor(Role.ADMIN)).key.id,
        }


def _parked_message(request) -> int:
    from portal.models import MessageKind, OutboxMessage, OutboxStatus

    message = OutboxMessage(
        kind=MessageKind.SUBMITTED,
        to_addr="resident@example.org",
        payload={"reference": request.reference, "token": request.access_token},
        status=OutboxStatus.PARKED,
        message_id_header="<world@example.org>",
        request=request,
    )
    db.session.add(message)
    db.session.commit()
    return message.id


def _photo():
    from portal.photos import clean_photo

    return clean_photo(factories.image_bytes(), max_bytes=10**7, max_pixels=10**8, max_side=500)


def _urls(app, world):
    with app.test_request_context():
        for rule in _backoffice_rules(app):
            args = {name: world[name] for name in rule.arguments}
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, url_for(rule.endpoint, **args)


@pytest.mark.parametrize("role", ["anonymous", "instructor", "staff", "admin"])
def test_v8_2_1_each_role_gets_exactly_what_it_should(app, client, accounts, world, role):
    if role != "anonymous":
        accounts.login_as(role, groups=["tailoring"] if role == "instructor" else ())
    token = csrf_from(client, "/nie-mam-linku")
    mismatches = []

    for endpoint, method, url in _urls(app, world):
        if endpoint == "backoffice.logout":
            continue  # would end the session the rest of the walk needs; tested on its own
        response = client.open(
            url, method=method, data={"csrf_token": token} if method == "POST" else None
        )
        if endpoint in PUBLIC:
            allowed = True
        else:
            allowed = role in EXPECTED[endpoint]
        if role == "anonymous" and endpoint not in PUBLIC:
            ok = (
                response.status_code == 302
                and "/backoffice/logowanie" in response.headers["Location"]
            )
        elif allowed:
            ok = response.status_code in (200, 302, 303)
        else:
            ok = response.status_code == 403
        if not ok:
            mismatches.append((method, url, response.status_code))

    assert mismatches == []


def test_logout_needs_a_logged_in_user(client):
    response = client.post(
        "/backoffice/wyloguj", data={"csrf_token": csrf_from(client, "/nie-mam-linku")}
    )

    assert response.status_code == 302
    assert "/backoffice/logowanie" in response.headers["Location"]


def test_v8_2_2_instructor_of_another_group_sees_none_of_the_job(client, accounts, world):
    accounts.login_as("instructor", groups=["upholstery"])
    request_id, photo_id = world["request_id"], world["photo_id"]
    token = csrf_from(client, "/nie-mam-linku")

    assert client.get(f"/backoffice/zgloszenia/{request_id}").status_code == 403
    assert client.get(f"/backoffice/zgloszenia/{request_id}/zdjecia/{photo_id}").status_code == 403
    assert (
        client.post(
            f"/backoffice/zgloszenia/{request_id}/notatki", data={"csrf_token": token, "body": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/backoffice/zgloszenia/{request_id}/status/in_progress", data={"csrf_token": token}
        ).status_code
        == 403
    )
    assert "Anna Kowalska" not in client.get("/backoffice/zgloszenia?status=all").get_data(
        as_text=True
    )


def test_instructor_does_not_see_requests_waiting_for_triage(app, client, accounts):
    with app.app_context():
        waiting_id = factories.make_request(name="Czeka Naocenę").id
    accounts.login_as("instructor", groups=["tailoring"])

    assert client.get(f"/backoffice/zgloszenia/{waiting_id}").status_code == 403
    assert "Czeka Naocenę" not in client.get("/backoffice/zgloszenia?status=all").get_data(
        as_text=True
    )
