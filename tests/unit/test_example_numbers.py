"""Example phone numbers in messages, hints and templates are made up, from one fixed set.

The catalogue holds every message of the code (validation messages, hints, labels); the
templates hold the rest of what a page says. Demo data is not an example and is not scanned.

A number quoted as an example reaches every resident who types a phone number wrongly; a
real one (a helpline, a neighbour) would get their calls.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "portal"
FICTITIOUS = {"600 000 000", "77 000 00 00"}
# Nine digits or more in groups of two or three, as phone numbers are written in Poland,
# optionally after +48 or a trunk 0; dates (2026-03-31) and times do not match.
PHONE = re.compile(r"(?<![\d\w-])(?:\+48[ -]?|0[ -]?)?\(?\d{2,3}\)?(?:[ -]\d{2,3}){2,3}(?![\d-])")
SOURCES = [
    *sorted((ROOT / "translations").rglob("*.po")),
    *sorted((ROOT / "translations").rglob("*.pot")),
    *sorted((ROOT / "templates").rglob("*.html")),
    *sorted((ROOT / "templates").rglob("*.txt")),
]


def phone_like(text: str) -> list[str]:
    found = []
    for match in PHONE.finditer(text):
        number = match.group(0)
        if len(re.sub(r"\D", "", number)) >= 9:
            found.append(re.sub(r"^(?:\+48[ -]?|0[ -]?)", "", number).strip("()"))
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("na przykład 600 123 456 albo 77 441 23 70.", ["600 123 456", "77 441 23 70"]),
        ("zadzwoń: +48 600-000-000", ["600-000-000"]),
        ("0 77 000 00 00", ["77 000 00 00"]),
        ("od 2026-03-31, 7:30–15:30, ul. Sienkiewicza 29, 45-000 Opole", []),
    ],
)
def test_the_scan_recognises_phone_numbers_and_nothing_else(text, expected):
    assert phone_like(text) == expected


def _text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".po", ".pot"):
        # A long message is wrapped over several quoted lines: join them again.
        text = re.sub(r'"\n(?:#~ )?"', "", text)
    return text


def test_every_example_number_in_the_catalogue_and_templates_is_fictitious():
    found = {
        (path.relative_to(ROOT.parent).as_posix(), number)
        for path in SOURCES
        for number in phone_like(_text(path))
        if number not in FICTITIOUS
    }

    assert found == set(), f"use one of {sorted(FICTITIOUS)} as the example"
