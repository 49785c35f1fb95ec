"""Which phone numbers can take a text message, written as the gateways want them (E.164).

A nine-digit number is Polish (+48): mobile numbers begin with one of the ranges the
national numbering plan gives to mobile networks; the others (77 for Opole, 22 for
Warsaw, ...) are landlines, which cannot receive a text. A number typed with a country
code other than +48 is taken as given, except a Ukrainian one (+380), whose mobile
codes are known as well; the gateway refuses one that turns out not to be a mobile.
"""

from __future__ import annotations

import re

from ..domain.phones import phone_digits

# The mobile ranges of the Polish numbering plan (the first two digits of nine).
POLISH_MOBILE = frozenset("45 50 51 53 57 60 66 69 72 73 78 79 88".split())
# Ukraine's mobile operator codes (the two digits after +380).
UKRAINIAN_MOBILE = frozenset("39 50 63 66 67 68 73 89 91 92 93 94 95 96 97 98 99".split())


def mobile_number(phone: str | None) -> str | None:
    """Return the number in E.164 (+48600123456) if it can be a mobile, else None."""
    digits = phone_digits(phone or "")
    if digits is None:
        return None
    typed = re.sub(r"\D", "", phone or "")
    international = (phone or "").strip().startswith("+") or typed.startswith("00")
    if not international or (typed.lstrip("0").startswith("48") and len(digits) == 9):
        return f"+48{digits}" if digits[:2] in POLISH_MOBILE else None
    if digits.startswith("380"):
        return f"+{digits}" if len(digits) == 12 and digits[3:5] in UKRAINIAN_MOBILE else None
    return f"+{digits}" if not digits.startswith("0") else None
