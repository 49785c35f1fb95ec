"""Database models: typed columns and tiny derived properties; workflows live in services."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    event,
)
from sqlalchemy import (
    false as sa_false,
)
from sqlalchemy import (
    true as sa_true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .domain.lifecycle import Role, Status
from .domain.replies import Situation
from .extensions import db


def utcnow() -> datetime:
    """Return the current time in UTC, naive, as every timestamp column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def _enum(enum_class: type[StrEnum]) -> Enum:
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


class Channel(StrEnum):
    ONLINE = "online"
    PHONE = "phone"
    IN_PERSON = "in_person"
    INSTITUTION = "institution"


class RequesterKind(StrEnum):
    SENIOR = "senior"
    ASSISTED = "assisted"
    INSTITUTION = "institution"


class ConsentMethod(StrEnum):
    ONLINE = "online"
    ORAL = "oral"
    WRITTEN = "written"
    # A partner institution sent the request through the API, with the consent it took.
    PARTNER = "partner"


class EventKind(StrEnum):
    SUBMITTED = "submitted"
    STATUS = "status"
    EDIT = "edit"
    NOTE = "note"
    WORK_LOG = "work_log"
    # The resident answered the office's question through the private link.
    ANSWER = "answer"
    # An item taken in at the workshop (when, where it lies, its state).
    CUSTODY = "custody"
    # The arranged date (or its hours) moved; the resident is told.
    RESCHEDULE = "reschedule"


class Outcome(StrEnum):
    DONE = "done"
    NOT_DONE = "not_done"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"


class ParticipationEnd(StrEnum):
    """Why a trainee's participation in the programme ended."""

    COMPLETED = "completed"
    LEFT_EARLY = "left_early"
    OTHER = "other"


class AfterProgramme(StrEnum):
    """What followed a trainee's participation, as far as the club knows."""

    EMPLOYMENT = "employment"
    INTERNSHIP = "internship"
    TRAINING = "training"
    NONE = "none"
    UNKNOWN = "unknown"


