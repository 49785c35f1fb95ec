"""The Open311 routes: discovery, the services, the requests' public profile, and requests
sent by partner institutions with an API key.

Every route takes its format from the extension (.json or .xml). The reads are open to
anyone and limited per client address (API_RATE_LIMIT); sending a request takes a key and
is limited per key as well (API_KEY_RATE_LIMIT). An empty parameter counts as absent.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Response, current_app, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from .. import audit, queries
from ..domain.errors import DomainError
from ..domain.lifecycle import CLOSED, OPEN, Status
from ..domain.text import strip_control_characters
from ..extensions import limiter
from ..queries import open311 as reads
from ..securitylog import log_event
from ..services import apikeys, partners
from ..web.inputguard import FIRST_DAY, LAST_DAY
from . import PREFIX, bp, profile
from .converters import reference_of
from .errors import error_response, requested_format
from .formats import MIMETYPES, render

# When this API last changed, as discovery tells clients.
CHANGESET = datetime(2026, 11, 29, tzinfo=UTC)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The longest span of the list's dates, and its default: the last days up to today.
MAX_SPAN = timedelta(days=90)
FMT = "<any(json, xml):fmt>"
OPENAPI = Path(__file__).with_name("openapi.yaml")
# What the list and a form's fields may hold before they are not read at all.
PARAMETER_MAX = 40


class Refused(Exception):
    """What was sent cannot be answered: the status and one description per problem."""

    def __init__(self, status: int, descriptions: list[str]):
        super().__init__(status, descriptions)
        self.status = status
        self.descriptions = descriptions


@bp.errorhandler(Refused)
def _refused(error: Refused):
    return error_response(requested_format(), error.status, error.descriptions)


# --- Limits ------------------------------------------------------------------------------


def _address_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _key_limit() -> str:
    return current_app.config["API_KEY_RATE_LIMIT"]


def _presented_key() -> str:
    """The api_key form parameter (the standard's way), else an Authorization: Bearer key."""
    value = request.form.get("api_key", "")
    if value:
        return value
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _key_identity() -> str:
    """Whom the per-key limit counts: the key's hash (never the key), else the address."""
    presented = _presented_key()
    if not presented:
        return f"no-key:{get_remote_address()}"
    return "key:" + hashlib.sha256(presented.encode("utf-8", "replace")).hexdigest()[:32]


per_address = limiter.shared_limit(_address_limit, scope="open311-address")


# --- Reading parameters ------------------------------------------------------------------


def _param(name: str) -> str:
    return strip_control_characters(request.args.get(name, "")).strip()


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _instant(name: str) -> datetime | None:
    text = _param(name)
    if not text:
        return None
    wrong = Refused(
        400,
        [f"{name}: " + _("Write a date and time in ISO 8601, e.g. 2026-03-01T00:00:00+01:00.")],
    )
    if len(text) > PARAMETER_MAX or not text.isascii():
        raise wrong
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise wrong from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(_timezone()))
    if not FIRST_DAY <= value.date() <= LAST_DAY:
        raise Refused(400, [f"{name}: " + _("Give a date from the years 2000 to 2100.")])
    return value


def _filters() -> reads.RequestFilters:
    """The list's filters from the query string; Refused when one cannot be used."""
    references = _list(_param("service_request_id"))
    if references:
        if len(references) > reads.MAX_REQUESTS:
            raise Refused(
                400,
                [
                    "service_request_id: "
                    + _("Ask for at most %(num)d requests at once.", num=reads.MAX_REQUESTS)
                ],
            )
        # Overrides every other filter, as the standard says.
        return reads.RequestFilters(
            references=[reference_of(r.upper()) for r in references if len(r) <= 30]
        )
    filters = reads.RequestFilters()
    codes = _list(_param("service_code"))
    if codes:
        unknown = sorted(set(codes) - reads.known_service_codes())
        if unknown:
            raise Refused(
                404,
                [
                    f"service_code: {code[:PARAMETER_MAX]}: "
                    + _("There is no service with this code.")
                    for code in unknown[:10]
                ],
            )
        filters.service_codes = codes
    statuses = _list(_param("status"))
    if statuses:
        chosen: set[Status] = set()
        for status in statuses:
            if status.lower() == "open":
                chosen |= OPEN
            elif status.lower() == "closed":
                chosen |= CLOSED
            else:
                raise Refused(400, ["status: " + _("Write open, closed, or both: open,closed.")])
        filters.statuses = frozenset(chosen)
    start, end = _instant("start_date"), _instant("end_date")
    if start is None and end is None:
        end = datetime.now(UTC)
        start = end - MAX_SPAN
    elif start is None:
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Refused(400, ["end_date: " + _("The end date comes before the start date.")])
    if end - start > MAX_SPAN:
        raise Refused(400, ["end_date: " + _("The dates may span at most 90 days.")])
    # Whole local days: a filter finer than the dates shown would tell the minute.
    timezone = _timezone()
    first = start.astimezone(ZoneInfo(timezone)).date()
    last = end.astimezone(ZoneInfo(timezone)).date()
    filters.created_from = _utc(profile.local_midnight(first, timezone))
    filters.created_before = _utc(profile.local_midnight(last + timedelta(days=1), timezone))
    return filters


def _utc(instant: datetime) -> datetime:
    """An aware instant as the database stores it: naive UTC."""
    return instant.astimezone(UTC).replace(tzinfo=None)


