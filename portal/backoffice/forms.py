"""Forms of the back office: syntax and required fields; services check meaning."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    FileField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain import languages
from ..domain.lifecycle import Role
from ..domain.phones import phone_digits
from ..i18n import lazy_gettext as _l
from ..labels import (
    AFTER_PROGRAMME_LABELS,
    AS_AGREED_LABELS,
    CONTACT_LABELS,
    FEEDBACK_CHANNEL_LABELS,
    LANGUAGE_NAMES,
    PARTICIPATION_END_LABELS,
)
from ..models import Channel, FeedbackChannel, NotificationPreference
from ..web.forms import BaseForm, texts_need_a_mobile
from ..web.inputguard import bounded_date, bounded_int
from ..web.questionfields import QuestionsMixin


def _phone_check(form, field) -> None:
    if field.data and phone_digits(field.data) is None:
        raise ValidationError(
            _l("Enter a phone number of 9 digits, for example 600 000 000 or 77 000 00 00.")
        )


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class VersionedForm(BaseForm):
    version = HiddenField()

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class LoginForm(BaseForm):
    email = StringField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Enter your e-mail address.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Enter your password.")), Length(max=200)]
    )


class EmptyForm(BaseForm):
    """A one-click action: only the CSRF token."""


class QueueFilterForm(BaseForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default="waiting")
    category = SelectField(_l("Service"), coerce=_optional_int, default=None)
    group = SelectField(_l("Workshop group"), coerce=_optional_int, default=None)
    channel = SelectField(_l("Channel"), default="")
    kind = SelectField(_l("Requester"), default="")
    date_from = DateField(_l("Sent from"), validators=[Optional(), bounded_date()])
    date_to = DateField(_l("Sent until"), validators=[Optional(), bounded_date()])
    q = StringField(
        _l("Search: number, name, phone or e-mail"), validators=[Optional(), Length(max=100)]
    )
    sort = SelectField(_l("Order"), default="oldest")
    page = IntegerField(default=1, validators=[Optional()])


class StatusChangeForm(VersionedForm):
    # What the resident reads with the move: the one box on a move's form, and it says so.
    note = TextAreaField(_l("Message to the resident"), validators=[Length(max=2000)])
    survey_visit = BooleanField(_l("A survey visit: to see what is to be done, before the work"))
    duplicate_of = StringField(
        _l("Number of the request this one repeats"),
        validators=[Length(max=30, message=_l("Write up to 30 characters."))],
    )
    group_id = SelectField(_l("Workshop group"), coerce=_optional_int, validators=[Optional()])
    scheduled_for = DateField(_l("Date"), validators=[Optional(), bounded_date()])
    scheduled_time = StringField(
        _l("Hours (optional)"),
        validators=[Length(max=40, message=_l("Write up to 40 characters."))],
    )


class RescheduleForm(VersionedForm):
    scheduled_for = DateField(
        _l("New date"), validators=[InputRequired(_l("Give the date.")), bounded_date()]
    )
    scheduled_time = StringField(
        _l("Hours (optional)"),
        validators=[Length(max=40, message=_l("Write up to 40 characters."))],
    )
    survey_visit = BooleanField(_l("A survey visit: to see what is to be done, before the work"))
    note = TextAreaField(_l("Message to the resident"), validators=[Length(max=2000)])


class ProjectLabelForm(BaseForm):
    project_id = SelectField(_l("Project or event"), coerce=_optional_int, validators=[Optional()])


class NoteForm(BaseForm):
    body = TextAreaField(
        _l("Internal note"),
        validators=[
            InputRequired(_l("Write the note.")),
            Length(max=4000, message=_l("Write up to 4000 characters.")),
        ],
    )


class RequestDataForm(BaseForm):
    """The request's data as staff see and correct it."""

    category_id = SelectField(
        _l("Service"), coerce=_optional_int, validators=[InputRequired(_l("Choose the service."))]
    )
    description = TextAreaField(
        _l("What needs to be done"),
        validators=[
            InputRequired(_l("Describe what needs to be done.")),
            Length(min=3, max=2000, message=_l("Write between 3 and 2000 characters.")),
        ],
    )
    name = StringField(
        _l("First name and surname"),
        validators=[InputRequired(_l("Enter the first name and surname.")), Length(max=120)],
    )
    phone = StringField(
        _l("Phone number"), validators=[InputRequired(_l("Enter a phone number.")), _phone_check]
    )
    email = StringField(
        _l("E-mail address"),
        validators=[
            Optional(),
            Length(max=254),
            Email(
                message=_l(
                    "Enter an e-mail address in the form name@example.pl, or leave it empty."
                ),
                check_deliverability=False,
            ),
        ],
    )
    email_updates = BooleanField(_l("Wants e-mail updates"))
    address = StringField(_l("Address"), validators=[Length(max=300)])
    contact_time = StringField(_l("When to call"), validators=[Length(max=200)])
    is_senior = BooleanField(_l("Senior (60+)"))
    receives_assistance = BooleanField(_l("Receives support from the social welfare centre"))
    institution_name = StringField(_l("Institution"), validators=[Length(max=200)])
    institution_contact = StringField(
        _l("Contact person at the institution"), validators=[Length(max=200)]
    )

    def __init__(self, categories, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {category.id: category for category in categories}
        self.category_id.choices = [(category.id, category.name) for category in categories]

    def validate_address(self, field) -> None:
        category = self.categories.get(self.category_id.data)
        if category is not None and category.requires_address and not (field.data or "").strip():
            raise ValidationError(_l("Give the address where the work is to be done."))

    def validate_email_updates(self, field) -> None:
        if field.data and not (self.email.data or "").strip():
            raise ValidationError(_l("Enter the e-mail address for updates, or untick this box."))


class EditRequestForm(RequestDataForm, VersionedForm):
    pass


class IntakeForm(QuestionsMixin, RequestDataForm):
    language = SelectField(
        _l("The resident's language (for e-mails and text messages)"),
        choices=[(code, LANGUAGE_NAMES[code]) for code in languages.LANGUAGES],
        default=languages.DEFAULT,
    )
    sms_updates = BooleanField(
        _l("Wants text messages about this request, and agreed to get them on this number"),
        validators=[texts_need_a_mobile],
    )
    channel = RadioField(
        _l("How did the request come in?"),
        choices=[
            (Channel.PHONE.value, _l("By phone")),
            (Channel.IN_PERSON.value, _l("In person at the office")),
            (
                Channel.INSTITUTION.value,
                _l("From an institution (welfare centre unit, city unit, NGO)"),
            ),
        ],
        default=Channel.PHONE.value,
        validators=[InputRequired(_l("Choose how the request came in."))],
    )
    oral_consent = BooleanField(
        _l(
            "I read the information on personal data to the person, and they agreed to their data being used for this request"
        ),
        validators=[InputRequired(_l("Confirm that the person was informed and agreed."))],
    )
    submission_key = HiddenField()
    # Asked only when the caller already has an open request: is this really a new one?
    confirm_new = BooleanField(_l("I checked: this is a new matter, save it as a new request"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        category = self.categories.get(self.category_id.data)
        return self.check_answers(category, required=False) and valid

    def validate_institution_name(self, field) -> None:
        if self.channel.data == Channel.INSTITUTION and not (field.data or "").strip():
            raise ValidationError(_l("Give the name of the institution."))

    def validate_receives_assistance(self, field) -> None:
        if self.channel.data != Channel.INSTITUTION and not (field.data or self.is_senior.data):
            raise ValidationError(
                _l(
                    "Tick at least one: the workshops serve seniors and people supported by the welfare centre."
                )
            )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


ROLE_CHOICES = [
    (Role.STAFF.value, _l("Staff (coordinator, social worker)")),
    (Role.INSTRUCTOR.value, _l("Instructor")),
    (Role.ADMIN.value, _l("Administrator")),
]


class NewAccountForm(BaseForm):
    name = StringField(
        _l("First name and surname"),
        validators=[InputRequired(_l("Enter the first name and surname.")), Length(max=120)],
    )
    email = StringField(
        _l("E-mail address"),
        validators=[
            InputRequired(_l("Enter the e-mail address.")),
            Length(max=254),
            Email(
                message=_l("Enter an e-mail address in the form name@example.pl."),
                check_deliverability=False,
            ),
        ],
    )
    role = RadioField(_l("Role"), choices=ROLE_CHOICES, default=Role.STAFF.value)


class AccountForm(BaseForm):
    name = StringField(
        _l("First name and surname"),
        validators=[InputRequired(_l("Enter the first name and surname.")), Length(max=120)],
    )
    role = RadioField(_l("Role"), choices=ROLE_CHOICES)
    active = BooleanField(_l("The account is active (can log in)"))
    groups = MultiCheckboxField(_l("Workshop groups (for instructors)"), coerce=int)


class OwnPasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(_l("Enter your current password."))]
    )
    password = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(_l("Enter a new password.")),
            Length(min=12, max=200, message=_l("Use a password of at least 12 characters.")),
        ],
    )


