"""What statuses, channels and kinds are called, and what each status means to a resident."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date, ngettext

from .domain.lifecycle import Role, Status
from .domain.replies import Situation
from .i18n import lazy_gettext as _l
from .i18n import setting_text
from .models import (
    AfterProgramme,
    AsAgreed,
    Channel,
    ConsentMethod,
    ContactRating,
    EventKind,
    FeedbackChannel,
    Gender,
    Outcome,
    ParticipationEnd,
    RequesterKind,
    ServiceCategory,
    WorkshopGroup,
)

# One name per status, the same for residents, in e-mails, in the back office and in
# reports. Only ACCEPTED is "przyjęte" in Polish: a resident who reads that word believes the
# job is on (tests/unit/test_vocabulary.py holds every Polish text to it).
STATUS_LABELS = {
    Status.SUBMITTED: _l("Sent – waiting to be checked"),
    Status.NEEDS_INFO: _l("We need more information"),
    Status.ACCEPTED: _l("Accepted for the work"),
    Status.SCHEDULED: _l("Date arranged"),
    Status.IN_PROGRESS: _l("Work in progress"),
    Status.READY: _l("Ready for pick-up"),
    Status.COMPLETED: _l("Completed"),
    Status.DECLINED: _l("Declined"),
    Status.CANCELLED: _l("Cancelled"),
    Status.DUPLICATE: _l("Joined with another request"),
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
    Status.DECLINED: _l("We cannot carry out this request. If you have questions, please call us."),
    Status.CANCELLED: _l(
        "This request has been cancelled. You can send a new request at any time."
    ),
    Status.DUPLICATE: _l(
        "You asked us for the same thing in another request, so we joined this one with it. "
        "We carry on with the other request; nothing is lost."
    ),
}

# A job closed as "could not be done" is completed in the workflow, but the resident must
# not read that their service was done.
NOT_DONE_LABEL = _l("Closed – the service could not be done")
NOT_DONE_NEXT_STEP = _l(
    "Unfortunately we could not carry out this service. If you have questions, please call us."
)


def resident_status_label(status: Status, outcome: Outcome | str | None = None):
    """Name a status for the resident, telling a job that could not be done apart."""
    if Status(status) == Status.COMPLETED and outcome == Outcome.NOT_DONE:
        return NOT_DONE_LABEL
    return STATUS_LABELS[Status(status)]


@dataclass
class StatusBox:
    """What a resident reads about their request's status, in concrete terms.

    next_step says what happens next; facts are (label, value) lines such as where to bring
    the item and when; message is what the office wrote with this status (the question when
    it needs information, the reason when it declined or could not do the job), shown with
    message_label.
    """

    label: str
    next_step: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    message_label: str = ""
    message: str = ""


def workshop_of(category: ServiceCategory | None, group: WorkshopGroup | None):
    """The workshop a resident deals with: the request's group, else its service's first one.

    None for work done at the resident's home, or when no workshop has an address.
    """
    if category is not None and category.requires_address:
        return None
    if group is not None and group.location:
        return group
    groups = category.groups if category is not None else []
    return next((g for g in groups if g.active and g.location), None)


def status_message(request) -> str:
    """The office's public note with the move into the request's current status, if any."""
    for event in reversed(request.public_events):
        if event.to_status == request.status and event.kind == EventKind.STATUS:
            return event.note or ""
    return ""


def request_status_box(request) -> StatusBox:
    """The status box of a stored request, as its status page shows it."""
    return status_box(
        request.status,
        request.outcome,
        category=request.category,
        group=request.group,
        scheduled_for=request.scheduled_for,
        scheduled_time=request.scheduled_time,
        message=status_message(request),
        duplicate_of=request.duplicate_of.reference
        if request.status == Status.DUPLICATE and request.duplicate_of is not None
        else "",
        survey_visit=request.survey_visit,
    )


def status_box(
    status: Status,
    outcome: Outcome | str | None = None,
    *,
    category: ServiceCategory | None = None,
    group: WorkshopGroup | None = None,
    scheduled_for: date | None = None,
    scheduled_time: str = "",
    message: str = "",
    duplicate_of: str = "",
    survey_visit: bool = False,
) -> StatusBox:
    """Say what a status means for this request: next step, where and when, and the message.

    message is the office's public note with the status's last move: the question, the
    reason, what was done. (The reason a job could not be done is public only where the
    club's setting shows it; otherwise the move carries no note.)
    """
    status = Status(status)
    at_home = bool(category is not None and category.requires_address)
    workshop = workshop_of(category, group)
    box = StatusBox(label=str(resident_status_label(status, outcome)), next_step="")
    where = []
    if workshop is not None:
        where.append((str(_l("Address")), setting_text(workshop, "location")[0]))
        if workshop.opening_hours:
            where.append((str(_l("Hours")), setting_text(workshop, "opening_hours")[0]))
    when = []
    if scheduled_for is not None:
        when.append((str(_l("Date")), format_date(scheduled_for, "EEEE, d MMMM y")))
    if scheduled_time:
        when.append((str(_l("Time")), scheduled_time))

    if status == Status.SUBMITTED:
        box.next_step = str(NEXT_STEPS[status])
    elif status == Status.NEEDS_INFO:
        box.next_step = str(
            _l("Answer our question on the page of your request, or call us.")
            if message
            else _l("We need more information before we can go ahead. Please call us.")
        )
        box.message_label, box.message = str(_l("Our question")), message
    elif status == Status.ACCEPTED:
        if at_home:
            box.next_step = str(
                _l("A workshop group will do the work. We will call you to arrange a visit.")
            )
        else:
            box.next_step = str(
                _l(
                    "A workshop will do the work. We will call you to arrange when to bring "
                    "the item. Please do not bring it before we have arranged it."
                )
            )
            box.facts = where
    elif status == Status.SCHEDULED:
        if at_home and survey_visit:
            box.next_step = str(
                _l(
                    "We will come to see what is to be done, before the work, to the address "
                    "given in the request, on this date:"
                )
            )
            box.facts = when
        elif at_home:
            box.next_step = str(
                _l("We will come to you, to the address given in the request, on this date:")
            )
            box.facts = when
        else:
            box.next_step = str(_l("Bring the item to the workshop on this date:"))
            box.facts = when + where
        if not when:
            box.next_step = str(_l("A date has been arranged. We will remind you of it by phone."))
    elif status == Status.IN_PROGRESS:
        box.next_step = str(NEXT_STEPS[status])
    elif status == Status.READY:
        if at_home:
            box.next_step = str(_l("The work is done."))
        else:
            box.next_step = str(
                _l("The work is done. Collect the item at the workshop, at these hours:")
            )
            box.facts = where
    elif status == Status.COMPLETED and outcome != Outcome.NOT_DONE:
        box.next_step = str(NEXT_STEPS[status])
        if message:
            box.message_label, box.message = str(_l("What was done")), message
    elif status == Status.COMPLETED:
        box.next_step = str(NOT_DONE_NEXT_STEP)
        if message:
            box.message_label, box.message = str(_l("Why")), message
    elif status == Status.DUPLICATE:
        box.next_step = str(NEXT_STEPS[status])
        if duplicate_of:
            box.facts = [(str(_l("The request we carry on with")), duplicate_of)]
    elif status == Status.DECLINED:
        box.next_step = str(NEXT_STEPS[status])
        if message:
            box.message_label, box.message = str(_l("Why")), message
    else:
        box.next_step = str(NEXT_STEPS[status])
    if message and not box.message:
        box.message_label, box.message = str(_l("Message from the club")), message
    return box


def waiting_sentence(estimate) -> str:
    """Say a waiting estimate plainly, or that there is too little to go on."""
    if estimate is None:
        return str(
            _l(
                "We cannot yet say how long the wait usually is: the workshop has done too "
                "few jobs of this kind lately."
            )
        )
    return ngettext(
        "Usually %(low)d–%(num)d week until the work is done, judging by the last months. "
        "This is not a promise.",
        "Usually %(low)d–%(num)d weeks until the work is done, judging by the last months. "
        "This is not a promise.",
        estimate.high,
        low=estimate.low,
    )


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
    Status.SUBMITTED: _l("Information received – back to checking"),
    Status.NEEDS_INFO: _l("Ask for more information"),
    Status.ACCEPTED: _l("Accept for the work and assign a group"),
    Status.SCHEDULED: _l("Arrange a date"),
    Status.IN_PROGRESS: _l("Start the work"),
    Status.READY: _l("Ready for pick-up"),
    Status.COMPLETED: _l("Mark as completed"),
    Status.DECLINED: _l("Decline"),
    Status.CANCELLED: _l("Cancel the request"),
    Status.DUPLICATE: _l("Close as a duplicate"),
}

CONSENT_LABELS = {
    ConsentMethod.ONLINE: _l("given in the online form"),
    ConsentMethod.ORAL: _l("given orally"),
    ConsentMethod.WRITTEN: _l("given in writing"),
    ConsentMethod.PARTNER: _l("taken by the partner institution that sent the request"),
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
    "not_done_reason_id": _l("Reason it could not be done"),
    "project_id": _l("Project or event"),
    "received_on": _l("Left at the workshop on"),
    "scheduled_for": _l("Arranged date"),
    "scheduled_time": _l("Hours"),
    "survey_visit": _l("Survey visit before the work"),
    "place": _l("Where it lies"),
    "condition": _l("State of the item"),
}
WORK_LOG_CHANGE_LABELS = {
    "worked_on": _l("Date of the work"),
    "description": _l("What was done"),
    "hours": _l("Trainees and hours"),
}
_DATE_FIELDS = {"completed_on", "worked_on", "received_on", "scheduled_for"}


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

AS_AGREED_LABELS = {
    AsAgreed.YES: _l("Yes"),
    AsAgreed.PARTLY: _l("Partly"),
    AsAgreed.NO: _l("No"),
}
CONTACT_LABELS = {
    ContactRating.GOOD: _l("Good"),
    ContactRating.FAIR: _l("So-so"),
    ContactRating.POOR: _l("Poor"),
}
FEEDBACK_CHANNEL_LABELS = {
    FeedbackChannel.ONLINE: _l("on the request's page"),
    FeedbackChannel.PHONE: _l("by phone"),
    FeedbackChannel.PAPER: _l("on paper"),
}

GENDER_LABELS = {
    Gender.FEMALE: _l("woman"),
    Gender.MALE: _l("man"),
}

PARTICIPATION_END_LABELS = {
    ParticipationEnd.COMPLETED: _l("completed the programme"),
    ParticipationEnd.LEFT_EARLY: _l("left early"),
    ParticipationEnd.OTHER: _l("ended for another reason"),
}

AFTER_PROGRAMME_LABELS = {
    AfterProgramme.EMPLOYMENT: _l("took up employment"),
    AfterProgramme.INTERNSHIP: _l("took up an internship"),
    AfterProgramme.TRAINING: _l("went on to training"),
    AfterProgramme.NONE: _l("nothing yet"),
    AfterProgramme.UNKNOWN: _l("not known"),
}

# The situations a reply template is for, as the administrator chooses them.
SITUATION_LABELS = {
    Situation.NEEDS_INFO: _l("Asking for more information"),
    Situation.DECLINED: _l("Declining"),
    Situation.SCHEDULED: _l("Arranging a date"),
    Situation.READY: _l("Ready for pick-up"),
    Situation.NOT_DONE: _l("Could not be done"),
}
# The move whose message box a situation's templates fill.
SITUATION_OF_MOVE = {
    Status.NEEDS_INFO: Situation.NEEDS_INFO,
    Status.DECLINED: Situation.DECLINED,
    Status.SCHEDULED: Situation.SCHEDULED,
    Status.READY: Situation.READY,
}

# The languages a resident may read the portal in, as the back office names them.
LANGUAGE_NAMES = {
    "pl": _l("Polish"),
    "uk": _l("Ukrainian"),
    "en": _l("English"),
}
