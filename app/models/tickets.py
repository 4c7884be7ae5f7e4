"""Tickets (工单) and everything that hangs off one: assignments, events, attachments, ratings,
returns, suspensions, extension and exclusion requests, and the router's learning examples."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Ticket(db.Model):
    """One appeal of one business, from filing to closing. `version` guards concurrent edits."""

    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    submitter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))  # complaint help consultation suggestion report
    topic: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    district: Mapped[str | None] = mapped_column(String(100))
    urgent: Mapped[bool] = mapped_column(default=False)
    public: Mapped[bool] = mapped_column(default=False)
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    # Current lead agency (denormalised from the active lead assignment) for queue queries.
    lead_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id"))
    routing: Mapped[dict | None] = mapped_column(JSON)  # the router's decision, as shown to staff
    dispatch_reason: Mapped[str | None] = mapped_column(String(30))  # why it waits at the centre
    return_count: Mapped[int] = mapped_column(default=0)
    reopen_count: Mapped[int] = mapped_column(default=0)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    excluded: Mapped[bool] = mapped_column(default=False)  # 核减: left out of the agency's scores
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    enterprise: Mapped["Enterprise"] = relationship()  # noqa: F821
    submitter: Mapped["User | None"] = relationship()  # noqa: F821
    lead_agency: Mapped["Agency | None"] = relationship()  # noqa: F821
    measure: Mapped["Measure | None"] = relationship()  # noqa: F821
    merged_into: Mapped["Ticket | None"] = relationship(remote_side=[id])
    assignments: Mapped[list["Assignment"]] = relationship(
        back_populates="ticket", order_by="Assignment.id"
    )
    events: Mapped[list["TicketEvent"]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="ticket", order_by="Attachment.id"
    )
    ratings: Mapped[list["Rating"]] = relationship(back_populates="ticket", order_by="Rating.id")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_tickets_enterprise_id_desc", "enterprise_id", "id"),
        Index("ix_tickets_lead_agency_state", "lead_agency_id", "state", "id"),
        Index("ix_tickets_jurisdiction_state", "jurisdiction", "state", "id"),
        Index("ix_tickets_created_at", "jurisdiction", "created_at"),
        # The duplicate check's trigram index on PostgreSQL (pg_trgm + btree_gin); on SQLite a
        # plain index (the check compares in Python there, see dispatching.similar_open_tickets).
        Index("ix_tickets_similar_trgm", "enterprise_id", "title", postgresql_using="gin",
              postgresql_ops={"title": "gin_trgm_ops"}),
    )


class TicketSequence(db.Model):
    """The last sequence number used for a city's tickets on a (Shanghai) day."""

    __tablename__ = "ticket_sequences"
    jurisdiction: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Assignment(db.Model):
    """A ticket given to one agency, as lead (主办) or co (协办), with its own SLA clocks."""

    __tablename__ = "assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    role: Mapped[str] = mapped_column(String(10))  # lead | co
    # dispatched → signed → (co: opinion_submitted | lead: replied); returned / cancelled end it early.
    state: Mapped[str] = mapped_column(String(20), default="dispatched")
    active: Mapped[bool] = mapped_column(default=True)
    cycle: Mapped[int] = mapped_column(default=0)  # 0 first handling, 1.. after each reopen
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opinion: Mapped[str | None] = mapped_column(Text)  # 协办意见
    opinion_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sign_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contact_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolve_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_days: Mapped[int] = mapped_column(default=0)
    # The stored deadlines rest on a provisional calendar year (statutory holidays only: 按法定节假日预估).
    deadline_provisional: Mapped[bool] = mapped_column(default=False)
    # The scheduler reads only rows whose next_check_at has passed (partial index below).
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalation_level: Mapped[str | None] = mapped_column(String(20))

    ticket: Mapped[Ticket] = relationship(back_populates="assignments")
    agency: Mapped["Agency"] = relationship()  # noqa: F821
    clerk: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (
        Index("ix_assignments_ticket", "ticket_id"),
        Index("ix_assignments_agency_queue", "agency_id", "active", "resolve_due_at", "id"),
        # The monthly evaluation selects a month's assignments by creation time.
        Index("ix_assignments_created_at", "created_at"),
        Index(
            "ix_assignments_next_check",
            "next_check_at",
            postgresql_where=text("next_check_at IS NOT NULL"),
            sqlite_where=text("next_check_at IS NOT NULL"),
        ),
    )


