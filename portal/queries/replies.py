"""The reply templates a request's page offers, and the values their placeholders take."""

from __future__ import annotations

from flask_babel import format_date
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ..domain import replies
from ..domain.replies import Situation
from ..extensions import db
from ..labels import workshop_of
from ..models import ReplyTemplate, ServiceRequest
from .requests import institution


def all_templates() -> list[ReplyTemplate]:
    """Every template, for the administrator's list: by situation, then service, then title."""
    return list(
        db.session.scalars(
            select(ReplyTemplate)
            .options(joinedload(ReplyTemplate.category))
            .order_by(ReplyTemplate.situation, ReplyTemplate.category_id, ReplyTemplate.title)
        )
    )


def templates_for(request: ServiceRequest) -> dict[Situation, list[ReplyTemplate]]:
    """The active templates for a request's service, by situation, its service's own first.

    One query for every situation.
    """
    found: dict[Situation, list[ReplyTemplate]] = {}
    for template in db.session.scalars(
        select(ReplyTemplate)
        .where(
            ReplyTemplate.active.is_(True),
            or_(
                ReplyTemplate.category_id.is_(None),
                ReplyTemplate.category_id == request.category_id,
            ),
        )
        .order_by(ReplyTemplate.category_id.is_(None), ReplyTemplate.title, ReplyTemplate.id)
    ):
        found.setdefault(Situation(template.situation), []).append(template)
    return found


def filled_choice(
    request: ServiceRequest, choices: list[ReplyTemplate], template_id: int | None, *, group=None
) -> tuple[ReplyTemplate | None, str]:
    """The template of choices with template_id, and its text filled from the request
    (what has no value yet stays a placeholder); (None, "") when it is not among them."""
    chosen = next((t for t in choices if t.id == template_id), None)
    if chosen is None:
        return None, ""
    return chosen, replies.fill(chosen.body, placeholder_values(request, group=group))


def template(template_id: int | None) -> ReplyTemplate | None:
    return db.session.get(ReplyTemplate, template_id) if template_id else None


def placeholder_values(request: ServiceRequest, *, group=None) -> dict[str, str]:
    """What each placeholder stands for in this request now.

    group is the workshop group a move hands the job to, when it is not yet the request's.
    A value not known (no date arranged yet, a service done at home has no workshop) is
    left out, so the placeholder stays for the person to see.
    """
    club = institution()
    workshop = workshop_of(request.category, group or request.group)
    values = {
        "numer": request.reference,
        "usluga": request.category.name if request.category else "",
        "data": format_date(request.scheduled_for, "EEEE, d MMMM y")
        if request.scheduled_for
        else "",
        "godziny": request.scheduled_time or "",
        "adres_pracowni": workshop.location if workshop else "",
        "godziny_pracowni": workshop.opening_hours if workshop else "",
    }
    if club is not None:
        values.update(
            placowka=club.short_name or club.name,
            telefon=club.phone,
            godziny_telefonu=club.phone_hours,
            adres_biura=club.office_address,
            godziny_biura=club.office_hours,
        )
    return {name: value for name, value in values.items() if value}
