"""The institution's settings: loaded from a TOML file into the database."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sqlalchemy import select

from .extensions import db
from .models import Institution, ServiceCategory, WorkshopGroup

DEMO_FILE = Path(__file__).parent / "demo" / "opole.toml"


def load_institution(path: Path | str) -> Institution:
    """Create or update the institution, its service categories and groups from a TOML file."""
    with open(path, "rb") as handle:
        data = tomllib.load(handle)

    institution = db.session.scalars(select(Institution)).first() or Institution()
    for key, value in data["institution"].items():
        if not hasattr(Institution, key):
            raise ValueError(f"unknown institution setting: {key}")
        setattr(institution, key, value)
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
        db.session.add(group)

    db.session.commit()
    return institution
