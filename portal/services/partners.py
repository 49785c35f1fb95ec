"""Requests sent by partner institutions through the API, on a resident's behalf.

A partner (a welfare centre, a day centre) holds an API key issued by the club's
administrator. `submit_partner_request` checks what it sent, names every problem by the
parameter that carries it (as the Open311 errors do), and records the request through the
same `submit_request` as the public form and the office's intake: from an institution,
under the key's institution name, with the consent the partner took, with the answers to
the service's questions. The history, the notifications and the tallies are those of any
other request; the use of the key goes to the audit trail.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from .. import audit
from ..domain import questions
from ..domain.actor import Actor
from ..domain.errors import N_, DomainError
from ..domain.phones import phone_digits
from ..domain.text import strip_control_characters
from ..extensions import db
from ..models import ApiKey, Channel, ConsentMethod, ServiceCategory, ServiceRequest
from . import apikeys
from .requests import RequestData, submit_request

NAME_MAX = 120
PHONE_MAX = 40
EMAIL_MAX = 254
ADDRESS_MAX = 300
# The Open311 limit on a request's description.
DESCRIPTION_MAX = 4000
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass
class PartnerRequest:
    """What a partner sent, as plain text by Open311 parameter name."""

    service_code: str
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    description: str = ""
    address_string: str = ""
    # attribute[code]=value, by code.
    attributes: dict[str, str] = field(default_factory=dict)
    # The partner's own name for the request (the Idempotency-Key header): the same name
    # sent again with the same key records nothing new.
    idempotency_key: str = ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a partner's request: the parameter, a message (N_) and its values."""

    parameter: str
    message: str
    params: dict | None = None


class UnknownService(DomainError):
    """The service code names no service the club offers."""

    def __init__(self, code: str):
        super().__init__(N_("There is no service with this code."), field="service_code")
        self.code = code


class PartnerRequestRefused(DomainError):
    """The request cannot be recorded as sent; every problem is listed."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems[0].message, field=problems[0].parameter)
        self.problems = problems


def _text(value: str | None) -> str:
    return strip_control_characters(value or "").strip()


def _category(code: str) -> ServiceCategory:
    category = db.session.scalars(
        select(ServiceCategory).where(ServiceCategory.code == code, ServiceCategory.active)
    ).first()
    if category is None:
        raise UnknownService(code)
    return category


def _too_long(parameter: str, value: str, limit: int) -> Problem | None:
    if len(value) > limit:
        return Problem(parameter, N_("Write up to %(max)s characters."), {"max": limit})
    return None


def check(data: PartnerRequest) -> tuple[ServiceCategory | None, list[Problem]]:
    """Find the service and list what is wrong with the request (nothing: an empty list)."""
    code = _text(data.service_code)
    if not code:
        return None, [Problem("service_code", N_("Choose one of the services offered."))]
    category = _category(code)
    problems: list[Problem] = []
    name = " ".join(f"{_text(data.first_name)} {_text(data.last_name)}".split())
    phone, email = _text(data.phone), _text(data.email)
    description, address = _text(data.description), _text(data.address_string)
    if not name:
        problems.append(Problem("last_name", N_("Give the resident's first name and surname.")))
    problems.append(_too_long("last_name", name, NAME_MAX))
    if not phone or phone_digits(phone) is None:
        problems.append(Problem("phone", N_("Enter a phone number we can call.")))
    problems.append(_too_long("phone", phone, PHONE_MAX))
    if email:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            problems.append(
                Problem(
                    "email",
                    N_("Enter an e-mail address in the form name@example.pl, or leave it empty."),
                )
            )
    problems.append(_too_long("email", email, EMAIL_MAX))
    if not description:
        problems.append(Problem("description", N_("Describe what needs to be done.")))
    problems.append(_too_long("description", description, DESCRIPTION_MAX))
    if category.requires_address and not address:
        problems.append(
            Problem("address_string", N_("Give the address where the work is to be done."))
        )
    problems.append(_too_long("address_string", address, ADDRESS_MAX))
    if data.idempotency_key and not IDEMPOTENCY_KEY.fullmatch(data.idempotency_key):
        problems.append(
            Problem(
                "Idempotency-Key",
                N_("Write at most 64 letters, digits, hyphens or underscores."),
            )
        )
    asked = {question["code"] for question in category.questions or []}
    for unknown in sorted(set(data.attributes) - asked):
        problems.append(
            Problem(f"attribute[{unknown}]", N_("This service has no question with this code."))
        )
    answers = {code: _text(value) for code, value in data.attributes.items() if code in asked}
    _kept, refused = questions.answers(category.questions, answers)
    for question_code, refusal in refused.items():
        problems.append(
            Problem(
                f"attribute[{question_code}]",
                refusal.message,
                {"num": refusal.num} if refusal.num is not None else None,
            )
        )
    return category, [problem for problem in problems if problem is not None]


def _submission_key(key: ApiKey, idempotency_key: str) -> str | None:
    """The request's one-time key: the partner's name for it, within its own key only."""
    if not idempotency_key:
        return None
    return "api-" + hashlib.sha256(f"{key.id}:{idempotency_key}".encode()).hexdigest()[:56]


def submit_partner_request(
    data: PartnerRequest, key: ApiKey, *, upload_folder: str, timezone: str
) -> ServiceRequest:
    """Record a request a partner sent with its key; refuse it whole, naming every problem.

    Raises UnknownService for a service code the club does not offer (or no longer
    does), PartnerRequestRefused for anything else wrong. Either way nothing is recorded
    but the refused use of the key in the audit trail.
    """
    try:
        category, problems = check(data)
    except UnknownService as unknown:
        apikeys.record_use(key, audit.AuditAction.API_REQUEST_REFUSED, detail="service_code")
        raise unknown
    if problems:
        apikeys.record_use(
            key,
            audit.AuditAction.API_REQUEST_REFUSED,
            # The parameters at fault, never what was in them.
            detail=",".join(sorted({problem.parameter for problem in problems})),
        )
        raise PartnerRequestRefused(problems)
    request_data = RequestData(
        category_id=category.id,
        description=_text(data.description),
        name=" ".join(f"{_text(data.first_name)} {_text(data.last_name)}".split()),
        phone=_text(data.phone),
        email=_text(data.email) or None,
        address=_text(data.address_string) or None,
        channel=Channel.INSTITUTION,
        consent_method=ConsentMethod.PARTNER,
        institution_name=key.institution_name,
        answers={code: _text(value) for code, value in data.attributes.items()},
        api_key_id=key.id,
        submission_key=_submission_key(key, data.idempotency_key),
    )
    # The partner acts on the resident's behalf, without an account of the club's.
    request = submit_request(
        request_data, Actor.resident(), upload_folder=upload_folder, timezone=timezone
    ).request
    apikeys.record_use(
        key, audit.AuditAction.API_REQUEST_SENT, request_id=request.id, detail=request.reference
    )
    return request
