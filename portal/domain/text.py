"""Plain text as people type and paste it."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control_characters(value):
    """Drop control characters (but tabs and line breaks) from a string; pass others through."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    return value
