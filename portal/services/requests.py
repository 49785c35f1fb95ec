"""A request's use cases: submission, each status move, notes, corrections, completion.

A service asks `lifecycle` whether a move is allowed, changes the models, writes
the history event, queues the notifications and commits once. It never reads the
request or the logged-in user, so the web views, the CLI and the tests all call it
the same way.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import photos, references
from ..domain import languages, lifecycle, questions, replies, visits
from ..domain.actor import Actor
from ..domain.errors import DomainError, StaleEdit
from ..domain.lifecycle import Requirement, Role, Status
from ..domain.phones import phone_digits
from ..extensions import db
from ..i18n import N_
from ..models import (
    Channel,
    ConsentMethod,
    EventKind,
    Institution,
    NotDoneReason,
    Outcome,
    Photo,
    ProgrammeEdition,
    Project,
    RequestEvent,
    ServiceCategory,
    ServiceRequest,
    WorkshopGroup,
    utcnow,
)
from ..queries.replies import placeholder_values as reply_values
from . import notifications
from .transaction import flushed_at_commit


@dataclass
class RequestData:
    category_id: int
    description: str
    name: str
    phone: str
    email: str | None = None
    email_updates: bool = False
    address: str | None = None
    contact_time: str | None = None
    is_senior: bool = False
    receives_assistance: bool = False
    channel: Channel = Channel.ONLINE
    consent_method: ConsentMethod = ConsentMethod.ONLINE
    institution_name: str | None = None
    institution_contact: str | None = None
    submission_key: str | None = None
    photos: list[photos.CleanPhoto] = field(default_factory=list)
    # The language the resident reads (their messages and status page speak it).
    language: str = languages.DEFAULT
    # Text messages at the moments that matter, which the resident agreed to.
    sms_updates: bool = False
    # What was given for the service's own questions, by the question's code.
    answers: dict[str, str] = field(default_factory=dict)
    # The partner institution's API key the request came through, if it did.
    api_key_id: int | None = None


@dataclass
class Submission:
    request: ServiceRequest
    duplicate: bool


def local_today(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def submit_request(
    data: RequestData, actor: Actor, *, upload_folder: str, timezone: str = "Europe/Warsaw"
) -> Submission:
    """Record a new request with its photos; a repeated submission key returns the first one."""
    if data.submission_key:
        existing = _by_submission_key(data.submission_key)
        if existing is not None:
            return Submission(existing, duplicate=True)

    category = db.session.get(ServiceCategory, data.category_id)
    if category is None or not category.active:
        raise DomainError(N_("Choose one of the services offered."), field="category_id")
    if category.requires_address and not (data.address or "").strip():
        raise DomainError(N_("Give the address where the work is to be done."), field="address")
    digits = phone_digits(data.phone)
    if digits is None:
        raise DomainError(N_("Enter a phone number we can call."), field="phone")
    if data.channel == Channel.INSTITUTION and not (data.institution_name or "").strip():
        raise DomainError(N_("Give the name of the institution."), field="institution_name")
    # Staff taking a request may leave a question open (what the resident did not know on
    # the phone is asked later); residents online and partners answer the required ones.
    answers, refused = questions.answers(
        category.questions, data.answers, required=actor.user is None
    )
    if refused:
        code, refusal = next(iter(refused.items()))
        raise DomainError(
            refusal.message,
            field=f"q{category.id}_{code}",
            params={"num": refusal.num} if refusal.num is not None else None,
        )

    institution = db.session.scalars(select(Institution)).first()
    prefix = institution.reference_prefix if institution else "ZG"
    consent_version = institution.consent_version if institution else "1"
    year = local_today(timezone).year
    now = utcnow()

    stored = [photos.store_photo(upload_folder, photo) for photo in data.photos]
    try:
        number = references.next_number(year)
        request = ServiceRequest(
            reference=references.format_reference(prefix, year, number),
            access_token=secrets.token_urlsafe(24),
            submission_key=data.submission_key,
            status=Status.SUBMITTED,
            category_id=category.id,
            description=data.description.strip(),
            name=data.name.strip(),
            phone=data.phone.strip(),
            phone_digits=digits,
            email=(data.email or "").strip() or None,
            email_updates=bool(data.email and data.email_updates),
            sms_updates=data.sms_updates,
            sms_consent_at=now if data.sms_updates else None,
            language=languages.known(data.language) or languages.DEFAULT,
            answers=answers or None,
            api_key_id=data.api_key_id,
            address=(data.address or "").strip() or None,
            contact_time=(data.contact_time or "").strip() or None,
            is_senior=data.is_senior,
            receives_assistance=data.receives_assistance,
            channel=data.channel,
            institution_name=_clean(data.institution_name)
            if data.channel == Channel.INSTITUTION
            else None,
            institution_contact=(
                _clean(data.institution_contact) if data.channel == Channel.INSTITUTION else None
            ),
            taken_by_id=actor.user_id,
            consent_at=now,
            consent_version=consent_version,
            consent_method=data.consent_method,
            created_at=now,
        )
        request.photos = [
            Photo(
                stored_name=name, width=photo.width, height=photo.height, size_bytes=len(photo.data)
            )
            for name, photo in zip(stored, data.photos, strict=True)
        ]
        request.events.append(
            _event(
                EventKind.SUBMITTED,
                actor,
                to_status=Status.SUBMITTED,
                is_public=True,
                created_at=now,
            )
        )
        db.session.add(request)
        notifications.request_submitted(request, taken_by=actor.user)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        for name in stored:
            photos.remove_photo(upload_folder, name)
        existing = _by_submission_key(data.submission_key) if data.submission_key else None
        if existing is None:
            raise
        return Submission(existing, duplicate=True)
    except BaseException:
        db.session.rollback()
        for name in stored:
            photos.remove_photo(upload_folder, name)
        raise
    return Submission(request, duplicate=False)


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def _by_submission_key(key: str) -> ServiceRequest | None:
    return db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.submission_key == key)
    ).first()


def _event(kind: EventKind, actor: Actor, **values) -> RequestEvent:
    """A history entry made by actor now."""
    values.setdefault("created_at", utcnow())
    return RequestEvent(kind=kind, actor_id=actor.user_id, actor_role=actor.role, **values)


def _check_version(request: ServiceRequest, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != request.version:
        raise StaleEdit()


@flushed_at_commit
def _move(
    request: ServiceRequest,
    target: Status,
    actor: Actor,
    *,
    note: str = "",
    group_id: int | None = None,
    scheduled_for: date | None = None,
    scheduled_time: str = "",
    expected_version: int | None = None,
    completing: bool = False,
    duplicate_of: ServiceRequest | None = None,
    hold_message: timedelta | None = None,
    survey_visit: bool = False,
) -> RequestEvent:
    """Move request to target if the lifecycle allows it, record the move and commit."""
    _check_version(request, expected_version)
    note = (note or "").strip()
    provided: set[Requirement] = set()
    if duplicate_of is not None:
        provided.add(Requirement.DUPLICATE_OF)
    if group_id is not None:
        provided.add(Requirement.GROUP)
    if note:
        provided.update({Requirement.REASON, Requirement.QUESTION})
    if scheduled_for is not None:
        provided.add(Requirement.DATE)
    if completing:
        provided.add(Requirement.OUTCOME)
    move = lifecycle.check_move(request.status, target, actor.role, provided)

    if move.target == Status.ACCEPTED:
        request.group_id = group_id
    if move.target == Status.SCHEDULED:
        request.scheduled_for = scheduled_for
        request.scheduled_time = visits.normalised(scheduled_time)
        request.survey_visit = bool(survey_visit)
    if move.target == Status.DUPLICATE:
        request.duplicate_of = duplicate_of
    note = _filled(note, request, field="note")
    if move.target == Status.READY:
        request.ready_at = utcnow()
    elif move.current == Status.READY:
        request.ready_at = None
    request.status = move.target
    request.closed_at = utcnow() if move.target in lifecycle.CLOSED else None
    request.answered_at = None  # the office has acted on the resident's answer, if any
    event = _event(
        EventKind.STATUS,
        actor,
        from_status=move.current,
        to_status=move.target,
        note=note,
        is_public=True,
    )
    request.events.append(event)
    notifications.status_changed(request, event, hold=hold_message)
    db.session.commit()
    return event


def board_move(request: ServiceRequest, target: Status, actor: Actor) -> RequestEvent:
    """The one-tap move of a workshop board card, which its maker may undo for a while.

    The resident's message about it waits as long, so a move taken back is never told.
    """
    move = lifecycle.next_board_move(request.status, home_visit=request.category.requires_address)
    if move != Status(target):
        raise lifecycle.TransitionNotAllowed(request.status, Status(target), actor.role)
    return _move(request, move, actor, hold_message=timedelta(minutes=lifecycle.UNDO_MINUTES))


@flushed_at_commit
def undo_board_move(
    request: ServiceRequest, actor: Actor, *, event_id: int, now: datetime | None = None
) -> RequestEvent:
    """Take back a board move: only its maker, only the request's last move, only soon after.

    The request returns to where it was; the history keeps both moves; the resident's
    message about the move, still waiting, is dropped.
    """
    now = now or utcnow()
    last = next(
        (e for e in reversed(request.events) if e.kind == EventKind.STATUS),
        None,
    )
    if (
        last is None
        or last.id != event_id
        or last.actor_id != actor.user_id
        or (last.from_status, last.to_status) not in lifecycle.UNDOABLE_BOARD_MOVES
        or request.status != last.to_status
        or now - last.created_at > timedelta(minutes=lifecycle.UNDO_MINUTES)
    ):
        raise DomainError(N_("This move can no longer be undone."))
    if notifications.status_message_sent(request, last):
        raise DomainError(N_("The resident has already been told of this move; call them instead."))
    notifications.withdraw_status_message(request, last.to_status)
    last.is_public = False  # the resident's history does not show a move taken back
    request.status = last.from_status
    request.ready_at = (
        next(
            (
                e.created_at
                for e in reversed(request.events)
                if e.to_status == Status.READY and e is not last
            ),
            now,
        )
        if last.from_status == Status.READY
        else None
    )
    event = _event(
        EventKind.STATUS,
        actor,
        from_status=last.to_status,
        to_status=last.from_status,
        note="",
        is_public=False,
        changes={"undone": last.id},
    )
    request.events.append(event)
    db.session.commit()
    return event


def _filled(text: str, request: ServiceRequest, *, field: str) -> str:
    """text with a reply template's placeholders filled from the request as it now is.

    A placeholder with no value for this request is refused at its field rather than sent.
    """
    if not replies.placeholders_in(text):
        return text
    group = db.session.get(WorkshopGroup, request.group_id) if request.group_id else None
    text = replies.fill(text, reply_values(request, group=group))
    missing = replies.unfilled(text)
    if missing:
        raise DomainError(
            N_(
                "The text still holds %(names)s, which has no value for this request: "
                "write it in, or remove it."
            ),
            field=field,
            params={"names": ", ".join("{" + name + "}" for name in missing)},
        )
    return text


def accept_request(
    request: ServiceRequest,
    actor: Actor,
    *,
    group_id: int | None,
    note: str = "",
    expected_version=None,
) -> RequestEvent:
    """Accept a request and hand it to a workshop group."""
    return _move(
        request,
        Status.ACCEPTED,
        actor,
        group_id=group_id,
        note=note,
        expected_version=expected_version,
    )


def ask_for_information(
    request: ServiceRequest, actor: Actor, *, note: str, expected_version=None
) -> RequestEvent:
    """Ask the resident for what is missing; note is the question they read."""
    return _move(request, Status.NEEDS_INFO, actor, note=note, expected_version=expected_version)


def resume_review(
    request: ServiceRequest, actor: Actor, *, note: str = "", expected_version=None
) -> RequestEvent:
    """Put a request back in the queue once the resident has answered."""
    return _move(request, Status.SUBMITTED, actor, note=note, expected_version=expected_version)


def decline_request(
    request: ServiceRequest, actor: Actor, *, note: str, expected_version=None
) -> RequestEvent:
    """Decline a request; note is the reason the resident reads."""
    return _move(request, Status.DECLINED, actor, note=note, expected_version=expected_version)


def cancel_request(
    request: ServiceRequest, actor: Actor, *, note: str = "", expected_version=None
) -> RequestEvent:
    """Cancel a request, on the office's decision or the resident's word."""
    return _move(request, Status.CANCELLED, actor, note=note, expected_version=expected_version)


def close_as_duplicate(
    request: ServiceRequest,
    actor: Actor,
    *,
    duplicate_of: str,
    note: str = "",
    expected_version=None,
) -> RequestEvent:
    """Close a request that repeats another of the same person, linked to that one.

    duplicate_of is the other request's reference, as staff type it. The other request
    stays and carries the work; this one never counts as a service. The resident is told
    which request goes on.
    """
    reference = (duplicate_of or "").strip().upper()
    if not reference:
        raise lifecycle.MissingRequirement(Status.DUPLICATE, frozenset({Requirement.DUPLICATE_OF}))
    other = db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.reference == reference)
    ).first()
    if other is None:
        raise DomainError(N_("There is no request with this number."), field="duplicate_of")
    if other.id == request.id:
        raise DomainError(
            N_("Give the number of the other request, not of this one."), field="duplicate_of"
        )
    if other.status == Status.DUPLICATE:
        raise DomainError(
            N_(
                "That request is itself closed as a duplicate; give the number of the one it repeats."
            ),
            field="duplicate_of",
        )
    if other.anonymised_at is not None:
        raise DomainError(
            N_("That request's personal data has been erased; it cannot be linked."),
            field="duplicate_of",
        )
    return _move(
        request,
        Status.DUPLICATE,
        actor,
        duplicate_of=other,
        note=note,
        expected_version=expected_version,
    )


def schedule_job(
    request: ServiceRequest,
    actor: Actor,
    *,
    scheduled_for: date | None,
    scheduled_time: str = "",
    note: str = "",
    survey_visit: bool = False,
    expected_version=None,
) -> RequestEvent:
    """Fix the day (and the hours, if told) the item is brought in or the visit takes place.

    survey_visit: the visit is to see what is to be done, before the work itself.
    """
    return _move(
        request,
        Status.SCHEDULED,
        actor,
        scheduled_for=scheduled_for,
        scheduled_time=scheduled_time,
        note=note,
        survey_visit=survey_visit,
        expected_version=expected_version,
    )


@flushed_at_commit
def reschedule(
    request: ServiceRequest,
    actor: Actor,
    *,
    scheduled_for: date | None,
    scheduled_time: str = "",
    survey_visit: bool = False,
    note: str = "",
    expected_version=None,
) -> RequestEvent:
    """Move an arranged date (or its hours): the history keeps both, the resident is told.

    Also how a survey visit is followed by the date of the work (survey_visit False).
    """
    _check_version(request, expected_version)
    if request.status != Status.SCHEDULED or not lifecycle.is_allowed(
        Status.ACCEPTED, Status.SCHEDULED, actor.role
    ):
        raise lifecycle.TransitionNotAllowed(request.status, Status.SCHEDULED, actor.role)
    if scheduled_for is None:
        raise lifecycle.MissingRequirement(Status.SCHEDULED, frozenset({Requirement.DATE}))
    hours = visits.normalised(scheduled_time)
    changes = {}
    for name, new in (
        ("scheduled_for", scheduled_for),
        ("scheduled_time", hours),
        ("survey_visit", bool(survey_visit)),
    ):
        old = getattr(request, name)
        if old != new:
            changes[name] = {
                "old": old.isoformat() if isinstance(old, date) else old,
                "new": new.isoformat() if isinstance(new, date) else new,
            }
    if not changes:
        raise DomainError(N_("This is the date already arranged."), field="scheduled_for")
    request.scheduled_for, request.scheduled_time = scheduled_for, hours
    request.survey_visit = bool(survey_visit)
    event = _event(
        EventKind.RESCHEDULE,
        actor,
        from_status=request.status,
        to_status=request.status,
        note=_filled((note or "").strip(), request, field="note"),
        is_public=True,
        changes=changes,
    )
    request.events.append(event)
    notifications.date_changed(request, event)
    db.session.commit()
    return event


def start_job(
    request: ServiceRequest, actor: Actor, *, note: str = "", expected_version=None
) -> RequestEvent:
    """Start the work (also: take a job back to work from the pick-up shelf)."""
    return _move(request, Status.IN_PROGRESS, actor, note=note, expected_version=expected_version)


def mark_ready(
    request: ServiceRequest, actor: Actor, *, note: str = "", expected_version=None
) -> RequestEvent:
    """Put a finished workshop item aside for the resident to pick up."""
    return _move(request, Status.READY, actor, note=note, expected_version=expected_version)


# The use case behind each status a person can move a request to with one form; completion
# has its own (`complete_job`), with a date and an outcome.
MOVES = {
    Status.ACCEPTED: accept_request,
    Status.NEEDS_INFO: ask_for_information,
    Status.SUBMITTED: resume_review,
    Status.DECLINED: decline_request,
    Status.CANCELLED: cancel_request,
    Status.DUPLICATE: close_as_duplicate,
    Status.SCHEDULED: schedule_job,
    Status.IN_PROGRESS: start_job,
    Status.READY: mark_ready,
}


def move_request(
    request: ServiceRequest,
    target: Status,
    actor: Actor,
    *,
    note: str = "",
    group_id: int | None = None,
    scheduled_for: date | None = None,
    scheduled_time: str = "",
    duplicate_of: str = "",
    survey_visit: bool = False,
    expected_version: int | None = None,
) -> RequestEvent:
    """Make the move to target through its use case, with what the status form carries."""
    target = Status(target)
    if target not in MOVES:
        raise lifecycle.TransitionNotAllowed(request.status, target, actor.role)
    values = {
        "note": note,
        "group_id": group_id,
        "scheduled_for": scheduled_for,
        "scheduled_time": scheduled_time,
        "duplicate_of": duplicate_of,
        "survey_visit": survey_visit,
    }
    wanted = {
        Status.ACCEPTED: ("group_id", "note"),
        Status.SCHEDULED: ("scheduled_for", "scheduled_time", "survey_visit", "note"),
        Status.DUPLICATE: ("duplicate_of", "note"),
    }.get(target, ("note",))
    return MOVES[target](
        request,
        actor,
        expected_version=expected_version,
        **{name: values[name] for name in wanted},
    )


@flushed_at_commit
def answer_question(
    request: ServiceRequest,
    answer: str,
    *,
    photos_added: list[photos.CleanPhoto] | None = None,
    upload_folder: str,
) -> RequestEvent:
    """Record the resident's answer to the office's question and send the request back.

    The answer (and any photos) goes into the history, the request returns to the office's
    queue marked as answered, and staff are told through the outbox.
    """
    answer = (answer or "").strip()
    if not lifecycle.resident_can_answer(request.status):
        raise lifecycle.TransitionNotAllowed(request.status, Status.SUBMITTED, Role.RESIDENT)
    if not answer:
        raise DomainError(N_("Write your answer."), field="answer")
    added = photos_added or []
    stored = [photos.store_photo(upload_folder, photo) for photo in added]
    try:
        request.photos.extend(
            Photo(
                stored_name=name, width=photo.width, height=photo.height, size_bytes=len(photo.data)
            )
            for name, photo in zip(stored, added, strict=True)
        )
        event = _event(
            EventKind.ANSWER,
            Actor.resident(),
            from_status=request.status,
            to_status=Status.SUBMITTED,
            note=answer,
            is_public=True,
            changes={"photos": len(added)} if added else None,
        )
        request.status = Status.SUBMITTED
        request.answered_at = event.created_at
        request.events.append(event)
        db.session.flush()  # the staff's messages name the event
        notifications.resident_answered(request, event)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for name in stored:
            photos.remove_photo(upload_folder, name)
        raise
    return event


def cancel_by_resident(
    request: ServiceRequest, reason: str = "", expected_version: int | None = None
) -> RequestEvent:
    """Cancel a request on its resident's word, given through the private link."""
    return cancel_request(request, Actor.resident(), note=reason, expected_version=expected_version)


