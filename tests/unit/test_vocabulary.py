"""One plain name per status, and no Polish text that says "accepted" of a job not yet on.

A resident who reads "przyjęte" believes the workshop will do the job. Only the accepted
status (and the staff action that leads to it) may say so; a request that has only arrived
is "wysłane" or "zapisane", and it waits "na sprawdzenie", not "na rozpatrzenie".
"""

import re
import tomllib
from pathlib import Path

from babel.messages.pofile import read_po

from portal.domain.lifecycle import Status
from portal.labels import ACTION_LABELS, NOT_DONE_LABEL, STATUS_LABELS

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "portal" / "translations" / "pl" / "LC_MESSAGES" / "messages.po"
DEMO = ROOT / "portal" / "demo" / "opole.toml"

ACCEPTED_WORDS = re.compile(r"\bprzyj(ęt|ęł|m|ąć|ąl)\w*", re.IGNORECASE)
REVIEW_WORDS = re.compile(r"\brozpatr\w*", re.IGNORECASE)


def _polish_texts() -> list[str]:
    with open(CATALOGUE, "rb") as handle:
        catalogue = read_po(handle, locale="pl")
    texts = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts.extend(strings)
    with open(DEMO, "rb") as handle:
        settings = tomllib.load(handle)

    def walk(value):
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(settings)
    return texts


def test_only_the_accepted_status_says_accepted():
    wrong = [
        text
        for text in _polish_texts()
        if ACCEPTED_WORDS.search(text) and "do wykonania" not in text
    ]

    assert wrong == []


def test_nothing_waits_for_review_in_the_old_words():
    assert [text for text in _polish_texts() if REVIEW_WORDS.search(text)] == []


def _polish(label) -> str:
    """The Polish of a lazy label, as the catalogue holds it."""
    with open(CATALOGUE, "rb") as handle:
        catalogue = read_po(handle, locale="pl")
    msgid = label._args[0]
    return catalogue.get(msgid).string


def test_every_status_has_a_name_of_its_own():
    names = [_polish(STATUS_LABELS[status]) for status in Status] + [_polish(NOT_DONE_LABEL)]

    assert len(set(names)) == len(names)
    assert _polish(STATUS_LABELS[Status.SUBMITTED]) == "Wysłane – czeka na sprawdzenie"
    assert _polish(STATUS_LABELS[Status.ACCEPTED]) == "Przyjęte do wykonania"
    assert _polish(ACTION_LABELS[Status.ACCEPTED]).startswith("Przyjmij do wykonania")
