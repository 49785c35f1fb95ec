"""A resident's rights over their data: a copy of everything held on them, and erasure.

"One person" is every request with the same phone number (its digits) or the same e-mail
address as the request staff start from; the office knows people by these, having no
accounts. Requests already anonymised hold nothing of anyone and are left out.

The export (GDPR art. 15, and art. 20 for what was given with consent) is one JSON file,
UTF-8 and indented so it can be read as it is: each request with its data, consent, public
and internal history, the work done on it, and its photos inside the file. It names no
member of staff and no trainee: they are other people, and their data is not the
resident's to receive (art. 15(4)); the history says "office" or "workshop" instead.

Erasure (art. 17) is refused while any of the person's requests is open: the work cannot
go on without the data, so staff close or cancel it first. Otherwise the requests are
anonymised exactly as the retention run does it, now; each keeps an internal history entry
with the reason and the decision, and the audit trail records who did it.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from .. import audit, labels
from ..domain import lifecycle
from ..domain.actor import Actor
from ..domain.errors import DomainError, StaleEdit
from ..extensions import db
from ..i18n import N_
from ..models import EventKind, Institution, RequestEvent, ServiceRequest, WorkSession, utcnow
from ..securitylog import log_event
from . import retention
from .transaction import use_case

EXPORT_FORMAT = "kis-portal/resident-data/1"


class ErasureRefused(DomainError):
    """The person's data cannot be erased now; `blocking` lists the requests that stop it."""

    def __init__(self, message: str, blocking: list[ServiceRequest] | None = None):
        super().__init__(message)
        self.blocking = blocking or []


def requests_of_person(request: ServiceRequest) -> list[ServiceRequest]:
    """Every request of the person who sent this one, oldest first; four queries."""
    same_person = [ServiceRequest.id == request.id]
    if request.phone_digits:
        same_person.append(ServiceRequest.phone_digits == request.phone_digits)
    if request.email:
        same_person.append(func.lower(ServiceRequest.email) == request.email.strip().lower())
    return list(
        db.session.scalars(
            select(ServiceRequest)
            .where(or_(*same_person), ServiceRequest.anonymised_at.is_(None))
            .options(
                joinedload(ServiceRequest.category),
                joinedload(ServiceRequest.group),
                selectinload(ServiceRequest.photos),
                selectinload(ServiceRequest.events),
                selectinload(ServiceRequest.feedback),
                selectinload(ServiceRequest.custody),
                selectinload(ServiceRequest.work_sessions).selectinload(WorkSession.entries),
            )
            .order_by(ServiceRequest.created_at, ServiceRequest.id)
        )
    )


# --- Export ----------------------------------------------------------------------------


@dataclass
class PersonExport:
    document: dict
    requests: list[ServiceRequest] = field(default_factory=list)

    def to_json(self) -> bytes:
        return json.dumps(self.document, ensure_ascii=False, indent=2).encode("utf-8")


@use_case
def export_person(request: ServiceRequest, actor: Actor, *, upload_folder: str) -> PersonExport:
    """Gather everything held on the person who sent request, and record who took it."""
    if request.anonymised_at is not None:
        raise DomainError(N_("The personal data of this request has already been erased."))
    found = requests_of_person(request)
    institution = db.session.scalars(select(Institution).order_by(Institution.id)).first()
    document = {
        "format": EXPORT_FORMAT,
        "about": gettext(
            "All the personal data the workshops hold on you: your requests, what you told "
            "us, your consent, the history of each request and its photos. Names of staff "
            "and programme participants are left out."
        ),
        "prepared_at": _when(utcnow()),
        "controller": {
            "name": institution.controller_name if institution else "",
            "address": institution.controller_address if institution else "",
            "data_protection_officer": institution.dpo_contact if institution else "",
        },
        "requests": [_request_record(item, upload_folder) for item in found],
    }
    for item in found:
        audit.record(
            actor.user,
            audit.AuditAction.EXPORT_PERSON,
            item.id,
            detail=f"requests={len(found)}",
            commit=False,
        )
    db.session.commit()
    log_event(
        "privacy_export",
        user_id=actor.user.id if actor.user else None,
        request_ids=[item.id for item in found],
    )
    return PersonExport(document, found)


