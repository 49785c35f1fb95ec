"""Retention: closed requests lose their personal data once the institution's period is over.

`flask retention run` (daily, from cron) finds the requests closed more than
`Institution.retention_months` ago that still hold personal data and anonymises them
with `anonymise`, which the erasure on a person's request (`portal.privacy`) uses too.

Anonymising keeps what the service totals and the work-log hours are counted from
(category, status, dates, outcome, edition, channel, group, the requester-kind flags,
work-log hours) and removes everything that identifies or describes the person: name,
phone, e-mail, address, when to call, what they wrote, what staff wrote about the job,
the institution's contact person, the photos (rows and files), the outgoing e-mail
kept for the request, and the private link, which stops working. So every report
figure stays the same while nothing left points to a person.

The run logs counts only, to the security log and one audit entry per run.
"""

from __future__ import annotations

import calendar
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from .. import audit, photos
from ..domain import lifecycle
from ..extensions import db
from ..models import Channel, Institution, OutboxMessage, ServiceRequest, utcnow
from ..securitylog import log_event
from .transaction import use_case

# What an erased text field holds. Stored data, not interface text: every list, page and
# file shows it where the value was, in the language the institution keeps its records in.
ERASED = "[usunięto]"
BATCH_SIZE = 200


class RetentionNotConfigured(RuntimeError):
    """There is no institution, or its retention period makes no sense."""


@dataclass
class Anonymised:
    """What an anonymisation removed, in counts."""

    requests: int = 0
    photos: int = 0
    events: int = 0
    work_sessions: int = 0
    messages: int = 0

    def add(self, other: Anonymised) -> None:
        self.requests += other.requests
        self.photos += other.photos
        self.events += other.events
        self.work_sessions += other.work_sessions
        self.messages += other.messages

    def summary(self) -> str:
        """The counts as one line for logs and the audit trail."""
        return (
            f"requests={self.requests} photos={self.photos} events={self.events} "
            f"work_sessions={self.work_sessions} messages={self.messages}"
        )


def months_before(moment: datetime, months: int) -> datetime:
    """Go back whole calendar months; the 31st lands on the last day of a shorter month."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def cutoff(now: datetime | None = None) -> datetime:
    """Requests closed before this moment have been kept long enough."""
    institution = db.session.scalars(select(Institution).order_by(Institution.id)).first()
    if institution is None:
        raise RetentionNotConfigured("no institution settings are loaded")
    months = institution.retention_months
    if months is None or months < 1:
        raise RetentionNotConfigured(
            f"retention_months must be 1 or more, not {months!r}: refusing to run"
        )
    return months_before(now or utcnow(), months)


def _expired(before: datetime):
    return select(ServiceRequest.id).where(
        ServiceRequest.status.in_(sorted(lifecycle.CLOSED)),
        ServiceRequest.closed_at.is_not(None),
        ServiceRequest.closed_at < before,
        ServiceRequest.anonymised_at.is_(None),
    )


@use_case
def run(*, upload_folder: str, now: datetime | None = None, dry_run: bool = False) -> Anonymised:
    """Anonymise every closed request past the retention period; dry_run only counts them."""
    before = cutoff(now)
    if dry_run:
        count = db.session.scalar(select(func.count()).select_from(_expired(before).subquery()))
        return Anonymised(requests=count or 0)

    done = Anonymised()
    while True:
        ids = list(
            db.session.scalars(_expired(before).order_by(ServiceRequest.id).limit(BATCH_SIZE))
        )
        if not ids:
            break
        batch = anonymise(load_for_anonymising(ids), upload_folder=upload_folder, now=now)
        db.session.commit()
        db.session.expunge_all()  # a first run may go through years of requests
        done.add(batch)
        if not batch.requests:
            break  # nothing could be done with these; never loop over them for ever
    audit.record(None, audit.AuditAction.RETENTION_RUN, detail=done.summary())
    log_event("retention_run", **vars(done))
    return done


def load_for_anonymising(ids: Sequence[int]) -> list[ServiceRequest]:
    """Load requests with everything anonymising touches, in a fixed number of queries."""
    return list(
        db.session.scalars(
            select(ServiceRequest)
            .where(ServiceRequest.id.in_(list(ids)))
            .options(
                selectinload(ServiceRequest.photos),
                selectinload(ServiceRequest.custody),
                selectinload(ServiceRequest.events),
                selectinload(ServiceRequest.work_sessions),
            )
            .order_by(ServiceRequest.id)
        )
    )


def anonymise(
    requests: Sequence[ServiceRequest], *, upload_folder: str, now: datetime | None = None
) -> Anonymised:
    """Remove the personal data of requests in the caller's transaction; the caller commits.

    Photo files are deleted before the commit: should the commit fail, the rows are still
    there and the next run finishes the job, whereas a file left behind after a committed
    anonymisation would never be found again.
    """
    now = now or utcnow()
    done = Anonymised()
    for request in requests:
        if request.anonymised_at is not None:
            continue
        _forget_person(request)
        for event in request.events:
            if event.note or event.changes:
                done.events += 1
            event.note = ERASED if event.note else ""
            event.changes = _blanked(event.changes) if event.changes else event.changes
        if request.feedback is not None:
            request.feedback.comment = ""  # the counts stay, the resident's words go
        if request.custody is not None:
            # Who collected the item is a person; its state may describe them.
            request.custody.photo = None
            request.custody.picked_up_by = ERASED if request.custody.picked_up_by else ""
            request.custody.condition = ""
        for session in request.work_sessions:
            session.description = ERASED
            done.work_sessions += 1
        for photo in list(request.photos):
            photos.remove_photo(upload_folder, photo.stored_name)
            done.photos += 1
        request.photos.clear()
        request.anonymised_at = now
        done.requests += 1
    ids = [request.id for request in requests]
    if ids:
        # The outbox keeps a resident's address and the private link's token.
        result = db.session.execute(
            delete(OutboxMessage)
            .where(OutboxMessage.request_id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        done.messages = result.rowcount or 0
    return done


def _forget_person(request: ServiceRequest) -> None:
    request.name = ERASED
    request.phone = ERASED
    # Empty digits match no phone number typed on the lost-link page or in a search.
    request.phone_digits = ""
    request.email = None
    request.email_updates = False
    request.sms_updates = False
    request.sms_consent_at = None
    request.address = None
    request.contact_time = None
    # The answers to the service's questions may say something of the person (a room, an
    # item) in their own words: they go with the description.
    request.answers = None
    request.description = ERASED
    request.work_done = ERASED if request.work_done else None
    request.not_done_reason = ERASED if request.not_done_reason else None
    request.institution_contact = None
    # A unit of the welfare centre, a city unit or an NGO is not a natural person: its name
    # stays, so the club can still say whom it worked for. Any other request should carry
    # none, and if one was typed in anyway it may name a person, so it goes.
    if request.channel != Channel.INSTITUTION:
        request.institution_name = None
    # A new random token: the old private link finds nothing any more.
    request.access_token = secrets.token_urlsafe(24)
    request.submission_key = None
    # is_senior and receives_assistance stay: the totals by requester kind need them, and
    # with nothing left that identifies the person they no longer say anything about anyone.


def _blanked(value):
    """Keep the shape of a history entry's changes (which fields) and drop every text in it."""
    if isinstance(value, dict):
        return {key: _blanked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_blanked(item) for item in value]
    if isinstance(value, str):
        return ERASED if value else value
    return value
