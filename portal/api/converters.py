"""The URL form of a request's reference number, which holds slashes (ZG/2026/0012).

A path segment cannot hold a slash, so the documented form puts hyphens in their place,
/requests/ZG-2026-0012.json; the reference URL-encoded (ZG%2F2026%2F0012), which servers
decode to slashes before routing, is accepted too. Either way the view gets the hyphenated
form, upper-case: a short, URL-safe segment like every other the portal's routes take.
"""

from __future__ import annotations

from werkzeug.routing import BaseConverter


class ReferenceConverter(BaseConverter):
    """`<reference:...>`: a reference with hyphens or slashes, given to the view hyphenated."""

    regex = r"[A-Za-z]{1,8}[-/][0-9]{4}[-/][0-9]{1,6}"
    # The regex may match slashes, so the rule cannot be matched one segment at a time.
    part_isolating = False

    def to_python(self, value: str) -> str:
        return value.replace("/", "-").upper()

    def to_url(self, value: str) -> str:
        return value.replace("/", "-")


def reference_of(segment: str) -> str:
    """The stored reference (ZG/2026/0012) a URL segment (ZG-2026-0012) names."""
    return segment.replace("-", "/")
