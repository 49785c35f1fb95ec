"""The outbox worker: claims due messages, renders them, sends them, records the outcome.

E-mail goes to the mail server; text messages (rows with channel "sms") to the gateway of
`portal.sms`, only inside its sending window: a text due at night is not claimed (no
attempt is counted) and waits, its next_attempt_at moved to the morning. Each channel
fails on its own: a mail server that is down stops the e-mail of this run, not the texts,
and a gateway that is down stops the texts, not the e-mail.

It runs as its own process (`flask outbox run`, or `flask outbox run --once` from
cron), never inside a web request. Delivery is at least once: a message is claimed
in one short transaction (on PostgreSQL with `FOR UPDATE SKIP LOCKED`, everywhere
with a compare-and-set on a lease token), sent, and marked sent in its own commit.
While the lease runs no other worker can take the row, so a message that went out
is recorded before anyone could send it again; only a crash between the server's
"OK" and that commit sends a copy, with the same Message-ID.

A failed attempt waits longer each time (OUTBOX_BACKOFF_MINUTES). A message the
server refuses for good (5xx for the recipient or the content), one that cannot be
rendered, or one that failed OUTBOX_MAX_ATTEMPTS times is parked for the
administrator, who sees the error and can put it back in line. When the server
cannot be reached at all, the run stops sending on that channel at the first failure
instead of trying every message against a dead server.

A text is sent exactly once: every attempt at a row gives the gateway the same
reference, and the gateway refuses a second message with it (see `portal.sms.gateways`),
so a lost answer or a crash before the "sent" commit costs no second text.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import quote
from enum import StrEnum

from flask import Flask, current_app, render_template, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_mail import BadHeaderError, Connection
from flask_mail import Message as MailMessage
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from .. import labels, queries, sms
from ..domain.lifecycle import Status
from ..extensions import db
from ..models import (
    Channel,
    Institution,
    MessageChannel,
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    utcnow,
)
from ..sms import texts

logger = logging.getLogger(__name__)

TEMPLATES = {
    MessageKind.SUBMITTED: "emails/submitted",
    MessageKind.STATUS_CHANGE: "emails/status_change",
    MessageKind.NEW_REQUEST: "emails/new_request_staff",
    MessageKind.DIGEST: "emails/digest",
    MessageKind.PRIVATE_LINK: "emails/private_link",
    MessageKind.RESIDENT_ANSWER: "emails/resident_answer_staff",
    MessageKind.FEEDBACK_REMINDER: "emails/feedback_reminder",
    MessageKind.PICKUP_REMINDER: "emails/pickup_reminder",
    MessageKind.VISIT_REMINDER: "emails/visit_reminder",
}


class OutboxNotConfigured(RuntimeError):
    """The worker cannot build the links the messages carry."""


class Failure(StrEnum):
    # The server refused this message for good: no retry will help.
    PERMANENT = "permanent"
    # This message failed for now; the server is there.
    MESSAGE = "message"
    # The server cannot be reached, or refuses every message (login, sender, TLS).
    SERVER = "server"


@dataclass
class Delivery:
    """What one run did."""

    sent: int = 0
    retried: int = 0
    parked: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.retried + self.parked


@dataclass(frozen=True)
class Claim:
    message_id: int
    token: str
    channel: MessageChannel = MessageChannel.EMAIL


class VerifiedConnection(Connection):
    """Flask-Mail's connection with a socket timeout and a certificate-checking TLS context.

    Flask-Mail opens `smtplib.SMTP` without a timeout and starts TLS without a
    context, which CPython then fills with one that checks no certificate.
    """

    def configure_host(self) -> smtplib.SMTP:
        mail = self.mail
        timeout = current_app.config["MAIL_TIMEOUT"]
        context = ssl.create_default_context()
        if mail.use_ssl:
            host = smtplib.SMTP_SSL(mail.server, mail.port, timeout=timeout, context=context)
        else:
            host = smtplib.SMTP(mail.server, mail.port, timeout=timeout)
        try:
            host.set_debuglevel(int(mail.debug))
            if mail.use_tls:
                host.starttls(context=context)
            if mail.username and mail.password:
                host.login(mail.username, mail.password)
        except BaseException:
            host.close()
            raise
        return host


class _Sender:
    """One SMTP connection kept open across a run, and dropped after any failure."""

    def __init__(self) -> None:
        self.connection: VerifiedConnection | None = None

    def send(self, message: MailMessage) -> None:
        if self.connection is None:
            connection = VerifiedConnection(current_app.extensions["mail"])
            connection.host = None if connection.mail.suppress else connection.configure_host()
            self.connection = connection
        try:
            self.connection.send(message)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is None or connection.host is None:
            return
        try:
            connection.host.quit()
        except (smtplib.SMTPException, OSError):
            connection.host.close()


def deliver_due(
    *, now: datetime | None = None, limit: int | None = None, stop: threading.Event | None = None
) -> Delivery:
    """Send the messages that are due, one claim at a time, and say what happened."""
    _require_base_url()
    gateway = _text_gateway()
    clock = (lambda: now) if now is not None else utcnow
    done = Delivery()
    sender = _Sender()
    # Channels this run sends no more on: texts without a gateway or outside their hours,
    # and a channel whose server failed.
    stopped: set[MessageChannel] = set() if gateway is not None else {MessageChannel.SMS}
    window = sms.sending_window() if gateway is not None else None
    try:
        while limit is None or done.attempted < limit:
            if stop is not None and stop.is_set():
                break
            moment = clock()
            if MessageChannel.SMS not in stopped and not window.is_open(moment):
                wait_for_window(moment, window)
                stopped.add(MessageChannel.SMS)
            claim = claim_next(moment, skip_channels=stopped)
            if claim is None:
                break
            failure = _attempt(claim, sender, gateway, clock, done)
            if failure == Failure.SERVER:
                stopped.add(claim.channel)
    finally:
        sender.close()
        if gateway is not None:
            gateway.close()
    return done


def claim_next(now: datetime, *, skip_channels=()) -> Claim | None:
    """Take the oldest due message for this worker alone, or return None when none is due."""
    config = current_app.config
    token = secrets.token_hex(16)
    lease_until = now + timedelta(seconds=config["OUTBOX_LEASE_SECONDS"])
    free = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
    due = (
        select(OutboxMessage.id, OutboxMessage.channel)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now, free
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
    )
    if skip_channels:
        due = due.where(OutboxMessage.channel.not_in(list(skip_channels)))
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    while True:
        found = db.session.execute(due).first()
        if found is None:
            db.session.rollback()
            return None
        message_id, channel = found
        # Compare and set: only one worker's update finds the row still free.
        taken = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING, free
            )
            .values(
                claim_token=token, claimed_until=lease_until, attempts=OutboxMessage.attempts + 1
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if taken == 1:
            return Claim(message_id, token, MessageChannel(channel))


def wait_for_window(now: datetime, window: sms.Window) -> int:
    """Move the texts due now, outside the sending hours, to the window's next opening."""
    free = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
    moved = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == MessageChannel.SMS,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
            free,
        )
        .values(next_attempt_at=window.next_opening(now))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return moved