def _when(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.isoformat(timespec="seconds") + "Z"
    return moment.isoformat()


def _label(table: dict, key) -> str | None:
    return str(table[key]) if key is not None and key in table else None


def _request_record(request: ServiceRequest, upload_folder: str) -> dict:
    return {
        "reference": request.reference,
        "service": request.category.name,
        "status": request.status.value,
        "status_label": _label(labels.STATUS_LABELS, request.status),
        "channel": request.channel.value,
        "channel_label": _label(labels.CHANNEL_LABELS, request.channel),
        "sent_at": _when(request.created_at),
        "closed_at": _when(request.closed_at),
        "name": request.name,
        "phone": request.phone,
        "email": request.email,
        "email_updates": request.email_updates,
        "address": request.address,
        "contact_time": request.contact_time,
        "sms_updates": request.sms_updates,
        "sms_consent_at": _when(request.sms_consent_at),
        "language": request.language,
        "description": request.description,
        "answers": [
            {"question": answer["question"], "answer": answer["answer"]}
            for answer in request.answers or []
        ],
        "is_senior": request.is_senior,
        "receives_assistance": request.receives_assistance,
        "institution_name": request.institution_name,
        "institution_contact": request.institution_contact,
        "workshop_group": request.group.name if request.group else None,
        "scheduled_for": _when(request.scheduled_for),
        "scheduled_time": request.scheduled_time or None,
        "completed_on": _when(request.completed_on),
        "outcome": request.outcome.value if request.outcome else None,
        "work_done": request.work_done,
        "not_done_reason": request.not_done_reason,
        "consent": {
            "given_at": _when(request.consent_at),
            "clause_version": request.consent_version,
            "method": request.consent_method.value,
            "method_label": _label(labels.CONSENT_LABELS, request.consent_method),
            # Who read the clause out stays in the office; that someone did is the record.
            "recorded_by_staff": request.taken_by_id is not None,
        },
        "history": [_event_record(event) for event in request.events],
        "work_log": [
            {
                "date": _when(session.worked_on),
                "description": session.description,
                "hours": format(
                    sum((entry.hours for entry in session.entries), Decimal(0)).normalize(), "f"
                ),
            }
            for session in request.work_sessions
        ],
        "photos": [_photo_record(photo, upload_folder) for photo in request.photos],
        "satisfaction": _feedback_record(request.feedback) if request.feedback else None,
        "item_left": _custody_record(request.custody) if request.custody else None,
    }


def _custody_record(custody) -> dict:
    """The item left at the workshop: when, its state, when and by whom it was collected."""
    return {
        "left_on": custody.received_on.isoformat(),
        "condition": custody.condition,
        "collected_at": custody.picked_up_at.isoformat() if custody.picked_up_at else None,
        "collected_by": custody.picked_up_by or None,
    }


def _feedback_record(feedback) -> dict:
    return {
        "given_at": _when(feedback.created_at),
        "done_as_agreed": feedback.as_agreed.value if feedback.as_agreed else None,
        "contact": feedback.contact.value if feedback.contact else None,
        "comment": feedback.comment or None,
        "channel": feedback.channel.value,
    }


def _event_record(event: RequestEvent) -> dict:
    return {
        "at": _when(event.created_at),
        "kind": event.kind.value,
        "by": _label(labels.EVENT_ACTORS, event.actor_role),
        "from_status": event.from_status.value if event.from_status else None,
        "to_status": event.to_status.value if event.to_status else None,
        "to_status_label": _label(labels.STATUS_LABELS, event.to_status),
        "note": event.note or None,
        "visible_to_resident": event.is_public,
        # Work-log changes list trainees by name: only that something changed is the resident's.
        "changes": event.changes if event.kind == EventKind.EDIT else None,
    }


def _photo_record(photo, upload_folder: str) -> dict:
    path = os.path.join(upload_folder, photo.stored_name)
    try:
        with open(path, "rb") as handle:
            content = base64.b64encode(handle.read()).decode("ascii")
    except FileNotFoundError:
        content = None
    return {
        "added_at": _when(photo.created_at),
        "width": photo.width,
        "height": photo.height,
        "size_bytes": photo.size_bytes,
        "media_type": "image/jpeg",
        "content_base64": content,
    }


# --- Erasure ---------------------------------------------------------------------------


@use_case
def erase_person(
    request: ServiceRequest,
    actor: Actor,
    *,
    reason: str,
    decision: str,
    upload_folder: str,
) -> retention.Anonymised:
    """Erase the personal data of the person who sent request, if none of theirs is open."""
    reason, decision = (reason or "").strip(), (decision or "").strip()
    if request.anonymised_at is not None:
        raise DomainError(N_("The personal data of this request has already been erased."))
    if not reason:
        raise DomainError(N_("Write the reason for the erasure."), field="reason")
    if not decision:
        raise DomainError(N_("Write the decision and what it is based on."), field="decision")
    found = requests_of_person(request)
    still_open = [item for item in found if item.status in lifecycle.OPEN]
    if still_open:
        raise ErasureRefused(
            N_(
                "The data cannot be erased while a request of this person is still open. "
                "Complete, decline or cancel it first."
            ),
            still_open,
        )
    try:
        with db.session.no_autoflush:
            done = retention.anonymise(found, upload_folder=upload_folder)
            now = utcnow()
            for item in found:
                item.events.append(
                    RequestEvent(
                        kind=EventKind.NOTE,
                        actor_id=actor.user.id if actor.user else None,
                        actor_role=actor.role,
                        note=f"{reason}\n{decision}",
                        is_public=False,
                        created_at=now,
                    )
                )
                audit.record(
                    actor.user,
                    audit.AuditAction.ERASE_PERSON,
                    item.id,
                    detail=f"requests={len(found)}",
                    commit=False,
                )
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleEdit() from None
    log_event(
        "privacy_erasure",
        user_id=actor.user.id if actor.user else None,
        request_ids=[item.id for item in found],
        **vars(done),
    )
    return done
