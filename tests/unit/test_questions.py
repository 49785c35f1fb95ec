"""A service's own questions: what the settings file may say, and how answers are checked."""

from __future__ import annotations

import pytest

from portal.domain import questions
from portal.domain.languages import LANGUAGES

ROOM = {"code": "room", "kind": "text", "label": "W którym pomieszczeniu?", "required": True}
SIZE = {"code": "size", "kind": "number", "label": "Powierzchnia", "unit": "m²"}
KIND = {
    "code": "alteration",
    "kind": "choice",
    "label": "Co trzeba zrobić?",
    "required": True,
    "choices": [{"key": "shorten", "label": "Skrócenie"}, {"key": "zip", "label": "Zamek"}],
    "uk": {"label": "Що потрібно зробити?", "choices": {"shorten": "Вкоротити"}},
}
BRING = {"code": "can_bring", "kind": "yes_no", "label": "Czy możesz przywieźć?"}


def _parsed(*entries):
    return questions.parse(list(entries), LANGUAGES)


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ({**ROOM, "kind": "date"}, "kind must be one of"),
        ({**ROOM, "code": "Pokój"}, "code must be short"),
        ({**ROOM, "label": " "}, "needs a label"),
        ({**ROOM, "required": "tak"}, "required must be true or false"),
        ({**ROOM, "unit": "m²"}, "only a number has a unit"),
        ({**ROOM, "choices": [{"key": "a", "label": "A"}]}, "only a choice has choices"),
        ({**KIND, "choices": [{"key": "a", "label": "A"}]}, "at least two choices"),
        ({**KIND, "choices": [{"key": "a", "label": "A"}, {"key": "a", "label": "B"}]}, "unique"),
        ({**ROOM, "colour": "red"}, "unknown question setting: colour"),
        ({**ROOM, "de": {"label": "Raum"}}, "unknown question setting: de"),
        ({**ROOM, "uk": {"title": "x"}}, "unknown text title"),
        ({**KIND, "uk": {"choices": {"other": "x"}}}, "with its keys"),
    ],
)
def test_a_wrong_question_in_the_settings_file_is_refused_with_what_is_wrong(entry, says):
    with pytest.raises(ValueError, match=says):
        _parsed(entry)


def test_two_questions_of_a_service_cannot_share_a_code():
    with pytest.raises(ValueError, match="two questions have the code room"):
        _parsed(ROOM, {**ROOM, "label": "Inne"})


def test_a_question_is_shown_in_the_language_asked_each_missing_text_in_polish():
    stored = _parsed(KIND, SIZE)
    kind, size = questions.localised(stored, "uk")
    assert (kind.label, kind.label_lang) == ("Що потрібно зробити?", "uk")
    assert [(c.label, c.lang) for c in kind.choices] == [("Вкоротити", "uk"), ("Zamek", "pl")]
    assert (size.label, size.label_lang, size.unit) == ("Powierzchnia", "pl", "m²")
    polish = questions.localised(stored, "pl")[0]
    assert (polish.label, polish.label_lang) == ("Co trzeba zrobić?", "pl")


@pytest.mark.parametrize(
    ("question", "raw", "answer", "value"),
    [
        (ROOM, "  kuchnia ", "kuchnia", "kuchnia"),
        (SIZE, "12,5", "12,5 m²", "12.5"),
        (SIZE, "12.50", "12,5 m²", "12.5"),
        (SIZE, "1 200", "1200 m²", "1200"),
        (SIZE, "0", "0 m²", "0"),
        (KIND, "zip", "Zamek", "zip"),
        (BRING, "yes", "tak", "yes"),
        (BRING, "no", "nie", "no"),
    ],
)
def test_an_answer_is_kept_as_the_office_reads_it_with_its_value(question, raw, answer, value):
    (stored,) = _parsed(question)
    assert questions.answer(stored, raw) == {
        "code": stored["code"],
        "question": stored["label"],
        "answer": answer,
        "value": value,
    }


@pytest.mark.parametrize(
    ("question", "raw", "message"),
    [
        (ROOM, "", questions.REQUIRED),
        (ROOM, "   ", questions.REQUIRED),
        (ROOM, "x" * 201, questions.TOO_LONG),
        (SIZE, "dwanaście", questions.NOT_A_NUMBER),
        (SIZE, "-3", questions.NOT_A_NUMBER),
        (SIZE, "12,5,1", questions.NOT_A_NUMBER),
        (SIZE, "1e5", questions.NOT_A_NUMBER),
        (SIZE, "100001", questions.OUT_OF_RANGE),
        (KIND, "sew", questions.NOT_A_CHOICE),
        (KIND, "", questions.REQUIRED),
        (BRING, "maybe", questions.NOT_A_CHOICE),
    ],
)
def test_a_wrong_answer_is_refused_with_the_message_for_the_field(question, raw, message):
    (stored,) = _parsed(question)
    refusal = questions.answer(stored, raw)
    assert isinstance(refusal, questions.Refusal) and refusal.message == message


def test_an_optional_question_may_be_left_empty_and_staff_may_leave_any():
    room, size, kind = _parsed(ROOM, SIZE, KIND)
    assert questions.answer(size, "") is None
    assert questions.answer(room, "", required=False) is None
    kept, refused = questions.answers([room, size, kind], {"room": "kuchnia", "alteration": "x"})
    assert [a["code"] for a in kept] == ["room"] and set(refused) == {"alteration"}
    kept, refused = questions.answers([room, size, kind], {}, required=False)
    assert (kept, refused) == ([], {})
