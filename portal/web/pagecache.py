"""Pages that are the same for every visitor, rendered once for as long as the settings hold.

The blank request form and the home page show the institution's settings and its
services and nothing about the visitor but the form token (and, on the form, a key
that makes a double submission count once). Each worker renders such a page once per
version of those settings (a fingerprint of the rows, read on every request anyway) and
hands every visitor a copy with their own token and fresh keys put in.
A page with a message waiting to be shown (a flash) is always rendered afresh.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Sequence

from flask import g, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

_SALT = secrets.token_hex(12)
_PLACEHOLDER = f"csrf-{_SALT}"
_pages: dict[tuple, str] = {}
# Keys can change without the settings changing (the form's waiting estimates): start over
# past this many pages, so a worker running for months does not keep every one it made.
MAX_PAGES = 200
_version: tuple | None = None
_remembered: dict[str, tuple[float, object]] = {}


def settings_version(institution, categories: Sequence) -> tuple:
    """A fingerprint of every value the cached pages can show."""
    return (
        _row(institution) if institution is not None else (),
        tuple(
            (_row(category), tuple(_row(group) for group in category.groups))
            for category in categories
        ),
    )


def _row(record) -> tuple:
    """A row's values, the JSON ones (texts in other languages, questions) written out."""
    return tuple(
        json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value
        for value in (getattr(record, column.key) for column in record.__table__.columns)
    )


def placeholder(name: str) -> str:
    """A stand-in for a value each visitor gets fresh; `cached_page(fresh=...)` fills it."""
    return f"{name}-{_SALT}"


def cached_page(
    version: tuple,
    key: tuple,
    render: Callable[[], str],
    fresh: dict[str, Callable[[], str]] | None = None,
) -> str:
    """Return the page render makes, rendered once per settings version, locale and key.

    fresh names the placeholders render put in and how to make each visitor's value.
    """
    global _version
    if session.get("_flashes"):
        return render()
    if version != _version or len(_pages) >= MAX_PAGES:
        _pages.clear()
        _version = version
    full_key = (str(get_locale()), *key)
    page = _pages.get(full_key)
    if page is None:
        page = _render_with_placeholder(render)
        _pages[full_key] = page
    page = page.replace(_PLACEHOLDER, generate_csrf())
    for name, make in (fresh or {}).items():
        page = page.replace(placeholder(name), make())
    return page


def _render_with_placeholder(render: Callable[[], str]) -> str:
    """Render with a stand-in for the visitor's CSRF token, so the copy fits anyone."""
    had_token = "csrf_token" in g
    real = g.pop("csrf_token", None)
    g.csrf_token = _PLACEHOLDER
    try:
        return render()
    finally:
        g.pop("csrf_token", None)
        if had_token:
            g.csrf_token = real


def remembered(name: str, seconds: float, compute: Callable[[], object]):
    """compute()'s value, kept by this worker for `seconds` (0: computed every time).

    For figures that change slowly and cost a count to make, such as the waiting estimates
    the blank form shows for every visitor.
    """
    now = time.monotonic()
    kept = _remembered.get(name)
    if seconds > 0 and kept is not None and now - kept[0] < seconds:
        return kept[1]
    value = compute()
    if seconds > 0:
        _remembered[name] = (now, value)
    return value
