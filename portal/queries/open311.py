"""What the Open311 API reads: the services, and the public profile of requests.

The request queries select the few columns of the public profile and nothing else (the
reference, the status, the service, the workshop group and the dates), so no name, phone,
address, description, answer, channel or flag of a resident is ever loaded for the API,
whatever a view later does with the rows. Requests whose personal data were erased list
like the others: what they keep is all the profile shows anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..domain.lifecycle import Status
from ..extensions import db
from ..models import ApiKey, ServiceCategory, ServiceRequest, WorkshopGroup

# The Open311 default and most: 1,000 requests a response.
MAX_REQUESTS = 1000


@dataclass(frozen=True)
class PublicRequest:
    """A request as anyone may see it through the API."""

    reference: str
    status: Status
    service_code: str
    service_name: str
    group_name: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


@dataclass
class RequestFilters:
    """The list's filters; created_* are UTC instants, bounds of whole local days."""

    references: list[str] | None = None
    service_codes: list[str] | None = None
    statuses: frozenset[Status] | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None


def _public_select():
    return (
        select(
            ServiceRequest.reference,
            ServiceRequest.status,
            ServiceCategory.code,
            ServiceCategory.name,
            WorkshopGroup.name,
            ServiceRequest.created_at,
            ServiceRequest.updated_at,
            ServiceRequest.closed_at,
        )
        .join(ServiceCategory, ServiceCategory.id == ServiceRequest.category_id)
        .outerjoin(WorkshopGroup, WorkshopGroup.id == ServiceRequest.group_id)
    )


def public_requests(filters: RequestFilters) -> list[PublicRequest]:
    """The requests the filters name, newest first, at most MAX_REQUESTS; one query.

    References, when given, override every other filter (as Open311 says).
    """
    statement = _public_select()
    if filters.references is not None:
        statement = statement.where(ServiceRequest.reference.in_(filters.references))
    else:
        if filters.service_codes is not None:
            statement = statement.where(ServiceCategory.code.in_(filters.service_codes))
        if filters.statuses is not None:
            statement = statement.where(ServiceRequest.status.in_(sorted(filters.statuses)))
        if filters.created_from is not None:
            statement = statement.where(ServiceRequest.created_at >= filters.created_from)
        if filters.created_before is not None:
            statement = statement.where(ServiceRequest.created_at < filters.created_before)
    statement = statement.order_by(
        ServiceRequest.created_at.desc(), ServiceRequest.id.desc()
    ).limit(MAX_REQUESTS)
    return [PublicRequest(*row) for row in db.session.execute(statement)]


def public_request(reference: str) -> PublicRequest | None:
    """One request's public profile by its reference, or None."""
    row = db.session.execute(_public_select().where(ServiceRequest.reference == reference)).first()
    return PublicRequest(*row) if row is not None else None


def offered_services() -> list[ServiceCategory]:
    """The services the club offers now, in its order."""
    return list(
        db.session.scalars(
            select(ServiceCategory)
            .where(ServiceCategory.active.is_(True))
            .order_by(ServiceCategory.position, ServiceCategory.id)
        )
    )


def known_service_codes() -> set[str]:
    """The codes of every service, offered now or in the past (old requests carry them)."""
    return set(db.session.scalars(select(ServiceCategory.code)))


def api_keys() -> list[ApiKey]:
    """Every partner key for the administrator's list: live ones first, newest first."""
    return list(
        db.session.scalars(
            select(ApiKey).order_by(
                ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc()
            )
        )
    )
