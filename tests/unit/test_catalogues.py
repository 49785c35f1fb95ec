"""Each catalogue is complete: every text of the portal translated, none fuzzy, the plural
forms as the language has them, and every placeholder kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from portal.domain.languages import LANGUAGES

TRANSLATIONS = Path(__file__).resolve().parents[2] / "portal" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def _catalogue(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def _template_ids() -> set:
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_translated_and_none_is_fuzzy(language):
    catalogue = _catalogue(language)
    ids = {message.id for message in catalogue if message.id}
    assert _template_ids() <= ids, f"{language}: run make translations"
    missing = [
        message.id
        for message in catalogue
        if message.id
        and (
            not all(message.string)
            if isinstance(message.string, tuple)
            else not message.string.strip()
        )
    ]
    fuzzy = [message.id for message in catalogue if message.id and message.fuzzy]
    assert not missing, f"{language}: {len(missing)} untranslated, e.g. {missing[:5]}"
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_are_the_languages_own(language):
    catalogue = _catalogue(language)
    # Whole numbers: Polish and Ukrainian one/few/many, English one/other.
    assert catalogue.num_plurals == {"pl": 3, "uk": 3, "en": 2}[language]
    for message in catalogue:
        if message.id and isinstance(message.id, tuple):
            assert len(message.string) == catalogue.num_plurals, message.id


def test_ukrainian_and_polish_have_three_forms_and_say_21_as_1_in_ukrainian_only():
    uk, pl = _catalogue("uk"), _catalogue("pl")
    assert uk.num_plurals == pl.num_plurals == 3
    # Ukrainian: 1, 21, 101 take the first form; 2–4, 22–24 the second; 5–20, 25 the third.
    uk_rule = Locale.parse("uk").plural_form
    assert [uk_rule(n) for n in (1, 21, 101, 2, 22, 5, 11, 12, 25)] == [
        "one",
        "one",
        "one",
        "few",
        "few",
        "many",
        "many",
        "many",
        "many",
    ]
    assert "n % 10 == 1 && n % 100 != 11" in uk.plural_expr.replace("(", "").replace(")", "")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_its_text(language):
    wrong = []
    for message in _catalogue(language):
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = sorted(set(PLACEHOLDER.findall(" ".join(sources))))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            # A plural's singular form may say "one" in words instead of %(num)d.
            found = sorted(set(PLACEHOLDER.findall(string)))
            if found != wanted and not (isinstance(message.id, tuple) and set(found) < set(wanted)):
                wrong.append((message.id, string))
    assert not wrong, f"{language}: {wrong[:5]}"
