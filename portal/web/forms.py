"""The base of every form: text arrives without control characters the databases refuse."""

from __future__ import annotations

from flask_wtf import FlaskForm

from ..domain.text import strip_control_characters


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters") or []
            return unbound_field.bind(
                form=form, filters=[strip_control_characters, *filters], **options
            )