def _text_gateway():
    """The gateway for this run, or None when texts are off; refuse a half-made setting."""
    if not current_app.config.get("SMS_GATEWAY"):
        return None
    try:
        return sms.gateway()
    except sms.SmsNotConfigured as error:
        raise OutboxNotConfigured(str(error)) from None


def _attempt(claim: Claim, sender: _Sender, gateway, clock, done: Delivery) -> Failure | None:
    message = db.session.get(OutboxMessage, claim.message_id)
    if message.channel == MessageChannel.SMS:
        return _attempt_text(claim, message, gateway, clock, done)
    try:
        mail_message = render(message)
    except (OutboxNotConfigured, SQLAlchemyError):
        raise  # not the message's fault; its claim runs out and it is tried again
    except Exception as error:  # a template or data fault: no retry will mend it
        logger.exception("outbox message %s could not be rendered", message.id)
        _record_failure(claim, message.attempts, error, Failure.PERMANENT, clock(), done)
        return Failure.PERMANENT
    try:
        sender.send(mail_message)
    except Exception as error:
        failure = classify(error)
        logger.warning(
            "outbox message %s not sent (%s): %s", message.id, failure, type(error).__name__
        )
        _record_failure(claim, message.attempts, error, failure, clock(), done)
        return failure
    _mark_sent(claim, clock())
    done.sent += 1
    return None


