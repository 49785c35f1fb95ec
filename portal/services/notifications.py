"""What to tell whom: turns changes into outbox rows, and never talks SMTP.

Services call these functions before their single commit, so a message exists
exactly when the change it tells of does. Each row carries the facts as they were
at that moment; the worker in `outbox` renders and sends it later, outside any
web request.

A resident hears only when they asked for e-mail updates and gave an address.
Staff and administrators with an address hear of new requests, at once or in a
daily digest, as each of them chose on their own account page.

A resident who asked for text messages, when the club has a gateway (`portal.sms`),
also gets a short text at the moments that matter: the request is in, the office has
a question, tomorrow's date (the visit or bringing the item), the item is ready, and the
one reminder of an item not collected. Only to a number that can be a mobile; the text
is written when it is sent, in the language of the request.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import sms
from ..domain.lifecycle import Role, Status
from ..extensions import db
from ..models import (
    Channel,
    Feedback,
    ItemCustody,
    MessageChannel,
    MessageKind,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    Outcome,
    RequestEvent,
    ServiceRequest,
    User,
    utcnow,
)
from ..sms.texts import TEXTED_STATUSES
from .transaction import use_case

# The moves a resident hears about; the office's internal steps stay quiet.
RESIDENT_NOTIFIED = frozenset(
    {
        Status.ACCEPTED,
        Status.NEEDS_INFO,
        Status.SCHEDULED,
        Status.READY,
        Status.COMPLETED,
        Status.DECLINED,
        Status.CANCELLED,
        Status.DUPLICATE,
    }
)
# The satisfaction check's one reminder: a few days after the job was done, and not once
# the job is long past.
FEEDBACK_REMINDER_AFTER = timedelta(days=3)
FEEDBACK_REMINDER_UNTIL = timedelta(days=30)

# A request committed a moment before the digest ran may still be on its way in;
# the digest covers up to this long ago and leaves the rest for the next one.
DIGEST_SETTLE = timedelta(minutes=2)
FIRST_DIGEST_WINDOW = timedelta(days=1)


def request_submitted(request: ServiceRequest, taken_by: User | None = None) -> None:
    """Queue the resident's confirmation and the immediate staff messages of a new request."""
    db.session.flush()  # the staff's link needs the request's id
    if wants_updates(request):
        _enqueue(MessageKind.SUBMITTED, request.email, _resident_facts(request), request=request)
    if wants_texts(request):
        _enqueue_text(MessageKind.SUBMITTED, request, _text_facts(request))
    for user in _staff_with(NotificationPreference.IMMEDIATE):
        if taken_by is not None and user.id == taken_by.id:
            continue  # they took the request themselves
        _enqueue(
            MessageKind.NEW_REQUEST, user.email, _staff_facts(request), request=request, user=user
        )


def status_changed(
    request: ServiceRequest, event: RequestEvent, *, hold: timedelta | None = None
) -> None:
    """Queue the resident's message about a move, if it is one they hear about.

    hold keeps the message back that long: a board move may still be undone meanwhile.
    """
    target = Status(event.to_status)
    if target not in RESIDENT_NOTIFIED:
        return
    if target in TEXTED_STATUSES and wants_texts(request):
        facts = _text_facts(request)
        facts.update(status=target.value)
        text = _enqueue_text(MessageKind.STATUS_CHANGE, request, facts)
        if text is not None and hold:
            text.next_attempt_at = text.created_at + hold
    if not wants_updates(request):
        return
    scheduled = request.scheduled_for if target == Status.SCHEDULED else None
    facts = _resident_facts(request)
    facts.update(
        status=target.value,
        note=event.note if event.is_public else "",
        scheduled_for=scheduled.isoformat() if scheduled else None,
        scheduled_time=request.scheduled_time if scheduled else "",
        survey_visit=bool(request.survey_visit) if scheduled else False,
        outcome=request.outcome.value if target == Status.COMPLETED and request.outcome else None,
        duplicate_of=request.duplicate_of.reference
        if target == Status.DUPLICATE and request.duplicate_of is not None
        else "",
    )
    message = _enqueue(MessageKind.STATUS_CHANGE, request.email, facts, request=request)
    if hold:
        message.next_attempt_at = message.created_at + hold