class NotificationPreference(StrEnum):
    """How a member of staff hears of new requests."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"
    NONE = "none"


class MessageKind(StrEnum):
    SUBMITTED = "submitted"
    STATUS_CHANGE = "status_change"
    NEW_REQUEST = "new_request"
    DIGEST = "digest"
    # A resident asked for their request's private link by e-mail.
    PRIVATE_LINK = "private_link"
    # Staff hear that a resident answered the office's question.
    RESIDENT_ANSWER = "resident_answer"
    # One reminder of the satisfaction check, to a resident who asked for e-mail.
    FEEDBACK_REMINDER = "feedback_reminder"
    # One reminder that an item waits at the workshop to be collected.
    PICKUP_REMINDER = "pickup_reminder"
    # The day before an arranged date: the visit, or bringing the item.
    VISIT_REMINDER = "visit_reminder"


class MessageChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    # Failed too often, or refused for good: waits for an administrator.
    PARKED = "parked"


class Institution(db.Model):
    """The club running the portal: one row, loaded from a settings file."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(80))
    parent_name: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(80))
    # The office (where requests are taken in person) and its hours; the phone and the hours
    # it is answered. Each workshop's own address and hours are the group's.
    office_address: Mapped[str] = mapped_column(String(200))
    office_hours: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40))
    phone_hours: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    eligibility: Mapped[str] = mapped_column(Text, default="")
    reference_prefix: Mapped[str] = mapped_column(String(8), default="ZG")
    controller_name: Mapped[str] = mapped_column(String(200), default="")
    controller_address: Mapped[str] = mapped_column(String(200), default="")
    dpo_contact: Mapped[str] = mapped_column(String(200), default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    retention: Mapped[str] = mapped_column(Text, default="")
    consent_version: Mapped[str] = mapped_column(String(20), default="1")
    # Closed requests older than this lose their personal data (the totals stay).
    retention_months: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    # An administrator may require two-factor login of every back-office account.
    require_two_factor: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )
    # Whether the resident reads why a job could not be done (what staff wrote), or only
    # that it could not be done and that they may call.
    show_not_done_reason: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=sa_true()
    )
    # The accessibility statement (deklaracja dostępności) the Polish act requires.
    accessibility_published_on: Mapped[date | None] = mapped_column(Date)
    accessibility_updated_on: Mapped[date | None] = mapped_column(Date)
    accessibility_prepared_on: Mapped[date | None] = mapped_column(Date)
    accessibility_reviewed_on: Mapped[date | None] = mapped_column(Date)
    accessibility_status: Mapped[str] = mapped_column(
        String(20), default="partial", server_default="partial"
    )
    accessibility_exceptions: Mapped[str] = mapped_column(Text, default="", server_default="")
    accessibility_contact_name: Mapped[str] = mapped_column(
        String(120), default="", server_default=""
    )
    accessibility_contact_email: Mapped[str] = mapped_column(
        String(254), default="", server_default=""
    )
    accessibility_contact_phone: Mapped[str] = mapped_column(
        String(40), default="", server_default=""
    )
    building_accessibility: Mapped[str] = mapped_column(Text, default="", server_default="")
    # What happens to an item nobody collects, as the resident reads it on the receipt.
    uncollected_policy: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Whether the home page says how many services the club has done (since its first count).
    show_impact: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # The texts above in other languages: {"uk": {"office_hours": "..."}, "en": {...}}.
    texts: Mapped[dict | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ServiceCategory(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    guidance: Mapped[str] = mapped_column(Text, default="")
    location_note: Mapped[str] = mapped_column(String(300), default="")
    requires_address: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # How reports count it in a Polish sentence: one|few|many, e.g.
    # "usługa krawiecka|usługi krawieckie|usług krawieckich".
    report_forms: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # The service's own questions, asked on the form (portal.questions reads them), and its
    # name and texts in other languages: {"uk": {"name": "...", "guidance": "..."}}.
    questions: Mapped[list | None] = mapped_column(JSON)
    texts: Mapped[dict | None] = mapped_column(JSON)

    groups: Mapped[list[WorkshopGroup]] = relationship(back_populates="category")


group_instructor = Table(
    "group_instructor",
    db.metadata,
    Column("group_id", ForeignKey("workshop_group.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class WorkshopGroup(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("service_category.id"))
    # Where residents bring and collect items (or, for work at home, where the group works
    # from), and when the workshop is open to them.
    location: Mapped[str] = mapped_column(String(200), default="")
    opening_hours: Mapped[str] = mapped_column(String(300), default="", server_default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Its location and hours in other languages: {"uk": {"opening_hours": "..."}}.
    texts: Mapped[dict | None] = mapped_column(JSON)

    category: Mapped[ServiceCategory] = relationship(back_populates="groups")
    instructors: Mapped[list[User]] = relationship(
        secondary=group_instructor, back_populates="groups", order_by="User.name"
    )


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(_enum(Role))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    notification: Mapped[NotificationPreference] = mapped_column(
        _enum(NotificationPreference),
        default=NotificationPreference.IMMEDIATE,
        server_default=NotificationPreference.IMMEDIATE.value,
    )
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Two-factor login (TOTP, RFC 6238): the base32 secret, when it was turned on, and the
    # last time step accepted, so that a code cannot be used twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    groups: Mapped[list[WorkshopGroup]] = relationship(
        secondary=group_instructor, back_populates="instructors", order_by="WorkshopGroup.name"
    )

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def group_ids(self) -> set[int]:
        return {group.id for group in self.groups}


class ReferenceCounter(db.Model):
    """The last reference number handed out in a year."""

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class ServiceRequest(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    access_token: Mapped[str] = mapped_column(String(64), unique=True)
    # The one-time token of the form that created it: a resubmission finds it.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # active_history on the columns portal.tallies counts by: a change loads the old value.
    status: Mapped[Status] = mapped_column(
        _enum(Status), default=Status.SUBMITTED, active_history=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("service_category.id"), index=True, active_history=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_group.id"), index=True, active_history=True
    )

    description: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(40))
    phone_digits: Mapped[str] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    # The e-mail address case-folded, kept in step on every write like search_text: the
    # same person's other requests are found by it (or by phone_digits).
    email_key: Mapped[str | None] = mapped_column(String(254), index=True)
    email_updates: Mapped[bool] = mapped_column(Boolean, default=False)
    # Text messages to the phone at the moments that matter, and when the resident agreed.
    sms_updates: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    sms_consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The language the resident used: their e-mails, text messages and status page speak it.
    language: Mapped[str] = mapped_column(String(8), default="pl", server_default="pl")
    # The answers to the service's own questions, as they were asked:
    # [{"code": ..., "question": ..., "answer": ...}] in Polish, for the office and the tag.
    answers: Mapped[list | None] = mapped_column(JSON)
    address: Mapped[str | None] = mapped_column(String(300))
    contact_time: Mapped[str | None] = mapped_column(String(200))
    is_senior: Mapped[bool] = mapped_column(Boolean, default=False)
    receives_assistance: Mapped[bool] = mapped_column(Boolean, default=False, active_history=True)
    channel: Mapped[Channel] = mapped_column(
        _enum(Channel), default=Channel.ONLINE, active_history=True
    )
    # For requests from another welfare unit, a city unit or an NGO.
    institution_name: Mapped[str | None] = mapped_column(String(200))
    institution_contact: Mapped[str | None] = mapped_column(String(200))
    # The reference, name, e-mail and institution, case-folded in Python (str.casefold), so
    # that the queue search finds "Łąkowska" from "łąk" on SQLite as on PostgreSQL: SQLite's
    # lower() folds ASCII letters only. Kept in step on every write by _refresh_search_text.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    consent_at: Mapped[datetime] = mapped_column(DateTime)
    consent_version: Mapped[str] = mapped_column(String(20))
    consent_method: Mapped[ConsentMethod] = mapped_column(_enum(ConsentMethod))
    # The member of staff who took the request and recorded the oral consent.
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    scheduled_for: Mapped[date | None] = mapped_column(Date)
    # The hours of the arranged date, as staff told the resident, e.g. "10:00–12:00".
    scheduled_time: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # The arranged visit is a survey before the work (to see what is to be done), not the work.
    survey_visit: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # Completion: only an outcome of "done" counts toward the service totals.
    completed_on: Mapped[date | None] = mapped_column(Date, index=True, active_history=True)
    outcome: Mapped[Outcome | None] = mapped_column(_enum(Outcome), active_history=True)
    work_done: Mapped[str | None] = mapped_column(Text)
    not_done_reason: Mapped[str | None] = mapped_column(Text)
    edition_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_edition.id"), index=True, active_history=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Since when a workshop item waits on the pick-up shelf (the move to ready); cleared when
    # it leaves it.
    ready_at: Mapped[datetime | None] = mapped_column(DateTime)
    # When the resident answered the office's question online; cleared by the office's next
    # move. The queue marks such a request "the resident's answer".
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set when the retention run or an erasure removed the personal data.
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The same person's request this one repeats, when the office closed it as a duplicate.
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_request.id"), index=True
    )
    # The same person across requests: the id of the first request found with the same phone
    # number or e-mail address, or the request's own id (portal.persons keeps it). A bare
    # number, it outlives the erasure of the contact data, so persons served stay counted.
    person_key: Mapped[int | None] = mapped_column(Integer)
    # The requesting institution's name case-folded, so that one unit counts once.
    institution_key: Mapped[str | None] = mapped_column(String(200))
    # Why a job could not be done, from the administrator's list; none with only a text: other.
    not_done_reason_id: Mapped[int | None] = mapped_column(ForeignKey("not_done_reason.id"))
    # The project or event the job was done for (stage costumes for a day centre...).
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"))
    # The partner institution's key a request came through the API with.
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    category: Mapped[ServiceCategory] = relationship()
    group: Mapped[WorkshopGroup | None] = relationship()
    not_done_reason_choice: Mapped[NotDoneReason | None] = relationship()
    project: Mapped[Project | None] = relationship()
    taken_by: Mapped[User | None] = relationship()
    edition: Mapped[ProgrammeEdition | None] = relationship()
    duplicate_of: Mapped[ServiceRequest | None] = relationship(remote_side="ServiceRequest.id")
    work_sessions: Mapped[list[WorkSession]] = relationship(
        back_populates="request",
        order_by="(WorkSession.worked_on, WorkSession.id)",
        cascade="all, delete-orphan",
    )
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request",
        order_by="(RequestEvent.created_at, RequestEvent.id)",
        cascade="all, delete-orphan",
    )
    photos: Mapped[list[Photo]] = relationship(
        back_populates="request", order_by="Photo.id", cascade="all, delete-orphan"
    )
    feedback: Mapped[Feedback | None] = relationship(
        back_populates="request", cascade="all, delete-orphan", uselist=False
    )
    custody: Mapped[ItemCustody | None] = relationship(
        back_populates="request", cascade="all, delete-orphan", uselist=False
    )

    __mapper_args__ = {"version_id_col": version}
    # The queue lists one status at a time in order of arrival; the board a job status in
    # order of its date. Name search has indexes of its own, made by the migrations only
    # (PostgreSQL's pg_trgm, SQLite's FTS5): see portal.database.SEARCH_INDEXES.
    __table_args__ = (
        Index("ix_service_request_status_created", "status", "created_at", "id"),
        Index("ix_service_request_board", "status", "scheduled_for", "created_at", "id"),
        # The waiting estimate counts a service's open requests (before one) in this index.
        Index("ix_service_request_waiting", "status", "category_id", "created_at", "id"),
        # The reports read a period's closed jobs from this index alone: by outcome and
        # completion date, with what they are counted by (persons, reasons, services).
        Index(
            "ix_service_request_closed",
            "outcome",
            "completed_on",
            "category_id",
            "not_done_reason_id",
            "channel",
            "person_key",
            "institution_key",
        ),
        # A person's other requests (linking), and whether a job was done for them before.
        Index("ix_service_request_person", "person_key", "outcome", "completed_on"),
        # A project's jobs done in a period.
        Index("ix_service_request_project", "project_id", "outcome", "completed_on"),
    )

    @property
    def requester_kind(self) -> RequesterKind:
        if self.channel == Channel.INSTITUTION:
            return RequesterKind.INSTITUTION
        if self.receives_assistance:
            return RequesterKind.ASSISTED
        return RequesterKind.SENIOR

    @property
    def public_events(self) -> list[RequestEvent]:
        return [event for event in self.events if event.is_public]


def search_text_of(request: ServiceRequest) -> str:
    """Return the case-folded text the queue search looks in."""
    parts = (request.reference, request.name, request.email, request.institution_name)
    return "\n".join(part for part in parts if part).casefold()


@event.listens_for(ServiceRequest, "before_insert")
@event.listens_for(ServiceRequest, "before_update")
def _refresh_search_text(mapper, connection, request: ServiceRequest) -> None:
    # On every write, whichever service made it (intake, corrections, anonymisation), so the
    # derived column cannot fall out of step with the fields it is made of.
    request.search_text = search_text_of(request)
    request.email_key = (request.email or "").strip().casefold() or None
    institution = (request.institution_name or "").strip().casefold()
    request.institution_key = (
        " ".join(institution.split()) or None if request.channel == Channel.INSTITUTION else None
    )


class RequestEvent(db.Model):
    """One entry in a request's history: who, when, from, to, and what was said."""

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor_role: Mapped[Role] = mapped_column(_enum(Role))
    from_status: Mapped[Status | None] = mapped_column(_enum(Status))
    to_status: Mapped[Status | None] = mapped_column(_enum(Status))
    # Shown to the resident when the event is public; internal otherwise.
    note: Mapped[str] = mapped_column(Text, default="")
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    changes: Mapped[dict | None] = mapped_column(JSON)

    request: Mapped[ServiceRequest] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class AsAgreed(StrEnum):
    """Was the work done as agreed?"""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class ContactRating(StrEnum):
    """How was the contact with the club?"""

    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


class FeedbackChannel(StrEnum):
    ONLINE = "online"
    PHONE = "phone"
    PAPER = "paper"


class Feedback(db.Model):
    """A resident's answers to the short satisfaction check after a job was done.

    Every answer is optional; reports count the two closed questions and never show the
    comment, which stays in the back office (and is erased with the request's personal data).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    as_agreed: Mapped[AsAgreed | None] = mapped_column(_enum(AsAgreed))
    contact: Mapped[ContactRating | None] = mapped_column(_enum(ContactRating))
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    channel: Mapped[FeedbackChannel] = mapped_column(_enum(FeedbackChannel))
    # Who wrote down answers given by phone or on paper; none for the resident's own.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    request: Mapped[ServiceRequest] = relationship(back_populates="feedback")
    recorded_by: Mapped[User | None] = relationship()


class ReplyTemplate(db.Model):
    """A short text staff start from when they write to a resident in a situation.

    Without a service it serves every service; a service's own text comes first.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    situation: Mapped[Situation] = mapped_column(_enum(Situation))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("service_category.id"))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    category: Mapped[ServiceCategory | None] = relationship()


class ItemCustody(db.Model):
    """An item left at a workshop: who took it in, when, in what state and where it lies,
    and who collected it, when, from whom."""

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    received_on: Mapped[date] = mapped_column(Date)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The item's state in one line, as agreed with the resident ("rękaw rozpruty").
    condition: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # Where it lies in the workshop: a shelf, a box.
    place: Mapped[str] = mapped_column(String(80), default="", server_default="")
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photo.id", ondelete="SET NULL"))
    picked_up_at: Mapped[datetime | None] = mapped_column(DateTime)
    picked_up_by: Mapped[str] = mapped_column(String(120), default="", server_default="")
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    request: Mapped[ServiceRequest] = relationship(back_populates="custody")
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])
    handed_over_by: Mapped[User | None] = relationship(foreign_keys=[handed_over_by_id])
    photo: Mapped[Photo | None] = relationship()


class Photo(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    request: Mapped[ServiceRequest] = relationship(back_populates="photos")


class ProgrammeEdition(db.Model):
    """One run of the work-training programme: about nine trainees for five months."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    trainees: Mapped[list[Trainee]] = relationship(
        back_populates="edition", order_by="Trainee.name"
    )

    def is_running(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class Trainee(db.Model):
    """A programme participant: the minimum the work log and the reports need.

    Participation is set individually: its own start and end, each defaulting to the
    edition's; how it ended, and what followed it (work, an internship) and when.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    edition_id: Mapped[int] = mapped_column(ForeignKey("programme_edition.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("workshop_group.id"), index=True)
    gender: Mapped[Gender | None] = mapped_column(_enum(Gender))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    ended_because: Mapped[ParticipationEnd | None] = mapped_column(_enum(ParticipationEnd))
    after: Mapped[AfterProgramme | None] = mapped_column(_enum(AfterProgramme))
    after_on: Mapped[date | None] = mapped_column(Date)

    edition: Mapped[ProgrammeEdition] = relationship(back_populates="trainees")
    group: Mapped[WorkshopGroup] = relationship()

    @property
    def first_day(self) -> date:
        return self.starts_on or self.edition.starts_on

    @property
    def last_day(self) -> date:
        return self.ends_on or self.edition.ends_on


class WorkSession(db.Model):
    """A stretch of work on a job: when, what was done, by which trainees, under whom."""

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)
    worked_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    request: Mapped[ServiceRequest] = relationship(back_populates="work_sessions")
    supervisor: Mapped[User] = relationship()
    entries: Mapped[list[WorkEntry]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="WorkEntry.id"
    )

    __mapper_args__ = {"version_id_col": version}


class WorkEntry(db.Model):
    """How long one trainee worked in a work session."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("work_session.id", ondelete="CASCADE"), index=True
    )
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))

    session: Mapped[WorkSession] = relationship(back_populates="entries")
    trainee: Mapped[Trainee] = relationship()


class BaselineTotal(db.Model):
    """Services counted on paper before the portal, so cumulative totals continue.

    A row with a category adds its services to the total and to that category (and
    to its requester kind when one is given). A row without a category only says how
    many of the period's services went to one requester kind ("of which 57 for
    institutions") and adds nothing to the total.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("service_category.id"))
    requester_kind: Mapped[RequesterKind | None] = mapped_column(_enum(RequesterKind))
    services: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(300), default="")

    category: Mapped[ServiceCategory | None] = relationship()


