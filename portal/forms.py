"""The base of every form: text arrives without control characters the databases refuse."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control_characters(value):
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    return value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters") or []
            return unbound_field.bind(
                form=form, filters=[strip_control_characters, *filters], **options
            )
