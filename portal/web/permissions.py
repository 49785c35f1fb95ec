"""Permissions at the door of each view: a decorator and a refusal the security log sees.

The role table and the object checks are the domain's (`domain/permissions.py`); they are
imported here so that a view finds everything about permissions in one import.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, g
from flask_login import current_user

from ..domain.permissions import (  # noqa: F401  (one import for the views)
    ROLE_PERMISSIONS,
    Permission,
    can_see_eligibility,
    can_view_request,
    has_permission,
    sees_all_requests,
)


def deny(permission: Permission | None = None):
    """Refuse with 403; the back office's 403 handler writes it to the security log."""
    g.denied_permission = permission
    abort(403)


def require_permission(permission: Permission) -> Callable:
    """Let only users whose role carries permission into the view; the gate reads it too."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not has_permission(current_user, permission):
                deny(permission)
            return view(*args, **kwargs)

        guarded.required_permission = permission
        return guarded

    return decorate


def can_open(endpoint: str) -> bool:
    """Tell whether the logged-in user may open the view at endpoint (navigation uses it)."""
    view = current_app.view_functions.get(endpoint)
    needed = getattr(view, "required_permission", None)
    return needed is None or has_permission(current_user, needed)
