"""Who may do what: one table from role to permissions, and checks on single objects.

Plain Python over anything with the attributes used (`role`, `group_ids`,
`is_authenticated`; a request's `group_id`, `status`, `closed_at`), so the views, the
templates (navigation is built from it), the queries and the tests ask the same place.
"""

from __future__ import annotations

from enum import StrEnum

from .lifecycle import JOB, Role


class Permission(StrEnum):
    VIEW_QUEUE = "view_queue"
    VIEW_REQUEST = "view_request"
    MOVE_REQUEST = "move_request"
    TRIAGE = "triage"
    EDIT_REQUEST = "edit_request"
    ADD_NOTE = "add_note"
    INTAKE = "intake"
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_GROUPS = "manage_groups"
    OWN_ACCOUNT = "own_account"
    VIEW_REPORTS = "view_reports"
    MANAGE_BASELINE = "manage_baseline"
    VIEW_BOARD = "view_board"
    LOG_WORK = "log_work"
    CORRECT_COMPLETION = "correct_completion"
    MANAGE_PROGRAMME = "manage_programme"
    MANAGE_OUTBOX = "manage_outbox"
    MANAGE_SECURITY = "manage_security"
    EXPORT_PERSONAL_DATA = "export_personal_data"
    ERASE_PERSONAL_DATA = "erase_personal_data"
    VIEW_AUDIT = "view_audit"
    RECORD_FEEDBACK = "record_feedback"
    MANAGE_REPLIES = "manage_replies"
    MANAGE_API_KEYS = "manage_api_keys"


_INSTRUCTOR = {
    Permission.VIEW_QUEUE,
    Permission.VIEW_REQUEST,
    Permission.MOVE_REQUEST,
    Permission.ADD_NOTE,
    Permission.OWN_ACCOUNT,
    Permission.VIEW_BOARD,
    Permission.LOG_WORK,
}
_STAFF = _INSTRUCTOR | {
    Permission.TRIAGE,
    Permission.EDIT_REQUEST,
    Permission.INTAKE,
    Permission.VIEW_REPORTS,
    # Answering a resident's request for a copy of their data is office work.
    Permission.EXPORT_PERSONAL_DATA,
    # Writing down a resident's satisfaction answers given by phone or on paper.
    Permission.RECORD_FEEDBACK,
}
_ADMIN = _STAFF | {
    Permission.CORRECT_COMPLETION,
    Permission.MANAGE_PROGRAMME,
    Permission.MANAGE_OUTBOX,
    Permission.MANAGE_ACCOUNTS,
    Permission.MANAGE_GROUPS,
    Permission.MANAGE_BASELINE,
    Permission.MANAGE_SECURITY,
    # Erasure cannot be undone and carries the controller's decision: the fewer accounts that
    # can do it, the less a mistaken click or a stolen staff login can destroy.
    Permission.ERASE_PERSONAL_DATA,
    Permission.VIEW_AUDIT,
    # The texts staff start from when they write to residents.
    Permission.MANAGE_REPLIES,
    # Partner institutions' keys to send requests through the API.
    Permission.MANAGE_API_KEYS,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.INSTRUCTOR: frozenset(_INSTRUCTOR),
    Role.STAFF: frozenset(_STAFF),
    Role.ADMIN: frozenset(_ADMIN),
    Role.RESIDENT: frozenset(),
}


def has_permission(user, permission: Permission) -> bool:
    """Tell whether user is logged in with a role that carries permission."""
    return bool(getattr(user, "is_authenticated", False)) and permission in ROLE_PERMISSIONS.get(
        user.role, frozenset()
    )


def sees_all_requests(user) -> bool:
    return user.role in (Role.STAFF, Role.ADMIN)


def can_view_request(user, request) -> bool:
    """Staff see every request; instructors only the jobs of their own groups."""
    if not has_permission(user, Permission.VIEW_REQUEST):
        return False
    if sees_all_requests(user):
        return True
    return (
        request.group_id is not None
        and request.group_id in user.group_ids
        and (request.status in JOB or request.closed_at is not None)
    )


def can_see_eligibility(user) -> bool:
    """Whether a person receives social assistance is for the office, not the workshop."""
    return sees_all_requests(user)