def _attempt_text(
    claim: Claim, message: OutboxMessage, gateway, clock, done: Delivery
) -> Failure | None:
    try:
        text = render_text(message)
    except SQLAlchemyError:
        raise
    except Exception as error:  # a text or data fault: no retry will mend it
        logger.exception("outbox text message %s could not be rendered", message.id)
        _record_failure(claim, message.attempts, error, Failure.PERMANENT, clock(), done)
        return Failure.PERMANENT
    try:
        receipt = gateway.send(sms.TextMessage(message.to_addr, text, _reference(message)))
    except Exception as error:
        failure = classify_text(error)
        logger.warning(
            "outbox text message %s not sent (%s): %s", message.id, failure, type(error).__name__
        )
        _record_failure(claim, message.attempts, error, failure, clock(), done)
        return failure
    if receipt.repeated:
        logger.info("outbox text message %s: the gateway had it from an earlier try", message.id)
    segments = receipt.segments or sms.segments(text)
    cost = receipt.cost if receipt.cost is not None else segments * sms.price_per_segment()
    _mark_sent(claim, clock(), segments=segments, cost=cost, provider_id=receipt.provider_id)
    done.sent += 1
    return None


def classify_text(error: BaseException) -> Failure:
    """Tell what a gateway's error means for a text message and for the rest of the run."""
    if isinstance(error, sms.Unavailable):
        return Failure.SERVER
    if isinstance(error, sms.TryLater):
        return Failure.MESSAGE
    return Failure.PERMANENT


def _reference(message: OutboxMessage) -> str:
    """The row's own reference for the gateway, the same on every attempt."""
    return message.message_id_header.strip("<>").partition("@")[0] or str(message.id)