def date_changed(request: ServiceRequest, event: RequestEvent) -> None:
    """Queue the resident's message that the arranged date moved, if they asked for e-mail."""
    if not wants_updates(request):
        return
    facts = _resident_facts(request)
    facts.update(
        status=Status.SCHEDULED.value,
        note=event.note or "",
        scheduled_for=request.scheduled_for.isoformat() if request.scheduled_for else None,
        scheduled_time=request.scheduled_time,
        survey_visit=request.survey_visit,
        rescheduled=True,
    )
    _enqueue(MessageKind.STATUS_CHANGE, request.email, facts, request=request)


@use_case
def queue_visit_reminders(today: date) -> int:
    """Queue a reminder the day before each arranged date, by e-mail and by text, to
    residents who asked for them; return how many messages were queued.

    One per request, date and channel: a date moved gets its own reminder. Staff phone the
    others (the visits page lists them).
    """
    tomorrow = today + timedelta(days=1)
    asked = ServiceRequest.email_updates.is_(True) & ServiceRequest.email.is_not(None)
    if sms.is_configured():
        asked = asked | ServiceRequest.sms_updates.is_(True)
    candidates = db.session.scalars(
        select(ServiceRequest)
        .options(selectinload(ServiceRequest.category))
        .where(
            ServiceRequest.status == Status.SCHEDULED,
            ServiceRequest.scheduled_for == tomorrow,
            ServiceRequest.anonymised_at.is_(None),
            asked,
        )
        .order_by(ServiceRequest.id)
    ).all()
    day = tomorrow.isoformat()
    wanted = [
        (request, channel, f"{prefix}:{request.id}:{day}")
        for request in candidates
        for channel, prefix, wants in (
            (MessageChannel.EMAIL, "visit", wants_updates),
            (MessageChannel.SMS, "visit-sms", wants_texts),
        )
        if wants(request)
    ]
    keys = [key for _request, _channel, key in wanted]
    sent = (
        set(
            db.session.scalars(
                select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))
            )
        )
        if keys
        else set()
    )
    queued = 0
    for request, channel, key in wanted:
        if key in sent:
            continue
        if channel == MessageChannel.SMS:
            facts = _text_facts(request)
            facts.update(
                scheduled_for=day,
                scheduled_time=request.scheduled_time,
                home_visit=bool(request.category.requires_address),
            )
            queued += (
                _enqueue_text(MessageKind.VISIT_REMINDER, request, facts, dedupe_key=key)
                is not None
            )
            continue
        facts = _resident_facts(request)
        facts.update(
            status=Status.SCHEDULED.value,
            scheduled_for=day,
            scheduled_time=request.scheduled_time,
            survey_visit=request.survey_visit,
        )
        _enqueue(MessageKind.VISIT_REMINDER, request.email, facts, request=request, dedupe_key=key)
        queued += 1
    db.session.commit()
    return queued


def status_message_sent(request: ServiceRequest, event: RequestEvent) -> bool:
    """Whether the resident's message about event's move has gone out (or is going now)."""
    return any(
        message.payload.get("status") == Status(event.to_status).value
        for message in db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.request_id == request.id,
                OutboxMessage.kind == MessageKind.STATUS_CHANGE,
                OutboxMessage.created_at >= event.created_at,
                (OutboxMessage.status != OutboxStatus.PENDING)
                | (OutboxMessage.attempts > 0)
                | OutboxMessage.claim_token.is_not(None),
            )
        )
    )


def withdraw_status_message(request: ServiceRequest, status: Status) -> int:
    """Drop the resident's message about a move to status not sent yet; return how many."""
    waiting = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.request_id == request.id,
            OutboxMessage.kind == MessageKind.STATUS_CHANGE,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.attempts == 0,
            OutboxMessage.claim_token.is_(None),
        )
    ).all()
    dropped = [m for m in waiting if m.payload.get("status") == Status(status).value]
    for message in dropped:
        db.session.delete(message)
    return len(dropped)


def resident_answered(request: ServiceRequest, event: RequestEvent) -> None:
    """Queue one message per member of staff who hears of requests at once: an answer is in.

    Staff who read a daily digest find the request back in the queue, marked as answered.
    """
    for user in _staff_with(NotificationPreference.IMMEDIATE):
        _enqueue(
            MessageKind.RESIDENT_ANSWER,
            user.email,
            _staff_facts(request),
            request=request,
            user=user,
            dedupe_key=f"answer:{event.id}:{user.id}",
        )


