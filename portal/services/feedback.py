"""The satisfaction check after a job was done: the resident's answers, online or told to staff.

Two closed questions (was the work done as agreed, how was the contact) and an optional
comment. Every answer is optional and nothing waits for them; one set of answers per job.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from ..domain.actor import Actor
from ..domain.errors import DomainError
from ..domain.lifecycle import Role, Status
from ..extensions import db
from ..i18n import N_
from ..models import (
    AsAgreed,
    ContactRating,
    Feedback,
    FeedbackChannel,
    Outcome,
    ServiceRequest,
    utcnow,
)
from .transaction import use_case


@dataclass
class FeedbackAnswers:
    as_agreed: AsAgreed | None = None
    contact: ContactRating | None = None
    comment: str = ""


def asks_for_feedback(request: ServiceRequest) -> bool:
    """Tell whether the check is open: a job done, its answers not given yet, data not erased."""
    return (
        request.status == Status.COMPLETED
        and request.outcome == Outcome.DONE
        and request.anonymised_at is None
        and request.feedback is None
    )


@use_case
def record_feedback(
    request: ServiceRequest,
    answers: FeedbackAnswers,
    actor: Actor,
    channel: FeedbackChannel = FeedbackChannel.ONLINE,
) -> Feedback:
    """Keep the answers about a job done: the resident's own online, or told to staff."""
    channel = FeedbackChannel(channel)
    if (actor.role == Role.RESIDENT) != (channel == FeedbackChannel.ONLINE):
        raise ValueError("residents answer online; staff record answers given otherwise")
    if request.feedback is not None:
        raise DomainError(N_("The answers about this job have already been given."))
    if not asks_for_feedback(request):
        raise DomainError(N_("Answers can be given only about a job that was done."))
    comment = (answers.comment or "").strip()
    if answers.as_agreed is None and answers.contact is None and not comment:
        raise DomainError(N_("Choose an answer or write a few words."), field="as_agreed")
    feedback = Feedback(
        request=request,
        as_agreed=AsAgreed(answers.as_agreed) if answers.as_agreed else None,
        contact=ContactRating(answers.contact) if answers.contact else None,
        comment=comment[:1000],
        channel=channel,
        recorded_by_id=actor.user_id,
        created_at=utcnow(),
    )
    db.session.add(feedback)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(N_("The answers about this job have already been given.")) from None
    return feedback
