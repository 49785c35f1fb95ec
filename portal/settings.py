"""The institution's settings: loaded from a TOML file into the database."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Boolean, Date, func, select

from .domain import replies
from .domain.replies import Situation
from .extensions import db
from .models import (
    BaselineTotal,
    Institution,
    ReplyTemplate,
    RequesterKind,
    ServiceCategory,
    WorkshopGroup,
)

DEMO_FILE = Path(__file__).parent / "demo" / "opole.toml"


def load_institution(path: Path | str) -> Institution:
    """Create or update the institution, its categories and groups; add past totals once."""
    with open(path, "rb") as handle:
        data = tomllib.load(handle)

    institution = db.session.scalars(select(Institution)).first() or Institution()
    for key, value in data["institution"].items():
        if key in _MOVED_SETTINGS:
            raise ValueError(_MOVED_SETTINGS[key])
        if not hasattr(Institution, key):
            raise ValueError(f"unknown institution setting: {key}")
        setattr(institution, key, _institution_value(key, value))
    db.session.add(institution)

    categories = {c.code: c for c in db.session.scalars(select(ServiceCategory))}
    for position, entry in enumerate(data.get("categories", [])):
        category = categories.get(entry["code"]) or ServiceCategory(code=entry["code"])
        for key, value in entry.items():
            setattr(category, key, value)
        category.position = position
        categories[category.code] = category
        db.session.add(category)

    groups = {g.name: g for g in db.session.scalars(select(WorkshopGroup))}
    for entry in data.get("groups", []):
        group = groups.get(entry["name"]) or WorkshopGroup(name=entry["name"])
        group.category = categories[entry["category"]]
        group.location = entry.get("location", "")
        group.opening_hours = entry.get("opening_hours", "")
        db.session.add(group)

    # Past totals are entered once: loading the file again must not count them twice,
    # and rows the administrator has corrected since stay as they are.
    has_baseline = db.session.scalar(select(func.count()).select_from(BaselineTotal))
    if data.get("baseline") and not has_baseline:
        for entry in data["baseline"]:
            db.session.add(_baseline_row(entry, categories))

    # Ready texts for residents are a starting set, added once: afterwards they are the
    # administrator's, kept in the back office.
    has_replies = db.session.scalar(select(func.count()).select_from(ReplyTemplate))
    if data.get("replies") and not has_replies:
        for entry in data["replies"]:
            db.session.add(_reply_template(entry, categories))

    db.session.commit()
    return institution


_REPLY_KEYS = {"situation", "category", "title", "body"}


def _reply_template(entry: dict, categories: dict[str, ServiceCategory]) -> ReplyTemplate:
    unknown = set(entry) - _REPLY_KEYS
    if unknown:
        raise ValueError(f"unknown replies setting: {', '.join(sorted(unknown))}")
    if entry.get("situation") not in {s.value for s in Situation}:
        raise ValueError(
            f"a reply's situation must be one of: {', '.join(s.value for s in Situation)}"
        )
    code = entry.get("category")
    if code is not None and code not in categories:
        raise ValueError(f"a reply names an unknown category: {code}")
    body = entry.get("body", "").strip()
    if not entry.get("title") or not body:
        raise ValueError("a reply needs a title and a body")
    unknown_names = replies.unknown_placeholders(body)
    if unknown_names:
        raise ValueError(f"a reply uses unknown placeholders: {', '.join(unknown_names)}")
    return ReplyTemplate(
        situation=Situation(entry["situation"]),
        category=categories[code] if code is not None else None,
        title=entry["title"],
        body=body,
    )


# Settings of older versions, and where their content belongs now.
_MOVED_SETTINGS = {
    "opening_hours": "opening_hours is now office_hours (the office's own hours); put each "
    "workshop's hours in its group's opening_hours",
    "workshop_address": "workshop_address is now each group's location",
}

ACCESSIBILITY_STATUSES = {"full", "partial", "none"}


def _institution_value(key: str, value):
    """Check a setting whose meaning the code relies on; pass the others through."""
    column = Institution.__table__.columns.get(key)
    if column is not None and isinstance(column.type, Date):
        # TOML writes a date as 2026-03-31 (a date); a quoted "2026-03-31" is read too.
        if isinstance(value, datetime):
            raise ValueError(f"{key} must be a date without a time, e.g. 2026-03-31")
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{key} must be a date, e.g. 2026-03-31, not {value!r}") from None
        if not isinstance(value, date):
            raise ValueError(f"{key} must be a date, e.g. 2026-03-31")
    if column is not None and isinstance(column.type, Boolean) and not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false")
    if key == "accessibility_status" and value not in ACCESSIBILITY_STATUSES:
        raise ValueError(
            f"accessibility_status must be one of: {', '.join(sorted(ACCESSIBILITY_STATUSES))}"
        )
    if key == "retention_months" and (
        not isinstance(value, int) or isinstance(value, bool) or value < 1
    ):
        raise ValueError("retention_months must be a whole number of months, 1 or more")
    return value


_BASELINE_KEYS = {"starts_on", "ends_on", "category", "requester_kind", "services", "note"}


def _baseline_row(entry: dict, categories: dict[str, ServiceCategory]) -> BaselineTotal:
    unknown = set(entry) - _BASELINE_KEYS
    if unknown:
        raise ValueError(f"unknown baseline setting: {', '.join(sorted(unknown))}")
    starts_on, ends_on = entry["starts_on"], entry["ends_on"]
    if not (isinstance(starts_on, date) and isinstance(ends_on, date)) or ends_on < starts_on:
        raise ValueError(f"baseline period must be two dates in order: {starts_on} – {ends_on}")
    code, kind = entry.get("category"), entry.get("requester_kind")
    if code is not None and code not in categories:
        raise ValueError(f"baseline names an unknown category: {code}")
    if code is None and kind is None:
        raise ValueError("a baseline row needs a category, a requester kind or both")
    services = int(entry["services"])
    if services < 0:
        raise ValueError("baseline services cannot be negative")
    return BaselineTotal(
        starts_on=starts_on,
        ends_on=ends_on,
        category=categories[code] if code is not None else None,
        requester_kind=RequesterKind(kind) if kind is not None else None,
        services=services,
        note=entry.get("note", ""),
    )
