"""The outbox worker: claims due messages, renders them, sends them, records the outcome.

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
cannot be reached at all, the run stops at the first failure instead of trying
every message against a dead server.
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
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_mail import BadHeaderError, Connection
from flask_mail import Message as MailMessage
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from .. import labels, queries
from ..domain.lifecycle import Status
from ..extensions import db
from ..models import Channel, Institution, MessageKind, OutboxMessage, OutboxStatus, utcnow

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
    clock = (lambda: now) if now is not None else utcnow
    done = Delivery()
    sender = _Sender()
    try:
        while limit is None or done.attempted < limit:
            if stop is not None and stop.is_set():
                break
            claim = claim_next(clock())
            if claim is None:
                break
            failure = _attempt(claim, sender, clock, done)
            if failure == Failure.SERVER:
                break
    finally:
        sender.close()
    return done


def claim_next(now: datetime) -> Claim | None:
    """Take the oldest due message for this worker alone, or return None when none is due."""
    config = current_app.config
    token = secrets.token_hex(16)
    lease_until = now + timedelta(seconds=config["OUTBOX_LEASE_SECONDS"])
    free = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now, free
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
    )
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    while True:
        message_id = db.session.scalar(due)
        if message_id is None:
            db.session.rollback()
            return None
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
            return Claim(message_id, token)


def _attempt(claim: Claim, sender: _Sender, clock, done: Delivery) -> Failure | None:
    message = db.session.get(OutboxMessage, claim.message_id)
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


def _mark_sent(claim: Claim, now: datetime) -> None:
    recorded = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == claim.message_id, OutboxMessage.claim_token == claim.token)
        .values(status=OutboxStatus.SENT, sent_at=now, claim_token=None, claimed_until=None)
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


def render(message: OutboxMessage) -> MailMessage:
    """Build the Polish plain-text and HTML e-mail of an outbox row."""
    base_url = _require_base_url()
    with current_app.test_request_context("/", base_url=base_url):
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
            "Content-Language": current_app.config["BABEL_DEFAULT_LOCALE"],
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