@flushed_at_commit
def add_note(request: ServiceRequest, body: str, actor: Actor) -> RequestEvent:
    """Add an internal note to a request's history; residents never see it."""
    body = (body or "").strip()
    if not body:
        raise DomainError(N_("Write the note."), field="body")
    event = _event(EventKind.NOTE, actor, note=body, is_public=False)
    request.events.append(event)
    db.session.commit()
    return event


EDITABLE_FIELDS = (
    "category_id",
    "description",
    "name",
    "phone",
    "email",
    "email_updates",
    "address",
    "contact_time",
    "is_senior",
    "receives_assistance",
    "institution_name",
    "institution_contact",
)


@flushed_at_commit
def correct_request(
    request: ServiceRequest, changes: dict, actor: Actor, *, expected_version: int | None
) -> RequestEvent | None:
    """Correct a request's data, recording every old and new value in its history."""
    _check_version(request, expected_version)
    if not lifecycle.may_change_record(request.status, actor.role):
        raise DomainError(N_("A closed request can only be corrected by an administrator."))
    recorded: dict[str, dict] = {}
    for name in EDITABLE_FIELDS:
        if name not in changes:
            continue
        new = changes[name]
        if isinstance(new, str):
            new = new.strip() or None
        if name in ("description", "name", "phone") and not new:
            raise DomainError(N_("This field cannot be empty."), field=name)
        if name == "phone":
            digits = phone_digits(new)
            if digits is None:
                raise DomainError(N_("Enter a phone number we can call."), field="phone")
            request.phone_digits = digits
        old = getattr(request, name)
        if old == new:
            continue
        if name == "category_id":
            category = db.session.get(ServiceCategory, new)
            if category is None:
                raise DomainError(N_("Choose one of the services offered."), field="category_id")
            recorded[name] = {"old": request.category.name, "new": category.name}
        else:
            recorded[name] = {"old": old, "new": new}
        setattr(request, name, new)
    if not recorded:
        return None
    event = _event(EventKind.EDIT, actor, changes=recorded, is_public=False)
    request.events.append(event)
    db.session.commit()
    return event


