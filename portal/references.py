"""Reference numbers: short, readable, quotable on the phone (e.g. KR/2026/0042)."""

from __future__ import annotations

import re

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .models import ReferenceCounter

_PATTERN = re.compile(
    r"^\s*(?:([A-Za-z]{1,8})\s*[/\\\-\s.]\s*)?(\d{4})\s*[/\\\-\s.]\s*(\d{1,6})\s*$"
)


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}/{year}/{number:04d}"


def parse_reference(text: str, prefix: str) -> str | None:
    """Read a reference as a person types it (kr 2026 42, 2026/0042) into its canonical form."""
    match = _PATTERN.match(text or "")
    if not match:
        return None
    typed_prefix, year, number = match.groups()
    if typed_prefix and typed_prefix.upper() != prefix.upper():
        return None
    return format_reference(prefix, int(year), int(number))


def next_number(year: int) -> int:
    """Take the next number of the year inside the caller's transaction."""
    for _ in range(2):
        taken = db.session.execute(
            update(ReferenceCounter)
            .where(ReferenceCounter.year == year)
            .values(last=ReferenceCounter.last + 1)
            .returning(ReferenceCounter.last)
        ).scalar_one_or_none()
        if taken is not None:
            return taken
        try:
            with db.session.begin_nested():
                db.session.execute(insert(ReferenceCounter).values(year=year, last=0))
        except IntegrityError:
            pass  # another transaction created the year's counter first
    raise RuntimeError("could not allocate a reference number")


def current_last(year: int) -> int:
    return (
        db.session.scalar(select(ReferenceCounter.last).where(ReferenceCounter.year == year)) or 0
    )
