"""Partners' API keys and the requests they send, through the services: issued with only a hash
kept, checked in constant time, revoked, every use audited; a partner's request recorded like
any other, as one from the key's institution."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from portal.audit import AuditAction
from portal.domain.actor import Actor
from portal.domain.errors import DomainError
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import (
    ApiKey,
    AuditEntry,
    Channel,
    ConsentMethod,
    RequesterKind,
    RequestTally,
    ServiceRequest,
)
from portal.services import apikeys, partners
from tests import factories

INSTITUTION = "Miejski Ośrodek Pomocy Społecznej w Opolu"


@pytest.fixture
def admin(app):
    with app.app_context():
        return Actor.of(factories.user(Role.ADMIN))


def _no_questions() -> None:
    for code in ("tailoring", "upholstery", "renovation"):
        factories.category(code).questions = None
    db.session.commit()


def test_an_issued_key_is_shown_once_and_only_its_sha256_and_prefix_are_kept(app, admin):
    with app.app_context():
        issued = apikeys.issue_key(f"  {INSTITUTION}  ", "dla systemu ewidencji", admin)
        key = db.session.get(ApiKey, issued.key.id)

        assert issued.secret.startswith("kis_")
        assert len(issued.secret) >= 40
        assert key.prefix == issued.secret[:12]
        assert key.key_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
        assert key.institution_name == INSTITUTION
        assert key.note == "dla systemu ewidencji"
        assert key.created_by_id == admin.user_id
        assert (key.revoked_at, key.last_used_at) == (None, None)
        stored = db.session.execute(select(ApiKey.__table__)).mappings().one()
        assert not any(issued.secret in str(value) for value in stored.values())


def test_two_keys_never_share_their_secret_or_prefix(app, admin):
    with app.app_context():
        first = apikeys.issue_key(INSTITUTION, "", admin)
        second = apikeys.issue_key(INSTITUTION, "", admin)

        assert first.secret != second.secret
        assert first.key.prefix != second.key.prefix


@pytest.mark.parametrize(
    ("institution", "note", "field"),
    [
        ("", "", "institution_name"),
        ("  ", "", "institution_name"),
        ("x" * 201, "", "institution_name"),
        ("MOPS", "x" * 301, "note"),
    ],
)
def test_a_key_needs_an_institution_and_a_short_note(app, admin, institution, note, field):
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            apikeys.issue_key(institution, note, admin)

        assert refused.value.field == field
        assert db.session.scalar(select(func.count()).select_from(ApiKey)) == 0


def test_issuing_and_revoking_are_audited_with_the_prefix_and_institution(app, admin):
    with app.app_context():
        issued = apikeys.issue_key(INSTITUTION, "", admin)

        assert apikeys.revoke_key(issued.key, admin) is True
        assert apikeys.revoke_key(issued.key, admin) is False

        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [entry.action for entry in entries] == [
            AuditAction.API_KEY_ISSUED,
            AuditAction.API_KEY_REVOKED,
        ]
        assert all(entry.actor_id == admin.user_id for entry in entries)
        assert all(issued.key.prefix in entry.detail for entry in entries)
        assert all(INSTITUTION in entry.detail for entry in entries)
        assert all(issued.secret not in entry.detail for entry in entries)


def test_a_presented_key_is_checked_live_unknown_revoked_or_missing(app, admin):
    with app.app_context():
        live = apikeys.issue_key(INSTITUTION, "", admin)
        revoked = apikeys.issue_key("Dzienny Dom Pomocy", "", admin)
        apikeys.revoke_key(revoked.key, admin)

        assert apikeys.check_key(live.secret).valid
        assert apikeys.check_key(f" {live.secret} ").key.id == live.key.id
        assert apikeys.check_key(revoked.secret).problem == apikeys.KeyProblem.REVOKED
        assert apikeys.check_key(revoked.secret).prefix == revoked.key.prefix
        assert apikeys.check_key("").problem == apikeys.KeyProblem.MISSING
        assert apikeys.check_key(None).problem == apikeys.KeyProblem.MISSING
        # The right prefix with the wrong rest: the hashes differ.
        assert apikeys.check_key(live.secret[:12] + "x" * 35).problem == apikeys.KeyProblem.UNKNOWN
        assert apikeys.check_key("kis_" + "x" * 500).problem == apikeys.KeyProblem.UNKNOWN
        assert apikeys.check_key("Jan\x00Kowalski").problem == apikeys.KeyProblem.UNKNOWN
        # What is logged of a wrong key is a prefix of ours, never anything else.
        assert apikeys.check_key("Jan Kowalski 600 100 200").prefix == ""


def test_the_hashes_are_compared_in_constant_time(app, admin, monkeypatch):
    compared = []
    original = apikeys.hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(apikeys.hmac, "compare_digest", spy)
    with app.app_context():
        live = apikeys.issue_key(INSTITUTION, "", admin)

        apikeys.check_key(live.secret)
        apikeys.check_key("kis_nieznany0123456789")

    assert len(compared) == 2
    assert compared[0][0] == live.key.key_hash
    assert compared[1][0] == "0" * 64


def _sent(**changes) -> partners.PartnerRequest:
    values = {
        "service_code": "tailoring",
        "first_name": "Halina",
        "last_name": "Testowa",
        "phone": "600 100 200",
        "description": "Skrócić zasłony",
    }
    values.update(changes)
    return partners.PartnerRequest(**values)


def test_a_partners_request_is_recorded_as_one_from_its_institution(app, admin, upload_folder):
    with app.app_context():
        _no_questions()
        key = apikeys.issue_key(INSTITUTION, "", admin).key

        request = partners.submit_partner_request(
            _sent(), key, upload_folder=str(upload_folder), timezone="Europe/Warsaw"
        )

        assert request.channel == Channel.INSTITUTION
        assert request.requester_kind == RequesterKind.INSTITUTION
        assert request.institution_name == INSTITUTION
        assert request.consent_method == ConsentMethod.PARTNER
        assert request.api_key_id == key.id
        assert request.status == Status.SUBMITTED
        assert (request.is_senior, request.receives_assistance) == (False, False)
        assert key.last_used_at is not None
        counted = db.session.scalar(
            select(RequestTally.requests).where(RequestTally.status == Status.SUBMITTED)
        )
        assert counted == 1


def test_a_partners_answers_are_kept_as_the_forms_are(app, admin, upload_folder):
    with app.app_context():
        category = factories.category("renovation")
        category.questions = [
            {
                "code": "room",
                "kind": "text",
                "required": True,
                "label": "Pomieszczenie",
                "hint": "",
                "unit": "",
                "choices": [],
            },
            {
                "code": "ladder",
                "kind": "yes_no",
                "required": False,
                "label": "Drabina?",
                "hint": "",
                "unit": "",
                "choices": [],
            },
        ]
        db.session.commit()
        key = apikeys.issue_key(INSTITUTION, "", admin).key

        request = partners.submit_partner_request(
            _sent(
                service_code="renovation",
                address_string="ul. Ozimska 1",
                attributes={"room": " kuchnia ", "ladder": "yes"},
            ),
            key,
            upload_folder=str(upload_folder),
            timezone="Europe/Warsaw",
        )

        assert [(a["code"], a["question"], a["answer"]) for a in request.answers] == [
            ("room", "Pomieszczenie", "kuchnia"),
            ("ladder", "Drabina?", "tak"),
        ]


def test_a_refused_request_records_nothing_but_the_refused_use(app, admin, upload_folder):
    with app.app_context():
        _no_questions()
        key = apikeys.issue_key(INSTITUTION, "", admin).key

        with pytest.raises(partners.PartnerRequestRefused) as refused:
            partners.submit_partner_request(
                _sent(phone="", description="", attributes={"kolor": "czerwony"}),
                key,
                upload_folder=str(upload_folder),
                timezone="Europe/Warsaw",
            )
        with pytest.raises(partners.UnknownService):
            partners.submit_partner_request(
                _sent(service_code="nie-ma"),
                key,
                upload_folder=str(upload_folder),
                timezone="Europe/Warsaw",
            )

        assert [p.parameter for p in refused.value.problems] == [
            "phone",
            "description",
            "attribute[kolor]",
        ]
        assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == 0
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == [
            AuditAction.API_KEY_ISSUED,
            AuditAction.API_REQUEST_REFUSED,
            AuditAction.API_REQUEST_REFUSED,
        ]