@use_case
def send_private_link(request: ServiceRequest) -> OutboxMessage | None:
    """Queue the request's private link to the address given in it, and to no other."""
    if not request.email:
        return None
    message = _enqueue(
        MessageKind.PRIVATE_LINK, request.email, _resident_facts(request), request=request
    )
    db.session.commit()
    return message


@use_case
def queue_pickup_reminders(now: datetime | None = None, *, after_days: int = 7) -> int:
    """Queue the one reminder of an item not collected after_days after it was ready, by
    e-mail and by text to residents who asked for them; return how many were queued.

    Only while the item is still on the shelf (a job completed, or taken back to work, is
    never reminded); the dedupe keys make it one reminder per request and channel, ever.
    """
    now = now or utcnow()
    queued = 0
    for request in _uncollected(now, after_days, MessageChannel.EMAIL):
        _enqueue(
            MessageKind.PICKUP_REMINDER,
            request.email,
            _resident_facts(request),
            request=request,
            dedupe_key=f"pickup:{request.id}",
        )
        queued += 1
    if sms.is_configured():
        for request in _uncollected(now, after_days, MessageChannel.SMS):
            queued += (
                _enqueue_text(
                    MessageKind.PICKUP_REMINDER,
                    request,
                    _text_facts(request),
                    dedupe_key=f"pickup-sms:{request.id}",
                )
                is not None
            )
    db.session.commit()
    return queued


def _uncollected(now: datetime, after_days: int, channel: MessageChannel) -> list[ServiceRequest]:
    """Items on the shelf after_days, of residents who hear on channel and were not reminded."""
    reminded = select(OutboxMessage.id).where(
        OutboxMessage.request_id == ServiceRequest.id,
        OutboxMessage.kind == MessageKind.PICKUP_REMINDER,
        OutboxMessage.channel == channel,
    )
    asked = (
        ServiceRequest.sms_updates.is_(True)
        if channel == MessageChannel.SMS
        else ServiceRequest.email_updates.is_(True) & ServiceRequest.email.is_not(None)
    )
    return list(
        db.session.scalars(
            select(ServiceRequest)
            .join(ItemCustody, ItemCustody.request_id == ServiceRequest.id)
            .where(
                ServiceRequest.status == Status.READY,
                ServiceRequest.ready_at <= now - timedelta(days=after_days),
                ItemCustody.picked_up_at.is_(None),
                ServiceRequest.anonymised_at.is_(None),
                asked,
                ~reminded.exists(),
            )
            .order_by(ServiceRequest.id)
        )
    )


def wants_updates(request: ServiceRequest) -> bool:
    return bool(request.email and request.email_updates)


def wants_texts(request: ServiceRequest) -> bool:
    """Whether the resident gets text messages: they asked, and the club has a gateway."""
    return bool(request.sms_updates and request.anonymised_at is None and sms.is_configured())


@use_case
def build_digests(now: datetime | None = None) -> list[OutboxMessage]:
    """Queue one digest per digest-reading staff member, of the requests since their last one."""
    until = (now or utcnow()) - DIGEST_SETTLE
    created = []
    for user in _staff_with(NotificationPreference.DIGEST):
        since = _last_digest_until(user) or until - FIRST_DIGEST_WINDOW
        if since >= until:
            continue
        requests = list(
            db.session.scalars(
                select(ServiceRequest)
                .where(ServiceRequest.created_at > since, ServiceRequest.created_at <= until)
                .order_by(ServiceRequest.created_at, ServiceRequest.id)
            )
        )
        if not requests:
            continue
        payload = {
            "since": since.isoformat(),
            "until": until.isoformat(),
            "requests": [_staff_facts(request) for request in requests],
        }
        message = _enqueue(
            MessageKind.DIGEST,
            user.email,
            payload,
            user=user,
            # Two runs at once compute the same start; the second one's row is refused.
            dedupe_key=f"digest:{user.id}:{since.isoformat()}",
        )
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        created.append(message)
    return created


