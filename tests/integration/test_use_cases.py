"""A use case ends committed, or rolled back before its error reaches the caller."""

import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField

from portal import services
from portal.domain.actor import Actor
from portal.domain.errors import DomainError, StaleEdit
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import RequestEvent, ServiceRequest
from portal.web.formerrors import show_error
from tests import factories


def test_a_refused_correction_leaves_nothing_half_changed(app):
    with app.app_context():
        request = factories.make_request(name="Anna Kowalska")
        staff = Actor.of(factories.user(Role.STAFF))

        with pytest.raises(DomainError) as refused:
            services.correct_request(
                request, {"name": "Zofia Nowak", "phone": "12"}, staff, expected_version=None
            )

        assert refused.value.field == "phone"
        assert not db.session.dirty
        assert request.name == "Anna Kowalska"
        assert db.session.get(ServiceRequest, request.id).name == "Anna Kowalska"


def test_a_stale_move_is_reported_and_rolled_back(app):
    with app.app_context():
        request = factories.make_request()
        staff = Actor.of(factories.user(Role.STAFF))

        with pytest.raises(StaleEdit):
            services.decline_request(
                request, staff, note="Poza zakresem", expected_version=request.version + 1
            )

        assert db.session.get(ServiceRequest, request.id).status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("verb", "values", "status"),
    [
        ("ask_for_information", {"note": "Jaki wymiar?"}, Status.NEEDS_INFO),
        ("decline_request", {"note": "Poza zakresem"}, Status.DECLINED),
        ("cancel_request", {}, Status.CANCELLED),
    ],
)
def test_each_move_of_the_office_is_a_named_use_case(app, verb, values, status):
    with app.app_context():
        request = factories.make_request()
        staff = Actor.of(factories.user(Role.STAFF))

        event = getattr(services, verb)(request, staff, **values)

        assert request.status == status
        assert db.session.get(RequestEvent, event.id).to_status == status


def test_a_domain_error_lands_at_the_field_it_names_or_on_top_of_the_page(app):
    class NoteForm(FlaskForm):
        body = StringField()

    with app.test_request_context(), app.app_context():
        form = NoteForm(meta={"csrf": False})

        show_error(form, DomainError("Write the note.", field="body"))
        show_error(form, DomainError("Only a completed job can be corrected here."))

        assert form.body.errors == ["Wpisz treść notatki."]
        assert get_flashed_messages(with_categories=True) == [
            ("error", "Tutaj można poprawić tylko zakończone zgłoszenie.")
        ]
