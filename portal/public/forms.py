"""Forms of the public side: syntax and required fields; services check meaning."""

from __future__ import annotations

import secrets

from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from ..domain.phones import phone_digits
from ..i18n import lazy_gettext as _l
from ..labels import AS_AGREED_LABELS, CONTACT_LABELS
from ..web.forms import BaseForm, texts_need_a_mobile
from ..web.questionfields import QuestionsMixin


def _phone_check(form, field) -> None:
    if field.data and phone_digits(field.data) is None:
        raise ValidationError(
            _l("Enter a phone number of 9 digits, for example 600 000 000 or 77 000 00 00.")
        )


def new_submission_key() -> str:
    """The key that makes one filled-in form count once, however often it is sent."""
    return secrets.token_urlsafe(24)


class RequestForm(QuestionsMixin, BaseForm):
    category_id = RadioField(
        _l("What do you need help with? (required)"),
        coerce=int,
        validators=[InputRequired(_l("Choose the kind of help you need."))],
    )
    description = TextAreaField(
        _l("What needs to be done?"),
        validators=[
            InputRequired(_l("Describe what needs to be done.")),
            Length(
                min=10,
                max=2000,
                message=_l("Write between 10 and 2000 characters about what needs to be done."),
            ),
        ],
    )
    photos = MultipleFileField(_l("Photos of the item (optional, up to 3)"))
    name = StringField(
        _l("Your first name and surname"),
        validators=[
            InputRequired(_l("Enter your first name and surname.")),
            Length(
                min=2,
                max=120,
                message=_l("Enter your first name and surname (up to 120 characters)."),
            ),
        ],
    )
    phone = StringField(
        _l("Phone number"),
        validators=[InputRequired(_l("Enter a phone number so we can call you.")), _phone_check],
    )
    email = StringField(
        _l("E-mail address (optional)"),
        validators=[
            Optional(),
            Length(max=254, message=_l("The e-mail address is too long.")),
            Email(
                message=_l(
                    "Enter an e-mail address in the form name@example.pl, or leave it empty."
                ),
                check_deliverability=False,
            ),
        ],
    )
    # Ticked on the blank form: an address given means "write to me" unless the person
    # unticks it; without an address the tick means nothing (the service ignores it).
    email_updates = BooleanField(_l("Write to me about this request by e-mail"), default=True)
    # Offered only where a text-message gateway is configured (the view removes it otherwise).
    sms_updates = BooleanField(
        _l("Send me text messages (SMS) about this request"), validators=[texts_need_a_mobile]
    )
    address = StringField(
        _l("Address (only for renovation at home)"),
        validators=[Length(max=300, message=_l("The address is too long (up to 300 characters)."))],
    )
    contact_time = StringField(
        _l("When is the best time to call you? (optional)"),
        validators=[Length(max=200, message=_l("Write up to 200 characters."))],
    )
    is_senior = BooleanField(_l("I am aged 60 or over"))
    receives_assistance = BooleanField(_l("I receive support from the social welfare centre"))
    consent = BooleanField(
        _l("I agree to my data being used to handle this request"),
        validators=[
            InputRequired(_l("Tick the box to agree to your data being used for this request."))
        ],
    )
    # Left empty by people; filled by bots that fill every field.
    website = StringField(_l("Leave this field empty"))
    submission_key = HiddenField()

    def __init__(self, categories, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {category.id: category for category in categories}
        self.category_id.choices = [(category.id, category.name) for category in categories]
        if not self.submission_key.data:
            self.submission_key.data = new_submission_key()

    def selected_category(self):
        return self.categories.get(self.category_id.data)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self.check_answers(self.selected_category()) and valid

    def validate_address(self, field) -> None:
        category = self.selected_category()
        if category is not None and category.requires_address and not (field.data or "").strip():
            raise ValidationError(
                _l("Give the address where the work is to be done: street, house and flat number.")
            )

    def validate_receives_assistance(self, field) -> None:
        if not (field.data or self.is_senior.data):
            raise ValidationError(
                _l(
                    "Tick at least one answer. The workshops help seniors and people "
                    "supported by the social welfare centre."
                )
            )

    def validate_submission_key(self, field) -> None:
        key = field.data or ""
        if not (16 <= len(key) <= 64) or not all(c.isalnum() or c in "-_" for c in key):
            field.data = secrets.token_urlsafe(24)


class LostLinkForm(BaseForm):
    reference = StringField(
        _l("Request number"),
        validators=[
            InputRequired(_l("Enter the request number, for example KR/2026/0042.")),
            Length(max=30, message=_l("Enter the request number, for example KR/2026/0042.")),
        ],
    )
    phone = StringField(
        _l("The phone number given in the request"),
        validators=[
            InputRequired(_l("Enter the phone number given in the request.")),
            _phone_check,
        ],
    )


class AnswerForm(BaseForm):
    """The resident's answer to the office's question, through the private link."""

    answer = TextAreaField(
        _l("Your answer"),
        validators=[
            InputRequired(_l("Write your answer.")),
            Length(max=2000, message=_l("Write up to 2000 characters.")),
        ],
    )
    photos = MultipleFileField(_l("Photos (optional, up to 3)"))


class FeedbackForm(BaseForm):
    """The satisfaction check: every answer optional."""

    as_agreed = RadioField(
        _l("Was the work done as we agreed?"),
        choices=[(a.value, label) for a, label in AS_AGREED_LABELS.items()],
        validators=[Optional()],
    )
    contact = RadioField(
        _l("How was the contact with us?"),
        choices=[(c.value, label) for c, label in CONTACT_LABELS.items()],
        validators=[Optional()],
    )
    comment = TextAreaField(
        _l("Anything to add? (optional)"),
        validators=[Length(max=1000, message=_l("Write up to 1000 characters."))],
    )


class LinkByEmailForm(BaseForm):
    """One button: send me my request's private link by e-mail."""

    back = HiddenField()


class CancelForm(BaseForm):
    reason = TextAreaField(
        _l("Why are you cancelling? (optional)"),
        validators=[Length(max=1000, message=_l("Write up to 1000 characters."))],
    )
    version = HiddenField()
