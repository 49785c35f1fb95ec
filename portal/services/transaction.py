"""How a use case ends: committed once by the service, or rolled back before its error leaves.

A view never rolls back: when a service refuses (`DomainError`) or finds the record
changed by someone else (`StaleEdit`, also when the database says so at the commit), the
session is already clean when the error reaches the caller.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.orm.exc import StaleDataError

from ..domain.errors import DomainError, StaleEdit
from ..extensions import db

P = ParamSpec("P")
R = TypeVar("R")


def use_case(service: Callable[P, R]) -> Callable[P, R]:
    """Roll back the service's work when it refuses or fails; report a lost race as StaleEdit."""

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(*args, **kwargs)
        except StaleDataError:
            db.session.rollback()
            raise StaleEdit() from None
        except (DomainError, StaleEdit):
            db.session.rollback()
            raise

    return run


def flushed_at_commit(service: Callable[P, R]) -> Callable[P, R]:
    """A use case that changes loaded objects and flushes them only when it commits."""

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with db.session.no_autoflush:
            return service(*args, **kwargs)

    return use_case(run)
