"""The life of a request, from submission to completion, in one place.

A resident (or staff on a resident's behalf) submits a request; it is *submitted*.
Staff review it: they may ask the resident for more information (*needs_info*),
which goes back to *submitted* once the answer is in, or accept it and hand it to
a workshop group (*accepted*). The group fixes a drop-off or visit date
(*scheduled*), starts the work (*in_progress*), puts a workshop item aside for
pick-up (*ready*) and finally records the service as *completed*. Only a
completion counts toward the service totals.

While a request is open, staff may *decline* it (with a reason the resident will
read) or *cancel* it. A resident may cancel through the private link until the
work has started; after that the workshop has the item in hand, so the status
page asks them to phone instead.

This module knows nothing of Flask or the database: it names the statuses, the
one table of allowed moves with the roles that may make each, and what each move
needs. Services ask it before changing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import N_, DomainError


class Status(StrEnum):
    SUBMITTED = "submitted"
    NEEDS_INFO = "needs_info"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    READY = "ready"
    COMPLETED = "completed"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    # Closed because the same person's other request covers it: never a service.
    DUPLICATE = "duplicate"


class Role(StrEnum):
    RESIDENT = "resident"
    INSTRUCTOR = "instructor"
    STAFF = "staff"
    ADMIN = "admin"


CLOSED = frozenset({Status.COMPLETED, Status.DECLINED, Status.CANCELLED, Status.DUPLICATE})
OPEN = frozenset(set(Status) - CLOSED)
# Waiting for the office: a person must look at these.
AWAITING_TRIAGE = frozenset({Status.SUBMITTED, Status.NEEDS_INFO})
# In a workshop group's hands.
JOB = frozenset({Status.ACCEPTED, Status.SCHEDULED, Status.IN_PROGRESS, Status.READY})
COUNTED = frozenset({Status.COMPLETED})

_OFFICE = frozenset({Role.STAFF, Role.ADMIN})
_WORKSHOP = frozenset({Role.STAFF, Role.ADMIN, Role.INSTRUCTOR})
_OFFICE_AND_RESIDENT = frozenset({Role.STAFF, Role.ADMIN, Role.RESIDENT})

# (from, to) -> roles that may make the move.
TRANSITIONS: dict[tuple[Status, Status], frozenset[Role]] = {
    (Status.SUBMITTED, Status.NEEDS_INFO): _OFFICE,
    (Status.SUBMITTED, Status.ACCEPTED): _OFFICE,
    (Status.SUBMITTED, Status.DECLINED): _OFFICE,
    (Status.SUBMITTED, Status.CANCELLED): _OFFICE_AND_RESIDENT,
    # The office resumes checking; or the resident answers its question online.
    (Status.NEEDS_INFO, Status.SUBMITTED): _OFFICE_AND_RESIDENT,
    (Status.NEEDS_INFO, Status.ACCEPTED): _OFFICE,
    (Status.NEEDS_INFO, Status.DECLINED): _OFFICE,
    (Status.NEEDS_INFO, Status.CANCELLED): _OFFICE_AND_RESIDENT,
    (Status.ACCEPTED, Status.SCHEDULED): _WORKSHOP,
    (Status.ACCEPTED, Status.IN_PROGRESS): _WORKSHOP,
    (Status.ACCEPTED, Status.DECLINED): _OFFICE,
    (Status.ACCEPTED, Status.CANCELLED): _OFFICE_AND_RESIDENT,
    (Status.SCHEDULED, Status.IN_PROGRESS): _WORKSHOP,
    (Status.SCHEDULED, Status.DECLINED): _OFFICE,
    (Status.SCHEDULED, Status.CANCELLED): _OFFICE_AND_RESIDENT,
    (Status.IN_PROGRESS, Status.READY): _WORKSHOP,
    (Status.IN_PROGRESS, Status.COMPLETED): _WORKSHOP,
    (Status.IN_PROGRESS, Status.CANCELLED): _OFFICE,
    (Status.READY, Status.IN_PROGRESS): _WORKSHOP,
    (Status.READY, Status.COMPLETED): _WORKSHOP,
    (Status.READY, Status.CANCELLED): _OFFICE,
    # The same person asked twice: the office joins this request to the other one, until
    # the work on it has started.
    (Status.SUBMITTED, Status.DUPLICATE): _OFFICE,
    (Status.NEEDS_INFO, Status.DUPLICATE): _OFFICE,
    (Status.ACCEPTED, Status.DUPLICATE): _OFFICE,
    (Status.SCHEDULED, Status.DUPLICATE): _OFFICE,
}


class Requirement(StrEnum):
    """What a move must carry with it."""

    GROUP = "group"  # the workshop group that takes the job
    REASON = "reason"  # shown to the resident
    QUESTION = "question"  # what information is missing, shown to the resident
    DATE = "date"  # drop-off or visit date
    OUTCOME = "outcome"  # completion date, outcome and what was done
    DUPLICATE_OF = "duplicate_of"  # the other request of the same person, which stays


REQUIREMENTS: dict[Status, frozenset[Requirement]] = {
    Status.ACCEPTED: frozenset({Requirement.GROUP}),
    Status.DECLINED: frozenset({Requirement.REASON}),
    Status.NEEDS_INFO: frozenset({Requirement.QUESTION}),
    Status.SCHEDULED: frozenset({Requirement.DATE}),
    Status.COMPLETED: frozenset({Requirement.OUTCOME}),
    Status.DUPLICATE: frozenset({Requirement.DUPLICATE_OF}),
}


class LifecycleError(DomainError):
    """A move the workflow does not allow."""


class TransitionNotAllowed(LifecycleError):
    def __init__(self, current: Status, target: Status, role: Role):
        super().__init__(N_("This move is not possible for this request now."))
        self.current = current
        self.target = target
        self.role = role


class MissingRequirement(LifecycleError):
    """The move lacks what it must carry; the message and field name the first thing missing."""

    def __init__(self, target: Status, missing: frozenset[Requirement]):
        first = sorted(missing)[0]
        super().__init__(REQUIREMENT_MESSAGES[first], field=REQUIREMENT_FIELDS[first])
        self.target = target
        self.missing = missing


# What a person is told when a move lacks a requirement, and the name of the value that
# carries it, the same in the services' arguments and the forms' fields.
REQUIREMENT_MESSAGES = {
    Requirement.GROUP: N_("Choose the workshop group that takes the job."),
    Requirement.REASON: N_("Write the reason; the resident will see it."),
    Requirement.QUESTION: N_("Write what information is missing; the resident will see it."),
    Requirement.DATE: N_("Give the date."),
    Requirement.OUTCOME: N_("Give the completion date and the outcome."),
    Requirement.DUPLICATE_OF: N_("Give the number of the request this one repeats."),
}
REQUIREMENT_FIELDS = {
    Requirement.GROUP: "group_id",
    Requirement.REASON: "note",
    Requirement.QUESTION: "note",
    Requirement.DATE: "scheduled_for",
    Requirement.OUTCOME: "completed_on",
    Requirement.DUPLICATE_OF: "duplicate_of",
}


@dataclass(frozen=True)
class Move:
    current: Status
    target: Status


def is_allowed(current: Status, target: Status, role: Role) -> bool:
    """Tell whether role may move a request from current to target."""
    return role in TRANSITIONS.get((Status(current), Status(target)), frozenset())


def allowed_targets(current: Status, role: Role) -> list[Status]:
    """List the statuses role may move a request in current to, in lifecycle order."""
    current = Status(current)
    return [target for target in Status if is_allowed(current, target, role)]


def check_move(
    current: Status,
    target: Status,
    role: Role,
    provided: set[Requirement] | frozenset = frozenset(),
) -> Move:
    """Return the move if role may make it with what is provided, else raise a LifecycleError."""
    current, target = Status(current), Status(target)
    if not is_allowed(current, target, role):
        raise TransitionNotAllowed(current, target, role)
    missing = REQUIREMENTS.get(target, frozenset()) - set(provided)
    if missing:
        raise MissingRequirement(target, frozenset(missing))
    return Move(current, target)


def resident_can_cancel(current: Status) -> bool:
    """Tell whether the resident may still cancel through the private link."""
    return is_allowed(current, Status.CANCELLED, Role.RESIDENT)


def resident_can_answer(current: Status) -> bool:
    """Tell whether the office is waiting for the resident's answer, which sends it back."""
    return Status(current) == Status.NEEDS_INFO and is_allowed(
        current, Status.SUBMITTED, Role.RESIDENT
    )