class NotificationForm(BaseForm):
    notification = RadioField(
        _l("New requests"),
        choices=[
            (
                NotificationPreference.IMMEDIATE.value,
                _l("An e-mail about each new request, as it arrives"),
            ),
            (NotificationPreference.DIGEST.value, _l("One e-mail a day listing the new requests")),
            (NotificationPreference.NONE.value, _l("No e-mail; I check the queue myself")),
        ],
        validators=[InputRequired(_l("Choose how you want to hear of new requests."))],
    )


class GroupForm(BaseForm):
    name = StringField(
        _l("Group name"), validators=[InputRequired(_l("Enter the group's name.")), Length(max=120)]
    )
    category_id = SelectField(
        _l("Service"), coerce=_optional_int, validators=[InputRequired(_l("Choose the service."))]
    )
    location = StringField(
        _l("Address where residents bring and collect items"),
        validators=[Length(max=200, message=_l("Write up to 200 characters."))],
    )
    opening_hours = StringField(
        _l("Hours when residents can come"),
        validators=[Length(max=300, message=_l("Write up to 300 characters."))],
    )
    active = BooleanField(_l("The group is active"), default=True)


class CompletionForm(VersionedForm):
    # For an item left at the workshop: who collected it (the resident, unless told).
    picked_up_by = StringField(
        _l("Collected by"),
        validators=[Length(max=120, message=_l("Write up to 120 characters."))],
    )
    completed_on = DateField(
        _l("Date of completion"),
        validators=[InputRequired(_l("Give the date of completion.")), bounded_date()],
    )
    outcome = RadioField(
        _l("Outcome"),
        choices=[("done", _l("Done")), ("not_done", _l("Could not be done"))],
        default="done",
        validators=[InputRequired(_l("Choose the outcome."))],
    )
    work_done = TextAreaField(_l("What was done"), validators=[Length(max=2000)])
    # From the administrator's list; "other" needs the text below. Reports count by it.
    reason_choice = SelectField(_l("Reason it could not be done"), default="")
    not_done_reason = TextAreaField(_l("Why it could not be done"), validators=[Length(max=2000)])


