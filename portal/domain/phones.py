"""Phone numbers as people type them, and the digits we compare them by."""

from __future__ import annotations

import re

_ALLOWED = re.compile(r"^[+\d(][\d\s\-().]*$")


def phone_digits(text: str) -> str | None:
    """Return the comparable digits of a phone number (+48 and leading zeros dropped), or None."""
    text = (text or "").strip()
    if not text or not _ALLOWED.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        if digits.startswith("48") and len(digits) == 11:
            return digits[2:]
        return digits if 8 <= len(digits) <= 15 else None
    if digits.startswith("0048") and len(digits) == 13:
        return digits[4:]
    if digits.startswith("48") and len(digits) == 11:
        return digits[2:]
    if digits.startswith("0") and len(digits) == 10:
        # Old long-distance prefix: 0 77 000 00 00.
        digits = digits[1:]
    return digits if len(digits) == 9 else None
