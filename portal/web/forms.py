"""The base of every form: text arrives without control characters the databases refuse."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from ..domain.text import strip_control_characters
from ..i18n import lazy_gettext as _l
from ..sms.numbers import mobile_number


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters") or []
            return unbound_field.bind(
                form=form, filters=[strip_control_characters, *filters], **options
            )


def texts_need_a_mobile(form, field) -> None:
    """The text-message box of a form with a phone field: only a mobile takes texts."""
    if field.data and form.phone.data and mobile_number(form.phone.data) is None:
        raise ValidationError(
            _l("Text messages go to a mobile phone only: give a mobile number, or untick this box.")
        )
