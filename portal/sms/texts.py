"""What a text message says, at each moment a resident hears of by text.

Short and plain, each meant to fit one segment in Polish and Ukrainian (70 characters
once a letter like ą or a Cyrillic one is in it): the request's reference and the
club's phone, no name, no address and never the private link, as a phone's messages
may be read by others. Translated through gettext (English msgids) in the locale the
caller has forced: the language of the resident's request.
"""

from __future__ import annotations

from ..domain.lifecycle import Status
from ..i18n import gettext as _
from ..models import MessageKind

# The status moves a resident with text updates is told of; the rest go by e-mail only.
TEXTED_STATUSES = frozenset({Status.NEEDS_INFO, Status.READY})


def compose(kind: MessageKind | str, facts: dict, *, phone: str) -> str:
    """Return the text of a message of kind about the facts queued with it."""
    kind = MessageKind(kind)
    reference = facts["reference"]
    if kind == MessageKind.SUBMITTED:
        return _(
            "We have saved your request %(reference)s. Questions: %(phone)s",
            reference=reference,
            phone=phone,
        )
    if kind == MessageKind.STATUS_CHANGE and facts.get("status") == Status.NEEDS_INFO:
        return _(
            "We have a question about request %(reference)s. Please call %(phone)s",
            reference=reference,
            phone=phone,
        )
    if kind == MessageKind.STATUS_CHANGE and facts.get("status") == Status.READY:
        return _(
            "Your item (%(reference)s) is ready to collect. Tel. %(phone)s",
            reference=reference,
            phone=phone,
        )
    if kind == MessageKind.PICKUP_REMINDER:
        return _(
            "Your item (%(reference)s) is still waiting to be collected. Tel. %(phone)s",
            reference=reference,
            phone=phone,
        )
    if kind == MessageKind.VISIT_REMINDER:
        return _visit_reminder(facts, reference, phone)
    raise ValueError(f"no text message for {kind} {facts.get('status') or ''}".strip())


def _visit_reminder(facts: dict, reference: str, phone: str) -> str:
    # The hours as staff wrote them ("10:00–12:00"), with a plain hyphen: the en dash is
    # no GSM character, and one would double the cost of an English text.
    time = (facts.get("scheduled_time") or "").replace("–", "-").strip()
    if facts.get("home_visit"):
        if time:
            return _(
                "Tomorrow %(time)s: our visit, request %(reference)s. Tel. %(phone)s",
                time=time,
                reference=reference,
                phone=phone,
            )
        return _(
            "Tomorrow: our visit to you, request %(reference)s. Tel. %(phone)s",
            reference=reference,
            phone=phone,
        )
    if time:
        return _(
            "Tomorrow %(time)s: please bring the item (%(reference)s). Tel. %(phone)s",
            time=time,
            reference=reference,
            phone=phone,
        )
    return _(
        "Tomorrow: please bring the item (request %(reference)s). Tel. %(phone)s",
        reference=reference,
        phone=phone,
    )