@flushed_at_commit
def set_project(
    request: ServiceRequest, project_id: int | None, actor: Actor
) -> RequestEvent | None:
    """Label a job with the project or event it is done for (or take the label off).

    The label is the office's, for the reports: the resident does not see it, and it may be
    set after completion too. The change is kept in the history.
    """
    project = db.session.get(Project, project_id) if project_id else None
    if project_id and (project is None or not (project.active or project_id == request.project_id)):
        raise DomainError(N_("Choose a project or event from the list."), field="project_id")
    if request.project_id == (project.id if project else None):
        return None
    old = request.project.name if request.project else None
    request.project = project
    event = _event(
        EventKind.EDIT,
        actor,
        changes={"project_id": {"old": old, "new": project.name if project else None}},
        is_public=False,
    )
    request.events.append(event)
    db.session.commit()
    return event


def edition_running_on(day: date) -> ProgrammeEdition | None:
    return db.session.scalars(
        select(ProgrammeEdition)
        .where(ProgrammeEdition.starts_on <= day, ProgrammeEdition.ends_on >= day)
        .order_by(ProgrammeEdition.number)
    ).first()


def submitted_on(request: ServiceRequest, timezone: str) -> date:
    """Return the local day the request was sent (created_at is stored in UTC)."""
    return request.created_at.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)).date()


