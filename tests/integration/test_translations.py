"""The Polish catalogue covers every message in the code and templates, with nothing fuzzy."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "portal" / "translations" / "pl" / "LC_MESSAGES" / "messages.po"
METHODS = [
    ("portal/**.py", "python"),
    ("portal/templates/**.html", "jinja2"),
    ("portal/templates/**.txt", "jinja2"),
]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "N_": None,
}


def _catalogue():
    with open(CATALOGUE, "rb") as handle:
        return read_po(handle, locale="pl")


def _ids_in_source() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, options_map={}
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_in_the_source_is_in_the_polish_catalogue():
    catalogue = _catalogue()
    known = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue if m.id}

    missing = sorted(_ids_in_source() - known)

    assert missing == [], "run `make translations` and translate:\n" + "\n".join(missing)


def test_no_entry_is_untranslated_or_fuzzy():
    problems = []
    for message in _catalogue():
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if message.fuzzy or not all(s.strip() for s in strings):
            problems.append(message.id)

    assert problems == []


def test_placeholders_survive_translation():
    problems = []
    for message in _catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        wanted = set(re.findall(r"%\(\w+\)s", " ".join(ids)))
        for string in strings:
            if set(re.findall(r"%\(\w+\)s", string)) != wanted:
                problems.append(message.id)

    assert problems == []


def test_polish_has_three_plural_forms():
    assert _catalogue().num_plurals == 3