# --- Discovery and services --------------------------------------------------------------


@bp.get(f"/discovery.{FMT}")
@per_address
def discovery(fmt: str):
    institution = queries.institution()
    contact = ", ".join(
        part for part in (institution.name, institution.phone, institution.email) if part
    )
    base = (current_app.config.get("PUBLIC_BASE_URL") or request.url_root).rstrip("/")
    changeset = CHANGESET.isoformat()
    return render(
        fmt,
        "discovery",
        {
            "changeset": changeset,
            "contact": contact,
            "key_service": _(
                "Keys for sending requests are issued to partner institutions by the club's "
                "administrator. Ask: %(contact)s.",
                contact=contact,
            ),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base + PREFIX,
                    "changeset": changeset,
                    "type": "production"
                    if current_app.config["ENV_NAME"] == "production"
                    else "test",
                    "formats": [MIMETYPES["xml"], MIMETYPES["json"]],
                }
            ],
        },
    )


@bp.get(f"/services.{FMT}")
@per_address
def services(fmt: str):
    group = _("Repairs in the club's workshops")
    return render(
        fmt,
        "services",
        [profile.service(category, group) for category in reads.offered_services()],
    )


@bp.get(f"/services/<service_code>.{FMT}")
@per_address
def service_definition(service_code: str, fmt: str):
    category = next(
        (category for category in reads.offered_services() if category.code == service_code),
        None,
    )
    if category is None:
        raise Refused(404, ["service_code: " + _("There is no service with this code.")])
    return render(fmt, "service_definition", profile.definition(category))


# --- Requests ----------------------------------------------------------------------------


@bp.get(f"/requests.{FMT}")
@per_address
def requests_list(fmt: str):
    timezone = _timezone()
    rows = reads.public_requests(_filters())
    return render(fmt, "service_requests", [profile.public_request(row, timezone) for row in rows])


@bp.get(f"/requests/<reference:service_request_id>.{FMT}")
@per_address
def request_detail(service_request_id: str, fmt: str):
    row = reads.public_request(reference_of(service_request_id))
    if row is None:
        raise Refused(404, ["service_request_id: " + _("There is no request with this number.")])
    return render(fmt, "service_requests", [profile.public_request(row, _timezone())])


def _attributes() -> dict[str, str]:
    """attribute[code]=value from the form, by code; attribute[code][]=... keeps its []."""
    found = {}
    for name in request.form:
        if name.startswith("attribute[") and name.endswith("]"):
            found[name[len("attribute[") : -1][:PARAMETER_MAX]] = request.form.get(name, "")
    return found


def _checked_key() -> apikeys.KeyCheck:
    """The live key presented; Refused (403) for none, a wrong one or a revoked one, which
    the security log (and, for a revoked key, the audit trail) records."""
    check = apikeys.check_key(_presented_key())
    if check.valid:
        return check
    if check.problem == apikeys.KeyProblem.REVOKED:
        log_event("authn_token_reuse", outcome="failure", method="api_key", key=check.prefix)
        audit.record(None, audit.AuditAction.API_KEY_REFUSED, detail=apikeys.describe(check.key))
    else:
        log_event(
            "authn_login_fail",
            outcome="failure",
            method="api_key",
            reason=check.problem.value,
            key=check.prefix or None,
        )
    if check.problem == apikeys.KeyProblem.MISSING:
        message = _("Give the api_key your institution received from the club.")
    else:
        message = _("This api_key is not valid, or it has been revoked.")
    raise Refused(403, ["api_key: " + message])


@bp.post(f"/requests.{FMT}")
@per_address
@limiter.limit(_key_limit, key_func=_key_identity)
def create_request(fmt: str):
    key = _checked_key().key
    form = request.form
    data = partners.PartnerRequest(
        service_code=form.get("service_code", ""),
        first_name=form.get("first_name", ""),
        last_name=form.get("last_name", ""),
        phone=form.get("phone", ""),
        email=form.get("email", ""),
        description=form.get("description", ""),
        address_string=form.get("address_string", ""),
        attributes=_attributes(),
        idempotency_key=request.headers.get("Idempotency-Key", "").strip(),
    )
    try:
        created = partners.submit_partner_request(
            data,
            key,
            upload_folder=current_app.config["UPLOAD_FOLDER"],
            timezone=_timezone(),
        )
    except partners.UnknownService:
        raise Refused(404, ["service_code: " + _("There is no service with this code.")]) from None
    except partners.PartnerRequestRefused as refused:
        raise Refused(
            400,
            [
                f"{problem.parameter}: " + _(problem.message, **(problem.params or {}))
                for problem in refused.problems
            ],
        ) from None
    except DomainError as refused:
        raise Refused(
            400, [f"{refused.field or 'request'}: " + _(refused.message, **(refused.params or {}))]
        ) from None
    notice = _(
        "Request %(reference)s has been recorded. The club will phone the resident to agree "
        "the details.",
        reference=created.reference,
    )
    return render(
        fmt,
        "service_requests",
        [{"service_request_id": created.reference, "service_notice": notice, "account_id": None}],
    )


# --- The description ---------------------------------------------------------------------


@bp.get("/openapi.yaml")
@per_address
def openapi():
    """The OpenAPI 3 description of this API, as kept in the repository."""
    return Response(
        OPENAPI.read_text(encoding="utf-8"), content_type="application/yaml; charset=utf-8"
    )
