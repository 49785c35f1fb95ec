"""The administrator's page of partners' API keys: issuing shows a key once and keeps only its
hash, revoking asks first, and only administrators get in."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from portal.domain.actor import Actor
from portal.domain.lifecycle import Role
from portal.extensions import db
from portal.models import ApiKey
from portal.services import apikeys

from .helpers import csrf_from

PAGE = "/backoffice/klucze-api"
INSTITUTION = "Środowiskowy Dom Samopomocy „Przystań”"


def _issue_through_the_page(client, institution=INSTITUTION, note="system ewidencji"):
    token = csrf_from(client, PAGE)
    return client.post(
        PAGE, data={"csrf_token": token, "institution_name": institution, "note": note}
    )


def _shown_key(page: str) -> str:
    match = re.search(r'id="api-key-secret">([^<]+)<', page)
    assert match, "no key on the page"
    return match[1]


def test_issuing_shows_the_key_once_with_a_warning_and_keeps_only_its_hash(app, client, accounts):
    admin_id = accounts.login_as("admin")

    response = _issue_through_the_page(client)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert 'id="api-key-warning"' in page
    secret = _shown_key(page)
    assert secret.startswith("kis_")
    with app.app_context():
        key = db.session.scalars(select(ApiKey)).one()
        assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert key.prefix == secret[:12]
        assert key.institution_name == INSTITUTION
        assert key.created_by_id == admin_id
    listed = client.get(PAGE).get_data(as_text=True)
    assert secret not in listed
    assert key.prefix in listed
    assert "Przystań" in listed


def test_the_issued_key_sends_requests(app, client, accounts):
    accounts.login_as("admin")
    secret = _shown_key(_issue_through_the_page(client).get_data(as_text=True))
    with app.app_context():
        from tests import factories

        factories.category("tailoring").questions = None
        db.session.commit()

    sent = client.post(
        "/api/open311/v2/requests.json",
        data={
            "api_key": secret,
            "service_code": "tailoring",
            "first_name": "Halina",
            "last_name": "Testowa",
            "phone": "600 100 200",
            "description": "Skrócić zasłony",
        },
    )

    assert sent.status_code == 200, sent.get_data(as_text=True)


def test_a_key_needs_the_institutions_name(app, client, accounts):
    accounts.login_as("admin")

    response = _issue_through_the_page(client, institution="")

    assert response.status_code == 200
    assert 'id="institution_name-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(ApiKey)).all() == []


def test_revoking_asks_first_then_refuses_the_key(app, client, accounts):
    accounts.login_as("admin")
    secret = _shown_key(_issue_through_the_page(client).get_data(as_text=True))
    with app.app_context():
        key_id = db.session.scalars(select(ApiKey.id)).one()
    confirm_url = f"{PAGE}/{key_id}/uniewaznij"

    listed = client.get(PAGE).get_data(as_text=True)
    confirmation = client.get(confirm_url)

    assert f'href="{confirm_url}"' in listed
    assert confirmation.status_code == 200
    assert 'id="revoke-warning"' in confirmation.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ApiKey, key_id).revoked_at is None

    revoked = client.post(confirm_url, data={"csrf_token": csrf_from(client, confirm_url)})

    assert revoked.status_code == 303
    assert revoked.headers["Location"].endswith(PAGE)
    with app.app_context():
        assert db.session.get(ApiKey, key_id).revoked_at is not None
    assert f'href="{confirm_url}"' not in client.get(PAGE).get_data(as_text=True)
    assert 'id="api-key-revoked"' in client.get(confirm_url).get_data(as_text=True)
    refused = client.post("/api/open311/v2/requests.json", data={"api_key": secret})
    assert refused.status_code == 403


def test_a_revocation_without_the_forms_token_is_refused(app, client, accounts):
    accounts.login_as("admin")
    with app.app_context():
        key_id = apikeys.issue_key(INSTITUTION, "", Actor(Role.ADMIN)).key.id

    response = client.post(f"{PAGE}/{key_id}/uniewaznij")

    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(ApiKey, key_id).revoked_at is None


def test_an_unknown_key_is_not_found(client, accounts):
    accounts.login_as("admin")

    assert client.get(f"{PAGE}/999999/uniewaznij").status_code == 404


def test_the_navigation_leads_administrators_to_the_keys(client, accounts):
    accounts.login_as("admin")

    assert f'href="{PAGE}"' in client.get("/backoffice/konto").get_data(as_text=True)


@pytest.mark.parametrize("role", ["instructor", "staff"])
def test_only_administrators_see_or_issue_keys(app, client, accounts, role):
    with app.app_context():
        key_id = apikeys.issue_key(INSTITUTION, "", Actor(Role.ADMIN)).key.id
    accounts.login_as(role, groups=["tailoring"] if role == "instructor" else ())
    token = csrf_from(client, "/backoffice/konto")

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data={"csrf_token": token, "institution_name": "X"}).status_code == 403
    assert client.get(f"{PAGE}/{key_id}/uniewaznij").status_code == 403
    assert client.post(f"{PAGE}/{key_id}/uniewaznij", data={"csrf_token": token}).status_code == 403
    assert f'href="{PAGE}"' not in client.get("/backoffice/konto").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(ApiKey.revoked_at)).all() == [None]


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert "/backoffice/logowanie" in response.headers["Location"]
