"""The languages the portal speaks to residents, and the texts the settings file translates.

Polish is the language of the club and of the back office; residents may read the public
pages, their e-mails and text messages in Ukrainian or English too. Each language is named
in itself (its autonym), as a switcher shows it to a person who may not read the others.
"""

from __future__ import annotations

DEFAULT = "pl"
LANGUAGES = ("pl", "uk", "en")
AUTONYMS = {"pl": "Polski", "uk": "Українська", "en": "English"}

# The settings that hold text a resident reads, which the settings file may give in another
# language ([institution.uk], [categories.uk], [groups.uk]); the others are names,
# numbers and addresses that stay as they are.
INSTITUTION_TEXTS = (
    "name",
    "short_name",
    "parent_name",
    "office_hours",
    "phone_hours",
    "eligibility",
    "controller_name",
    "legal_basis",
    "retention",
    "uncollected_policy",
    "building_accessibility",
    "accessibility_exceptions",
)
CATEGORY_TEXTS = ("name", "description", "guidance", "location_note")
GROUP_TEXTS = ("name", "location", "opening_hours")


def known(language: str | None) -> str | None:
    """The language if the portal speaks it, else None."""
    return language if language in LANGUAGES else None


def texts_of(entry: dict, allowed: tuple[str, ...], name: str) -> dict | None:
    """The translations in one settings table ({"uk": {...}}), checked; None if none."""
    texts = {}
    for language in LANGUAGES[1:]:
        table = entry.get(language)
        if table is None:
            continue
        if not isinstance(table, dict):
            raise ValueError(f"[{name}.{language}] must be a table of texts")
        unknown = set(table) - set(allowed)
        if unknown:
            raise ValueError(
                f"[{name}.{language}] cannot translate: {', '.join(sorted(unknown))}"
                f" (it may translate {', '.join(allowed)})"
            )
        texts[language] = {key: str(value).strip() for key, value in table.items() if value}
    return texts or None


def text(texts: dict | None, key: str, polish: str, language: str) -> tuple[str, str]:
    """A setting's text in language, with the language it is really in (Polish as fallback)."""
    translated = (texts or {}).get(language, {}).get(key) if language != DEFAULT else None
    return (translated, language) if translated else (polish, DEFAULT)