def is_open(status: Status) -> bool:
    return Status(status) in OPEN


# The statuses a job is completed from, and the two ways a request closes with no service.
COMPLETABLE = frozenset(current for current, target in TRANSITIONS if target == Status.COMPLETED)
CLOSED_WITHOUT_SERVICE = frozenset({Status.DECLINED, Status.CANCELLED, Status.DUPLICATE})


def next_board_move(status: Status, *, home_visit: bool) -> Status | None:
    """The one-tap move on a workshop board card, or None; completion has a form of its own.

    A job waiting for its start is started; a workshop item being worked on goes on the
    pick-up shelf. A home visit has no shelf: it goes from the work straight to completion.
    """
    status = Status(status)
    if status in (Status.ACCEPTED, Status.SCHEDULED):
        return Status.IN_PROGRESS
    if status == Status.IN_PROGRESS and not home_visit:
        return Status.READY
    return None


# A board move taken back by the person who made it, soon after: a tap on the wrong card
# must not cost a phone call. The resident's message about the move waits this long, so an
# undone move is never told.
UNDOABLE_BOARD_MOVES = frozenset(
    {
        (Status.ACCEPTED, Status.IN_PROGRESS),
        (Status.SCHEDULED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.READY),
        (Status.READY, Status.IN_PROGRESS),
    }
)
UNDO_MINUTES = 10


def may_change_record(status: Status, role: Role) -> bool:
    """Tell whether role may correct what is recorded about a request in status.

    Anyone with the right to edit may while the request is open; once it is closed, only
    an administrator, so that the totals reported for a past period stay as reported.
    """
    return Status(status) in OPEN or Role(role) == Role.ADMIN
