"""Two people changing one request at once: the second is told, nothing is overwritten."""

import pytest
import sqlalchemy as sa

from portal import services
from portal.domain.actor import Actor
from portal.domain.errors import StaleEdit
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import Outcome, ServiceRequest
from tests import factories


def _bump_version_elsewhere(request_id):
    with db.engine.begin() as other:
        other.execute(
            sa.text(
                "UPDATE service_request SET version = version + 1, contact_time = 'zmienione' WHERE id = :id"
            ),
            {"id": request_id},
        )


@pytest.mark.parametrize(
    "change",
    [
        lambda r: services.move_request(
            r, Status.NEEDS_INFO, Actor(Role.STAFF), note="Jaki kolor?"
        ),
        lambda r: services.correct_request(
            r, {"name": "Nowe Nazwisko"}, Actor(Role.STAFF), expected_version=None
        ),
    ],
    ids=["status", "correction"],
)
def test_a_change_on_a_stale_copy_raises_stale_edit_and_keeps_the_other_change(app, change):
    with app.app_context():
        request_id = factories.make_request().id
        db.session.remove()
        request = db.session.get(ServiceRequest, request_id)  # events not loaded yet
        _bump_version_elsewhere(request_id)

        with pytest.raises(StaleEdit):
            change(request)

        db.session.remove()
        fresh = db.session.get(ServiceRequest, request_id)
        assert fresh.contact_time == "zmienione"
        assert fresh.status == Status.SUBMITTED and fresh.name == "Anna Kowalska"


def test_completing_a_stale_job_raises_stale_edit(app):
    with app.app_context():
        request_id = factories.make_request(status=Status.IN_PROGRESS).id
        db.session.remove()
        request = db.session.get(ServiceRequest, request_id)
        _bump_version_elsewhere(request_id)

        with pytest.raises(StaleEdit):
            services.complete_job(
                request,
                Actor(Role.STAFF),
                completed_on=services.local_today("Europe/Warsaw"),
                outcome=Outcome.DONE,
                work_done="x",
            )

        db.session.remove()
        assert db.session.get(ServiceRequest, request_id).status == Status.IN_PROGRESS


def test_a_note_added_meanwhile_conflicts_with_nothing(app):
    with app.app_context():
        request_id = factories.make_request().id
        db.session.remove()
        request = db.session.get(ServiceRequest, request_id)
        _bump_version_elsewhere(request_id)

        services.add_note(request, "Notatka", Actor(Role.STAFF))

        db.session.remove()
        assert db.session.get(ServiceRequest, request_id).contact_time == "zmienione"