class ReplyTemplateForm(BaseForm):
    situation = SelectField(
        _l("Situation"), validators=[InputRequired(_l("Choose the situation."))]
    )
    category_id = SelectField(_l("Service"), coerce=_optional_int, validators=[Optional()])
    title = StringField(
        _l("Short title (staff choose by it)"),
        validators=[
            InputRequired(_l("Give the template a short title.")),
            Length(max=120, message=_l("Write up to 120 characters.")),
        ],
    )
    body = TextAreaField(
        _l("Text"),
        validators=[
            InputRequired(_l("Write the text.")),
            Length(max=2000, message=_l("Write up to 2000 characters.")),
        ],
    )
    active = BooleanField(_l("Offered to staff"), default=True)


class DropOffForm(BaseForm):
    received_on = DateField(
        _l("Left at the workshop on"),
        validators=[InputRequired(_l("Give the day the item was left.")), bounded_date()],
    )
    condition = StringField(
        _l("State of the item, in one line (optional)"),
        validators=[Length(max=300, message=_l("Write up to 300 characters."))],
    )
    place = StringField(
        _l("Where it lies: shelf, box (optional)"),
        validators=[Length(max=80, message=_l("Write up to 80 characters."))],
    )
    photo = FileField(_l("Photo of the item as left (optional)"))


class WorkLogForm(VersionedForm):
    worked_on = DateField(
        _l("Date of the work"),
        validators=[InputRequired(_l("Give the date of the work.")), bounded_date()],
    )
    description = TextAreaField(
        _l("What was done"),
        validators=[InputRequired(_l("Write what was done.")), Length(max=2000)],
    )