class ProgrammeBaseline(db.Model):
    """Programme figures counted on paper before the portal, so cumulative figures continue
    (the Opole demo: 17 editions, 167 participants, 41 of them employed afterwards)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    editions: Mapped[int] = mapped_column(Integer, default=0)
    participants: Mapped[int] = mapped_column(Integer, default=0)
    women: Mapped[int | None] = mapped_column(Integer)
    men: Mapped[int | None] = mapped_column(Integer)
    completed: Mapped[int | None] = mapped_column(Integer)
    employed: Mapped[int | None] = mapped_column(Integer)
    internships: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(300), default="")


class NotDoneReason(db.Model):
    """One of the administrator's short list of reasons a job could not be done."""

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Project(db.Model):
    """A project or event jobs are done for: costumes for a day centre's show, Seniors' Days."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Indicator(db.Model):
    """An indicator of the city's strategy the club reports on: name, unit, the action it
    belongs to, and where its realised value comes from: a figure the portal computes, or
    a value entered by hand each year (source "manual")."""

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(40), default="manual")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="IndicatorValue.year"
    )


class IndicatorValue(db.Model):
    """An indicator's planned value for a year and, when entered by hand, its realised one."""

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    planned: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    realised: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    note: Mapped[str] = mapped_column(String(300), default="")

    indicator: Mapped[Indicator] = relationship(back_populates="values")

    __table_args__ = (db.UniqueConstraint("indicator_id", "year"),)