def _check_completion(
    request: ServiceRequest,
    *,
    completed_on: date,
    outcome: Outcome,
    work_done: str,
    not_done_reason: str,
    today: date,
    timezone: str,
    not_done_reason_id: int | None = None,
) -> NotDoneReason | None:
    """Check a completion; return the listed reason it names (None: none, or "other")."""
    if completed_on > today:
        raise DomainError(N_("The completion date cannot be in the future."), field="completed_on")
    if completed_on < submitted_on(request, timezone):
        raise DomainError(
            N_("The completion date cannot be earlier than the day the request was sent."),
            field="completed_on",
        )
    if outcome == Outcome.DONE and not work_done:
        raise DomainError(N_("Write what was done."), field="work_done")
    if outcome == Outcome.DONE:
        return None
    reason = db.session.get(NotDoneReason, not_done_reason_id) if not_done_reason_id else None
    if not_done_reason_id and (
        reason is None or not (reason.active or reason.id == request.not_done_reason_id)
    ):
        raise DomainError(N_("Choose a reason from the list."), field="reason_choice")
    if reason is None and not not_done_reason:
        if shows_not_done_reason():
            message = N_("Write why the job could not be done; the resident will see it.")
        else:
            message = N_("Write why the job could not be done.")
        raise DomainError(message, field="not_done_reason")
    return reason


