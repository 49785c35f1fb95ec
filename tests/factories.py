"""Plain functions that put test data in the database through the real services."""

from __future__ import annotations

import io
import itertools

from PIL import Image
from sqlalchemy import select

from portal import services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import Outcome, ServiceCategory, ServiceRequest, User, WorkshopGroup

_counter = itertools.count(1)


def category(code: str = "tailoring") -> ServiceCategory:
    return db.session.scalars(select(ServiceCategory).where(ServiceCategory.code == code)).one()


def group_for(code: str = "tailoring") -> WorkshopGroup:
    return db.session.scalars(
        select(WorkshopGroup)
        .join(ServiceCategory)
        .where(ServiceCategory.code == code)
        .order_by(WorkshopGroup.id)
    ).first()


# Answers to the demo services' required questions, as a resident gives them.
ANSWERS = {
    "tailoring": {"garment": "spodnie", "alteration": "shorten"},
    "upholstery": {"item": "krzesło", "can_bring": "yes"},
    "renovation": {"room": "kuchnia"},
}


def make_request(
    *,
    code: str = "tailoring",
    name: str = "Anna Kowalska",
    phone: str = "600 123 456",
    status: Status = Status.SUBMITTED,
    upload_folder: str = "/tmp",
    **fields,
) -> ServiceRequest:
    """Submit a request as a resident would, then walk it to status through allowed moves."""
    data = services.RequestData(
        category_id=category(code).id,
        description=fields.pop("description", "Skrócić spodnie o 5 cm"),
        name=name,
        phone=phone,
        address=fields.pop("address", "ul. Ozimska 10/2, Opole"),
        is_senior=fields.pop("is_senior", True),
        answers=fields.pop("answers", ANSWERS.get(code, {})),
        **fields,
    )
    request = services.submit_request(data, Actor.resident(), upload_folder=upload_folder).request
    walk_to(request, status)
    return request


PATH = {
    Status.SUBMITTED: [],
    Status.NEEDS_INFO: [Status.NEEDS_INFO],
    Status.ACCEPTED: [Status.ACCEPTED],
    Status.SCHEDULED: [Status.ACCEPTED, Status.SCHEDULED],
    Status.IN_PROGRESS: [Status.ACCEPTED, Status.IN_PROGRESS],
    Status.READY: [Status.ACCEPTED, Status.IN_PROGRESS, Status.READY],
    Status.COMPLETED: [Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED],
    Status.DECLINED: [Status.DECLINED],
    Status.CANCELLED: [Status.CANCELLED],
}


def sent_on(request: ServiceRequest, day) -> ServiceRequest:
    """Date a request's submission back to day (09:00 in Warsaw), e.g. to complete it on day."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    local = datetime.combine(day, time(9), tzinfo=ZoneInfo("Europe/Warsaw"))
    request.created_at = local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    request.consent_at = request.created_at
    db.session.commit()
    return request


def walk_to(request: ServiceRequest, status: Status) -> None:
    from datetime import date

    staff = Actor(Role.STAFF)
    for target in PATH[status]:
        if target == Status.COMPLETED:
            services.complete_job(
                request,
                staff,
                completed_on=services.local_today("Europe/Warsaw"),
                outcome=Outcome.DONE,
                work_done="Wykonano",
            )
            continue
        services.move_request(
            request,
            target,
            staff,
            note="Powód / pytanie" if target in (Status.DECLINED, Status.NEEDS_INFO) else "",
            group_id=group_for(request.category.code).id if target == Status.ACCEPTED else None,
            scheduled_for=date(2026, 12, 1) if target == Status.SCHEDULED else None,
            scheduled_time="10:00–12:00" if target == Status.SCHEDULED else "",
        )


def image_bytes(fmt: str = "JPEG", size=(800, 600), color=(200, 30, 30), exif=None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def user(
    role: Role = Role.STAFF, email: str | None = None, password: str = "haslo-testowe-123"
) -> User:
    from portal.services.accounts import hash_password

    number = next(_counter)
    account = User(
        email=email or f"{role}{number}@example.org",
        name=f"{role.capitalize()} {number}",
        role=role,
        password_hash=hash_password(password),
    )
    db.session.add(account)
    db.session.commit()
    return account


def bulk_requests(
    count: int, *, code: str = "tailoring", status: Status = Status.SUBMITTED, group=None
) -> None:
    """Insert many requests at once, for list pages measured with large data."""
    import secrets

    from portal.models import ConsentMethod, EventKind, RequestEvent, utcnow

    cat = category(code)
    now = utcnow()
    base = next(_counter) * 100000
    for number in range(count):
        request = ServiceRequest(
            reference=f"KR/2025/{base + number:06d}",
            access_token=secrets.token_urlsafe(24),
            status=status,
            category_id=cat.id,
            group_id=group.id if group else None,
            description="Naprawa",
            name=f"Osoba {number}",
            phone="600 000 000",
            phone_digits="600000000",
            is_senior=True,
            consent_at=now,
            consent_version="1",
            consent_method=ConsentMethod.ONLINE,
            created_at=now,
        )
        request.events.append(
            RequestEvent(
                kind=EventKind.SUBMITTED, actor_role=Role.RESIDENT, to_status=status, is_public=True
            )
        )
        db.session.add(request)
    db.session.commit()


def edition(number: int | None = None, starts_on=None, ends_on=None):
    from datetime import date, timedelta

    from portal.models import ProgrammeEdition

    today = date.today()
    found = ProgrammeEdition(
        number=number or next(_counter),
        starts_on=starts_on or today - timedelta(days=30),
        ends_on=ends_on or today + timedelta(days=120),
    )
    db.session.add(found)
    db.session.commit()
    return found


def trainee(
    name: str = "Uczestnik Testowy",
    *,
    group_code: str = "tailoring",
    edition_=None,
    active=True,
    gender=None,
):
    from portal.models import Trainee

    found = Trainee(
        name=name,
        edition=edition_ or edition(),
        group=group_for(group_code),
        active=active,
        gender=gender,
    )
    db.session.add(found)
    db.session.commit()
    return found


def work_session(request, trainee_, *, supervisor, hours="2", worked_on=None):
    from datetime import date
    from decimal import Decimal

    from portal.models import WorkEntry, WorkSession

    session = WorkSession(
        request=request,
        worked_on=worked_on or date.today(),
        description="Praca",
        supervisor=supervisor,
        entries=[WorkEntry(trainee=trainee_, hours=Decimal(hours))],
    )
    db.session.add(session)
    db.session.commit()
    return session


def work_crew(today) -> dict[str, int]:
    """Trainee ids: two of the tailoring group in an edition running on today, and three who
    may not be logged on a tailoring job (another group, a finished edition, inactive)."""
    from datetime import timedelta

    running = edition(starts_on=today - timedelta(days=60), ends_on=today + timedelta(days=60))
    finished = edition(starts_on=today - timedelta(days=300), ends_on=today - timedelta(days=100))
    made = {
        "ala": trainee("Alicja Uczennica", edition_=running),
        "basia": trainee("Barbara Uczennica", edition_=running),
        "other_group": trainee("Celina Stolarska", group_code="upholstery", edition_=running),
        "finished": trainee("Dorota Absolwentka", edition_=finished),
        "inactive": trainee("Ewa Nieaktywna", edition_=running, active=False),
    }
    return {name: found.id for name, found in made.items()}