class EditionForm(BaseForm):
    number = IntegerField(
        _l("Edition number"),
        validators=[InputRequired(_l("Enter the edition number.")), bounded_int(1, 9999)],
    )
    starts_on = DateField(
        _l("Start date"), validators=[InputRequired(_l("Give the start date.")), bounded_date()]
    )
    ends_on = DateField(
        _l("End date"), validators=[InputRequired(_l("Give the end date.")), bounded_date()]
    )


class TraineeForm(BaseForm):
    name = StringField(
        _l("First name and surname"),
        validators=[InputRequired(_l("Enter the first name and surname.")), Length(max=120)],
    )
    edition_id = SelectField(
        _l("Edition"), coerce=_optional_int, validators=[InputRequired(_l("Choose the edition."))]
    )
    group_id = SelectField(
        _l("Workshop group"),
        coerce=_optional_int,
        validators=[InputRequired(_l("Choose the workshop group."))],
    )
    gender = RadioField(
        _l("Gender (optional, for reports)"),
        choices=[("", _l("not given")), ("female", _l("woman")), ("male", _l("man"))],
        default="",
        validators=[Optional()],
    )
    active = BooleanField(_l("Takes part in the programme"), default=True)
    starts_on = DateField(
        _l("First day of participation (optional)"),
        validators=[Optional(), bounded_date()],
        description=_l("Empty: the edition's first day."),
    )
    ends_on = DateField(
        _l("Last day of participation (optional)"),
        validators=[Optional(), bounded_date()],
        description=_l("Empty: the edition's last day."),
    )
    ended_because = SelectField(
        _l("How the participation ended"),
        choices=[("", _l("still taking part, or not recorded"))]
        + [(end.value, label) for end, label in PARTICIPATION_END_LABELS.items()],
        default="",
    )
    after = SelectField(
        _l("What followed the programme"),
        choices=[("", _l("not recorded yet"))]
        + [(after.value, label) for after, label in AFTER_PROGRAMME_LABELS.items()],
        default="",
    )
    after_on = DateField(
        _l("From when (optional)"),
        validators=[Optional(), bounded_date()],
        description=_l("E.g. the first day of the job. Empty: the last day of participation."),
    )


class LoginCodeForm(BaseForm):
    """The second step of a login: a code from the app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[InputRequired(_l("Enter the code from your app.")), Length(max=40)],
    )


class EnrolmentCodeForm(BaseForm):
    code = StringField(
        _l("6-digit code from the app"),
        validators=[InputRequired(_l("Enter the 6 digits the app shows.")), Length(max=20)],
    )


class TwoFactorConfirmForm(EnrolmentCodeForm):
    """Turning two-factor login on from one's own account: the code and the password."""

    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(_l("Enter your current password."))]
    )


class CurrentPasswordForm(BaseForm):
    """A change to how one logs in, confirmed with the current password."""

    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(_l("Enter your current password."))]
    )


class SecuritySettingsForm(BaseForm):
    require_two_factor = BooleanField(_l("Require two-factor login of every back-office account"))


class StaffFeedbackForm(BaseForm):
    """A resident's satisfaction answers given by phone or on paper, written down by staff."""

    channel = RadioField(
        _l("How were the answers given?"),
        choices=[
            (FeedbackChannel.PHONE.value, FEEDBACK_CHANNEL_LABELS[FeedbackChannel.PHONE]),
            (FeedbackChannel.PAPER.value, FEEDBACK_CHANNEL_LABELS[FeedbackChannel.PAPER]),
        ],
        default=FeedbackChannel.PHONE.value,
        validators=[InputRequired(_l("Choose how the answers were given."))],
    )
    as_agreed = RadioField(
        _l("Was the work done as agreed?"),
        choices=[(a.value, label) for a, label in AS_AGREED_LABELS.items()],
        validators=[Optional()],
    )
    contact = RadioField(
        _l("How was the contact with the club?"),
        choices=[(c.value, label) for c, label in CONTACT_LABELS.items()],
        validators=[Optional()],
    )
    comment = TextAreaField(
        _l("The resident's comment (optional)"),
        validators=[Length(max=1000, message=_l("Write up to 1000 characters."))],
    )