def shows_not_done_reason() -> bool:
    """Tell whether the club lets residents read why their job could not be done."""
    institution = db.session.scalars(select(Institution).order_by(Institution.id)).first()
    return institution.show_not_done_reason if institution else True


@flushed_at_commit
def complete_job(
    request: ServiceRequest,
    actor: Actor,
    *,
    completed_on: date,
    outcome: Outcome,
    work_done: str = "",
    not_done_reason: str = "",
    not_done_reason_id: int | None = None,
    expected_version: int | None = None,
    today: date | None = None,
    timezone: str = "Europe/Warsaw",
    picked_up_by: str | None = None,
) -> RequestEvent:
    """Close a job with its date and outcome; only an outcome of done counts toward the totals.

    For an item left at the workshop, picked_up_by (default: the resident) is who collected
    it; the actor handed it over.

    The date lies between the day the request was sent and today (local dates), so a
    service is never counted in a month before anyone asked for it, nor ahead of time.
    """
    _check_version(request, expected_version)
    lifecycle.check_move(request.status, Status.COMPLETED, actor.role, {Requirement.OUTCOME})
    outcome = Outcome(outcome)
    work_done, not_done_reason = (work_done or "").strip(), (not_done_reason or "").strip()
    reason = _check_completion(
        request,
        completed_on=completed_on,
        outcome=outcome,
        work_done=work_done,
        not_done_reason=not_done_reason,
        today=today or local_today(timezone),
        timezone=timezone,
        not_done_reason_id=not_done_reason_id,
    )
    work_done = _filled(work_done, request, field="work_done")
    not_done_reason = _filled(not_done_reason, request, field="not_done_reason")
    edition = edition_running_on(completed_on)
    request.completed_on = completed_on
    request.outcome = outcome
    request.work_done = work_done or None
    request.not_done_reason = not_done_reason or None
    request.not_done_reason_id = reason.id if reason else None
    request.not_done_reason_choice = reason
    request.edition_id = edition.id if edition else None
    if request.custody is not None and request.custody.picked_up_at is None:
        request.custody.picked_up_at = utcnow()
        request.custody.picked_up_by = (picked_up_by or "").strip()[:120] or request.name
        request.custody.handed_over_by_id = actor.user_id
    return _move(request, Status.COMPLETED, actor, note=_resident_note(request), completing=True)


