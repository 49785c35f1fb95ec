"""docs/security/asvs.md and the tests stay in step: every requirement that applies names
tests that exist and carry its ID, and every one that does not apply says why."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REGISTER = ROOT / "docs" / "security" / "asvs.md"
REF = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _section(title: str) -> list[list[str]]:
    text = REGISTER.read_text()
    body = text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in body.splitlines():
        if line.startswith("|") and not set(line) <= set("|- :"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if cells[0] != "ID":
                rows.append(cells)
    return rows


def test_every_requirement_that_applies_names_existing_tests_carrying_its_id():
    rows = _section("Requirements that apply")
    problems = []

    for cells in rows:
        requirement, refs = cells[0], REF.findall(cells[-1])
        if not refs:
            problems.append(f"{requirement}: no test named")
        tag = "v" + requirement.replace(".", "_")
        for path, name in refs:
            source = ROOT / path
            if not source.exists() or f"def {name}(" not in source.read_text():
                problems.append(f"{requirement}: {path}::{name} does not exist")
            elif not name.startswith(f"test_{tag}_"):
                problems.append(f"{requirement}: {name} does not carry {tag}")

    assert len(rows) >= 40
    assert problems == []


def test_every_requirement_that_does_not_apply_says_why():
    rows = _section("Requirements that do not apply")

    assert len(rows) >= 10
    assert all(len(cells) >= 2 and len(cells[-1]) > 20 for cells in rows)


def test_no_requirement_is_listed_twice():
    ids = [
        cells[0]
        for cells in _section("Requirements that apply")
        + _section("Requirements that do not apply")
    ]

    assert len(ids) == len(set(ids))
