"""How many segments (billed parts) a text message takes, counted as the networks count.

A message whose every character is in the GSM 03.38 default alphabet travels in 7-bit
septets: 160 fit one message, and a longer one is split into parts of 153 (the other
seven carry the header that joins them). The characters of the extension table (€ [ ] { }
^ ~ | \\ and form feed) take two septets, an escape and the character, and a part never
ends between the two. Any other character (Polish ą ć ę ł ń ó ś ź ż, Ukrainian Cyrillic,
the en dash) sends the whole message in UCS-2: 70 UTF-16 code units fit one message and
67 each part, and a character outside the Basic Multilingual Plane (two units, a
surrogate pair) is never split between parts either.

Pure functions of the text: no Flask, no database.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

# The default alphabet, in the order of its table (0x1B, the escape, is left out: it is
# no character of a text, only the way to the extension table).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


class Encoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


class Count(NamedTuple):
    """A text's encoding, its length in that encoding's units, and its segments."""

    encoding: Encoding
    units: int
    segments: int


def encoding(text: str) -> Encoding:
    """Return GSM7 when every character is in the default alphabet or its extension."""
    allowed = GSM_BASIC | GSM_EXTENSION
    return Encoding.GSM7 if all(char in allowed for char in text) else Encoding.UCS2


def count(text: str) -> Count:
    """Count a text's units and segments; an empty text still takes one segment."""
    if encoding(text) == Encoding.GSM7:
        sizes = [2 if char in GSM_EXTENSION else 1 for char in text]
        return Count(Encoding.GSM7, sum(sizes), _segments(sizes, GSM_SINGLE, GSM_PART))
    sizes = [2 if ord(char) > 0xFFFF else 1 for char in text]
    return Count(Encoding.UCS2, sum(sizes), _segments(sizes, UCS2_SINGLE, UCS2_PART))


def segments(text: str) -> int:
    """Return how many segments the text takes."""
    return count(text).segments


def _segments(sizes: list[int], single: int, part: int) -> int:
    if sum(sizes) <= single:
        return 1
    parts, used = 1, 0
    for size in sizes:
        # A two-unit character (an escape and its character, a surrogate pair) that would
        # not fit whole opens the next part.
        if used + size > part:
            parts, used = parts + 1, 0
        used += size
    return parts
