"""The transition table walked exhaustively: every (from, to, role) triple."""

import itertools

import pytest

from portal.domain import lifecycle
from portal.domain.lifecycle import (
    CLOSED,
    OPEN,
    MissingRequirement,
    Requirement,
    Role,
    Status,
    TransitionNotAllowed,
)

EXPECTED = {
    # from: {to: roles}
    Status.SUBMITTED: {
        Status.NEEDS_INFO: {Role.STAFF, Role.ADMIN},
        Status.ACCEPTED: {Role.STAFF, Role.ADMIN},
        Status.DECLINED: {Role.STAFF, Role.ADMIN},
        Status.CANCELLED: {Role.STAFF, Role.ADMIN, Role.RESIDENT},
        Status.DUPLICATE: {Role.STAFF, Role.ADMIN},
    },
    Status.NEEDS_INFO: {
        Status.SUBMITTED: {Role.STAFF, Role.ADMIN, Role.RESIDENT},
        Status.ACCEPTED: {Role.STAFF, Role.ADMIN},
        Status.DECLINED: {Role.STAFF, Role.ADMIN},
        Status.CANCELLED: {Role.STAFF, Role.ADMIN, Role.RESIDENT},
        Status.DUPLICATE: {Role.STAFF, Role.ADMIN},
    },
    Status.ACCEPTED: {
        Status.SCHEDULED: {Role.STAFF, Role.ADMIN, Role.INSTRUCTOR},
        Status.IN_PROGRESS: {Role.STAFF, Role.ADMIN, Role.INSTRUCTOR},
        Status.DECLINED: {Role.STAFF, Role.ADMIN},
        Status.CANCELLED: {Role.STAFF, Role.ADMIN, Role.RESIDENT},
        Status.DUPLICATE: {Role.STAFF, Role.ADMIN},
    },
    Status.SCHEDULED: {
        Status.IN_PROGRESS: {Role.STAFF, Role.ADMIN, Role.INSTRUCTOR},
        Status.DECLINED: {Role.STAFF, Role.ADMIN},
        Status.CANCELLED: {Role.STAFF, Role.ADMIN, Role.RESIDENT},
        Status.DUPLICATE: {Role.STAFF, Role.ADMIN},
    },
    Status.IN_PROGRESS: {
        Status.READY: {Role.STAFF, Role.ADMIN, Role.INSTRUCTOR},
        Status.COMPLETED: {Role.STAFF, Role.ADMIN, Role.INSTRUCTOR},
        Status.CANCELLED: {Role.STAFF, Role.ADMIN},
    },
    Status.READY: {
        Status.IN_PROGRESS: {Role.STAFF, Role.ADMIN, Role.INSTRUCTOR},
        Status.COMPLETED: {Role.STAFF, Role.ADMIN, Role.INSTRUCTOR},
        Status.CANCELLED: {Role.STAFF, Role.ADMIN},
    },
    Status.COMPLETED: {},
    Status.DECLINED: {},
    Status.CANCELLED: {},
    Status.DUPLICATE: {},
}

ALL_TRIPLES = list(itertools.product(Status, Status, Role))


@pytest.mark.parametrize(("current", "target", "role"), ALL_TRIPLES)
def test_every_move_is_allowed_exactly_when_the_table_says_so(current, target, role):
    expected = role in EXPECTED[current].get(target, set())

    assert lifecycle.is_allowed(current, target, role) is expected


@pytest.mark.parametrize(("current", "target", "role"), ALL_TRIPLES)
def test_check_move_raises_for_every_move_the_table_refuses(current, target, role):
    provided = set(Requirement)
    if role in EXPECTED[current].get(target, set()):
        move = lifecycle.check_move(current, target, role, provided)
        assert (move.current, move.target) == (current, target)
    else:
        with pytest.raises(TransitionNotAllowed):
            lifecycle.check_move(current, target, role, provided)


def test_closed_statuses_allow_no_move_at_all():
    for current in CLOSED:
        for role in Role:
            assert lifecycle.allowed_targets(current, role) == []


def test_open_and_closed_partition_the_statuses():
    assert OPEN | CLOSED == set(Status)
    assert not OPEN & CLOSED


@pytest.mark.parametrize(
    ("target", "needed"),
    [
        (Status.ACCEPTED, Requirement.GROUP),
        (Status.DECLINED, Requirement.REASON),
        (Status.NEEDS_INFO, Requirement.QUESTION),
        (Status.SCHEDULED, Requirement.DATE),
        (Status.COMPLETED, Requirement.OUTCOME),
    ],
)
def test_a_move_without_what_it_needs_is_refused(target, needed):
    current = {Status.SCHEDULED: Status.ACCEPTED, Status.COMPLETED: Status.IN_PROGRESS}.get(
        target, Status.SUBMITTED
    )

    with pytest.raises(MissingRequirement) as error:
        lifecycle.check_move(current, target, Role.STAFF, set(Requirement) - {needed})

    assert error.value.missing == {needed}


def test_resident_may_cancel_only_until_the_work_starts():
    cancellable = {s for s in Status if lifecycle.resident_can_cancel(s)}

    assert cancellable == {Status.SUBMITTED, Status.NEEDS_INFO, Status.ACCEPTED, Status.SCHEDULED}


def test_allowed_targets_follow_lifecycle_order():
    assert lifecycle.allowed_targets(Status.SUBMITTED, Role.STAFF) == [
        Status.NEEDS_INFO,
        Status.ACCEPTED,
        Status.DECLINED,
        Status.CANCELLED,
        Status.DUPLICATE,
    ]


def test_lifecycle_module_imports_neither_flask_nor_sqlalchemy():
    source = open(lifecycle.__file__).read()

    assert "flask" not in source.lower().replace("knows nothing of flask", "")
    assert "sqlalchemy" not in source.lower()


@pytest.mark.parametrize(
    ("status", "home_visit", "expected"),
    [
        (Status.ACCEPTED, False, Status.IN_PROGRESS),
        (Status.SCHEDULED, True, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, False, Status.READY),
        (Status.IN_PROGRESS, True, None),
        (Status.READY, False, None),
        (Status.SUBMITTED, False, None),
        (Status.COMPLETED, False, None),
    ],
)
def test_the_board_offers_one_tap_moves_the_workshop_may_make(status, home_visit, expected):
    move = lifecycle.next_board_move(status, home_visit=home_visit)

    assert move == expected
    if move is not None:
        assert lifecycle.is_allowed(status, move, Role.INSTRUCTOR)


@pytest.mark.parametrize(("status", "role"), itertools.product(Status, Role))
def test_a_closed_request_is_changed_only_by_an_administrator(status, role):
    assert lifecycle.may_change_record(status, role) == (status in OPEN or role == Role.ADMIN)


def test_jobs_are_completed_from_the_statuses_the_table_allows():
    assert lifecycle.COMPLETABLE == {Status.IN_PROGRESS, Status.READY}
    assert lifecycle.CLOSED_WITHOUT_SERVICE == CLOSED - {Status.COMPLETED}


def test_a_refused_move_is_a_domain_error_with_a_message_for_people():
    from portal.domain.errors import DomainError

    with pytest.raises(DomainError) as refused:
        lifecycle.check_move(Status.SUBMITTED, Status.ACCEPTED, Role.STAFF)

    assert refused.value.field == "group_id"
    assert refused.value.message == "Choose the workshop group that takes the job."
