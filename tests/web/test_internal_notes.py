"""What staff write for each other never reaches the resident, by any path a note can take."""

from datetime import date

import pytest
from sqlalchemy import select

from portal.domain.lifecycle import Status
from portal.extensions import db
from portal.models import Institution, OutboxMessage, ServiceRequest
from portal.services import outbox
from tests import factories

from .helpers import hidden_value

SECRETS = {
    "note": "WEWN-NOTATKA-1",
    "work": "WEWN-PRACA-2",
    "reason": "WEWN-POWOD-3",
}


@pytest.fixture
def app_overrides():
    return {"PUBLIC_BASE_URL": "https://portal.example.pl"}


@pytest.fixture
def job(app):
    """A request whose resident asked for e-mail updates, and a crew to log work with."""
    with app.app_context():
        db.session.scalars(select(Institution)).one().show_not_done_reason = False
        db.session.commit()
        crew = factories.work_crew(date.today())
        request = factories.make_request(email="anna@example.org", email_updates=True)
        return request.id, request.access_token, crew["ala"]


def _post(client, url: str, page_url: str, **fields):
    page = client.get(page_url).get_data(as_text=True)
    fields.setdefault("csrf_token", hidden_value(page, "csrf_token"))
    for name in list(fields):
        if name.endswith("version") and fields[name] is None:
            fields[name] = hidden_value(page, name)
    response = client.post(url, data=fields)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response


def test_no_internal_note_reaches_the_residents_page_or_e_mail(app, client, accounts, job):
    request_id, token, trainee = job
    page = f"/backoffice/zgloszenia/{request_id}"
    accounts.login_as("staff")
    _post(client, f"{page}/notatki", page, body=SECRETS["note"])
    _post(
        client,
        f"{page}/status/accepted",
        page,
        **{"accepted-version": None, "accepted-group_id": _group(app), "accepted-note": "Jawne."},
    )
    _post(client, f"{page}/status/in_progress", page, **{"in_progress-version": None})
    _post(
        client,
        f"{page}/praca",
        page,
        **{
            "work-worked_on": date.today().isoformat(),
            "work-description": SECRETS["work"],
            f"hours-{trainee}": "2",
        },
    )
    _post(
        client,
        f"{page}/realizacja",
        f"{page}/realizacja",
        version=None,
        completed_on=date.today().isoformat(),
        outcome="not_done",
        not_done_reason=SECRETS["reason"],
    )

    resident_pages = [
        client.get(f"/zgloszenie/{token}").get_data(as_text=True),
        client.get(f"/zgloszenie/{token}/do-druku").get_data(as_text=True),
    ]
    with app.app_context():
        assert db.session.get(ServiceRequest, request_id).status == Status.COMPLETED
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.request_id == request_id)
        ).all()
        mails = [outbox.render(row) for row in rows]
    assert len(mails) >= 3  # received, accepted, closed
    texts = resident_pages + [m.subject + m.body + m.html for m in mails]
    for secret in SECRETS.values():
        assert not [text for text in texts if secret in text], secret
    # The public note of a move does reach the resident, so the check above can fail.
    assert any("Jawne." in text for text in texts)
    # Staff still read every internal text on the request's page.
    office = client.get(page).get_data(as_text=True)
    assert all(secret in office for secret in SECRETS.values())


def _group(app) -> str:
    with app.app_context():
        return str(factories.group_for("tailoring").id)