def classify(error: BaseException) -> Failure:
    """Tell whether an error dooms the message, delays it, or means the server is unusable."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()]
        return (
            Failure.PERMANENT if codes and all(code >= 500 for code in codes) else Failure.MESSAGE
        )
    if isinstance(error, smtplib.SMTPDataError):
        return Failure.PERMANENT if error.smtp_code >= 500 else Failure.MESSAGE
    if isinstance(error, BadHeaderError):
        return Failure.PERMANENT
    # smtplib's errors are OSErrors too: connection, timeout, TLS, login, sender refused.
    if isinstance(error, OSError):
        return Failure.SERVER
    return Failure.PERMANENT


def backoff(attempts: int) -> timedelta:
    """Return how long to wait after the given number of failed attempts."""
    steps = current_app.config["OUTBOX_BACKOFF_MINUTES"]
    return timedelta(minutes=steps[min(max(attempts, 1), len(steps)) - 1])


def _mark_sent(claim: Claim, now: datetime, **recorded_values) -> None:
    recorded = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == claim.message_id, OutboxMessage.claim_token == claim.token)
        .values(
            status=OutboxStatus.SENT,
            sent_at=now,
            claim_token=None,
            claimed_until=None,
            **recorded_values,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if recorded != 1:
        logger.warning("outbox message %s was sent after its claim ran out", claim.message_id)


def _record_failure(
    claim: Claim,
    attempts: int,
    error: BaseException,
    failure: Failure,
    now: datetime,
    done: Delivery,
) -> None:
    park = failure == Failure.PERMANENT or attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]
    values = {"claim_token": None, "claimed_until": None, "last_error": describe(error)}
    if park:
        values["status"] = OutboxStatus.PARKED
        done.parked += 1
    else:
        values["next_attempt_at"] = now + backoff(attempts)
        done.retried += 1
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == claim.message_id, OutboxMessage.claim_token == claim.token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def describe(error: BaseException) -> str:
    text = str(error) or repr(error)
    return f"{type(error).__name__}: {text}"[:2000]


def retry(message: OutboxMessage, now: datetime | None = None) -> bool:
    """Put a parked or waiting message back in line to go at once; False if it cannot be."""
    now = now or utcnow()
    retried = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            or_(
                OutboxMessage.status == OutboxStatus.PARKED,
                # A message a worker holds right now is left to that worker.
                and_(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
                ),
            ),
        )
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return retried == 1


def waiting_messages(limit: int = 200) -> list[OutboxMessage]:
    """The messages an administrator should see: parked first, then those still waiting."""
    parked_first = (OutboxMessage.status == OutboxStatus.PENDING).asc()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            # A text's language is its request's.
            .options(selectinload(OutboxMessage.request))
            .where(OutboxMessage.status.in_([OutboxStatus.PARKED, OutboxStatus.PENDING]))
            .order_by(parked_first, OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def counts() -> dict[OutboxStatus, int]:
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    found = {status: 0 for status in OutboxStatus}
    found.update({OutboxStatus(status): number for status, number in rows})
    return found


def text_segments(messages: list[OutboxMessage]) -> dict[int, int]:
    """How many segments each text message took, or will take as it would be sent now."""
    found = {}
    for message in messages:
        if message.channel != MessageChannel.SMS:
            continue
        if message.segments:
            found[message.id] = message.segments
            continue
        try:
            found[message.id] = sms.segments(render_text(message))
        except (KeyError, ValueError):  # a row that cannot be rendered says so when sent
            continue
    return found


def render_text(message: OutboxMessage) -> str:
    """Write a text message's words, in the language of the resident's request."""
    institution = queries.institution()
    with force_locale(_language_of(message)):
        return texts.compose(
            message.kind, message.payload, phone=institution.phone if institution else ""
        )


def _language_of(message: OutboxMessage) -> str:
    config = current_app.config
    language = message.request.language if message.request is not None else None
    if language in config["LANGUAGES"] or language == config["SOURCE_LANGUAGE"]:
        return language
    return config["BABEL_DEFAULT_LOCALE"]


def render(message: OutboxMessage) -> MailMessage:
    """Build the plain-text and HTML e-mail of an outbox row, in its reader's language."""
    base_url = _require_base_url()
    # A resident reads the language of their request; staff read Polish.
    language = (
        current_app.config["BABEL_DEFAULT_LOCALE"]
        if message.user_id is not None
        else _language_of(message)
    )
    with current_app.test_request_context("/", base_url=base_url), force_locale(language):
        institution = queries.institution()
        context = _context(message, institution)
        template = TEMPLATES[message.kind]
        subject = context["subject"] = _subject(message, context)
        text = render_template(f"{template}.txt", **context)
        html = render_template(f"{template}.html", **context)
    mail_message = MailMessage(
        subject=subject,
        recipients=[message.to_addr],
        body=text,
        html=html,
        sender=_sender(institution),
        extra_headers={
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
        },
    )
    mail_message.msgId = message.message_id_header
    return mail_message


def _require_base_url() -> str:
    base_url = current_app.config.get("PUBLIC_BASE_URL")
    if not base_url:
        raise OutboxNotConfigured(
            "Set PUBLIC_BASE_URL (e.g. https://portal.example.pl) so messages can carry links."
        )
    return base_url


def _sender(institution: Institution | None) -> str:
    """The institution's name over the configured address, quoted so commas survive."""
    address = current_app.config["MAIL_DEFAULT_SENDER"]
    if isinstance(address, tuple | list):
        address = address[1]
    return f'"{quote(institution.name)}" <{address}>' if institution else address


