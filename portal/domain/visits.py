"""The hours of an arranged date: a time window as staff type it, read and written one way.

Staff type "10:00–12:00", "10-12", "10.00 - 12.30" or a single "9:30"; the portal keeps
"10:00–12:00" (or "9:30"), so residents read one form and the crew's day list can put the
visits in order.
"""

from __future__ import annotations

import re
from datetime import time

from .errors import N_, DomainError

_PART = r"(\d{1,2})(?:[:.](\d{2}))?"
_WINDOW = re.compile(rf"^\s*{_PART}\s*(?:[-–—]|do)\s*{_PART}\s*$")
_SINGLE = re.compile(rf"^\s*(?:od\s+|ok\.\s*|około\s+)?{_PART}\s*$")

BAD_WINDOW = N_("Write the hours as 10:00–12:00, or one hour as 9:30.")


def _time(hours: str, minutes: str | None) -> time:
    value = (int(hours), int(minutes or 0))
    if not (0 <= value[0] <= 23 and 0 <= value[1] <= 59):
        raise DomainError(BAD_WINDOW, field="scheduled_time")
    return time(*value)


def parse_window(text: str) -> tuple[time, time | None] | None:
    """The start and end of the hours typed (end None for one hour); None when empty.

    Raises DomainError at the hours' field for anything else, or an end before the start.
    """
    text = (text or "").strip()
    if not text:
        return None
    window = _WINDOW.match(text)
    if window:
        start, end = _time(*window.group(1, 2)), _time(*window.group(3, 4))
        if end <= start:
            raise DomainError(
                N_("The end of the hours must come after their start."), field="scheduled_time"
            )
        return start, end
    single = _SINGLE.match(text)
    if single:
        return _time(*single.group(1, 2)), None
    raise DomainError(BAD_WINDOW, field="scheduled_time")


def window_text(window: tuple[time, time | None] | None) -> str:
    """The hours as residents and the crew read them: 10:00–12:00, or 9:30."""
    if window is None:
        return ""
    start, end = window
    first = f"{start.hour}:{start.minute:02d}"
    return f"{first}–{end.hour}:{end.minute:02d}" if end else first


def normalised(text: str) -> str:
    """The typed hours written the one way, or DomainError at the field."""
    return window_text(parse_window(text))


def start_of(text: str) -> time | None:
    """The start of stored hours, for putting a day's visits in order (None: no hours)."""
    try:
        window = parse_window(text)
    except DomainError:
        return None
    return window[0] if window else None
