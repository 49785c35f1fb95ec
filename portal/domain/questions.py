"""A service's own questions: what the settings file may ask, and how answers are checked.

The institution's settings file gives each service a few questions (which room and its
size, whether the item can be brought in...). They are kept with the service as plain
data (`parse` checks them once, when the file is loaded); `localised` shows them in a
language, falling back to Polish text by text; `answer` checks what one person typed and
gives the answer as it is kept with the request: the question and the answer in Polish
(for the office and the tag, whatever language the resident used) with the plain value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .errors import N_

KINDS = ("text", "number", "choice", "yes_no")
TEXT_MAX = 200
NUMBER_MAX = Decimal("100000")
YES, NO = "yes", "no"
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TRANSLATED = ("label", "hint", "unit")

# What the office reads for a yes/no answer, whatever the resident's language.
YES_NO_POLISH = {YES: "tak", NO: "nie"}

# The messages shown at a field (translated where they are shown).
REQUIRED = N_("Answer this question.")
TOO_LONG = N_("Write at most %(num)d characters.")
NOT_A_NUMBER = N_("Write a number, e.g. 12 or 12,5.")
OUT_OF_RANGE = N_("Write a number from 0 to %(num)d.")
NOT_A_CHOICE = N_("Choose one of the answers.")


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    lang: str


@dataclass(frozen=True)
class Question:
    """One question as a form shows it, in one language (each text says which)."""

    code: str
    kind: str
    required: bool
    label: str
    label_lang: str
    hint: str = ""
    hint_lang: str = "pl"
    unit: str = ""
    choices: tuple[Choice, ...] = ()


def parse(entries: list | None, languages: tuple[str, ...]) -> list[dict]:
    """The questions of one service from the settings file, checked; ValueError if wrong."""
    if not entries:
        return []
    if not isinstance(entries, list):
        raise ValueError(
            "a service's questions must be a list of tables ([[categories.questions]])"
        )
    seen: set[str] = set()
    parsed = []
    for entry in entries:
        question = _parse_one(entry, languages)
        if question["code"] in seen:
            raise ValueError(f"two questions have the code {question['code']}")
        seen.add(question["code"])
        parsed.append(question)
    return parsed


def _parse_one(entry: dict, languages: tuple[str, ...]) -> dict:
    if not isinstance(entry, dict):
        raise ValueError("each question must be a table of settings")
    other = set(languages) - {"pl"}
    allowed = {"code", "kind", "label", "hint", "unit", "required", "choices", *other}
    unknown = set(entry) - allowed
    if unknown:
        raise ValueError(f"unknown question setting: {', '.join(sorted(unknown))}")
    code, kind = entry.get("code", ""), entry.get("kind", "")
    if not isinstance(code, str) or not _CODE.match(code):
        raise ValueError(f"a question's code must be short lower-case letters, e.g. room: {code!r}")
    if kind not in KINDS:
        raise ValueError(f"question {code}: kind must be one of {', '.join(KINDS)}")
    label = entry.get("label", "")
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"question {code} needs a label")
    required = entry.get("required", False)
    if not isinstance(required, bool):
        raise ValueError(f"question {code}: required must be true or false")
    if entry.get("unit") and kind != "number":
        raise ValueError(f"question {code}: only a number has a unit")
    question = {
        "code": code,
        "kind": kind,
        "required": required,
        "label": label.strip(),
        "hint": str(entry.get("hint", "")).strip(),
        "unit": str(entry.get("unit", "")).strip(),
        "choices": _parse_choices(code, kind, entry.get("choices")),
    }
    for language in other:
        question[language] = _parse_language(question, entry.get(language), language)
    return question


def _parse_choices(code: str, kind: str, choices) -> list[dict]:
    if kind != "choice":
        if choices:
            raise ValueError(f"question {code}: only a choice has choices")
        return []
    if not isinstance(choices, list) or len(choices) < 2:
        raise ValueError(f"question {code}: a choice needs at least two choices")
    parsed, keys = [], set()
    for choice in choices:
        if not isinstance(choice, dict) or set(choice) != {"key", "label"}:
            raise ValueError(f"question {code}: each choice is {{ key = ..., label = ... }}")
        key = choice["key"]
        if not isinstance(key, str) or not _CODE.match(key) or key in keys:
            raise ValueError(f"question {code}: a choice's key must be unique short letters")
        keys.add(key)
        parsed.append({"key": key, "label": str(choice["label"]).strip()})
    return parsed


def _parse_language(question: dict, texts, language: str) -> dict:
    if texts is None:
        return {}
    code = question["code"]
    if not isinstance(texts, dict):
        raise ValueError(f"question {code}: [{language}] must be a table of texts")
    unknown = set(texts) - {*_TRANSLATED, "choices"}
    if unknown:
        raise ValueError(f"question {code} [{language}]: unknown text {', '.join(sorted(unknown))}")
    parsed = {key: str(texts[key]).strip() for key in _TRANSLATED if texts.get(key)}
    choices = texts.get("choices")
    if choices is not None:
        keys = {choice["key"] for choice in question["choices"]}
        if not isinstance(choices, dict) or not set(choices) <= keys:
            raise ValueError(
                f"question {code} [{language}]: choices = {{ key = text, ... }} with its keys"
            )
        parsed["choices"] = {key: str(text).strip() for key, text in choices.items()}
    return parsed


def localised(stored: list | None, language: str) -> list[Question]:
    """The questions as a form in language shows them; a text not translated stays Polish."""
    questions = []
    for entry in stored or []:
        texts = entry.get(language, {}) if language != "pl" else {}

        def text(key, texts=texts, entry=entry):
            if texts.get(key):
                return texts[key], language
            return entry.get(key, ""), "pl"

        label, label_lang = text("label")
        hint, hint_lang = text("hint")
        unit, _ = text("unit")
        translated = texts.get("choices", {})
        choices = tuple(
            Choice(c["key"], translated[c["key"]], language)
            if translated.get(c["key"])
            else Choice(c["key"], c["label"], "pl")
            for c in entry.get("choices", [])
        )
        questions.append(
            Question(
                code=entry["code"],
                kind=entry["kind"],
                required=entry.get("required", False),
                label=label,
                label_lang=label_lang,
                hint=hint,
                hint_lang=hint_lang,
                unit=unit,
                choices=choices,
            )
        )
    return questions


@dataclass(frozen=True)
class Refusal:
    """Why an answer is refused: a message (an N_ msgid) and its number, if it has one."""

    message: str
    num: int | None = None


def answer(stored: dict, raw, *, required: bool = True) -> dict | Refusal | None:
    """Check one answer to one question (stored as parse gave it).

    Gives the answer as kept with the request, {code, question, answer, value} in Polish;
    None when an optional question is left empty (or any, when not required); a Refusal
    when the answer is wrong.
    """
    value = raw.strip() if isinstance(raw, str) else ("" if raw is None else str(raw).strip())
    if not value:
        return Refusal(REQUIRED) if required and stored.get("required") else None
    kind = stored["kind"]
    if kind == "text":
        if len(value) > TEXT_MAX:
            return Refusal(TOO_LONG, TEXT_MAX)
        shown = value
    elif kind == "number":
        number = _number(value)
        if number is None:
            return Refusal(NOT_A_NUMBER)
        if not 0 <= number <= NUMBER_MAX:
            return Refusal(OUT_OF_RANGE, int(NUMBER_MAX))
        value = format(number.normalize(), "f")
        shown = value.replace(".", ",") + (f" {stored['unit']}" if stored.get("unit") else "")
    elif kind == "choice":
        labels = {choice["key"]: choice["label"] for choice in stored.get("choices", [])}
        if value not in labels:
            return Refusal(NOT_A_CHOICE)
        shown = labels[value]
    else:
        if value not in YES_NO_POLISH:
            return Refusal(NOT_A_CHOICE)
        shown = YES_NO_POLISH[value]
    return {"code": stored["code"], "question": stored["label"], "answer": shown, "value": value}


def answers(
    stored: list | None, raw: dict, *, required: bool = True
) -> tuple[list[dict], dict[str, Refusal]]:
    """Check the answers to a service's questions: (the answers kept, refusals by code)."""
    kept, refused = [], {}
    for question in stored or []:
        result = answer(question, raw.get(question["code"]), required=required)
        if isinstance(result, Refusal):
            refused[question["code"]] = result
        elif result is not None:
            kept.append(result)
    return kept, refused


def _number(value: str) -> Decimal | None:
    cleaned = value.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not re.fullmatch(r"\d{1,9}(\.\d{1,3})?", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None
