"""What statuses, channels and kinds are called, and what each status means to a resident."""

from datetime import date

from flask_babel import format_date

from .domain.lifecycle import Role, Status
from .i18n import lazy_gettext as _l
from .models import Channel, ConsentMethod, Gender, Outcome, RequesterKind

STATUS_LABELS = {
    Status.SUBMITTED: _l("Received, waiting for review"),
    Status.NEEDS_INFO: _l("We need more information"),
    Status.ACCEPTED: _l("Accepted by the workshop"),
    Status.SCHEDULED: _l("Date arranged"),
    Status.IN_PROGRESS: _l("Work in progress"),
    Status.READY: _l("Ready for pick-up"),
    Status.COMPLETED: _l("Completed"),
    Status.DECLINED: _l("Declined"),
    Status.CANCELLED: _l("Cancelled"),
}

NEXT_STEPS = {
    Status.SUBMITTED: _l(
        "A member of staff will look at your request, usually within a few working days, "
        "and will call you to talk it over."
    ),
    Status.NEEDS_INFO: _l(
        "We need more information before we can go ahead. Please call us or wait for our call."
    ),
    Status.ACCEPTED: _l(
        "Your request has been passed to a workshop. We will call you to arrange a date."
    ),
    Status.SCHEDULED: _l(
        "A date has been arranged. If you cannot make it, please call us as soon as you can."
    ),
    Status.IN_PROGRESS: _l("The workshop is working on your request."),
    Status.READY: _l(
        "The work is done. You can pick up your item at the workshop during opening hours."
    ),
    Status.COMPLETED: _l("The service has been completed. Thank you for using the workshops."),
    Status.DECLINED: _l(
        "We cannot carry out this request. The reason is given below. "
        "If you have questions, please call us."
    ),
    Status.CANCELLED: _l(
        "This request has been cancelled. You can send a new request at any time."
    ),
}

# A job closed as "could not be done" is completed in the workflow, but the resident must
# not read that their service was done.
NOT_DONE_LABEL = _l("Closed – the service could not be done")
NOT_DONE_NEXT_STEP = _l(
    "Unfortunately we could not carry out this service. The reason is given below. "
    "If you have questions, please call us."
)
NOT_DONE_NEXT_STEP_WITHOUT_REASON = _l(
    "Unfortunately we could not carry out this service. If you have questions, please call us."
)


def resident_status_label(status: Status, outcome: Outcome | str | None = None):
    """Name a status for the resident, telling a job that could not be done apart."""
    if Status(status) == Status.COMPLETED and outcome == Outcome.NOT_DONE:
        return NOT_DONE_LABEL
    return STATUS_LABELS[Status(status)]


def resident_next_step(
    status: Status, outcome: Outcome | str | None = None, reason_shown: bool = True
):
    """Say what happens next, for the resident, in a request's current status."""
    if Status(status) == Status.COMPLETED and outcome == Outcome.NOT_DONE:
        return NOT_DONE_NEXT_STEP if reason_shown else NOT_DONE_NEXT_STEP_WITHOUT_REASON
    return NEXT_STEPS[Status(status)]


EVENT_ACTORS = {
    Role.RESIDENT: _l("you"),
    Role.INSTRUCTOR: _l("workshop"),
    Role.STAFF: _l("office"),
    Role.ADMIN: _l("office"),
}

CHANNEL_LABELS = {
    Channel.ONLINE: _l("online form"),
    Channel.PHONE: _l("by phone"),
    Channel.IN_PERSON: _l("in person"),
    Channel.INSTITUTION: _l("from an institution"),
}

REQUESTER_KIND_LABELS = {
    RequesterKind.SENIOR: _l("senior"),
    RequesterKind.ASSISTED: _l("receiving social assistance"),
    RequesterKind.INSTITUTION: _l("institution"),
}

ROLE_LABELS = {
    Role.RESIDENT: _l("resident"),
    Role.INSTRUCTOR: _l("Instructor"),
    Role.STAFF: _l("Staff"),
    Role.ADMIN: _l("Administrator"),
}

# What the button that makes the move says, by the status it moves to.
ACTION_LABELS = {
    Status.SUBMITTED: _l("Information received – back to review"),
    Status.NEEDS_INFO: _l("Ask for more information"),
    Status.ACCEPTED: _l("Accept and assign to a group"),
    Status.SCHEDULED: _l("Arrange a date"),
    Status.IN_PROGRESS: _l("Start the work"),
    Status.READY: _l("Ready for pick-up"),
    Status.COMPLETED: _l("Mark as completed"),
    Status.DECLINED: _l("Decline"),
    Status.CANCELLED: _l("Cancel the request"),
}

CONSENT_LABELS = {
    ConsentMethod.ONLINE: _l("given in the online form"),
    ConsentMethod.ORAL: _l("given orally"),
    ConsentMethod.WRITTEN: _l("given in writing"),
}

FIELD_LABELS = {
    "category_id": _l("Service"),
    "description": _l("What needs to be done"),
    "name": _l("Name"),
    "phone": _l("Phone"),
    "email": _l("E-mail address"),
    "email_updates": _l("Wants e-mail updates"),
    "address": _l("Address"),
    "contact_time": _l("When to call"),
    "is_senior": _l("Senior (60+)"),
    "receives_assistance": _l("Receives support from the social welfare centre"),
    "institution_name": _l("Institution"),
    "institution_contact": _l("Contact person at the institution"),
}

# A history entry's changes name the fields as the code does; these are what staff read.
CHANGE_LABELS = {
    **FIELD_LABELS,
    "completed_on": _l("Completed on"),
    "outcome": _l("Outcome"),
    "work_done": _l("What was done"),
    "not_done_reason": _l("Why it could not be done"),
}
WORK_LOG_CHANGE_LABELS = {
    "worked_on": _l("Date of the work"),
    "description": _l("What was done"),
    "hours": _l("Trainees and hours"),
}
_DATE_FIELDS = {"completed_on", "worked_on"}


def change_label(kind: str, field: str):
    """Name a changed field in a history entry of the given kind."""
    labels = WORK_LOG_CHANGE_LABELS if kind == "work_log" else CHANGE_LABELS
    return labels.get(field, field)


def change_value(field: str, value):
    """Show a recorded old or new value as staff read it: dates and outcomes in Polish."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _l("yes") if value else _l("no")
    if field in _DATE_FIELDS and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value), "dd.MM.yyyy")
        except ValueError:
            return value
    if field == "outcome" and value in {outcome.value for outcome in Outcome}:
        return OUTCOME_LABELS[Outcome(value)]
    return value


OUTCOME_LABELS = {
    Outcome.DONE: _l("done"),
    Outcome.NOT_DONE: _l("could not be done"),
}

GENDER_LABELS = {
    Gender.FEMALE: _l("woman"),
    Gender.MALE: _l("man"),
}
