"""The services' own questions as form fields: on the public form and at intake alike.

Each question of each service becomes a field named q<service id>_<code>, so one form
carries every service's questions and keeps what was typed in any of them; only the
chosen service's questions are checked and sent. The template shows a service's
questions right after its option (macros/questions.html), and CSS shows them only while
that option is chosen.
"""

from __future__ import annotations

from flask_babel import gettext
from markupsafe import Markup
from wtforms import RadioField, StringField

from ..domain import questions
from ..i18n import current_language, in_its_language
from ..i18n import lazy_gettext as _l


def field_name(category_id: int, code: str) -> str:
    return f"q{category_id}_{code}"


def with_questions(form_class: type, categories, language: str | None = None) -> type:
    """form_class with a field for each question of each service, labelled in language."""
    language = language or current_language()
    fields = {
        field_name(category.id, question.code): _field(question, language)
        for category in categories
        for question in questions.localised(category.questions, language)
    }
    if not fields:
        return form_class
    return type(form_class.__name__, (form_class,), fields)


def _field(question: questions.Question, language: str):
    label = in_its_language(question.label, question.label_lang, language)
    if not question.required:
        label = Markup(gettext("%(label)s (optional)", label=label))
    hint = in_its_language(question.hint, question.hint_lang, language) if question.hint else ""
    if question.kind == "number" and question.unit:
        unit = gettext("In %(unit)s.", unit=question.unit)
        hint = Markup("{} {}").format(hint, unit) if hint else unit
    if question.kind == "choice":
        choices = [(c.key, in_its_language(c.label, c.lang, language)) for c in question.choices]
        return RadioField(label, choices=choices, validate_choice=False, description=hint)
    if question.kind == "yes_no":
        choices = [(questions.YES, _l("Yes")), (questions.NO, _l("No"))]
        return RadioField(label, choices=choices, validate_choice=False, description=hint)
    render_kw = {"maxlength": questions.TEXT_MAX}
    if question.kind == "number":
        render_kw = {"inputmode": "decimal", "maxlength": 14}
    return StringField(label, description=hint, render_kw=render_kw)


class QuestionsMixin:
    """For a form with a service choice (category_id) and with_questions' fields."""

    @classmethod
    def for_services(cls, categories, *args, **kwargs):
        """The form with the questions of each of these services."""
        return with_questions(cls, categories)(categories, *args, **kwargs)

    def service_questions(self, category) -> list:
        """The bound fields of category's questions, in order, with each question."""
        language = current_language()
        return [
            (question, self[field_name(category.id, question.code)])
            for question in questions.localised(category.questions, language)
            if field_name(category.id, question.code) in self
        ]

    def raw_answers(self, category) -> dict[str, str]:
        """What was given for the chosen service's questions, by the question's code."""
        if category is None:
            return {}
        return {
            question.code: field.data or ""
            for question, field in self.service_questions(category)
            if field.data
        }

    def check_answers(self, category, *, required: bool = True) -> bool:
        """Put at each of category's questions why its answer is refused; True if none is.
        Without required, a question may be left empty (staff ask it later)."""
        if category is None:
            return True
        valid = True
        fields = {question.code: field for question, field in self.service_questions(category)}
        for stored in category.questions or []:
            field = fields.get(stored["code"])
            if field is None:
                continue
            result = questions.answer(stored, field.data, required=required)
            if isinstance(result, questions.Refusal):
                message = (
                    gettext(result.message, num=result.num)
                    if result.num
                    else gettext(result.message)
                )
                field.errors = [*field.errors, message]
                valid = False
        return valid