class RequestTally(db.Model):
    """How many requests are in each status, per workshop group (0: none yet).

    Kept by portal.tallies in the transaction of every write, so the queue and the board
    show their counts without counting the whole table.
    """

    status: Mapped[Status] = mapped_column(_enum(Status), primary_key=True)
    group_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    requests: Mapped[int] = mapped_column(Integer, default=0)


class ServiceTally(db.Model):
    """Services (jobs completed as done) per completion day, category, requester kind and
    programme edition (0: none); the reports add these up instead of the requests.

    Kept by portal.tallies in the transaction of every completion and correction.
    """

    completed_on: Mapped[date] = mapped_column(Date, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    requester_kind: Mapped[RequesterKind] = mapped_column(_enum(RequesterKind), primary_key=True)
    edition_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    services: Mapped[int] = mapped_column(Integer, default=0)


class OutboxMessage(db.Model):
    """An e-mail to send, written in the same transaction as the change it tells of.

    The payload holds the facts as they were at that moment; the worker renders the
    message from them when it sends it. A claim (token and lease) keeps two workers
    from sending the same row.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MessageKind] = mapped_column(_enum(MessageKind))
    # An e-mail to an address, or a text message to a phone number (in to_addr, E.164).
    channel: Mapped[MessageChannel] = mapped_column(
        _enum(MessageChannel), default=MessageChannel.EMAIL, server_default="email"
    )
    to_addr: Mapped[str] = mapped_column(String(254))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The same Message-ID on every attempt lets a resent copy be recognised.
    message_id_header: Mapped[str] = mapped_column(String(200))
    # Set where a second copy must be impossible, e.g. one digest per person and period.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A text message: how many segments it took, what the gateway charged (in złoty) and the
    # gateway's id of it.
    segments: Mapped[int | None] = mapped_column(Integer)
    cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    provider_id: Mapped[str | None] = mapped_column(String(100))

    request: Mapped[ServiceRequest | None] = relationship()
    user: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)


class UserSession(db.Model):
    """A logged-in session kept on the server, so logout and deactivation really end it.

    The browser's cookie holds only a random token; the table holds its SHA-256 hash.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator app when it is lost."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(256))
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class AuditEntry(db.Model):
    """Who viewed, exported, corrected or erased which resident's data, and when.

    request_id is a plain number, not a foreign key: the entry outlives an erased request.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(40))
    request_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str] = mapped_column(String(300), default="")

    actor: Mapped[User | None] = relationship()


class ApiKey(db.Model):
    """A partner institution's key to send requests through the API.

    The key itself is shown once, when it is made; only its SHA-256 is kept (it is a long
    random string, so a fast hash is enough), and its first characters to tell keys apart.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(String(300), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)

    created_by: Mapped[User | None] = relationship()
