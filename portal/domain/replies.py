"""Reply templates: the situations they are for, their placeholders, and how they are filled.

An administrator keeps short texts per situation (asking for information, declining,
arranging a date, ready for pick-up, could not be done), each for every service or for
one. A text may hold placeholders in braces, e.g. "{data}", filled from the request and
the institution. Staff pick a text, which arrives with what is known filled in; what
the move itself brings (the date being arranged) is filled when it is saved. A
placeholder still without a value at that point is refused rather than sent: a resident
must never read "{godziny}".
"""

from __future__ import annotations

import re
from enum import StrEnum

from .errors import N_


class Situation(StrEnum):
    NEEDS_INFO = "needs_info"
    DECLINED = "declined"
    SCHEDULED = "scheduled"
    READY = "ready"
    NOT_DONE = "not_done"


# Each placeholder, and what it stands for (as the administrator reads it).
PLACEHOLDERS: dict[str, str] = {
    "numer": N_("the request's number"),
    "usluga": N_("the service"),
    "data": N_("the arranged day, e.g. Tuesday, 3 December 2026"),
    "godziny": N_("the arranged hours, e.g. 10:00–12:00"),
    "adres_pracowni": N_("the workshop's address"),
    "godziny_pracowni": N_("the workshop's opening hours"),
    "placowka": N_("the club's name"),
    "telefon": N_("the club's phone number"),
    "godziny_telefonu": N_("when the phone is answered"),
    "adres_biura": N_("the office's address"),
    "godziny_biura": N_("the office's hours"),
}

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def placeholders_in(text: str) -> list[str]:
    """The names in braces in text, in order, each once."""
    seen: list[str] = []
    for name in _PLACEHOLDER.findall(text or ""):
        if name not in seen:
            seen.append(name)
    return seen


def unknown_placeholders(text: str) -> list[str]:
    """Names in braces that are no placeholder: a typing mistake in a template."""
    return [name for name in placeholders_in(text) if name not in PLACEHOLDERS]


def fill(text: str, values: dict[str, str]) -> str:
    """Put each known placeholder's value in text; one without a value stays as it is."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        found = values.get(name) if name in PLACEHOLDERS else None
        return found if found else match.group(0)

    return _PLACEHOLDER.sub(value, text or "")


def unfilled(text: str) -> list[str]:
    """The known placeholders still in text: what has no value yet."""
    return [name for name in placeholders_in(text) if name in PLACEHOLDERS]
