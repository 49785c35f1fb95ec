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
    },
    Status.NEEDS_INFO: {
        Status.SUBMITTED: {Role.STAFF, Role.ADMIN},
        Status.ACCEPTED: {Role.STAFF, Role.ADMIN},
        Status.DECLINED: {Role.STAFF, Role.ADMIN},
        Status.CANCELLED: {Role.STAFF, Role.ADMIN, Role.RESIDENT},
    },
    Status.ACCEPTED: {
        Status.SCHEDULED: {Role.STAFF, Role.ADMIN, Role.INSTRUCTOR},
        Status.IN_PROGRESS: {Role.STAFF, Role.ADMIN, Role.INSTRUCTOR},
        Status.DECLINED: {Role.STAFF, Role.ADMIN},
        Status.CANCELLED: {Role.STAFF, Role.ADMIN, Role.RESIDENT},
    },
    Status.SCHEDULED: {
        Status.IN_PROGRESS: {Role.STAFF, Role.ADMIN, Role.INSTRUCTOR},
        Status.DECLINED: {Role.STAFF, Role.ADMIN},
        Status.CANCELLED: {Role.STAFF, Role.ADMIN, Role.RESIDENT},
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
    ]


def test_lifecycle_module_imports_neither_flask_nor_sqlalchemy():
    source = open(lifecycle.__file__).read()

    assert "flask" not in source.lower().replace("knows nothing of flask", "")
    assert "sqlalchemy" not in source.lower()
