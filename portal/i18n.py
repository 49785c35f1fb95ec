"""Messages defined where no locale is known yet, and translated where they are shown.

Domain code raises errors and builds tables of messages before any request exists;
wrapping a message in N_ puts it in the catalogue without translating it, and the view
that shows it passes it through gettext. Also: which configured languages lack their
compiled catalogue (an install that would silently serve the English msgids). And how
numbers of hours are written: with the locale's decimal comma, wherever they are shown.
"""

from __future__ import annotations

import os
from decimal import Decimal

from flask import g, has_app_context
from flask_babel import format_decimal, get_locale, get_translations
from flask_babel.speaklater import LazyString
from jinja2 import pass_eval_context
from markupsafe import Markup

from .domain import languages
from .domain.errors import N_  # noqa: F401  (the one marker, shared with the domain)


def catalogue():
    """The translations of this request (or app context), looked up once per locale.

    Flask-Babel finds the catalogue anew for every string, through about ten context-local
    reads; a board or a queue shows hundreds of strings. The copy kept here is for the
    locale Flask-Babel has chosen (its `babel_locale`), so `force_locale` and `refresh`
    still change the language.
    """
    chosen = getattr(g.get("_flask_babel"), "babel_locale", None)
    kept = g.get("_catalogue")
    if kept is None or chosen is None or kept[0] is not chosen:
        translations = get_translations()
        kept = g._catalogue = (g._flask_babel.babel_locale, translations)
    return kept[1]


def gettext(string: str, **variables) -> str:
    """Flask-Babel's gettext, reading the request's catalogue once."""
    if not has_app_context():
        return string if not variables else string % variables
    translated = catalogue().ugettext(string)
    return translated if not variables else translated % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """A message translated when it is shown (labels, form fields), like Flask-Babel's."""
    return LazyString(gettext, string, **variables)


def missing_catalogues(root_path: str, config) -> list[str]:
    """Return the configured languages whose compiled catalogue (messages.mo) is missing."""
    directories = [
        os.path.join(root_path, directory)
        for directory in config["BABEL_TRANSLATION_DIRECTORIES"].split(";")
    ]
    return [
        language
        for language in config["LANGUAGES"]
        if language != config["SOURCE_LANGUAGE"]
        and not any(
            os.path.isfile(os.path.join(directory, language, "LC_MESSAGES", "messages.mo"))
            for directory in directories
        )
    ]


def format_hours(hours: Decimal | float | int) -> str:
    """Write a number of hours as the locale does, e.g. 1,5 or 12 (never 1.50 or 1E+1)."""
    return format_decimal(hours, "#,##0.##")


def current_language() -> str:
    """The language of this request's pages (the locale Flask-Babel chose)."""
    return str(get_locale() or languages.DEFAULT)


def setting_text(record, key: str, language: str | None = None) -> tuple[str, str]:
    """A text of the institution's settings (of the institution, a service or a group) in
    the language of the page, or another; with the language it is really in."""
    polish = getattr(record, key, "") or ""
    return languages.text(
        getattr(record, "texts", None), key, polish, language or current_language()
    )


@pass_eval_context
def local_text(eval_ctx, record, key: str, marked: bool = True):
    """The `local` template filter: a setting's text in the page's language; a text that
    has no translation is shown in Polish, marked lang="pl" so that a screen reader reads
    it with Polish pronunciation (WCAG 3.1.2). Not marked where no markup can go (a title)."""
    if record is None:
        return ""
    language = current_language()
    text, lang = setting_text(record, key, language)
    if not marked or not eval_ctx.autoescape:
        return text
    return in_its_language(text, lang, language)


def in_its_language(text: str, text_lang: str, page_language: str):
    """A text in another language than the page's, marked so (WCAG 3.1.2): a screen reader
    reads it with that language's pronunciation."""
    if text_lang == page_language or not text:
        return text
    return Markup('<span lang="{}">{}</span>').format(text_lang, text)