@use_case
def queue_feedback_reminders(now: datetime | None = None) -> int:
    """Queue the one reminder of the satisfaction check to residents who asked for e-mail.

    Only for jobs done between FEEDBACK_REMINDER_UNTIL and FEEDBACK_REMINDER_AFTER ago whose
    answers are not in; the dedupe key makes it one reminder per request, ever.
    """
    now = now or utcnow()
    reminded = select(OutboxMessage.id).where(
        OutboxMessage.request_id == ServiceRequest.id,
        OutboxMessage.kind == MessageKind.FEEDBACK_REMINDER,
    )
    due = db.session.scalars(
        select(ServiceRequest)
        .outerjoin(Feedback, Feedback.request_id == ServiceRequest.id)
        .where(
            ServiceRequest.status == Status.COMPLETED,
            ServiceRequest.outcome == Outcome.DONE,
            ServiceRequest.closed_at <= now - FEEDBACK_REMINDER_AFTER,
            ServiceRequest.closed_at > now - FEEDBACK_REMINDER_UNTIL,
            ServiceRequest.anonymised_at.is_(None),
            ServiceRequest.email_updates.is_(True),
            ServiceRequest.email.is_not(None),
            Feedback.id.is_(None),
            ~reminded.exists(),
        )
        .order_by(ServiceRequest.id)
    ).all()
    for request in due:
        _enqueue(
            MessageKind.FEEDBACK_REMINDER,
            request.email,
            _resident_facts(request),
            request=request,
            dedupe_key=f"feedback:{request.id}",
        )
    try:
        db.session.commit()
    except IntegrityError:  # another run queued them a moment ago
        db.session.rollback()
        return 0
    return len(due)


@use_case
def set_preference(user: User, preference: NotificationPreference) -> None:
    """Record how a member of staff wants to hear of new requests."""
    user.notification = NotificationPreference(preference)
    db.session.commit()


def _last_digest_until(user: User) -> datetime | None:
    payload = db.session.scalars(
        select(OutboxMessage.payload)
        .where(OutboxMessage.kind == MessageKind.DIGEST, OutboxMessage.user_id == user.id)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    ).first()
    return datetime.fromisoformat(payload["until"]) if payload else None


def _staff_with(preference: NotificationPreference) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role.in_([Role.STAFF, Role.ADMIN]),
                User.active.is_(True),
                User.notification == preference,
                User.email != "",
            )
            .order_by(User.id)
        )
    )


def _resident_facts(request: ServiceRequest) -> dict:
    return {"reference": request.reference, "token": request.access_token}


def _text_facts(request: ServiceRequest) -> dict:
    """What a text is written from: the reference alone, never the private link's token."""
    return {"reference": request.reference}


def _staff_facts(request: ServiceRequest) -> dict:
    """What staff are told of a request: enough to find it, no personal data."""
    return {
        "request_id": request.id,
        "reference": request.reference,
        "category": request.category.name if request.category else "",
        "channel": Channel(request.channel).value,
        "created_at": request.created_at.isoformat(),
    }


def _enqueue(
    kind: MessageKind,
    to_addr: str,
    payload: dict,
    *,
    request: ServiceRequest | None = None,
    user: User | None = None,
    dedupe_key: str | None = None,
    channel: MessageChannel = MessageChannel.EMAIL,
) -> OutboxMessage:
    message = OutboxMessage(
        kind=kind,
        channel=channel,
        to_addr=to_addr,
        payload=payload,
        request=request,
        user=user,
        dedupe_key=dedupe_key,
        message_id_header=_new_message_id(),
        next_attempt_at=utcnow(),
        created_at=utcnow(),
    )
    db.session.add(message)
    return message


def _enqueue_text(
    kind: MessageKind, request: ServiceRequest, payload: dict, *, dedupe_key: str | None = None
) -> OutboxMessage | None:
    """Queue a text to the request's phone; None when the number cannot be a mobile."""
    number = sms.mobile_number(request.phone)
    if number is None:
        return None
    return _enqueue(
        kind,
        number,
        payload,
        request=request,
        dedupe_key=dedupe_key,
        channel=MessageChannel.SMS,
    )


def _new_message_id() -> str:
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or ""
    address = sender[1] if isinstance(sender, tuple | list) else sender
    domain = address.rpartition("@")[2].strip("<> ") or "localhost"
    return f"<{secrets.token_hex(16)}@{domain}>"
