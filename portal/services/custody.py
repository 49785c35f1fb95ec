"""An item left at a workshop: taken in (with its state, place and a photo), collected."""

from __future__ import annotations

from datetime import date

from .. import photos
from ..domain import lifecycle
from ..domain.actor import Actor
from ..domain.errors import DomainError
from ..extensions import db
from ..i18n import N_
from ..models import EventKind, ItemCustody, Photo, RequestEvent, ServiceRequest, utcnow
from .transaction import flushed_at_commit

# The statuses in which an item can be taken in: the job is the workshop's, not yet done.
RECEIVABLE = lifecycle.JOB


def takes_items(request: ServiceRequest) -> bool:
    """Whether the request's work is done on an item brought to a workshop (not at home)."""
    return request.category is not None and not request.category.requires_address


@flushed_at_commit
def record_drop_off(
    request: ServiceRequest,
    actor: Actor,
    *,
    received_on: date,
    condition: str = "",
    place: str = "",
    photo: photos.CleanPhoto | None = None,
    upload_folder: str | None = None,
    today: date,
) -> ItemCustody:
    """Write down the item taken in at the workshop, or correct what was written.

    The history keeps an internal entry of it; the resident reads it on their receipt.
    """
    if not takes_items(request):
        raise DomainError(N_("This service is done at the resident's home: no item is left."))
    if request.status not in RECEIVABLE:
        raise DomainError(N_("An item can be taken in only for a job the workshop has."))
    if received_on > today:
        raise DomainError(
            N_("The day the item was left cannot be in the future."), field="received_on"
        )
    if received_on < request.created_at.date():
        raise DomainError(
            N_("The item cannot have been left before the request was sent."), field="received_on"
        )
    custody = request.custody or ItemCustody(request=request)
    custody.received_on = received_on
    custody.received_by_id = custody.received_by_id or actor.user_id
    custody.condition = (condition or "").strip()[:300]
    custody.place = (place or "").strip()[:80]
    stored = None
    if photo is not None:
        stored = photos.store_photo(upload_folder, photo)
        custody.photo = Photo(
            request=request,
            stored_name=stored,
            width=photo.width,
            height=photo.height,
            size_bytes=len(photo.data),
        )
    try:
        request.events.append(
            RequestEvent(
                kind=EventKind.CUSTODY,
                actor_id=actor.user_id,
                actor_role=actor.role,
                created_at=utcnow(),
                is_public=False,
                changes={
                    "received_on": {"old": None, "new": received_on.isoformat()},
                    "place": {"old": None, "new": custody.place},
                    "condition": {"old": None, "new": custody.condition},
                },
            )
        )
        db.session.add(custody)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        if stored:
            photos.remove_photo(upload_folder, stored)
        raise
    return custody
