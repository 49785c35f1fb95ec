"""Who does something: a role, and the person when there is one behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .lifecycle import Role


class Person(Protocol):
    """A staff account as the domain sees it."""

    id: int
    role: Role


@dataclass(frozen=True)
class Actor:
    role: Role
    user: Person | None = None

    @classmethod
    def resident(cls) -> Actor:
        """A resident acting through the private link, without an account."""
        return cls(Role.RESIDENT)

    @classmethod
    def of(cls, user: Person) -> Actor:
        """The logged-in staff member or instructor."""
        return cls(Role(user.role), user)

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None