class TicketEvent(db.Model):
    """One entry of a ticket's append-only history (the timeline)."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    internal: Mapped[bool] = mapped_column(default=False)  # never shown to the business
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    # Joined to the events' own query: a timeline names both on every line, and loaded lazily they
    # cost a query per person who handled the ticket.
    actor: Mapped["User | None"] = relationship(lazy="joined")  # noqa: F821
    agency: Mapped["Agency | None"] = relationship(lazy="joined")  # noqa: F821
    __table_args__ = (Index("ix_ticket_events_ticket", "ticket_id", "id"),)


class Attachment(db.Model):
    """A file attached to a ticket, stored outside the web root under a random name."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_events.id"))
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    internal: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="attachments")
    __table_args__ = (Index("ix_attachments_ticket", "ticket_id"),)


class Suspension(db.Model):
    """挂起: the clocks stop while the agency waits on the business."""

    __tablename__ = "suspensions"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it ends by itself: where the ticket's suspended working time reaches the cap. None for
    # a suspension the supervision office approved beyond the cap.
    ends_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_suspensions_ticket", "ticket_id"), Index("ix_suspensions_ends_by", "ends_by"))


class SuspensionRequest(db.Model):
    """挂起审批: a suspension beyond the cap (times or working days) asked of the supervision office."""

    __tablename__ = "suspension_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    question: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending approved refused
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship()
    __table_args__ = (Index("ix_suspension_requests_state", "state", "id"),)


class Rating(db.Model):
    """回访评价: the business's (or the system's `auto`) verdict on a reply."""

    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    cycle: Mapped[int] = mapped_column(default=0)
    resolved: Mapped[bool]
    satisfaction: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str | None] = mapped_column(Text)
    auto: Mapped[bool] = mapped_column(default=False)
    # online (the business itself), phone/sms/visit (回访 recorded by the centre), auto (window over)
    channel: Mapped[str] = mapped_column(String(10), default="online", server_default="online")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # staff of a callback
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="ratings")
    __table_args__ = (
        Index("ix_ratings_ticket", "ticket_id"),
        Index("ix_ratings_agency_created", "agency_id", "created_at"),
    )


class TicketReturn(db.Model):
    """退单: an agency sends a ticket back with a reason; the dispatch centre arbitrates."""

    __tablename__ = "ticket_returns"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    category: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    suggested_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    decision: Mapped[str] = mapped_column(String(20), default="pending")  # pending justified unjustified
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped["Agency"] = relationship(foreign_keys=[agency_id])  # noqa: F821
    suggested_agency: Mapped["Agency | None"] = relationship(foreign_keys=[suggested_agency_id])  # noqa: F821
    __table_args__ = (
        Index("ix_ticket_returns_ticket", "ticket_id"),
        Index("ix_ticket_returns_agency_created", "agency_id", "created_at"),
    )


class ExtensionRequest(db.Model):
    """延期申请: more time asked by the agency, decided by the supervision office."""

    __tablename__ = "extension_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    days: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending granted refused
    granted_days: Mapped[int | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship()
    __table_args__ = (
        Index("ix_extension_requests_state", "state", "id"),
        # One pending request per ticket, kept by the database (two clerks asking at once).
        Index("uq_extension_requests_pending", "ticket_id", unique=True,
              postgresql_where=text("state = 'pending'"), sqlite_where=text("state = 'pending'")),
    )


class ExclusionRequest(db.Model):
    """不合理诉求核减: an agency asks that a ticket leave its scores; a supervisor decides."""

    __tablename__ = "exclusion_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    category: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship()
    __table_args__ = (Index("ix_exclusion_requests_state", "state", "id"),)


class RoutingExample(db.Model):
    """A dispatcher's or supervisor's correction of the router, which the router learns from."""

    __tablename__ = "routing_examples"
    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    text: Mapped[str] = mapped_column(Text)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    router_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped["Agency"] = relationship(foreign_keys=[agency_id])  # noqa: F821
    __table_args__ = (Index("ix_routing_examples_jurisdiction", "jurisdiction", "id"),)


@event.listens_for(TicketEvent, "before_update")
@event.listens_for(TicketEvent, "before_delete")
def _history_is_append_only(mapper, connection, target):
    # The database refuses too (migration 0002); this fails earlier with a clearer trace.
    raise RuntimeError("ticket_events is append-only")
