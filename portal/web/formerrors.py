"""Domain errors turned into messages where people look for them: at the field, or on top.

A service raises `DomainError(message, field=...)` with the untranslated message and the
name of the value it is about; services and forms use the same names, so the message
lands next to the box the person has to change. The form keeps what was typed.
"""

from __future__ import annotations

from flask import flash
from flask_babel import gettext

from ..domain.errors import DomainError


def show_error(form, error: DomainError, *, default_field: str | None = None) -> None:
    """Put error's message, in the page's language, at the field it names.

    An error naming no field of this form goes to default_field when given, otherwise it
    is shown at the top of the page.
    """
    message = gettext(error.message, **getattr(error, "params", {}))
    field = getattr(form, error.field, None) if error.field else None
    if field is None and default_field:
        field = getattr(form, default_field)
    if field is None or not hasattr(field, "errors"):
        flash(message, "error")
        return
    # Before validation WTForms keeps a field's errors in a tuple.
    field.errors = [*field.errors, message]
