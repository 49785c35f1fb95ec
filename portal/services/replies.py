"""Keeping the reply templates: an administrator writes, changes and removes them."""

from __future__ import annotations

from ..domain import replies
from ..domain.errors import DomainError
from ..domain.replies import Situation
from ..extensions import db
from ..i18n import N_
from ..models import ReplyTemplate, ServiceCategory
from .transaction import use_case


@use_case
def save_template(
    template: ReplyTemplate | None,
    *,
    situation: Situation | str,
    title: str,
    body: str,
    category_id: int | None = None,
    active: bool = True,
) -> ReplyTemplate:
    """Create a template (template None) or change one; placeholders must be known ones."""
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise DomainError(N_("Give the template a short title."), field="title")
    if not body:
        raise DomainError(N_("Write the text."), field="body")
    unknown = replies.unknown_placeholders(body)
    if unknown:
        raise DomainError(
            N_("There is no placeholder %(names)s. Use only those listed below the box."),
            field="body",
            params={"names": ", ".join("{" + name + "}" for name in unknown)},
        )
    if category_id is not None and db.session.get(ServiceCategory, category_id) is None:
        raise DomainError(N_("Choose one of the services."), field="category_id")
    if template is None:
        template = ReplyTemplate()
        db.session.add(template)
    template.situation = Situation(situation)
    template.category_id = category_id
    template.title = title[:120]
    template.body = body
    template.active = bool(active)
    db.session.commit()
    return template


@use_case
def delete_template(template: ReplyTemplate) -> None:
    db.session.delete(template)
    db.session.commit()