def _resident_note(request: ServiceRequest) -> str:
    """What the resident reads of a completion: what was done, or why it could not be.

    The reason stays internal when the club keeps it so (staff see it on the request).
    """
    if request.outcome == Outcome.DONE:
        return request.work_done or ""
    if not shows_not_done_reason():
        return ""
    if request.not_done_reason:
        return request.not_done_reason
    reason = request.not_done_reason_choice
    return reason.label if reason is not None else ""


@flushed_at_commit
def correct_completion(
    request: ServiceRequest,
    actor: Actor,
    *,
    completed_on: date,
    outcome: Outcome,
    work_done: str = "",
    not_done_reason: str = "",
    not_done_reason_id: int | None = None,
    expected_version: int | None = None,
    today: date | None = None,
    timezone: str = "Europe/Warsaw",
) -> RequestEvent:
    """Correct a completed job's record; only an administrator may, and the change is kept."""
    if actor.role != Role.ADMIN:
        raise DomainError(N_("Only an administrator can correct a completed job."))
    if request.status != Status.COMPLETED:
        raise DomainError(N_("Only a completed job can be corrected here."))
    _check_version(request, expected_version)
    outcome = Outcome(outcome)
    work_done, not_done_reason = (work_done or "").strip(), (not_done_reason or "").strip()
    reason = _check_completion(
        request,
        completed_on=completed_on,
        outcome=outcome,
        work_done=work_done,
        not_done_reason=not_done_reason,
        today=today or local_today(timezone),
        timezone=timezone,
        not_done_reason_id=not_done_reason_id,
    )
    edition = edition_running_on(completed_on)
    new = {
        "completed_on": completed_on.isoformat(),
        "outcome": outcome.value,
        "work_done": work_done or None,
        "not_done_reason": not_done_reason or None,
        "not_done_reason_id": reason.label if reason else None,
    }
    old = {
        "completed_on": request.completed_on.isoformat() if request.completed_on else None,
        "outcome": request.outcome.value if request.outcome else None,
        "work_done": request.work_done,
        "not_done_reason": request.not_done_reason,
        "not_done_reason_id": (
            request.not_done_reason_choice.label if request.not_done_reason_choice else None
        ),
    }
    changes = {key: {"old": old[key], "new": new[key]} for key in new if old[key] != new[key]}
    request.completed_on = completed_on
    request.outcome = outcome
    request.work_done = new["work_done"]
    request.not_done_reason = new["not_done_reason"]
    request.not_done_reason_id = reason.id if reason else None
    request.not_done_reason_choice = reason
    request.edition_id = edition.id if edition else None
    # The status page tells the resident the corrected outcome, not the first one.
    for completion in request.events:
        if completion.kind == EventKind.STATUS and completion.to_status == Status.COMPLETED:
            completion.note = _resident_note(request)
    event = _event(EventKind.EDIT, actor, changes=changes, note="", is_public=False)
    request.events.append(event)
    db.session.commit()
    return event