def _context(message: OutboxMessage, institution: Institution | None) -> dict:
    facts = dict(message.payload)
    context = {"facts": facts, "institution": institution, "reference": facts.get("reference")}
    if message.kind in (
        MessageKind.SUBMITTED,
        MessageKind.STATUS_CHANGE,
        MessageKind.VISIT_REMINDER,
    ):
        status = Status(facts.get("status", Status.SUBMITTED))
        scheduled = facts.get("scheduled_for")
        request = message.request
        # The status and what the office wrote as they were; where and when from the
        # settings as they are now.
        box = labels.status_box(
            status,
            facts.get("outcome"),
            category=request.category if request is not None else None,
            group=request.group if request is not None else None,
            scheduled_for=date.fromisoformat(scheduled) if scheduled else None,
            scheduled_time=facts.get("scheduled_time") or "",
            message=facts.get("note") or "",
            duplicate_of=facts.get("duplicate_of") or "",
            survey_visit=bool(facts.get("survey_visit")),
        )
        context.update(
            status=status,
            box=box,
            status_label=box.label,
            private_link=url_for("public.status", token=facts["token"], _external=True),
        )
    elif message.kind in (MessageKind.PRIVATE_LINK, MessageKind.FEEDBACK_REMINDER):
        context.update(private_link=url_for("public.status", token=facts["token"], _external=True))
    elif message.kind == MessageKind.PICKUP_REMINDER:
        request = message.request
        context.update(
            private_link=url_for("public.status", token=facts["token"], _external=True),
            workshop=labels.workshop_of(request.category, request.group) if request else None,
        )
    elif message.kind in (MessageKind.NEW_REQUEST, MessageKind.RESIDENT_ANSWER):
        context.update(request=_staff_item(facts))
    elif message.kind == MessageKind.DIGEST:
        context.update(
            requests=[_staff_item(item) for item in facts["requests"]],
            since=datetime.fromisoformat(facts["since"]),
        )
    context["account_link"] = url_for("backoffice.own_account", _external=True)
    return context


def _staff_item(facts: dict) -> dict:
    return {
        "reference": facts["reference"],
        "category": facts.get("category", ""),
        "channel": labels.CHANNEL_LABELS[Channel(facts["channel"])],
        "created_at": datetime.fromisoformat(facts["created_at"]),
        "link": url_for("backoffice.request_page", request_id=facts["request_id"], _external=True),
    }


def _subject(message: OutboxMessage, context: dict) -> str:
    if message.kind == MessageKind.SUBMITTED:
        return _("We have received your request %(reference)s", reference=context["reference"])
    if message.kind == MessageKind.VISIT_REMINDER:
        return _("Tomorrow: request %(reference)s", reference=context["reference"])
    if message.kind == MessageKind.STATUS_CHANGE and context["facts"].get("rescheduled"):
        return _("Request %(reference)s: a new date", reference=context["reference"])
    if message.kind == MessageKind.STATUS_CHANGE:
        return _(
            "Request %(reference)s: %(status)s",
            reference=context["reference"],
            status=context["status_label"],
        )
    if message.kind == MessageKind.NEW_REQUEST:
        return _("New request %(reference)s", reference=context["reference"])
    if message.kind == MessageKind.RESIDENT_ANSWER:
        return _("Answer from the resident: %(reference)s", reference=context["reference"])
    if message.kind == MessageKind.FEEDBACK_REMINDER:
        return _("How did we do? Request %(reference)s", reference=context["reference"])
    if message.kind == MessageKind.PICKUP_REMINDER:
        return _(
            "Your item is waiting to be collected: %(reference)s", reference=context["reference"]
        )
    if message.kind == MessageKind.PRIVATE_LINK:
        return _("The link to your request %(reference)s", reference=context["reference"])
    count = len(context["requests"])
    return ngettext("%(num)d new request", "%(num)d new requests", count)


def run_forever(app: Flask, stop: threading.Event, *, poll_seconds: float, report=None) -> None:
    """Deliver due messages until stop is set, pausing between rounds; survive database outages."""
    while not stop.is_set():
        try:
            with app.app_context():
                done = deliver_due(stop=stop)
        except SQLAlchemyError:
            logger.exception("outbox: the database is not available; trying again shortly")
        else:
            if report is not None and done.attempted:
                report(done)
        stop.wait(poll_seconds)
