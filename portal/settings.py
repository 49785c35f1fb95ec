"""The institution's settings: loaded from a TOML file into the database."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Boolean, Date, func, select

from .domain import indicators, languages, questions, replies
from .domain.replies import Situation
from .extensions import db
from .models import (
    BaselineTotal,
    Indicator,
    IndicatorValue,
    Institution,
    NotDoneReason,
    ProgrammeBaseline,
    Project,
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
    institution.texts = languages.texts_of(
        data["institution"], languages.INSTITUTION_TEXTS, "institution"
    )
    for key, value in data["institution"].items():
        if key in languages.LANGUAGES:
            continue
        if key in _MOVED_SETTINGS:
            raise ValueError(_MOVED_SETTINGS[key])
        if not hasattr(Institution, key):
            raise ValueError(f"unknown institution setting: {key}")
        setattr(institution, key, _institution_value(key, value))
    db.session.add(institution)

    categories = {c.code: c for c in db.session.scalars(select(ServiceCategory))}
    for position, entry in enumerate(data.get("categories", [])):
        category = categories.get(entry["code"]) or ServiceCategory(code=entry["code"])
        category.texts = languages.texts_of(entry, languages.CATEGORY_TEXTS, "categories")
        category.questions = questions.parse(entry.get("questions"), languages.LANGUAGES) or None
        for key, value in entry.items():
            if key in languages.LANGUAGES or key == "questions":
                continue
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
        group.texts = languages.texts_of(entry, languages.GROUP_TEXTS, "groups")
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

    _add_once(ProgrammeBaseline, data.get("programme_baseline"), _programme_baseline_row)
    _add_once(NotDoneReason, data.get("not_done_reasons"), _not_done_reason)
    _add_once(Project, data.get("projects"), _project)
    _add_once(Indicator, data.get("indicators"), _indicator)

    db.session.commit()
    return institution


def _add_once(model, entries: list | None, make) -> None:
    """Add a starting set into an empty table: afterwards the rows are the administrator's."""
    if not entries or db.session.scalar(select(func.count()).select_from(model)):
        return
    for position, entry in enumerate(entries):
        db.session.add(make(entry, position))


def _checked_keys(entry: dict, allowed: set[str], name: str) -> None:
    if not isinstance(entry, dict):
        raise ValueError(f"each {name} entry must be a table of settings")
    unknown = set(entry) - allowed
    if unknown:
        raise ValueError(f"unknown {name} setting: {', '.join(sorted(unknown))}")


def _period(entry: dict, name: str, *, required: bool = True) -> tuple[date | None, date | None]:
    starts_on, ends_on = entry.get("starts_on"), entry.get("ends_on")
    if not required and starts_on is None and ends_on is None:
        return None, None
    if not (isinstance(starts_on, date) and isinstance(ends_on, date)) or ends_on < starts_on:
        raise ValueError(f"{name} period must be two dates in order: {starts_on} – {ends_on}")
    return starts_on, ends_on


def _count(entry: dict, key: str, name: str, *, required: bool = False) -> int | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} {key} must be a whole number, 0 or more")
    return value


_PROGRAMME_COUNTS = ("women", "men", "completed", "employed", "internships")


def _programme_baseline_row(entry: dict, position: int) -> ProgrammeBaseline:
    name = "programme_baseline"
    _checked_keys(
        entry,
        {"starts_on", "ends_on", "editions", "participants", "note", *_PROGRAMME_COUNTS},
        name,
    )
    starts_on, ends_on = _period(entry, name)
    return ProgrammeBaseline(
        starts_on=starts_on,
        ends_on=ends_on,
        editions=_count(entry, "editions", name, required=True),
        participants=_count(entry, "participants", name, required=True),
        **{key: _count(entry, key, name) for key in _PROGRAMME_COUNTS},
        note=entry.get("note", ""),
    )


def _not_done_reason(label, position: int) -> NotDoneReason:
    if not isinstance(label, str) or not label.strip():
        raise ValueError("not_done_reasons must be a list of short texts")
    return NotDoneReason(label=label.strip(), position=position, active=True)


def _project(entry: dict, position: int) -> Project:
    _checked_keys(entry, {"name", "starts_on", "ends_on"}, "projects")
    if not str(entry.get("name", "")).strip():
        raise ValueError("a project needs a name")
    starts_on, ends_on = _period(entry, "projects", required=False)
    return Project(name=entry["name"].strip(), starts_on=starts_on, ends_on=ends_on, active=True)


def _indicator(entry: dict, position: int) -> Indicator:
    _checked_keys(entry, {"action", "name", "unit", "source", "values"}, "indicators")
    for key in ("action", "name", "unit"):
        if not str(entry.get(key, "")).strip():
            raise ValueError(f"an indicator needs its {key}")
    source = entry.get("source", indicators.MANUAL)
    if not indicators.is_source(source):
        names = ", ".join(figure.value for figure in indicators.Figure)
        raise ValueError(f"an indicator's source must be manual or one of: {names}")
    indicator = Indicator(
        action=entry["action"].strip(),
        name=entry["name"].strip(),
        unit=entry["unit"].strip(),
        source=source,
        position=position,
        active=True,
    )
    for value in entry.get("values", []):
        _checked_keys(value, {"year", "planned", "realised", "note"}, "indicator values")
        if source != indicators.MANUAL and value.get("realised") is not None:
            raise ValueError("a computed indicator's realised value comes from the portal")
        indicator.values.append(
            IndicatorValue(
                year=int(value["year"]),
                planned=value.get("planned"),
                realised=value.get("realised"),
                note=value.get("note", ""),
            )
        )
    return indicator


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
