"""The read side: what pages list and look up, loaded in a fixed number of queries."""

from __future__ import annotations

from flask import g
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .extensions import db
from .models import Institution, RequestEvent, ServiceCategory, ServiceRequest
from .phones import phone_digits


def institution() -> Institution | None:
    """Return the club's settings, read once per request."""
    if "institution" not in g:
        g.institution = db.session.scalars(select(Institution).order_by(Institution.id)).first()
    return g.institution


def active_categories() -> list[ServiceCategory]:
    return list(
        db.session.scalars(
            select(ServiceCategory)
            .where(ServiceCategory.active.is_(True))
            .order_by(ServiceCategory.position, ServiceCategory.id)
        )
    )


def request_by_token(token: str) -> ServiceRequest | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.access_token == token)
        .options(
            selectinload(ServiceRequest.events).selectinload(RequestEvent.actor),
            selectinload(ServiceRequest.category),
        )
    ).first()


def request_by_reference_and_phone(reference: str, phone: str) -> ServiceRequest | None:
    digits = phone_digits(phone)
    if digits is None:
        return None
    return db.session.scalars(
        select(ServiceRequest).where(
            ServiceRequest.reference == reference, ServiceRequest.phone_digits == digits
        )
    ).first()
