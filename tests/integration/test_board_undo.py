"""A board move taken back: by its maker, soon, the resident never told of it."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import services
from portal.domain.actor import Actor
from portal.domain.errors import DomainError
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import MessageKind, OutboxMessage, OutboxStatus, utcnow
from tests import factories


def _messages(request_id):
    return db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.request_id == request_id,
            OutboxMessage.kind == MessageKind.STATUS_CHANGE,
        )
    ).all()


@pytest.fixture
def ready_job(app):
    with app.app_context():
        job = factories.make_request(
            status=Status.IN_PROGRESS, email="anna@example.org", email_updates=True
        )
        instructor = factories.user(Role.INSTRUCTOR)
        yield job, Actor.of(instructor)


def test_the_residents_message_waits_while_the_move_may_be_undone(app, ready_job):
    job, instructor = ready_job
    before = len(_messages(job.id))

    event = services.board_move(job, Status.READY, instructor)

    waiting = _messages(job.id)[before:]
    assert [m.payload["status"] for m in waiting] == ["ready"]
    assert waiting[0].next_attempt_at - event.created_at >= timedelta(minutes=10)


def test_undo_puts_the_job_back_hides_the_move_and_drops_the_message(app, ready_job):
    job, instructor = ready_job
    before = len(_messages(job.id))
    event = services.board_move(job, Status.READY, instructor)

    undo = services.undo_board_move(job, instructor, event_id=event.id)

    assert job.status == Status.IN_PROGRESS
    assert (undo.from_status, undo.to_status, undo.is_public) == (
        Status.READY,
        Status.IN_PROGRESS,
        False,
    )
    assert event.is_public is False
    assert len(_messages(job.id)) == before
    assert Status.READY not in {e.to_status for e in job.public_events}


def test_only_the_maker_may_undo_and_only_the_last_move_and_only_soon(app, ready_job):
    job, instructor = ready_job
    other = Actor.of(factories.user(Role.INSTRUCTOR))
    event = services.board_move(job, Status.READY, instructor)

    with pytest.raises(DomainError):
        services.undo_board_move(job, other, event_id=event.id)
    with pytest.raises(DomainError):
        services.undo_board_move(
            job, instructor, event_id=event.id, now=utcnow() + timedelta(minutes=11)
        )
    with pytest.raises(DomainError):
        services.undo_board_move(job, instructor, event_id=event.id - 1)
    assert db.session.get(type(job), job.id).status == Status.READY


def test_a_move_the_resident_has_been_told_of_is_not_undone(app, ready_job):
    job, instructor = ready_job
    event = services.mark_ready(job, instructor)  # from the request page: told at once
    for message in _messages(job.id):
        message.status = OutboxStatus.SENT
    db.session.commit()

    with pytest.raises(DomainError) as refused:
        services.undo_board_move(job, instructor, event_id=event.id)

    assert "already been told" in refused.value.message
    assert db.session.get(type(job), job.id).status == Status.READY
