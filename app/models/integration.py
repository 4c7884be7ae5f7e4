"""What other systems use to reach the desk: personal API tokens, Open311 client keys and the
requests they filed, idempotency records of POSTs, and agencies' webhook endpoints with their
outbox (each row is one delivery of one event to one endpoint, and its log)."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class ApiToken(db.Model):
    """A personal API token of one user (REST API v1). Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists so the owner can tell tokens apart
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship()  # noqa: F821
    __table_args__ = (Index("ix_api_tokens_user", "user_id", "id"),)


class Open311Key(db.Model):
    """An Open311 client system's api_key for one city. Only its SHA-256 is stored."""

    __tablename__ = "open311_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    prefix: Mapped[str] = mapped_column(String(12))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Open311Request(db.Model):
    """A ticket filed through Open311: which client filed it, the location and contact it gave,
    and the token that resolves to the ticket number."""

    __tablename__ = "open311_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("open311_keys.id"))
    token: Mapped[str] = mapped_column(String(40), unique=True)
    lat: Mapped[float | None]
    long: Mapped[float | None]
    address_string: Mapped[str | None] = mapped_column(String(300))
    address_id: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    device_id: Mapped[str | None] = mapped_column(String(100))
    account_id: Mapped[str | None] = mapped_column(String(100))
    media_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped["Ticket"] = relationship()  # noqa: F821
    key: Mapped[Open311Key] = relationship()
    __table_args__ = (Index("ix_open311_requests_key", "key_id", "id"),)


class IdempotencyRecord(db.Model):
    """One POST with an idempotency key, by one caller (`scope`): written in the same
    transaction as the change it made, so a retry finds it and gets the same answer."""

    __tablename__ = "idempotency_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(60))  # user:7 · open311:3
    key: Mapped[str] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path and body
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    status: Mapped[int | None]
    response: Mapped[dict | None] = mapped_column(JSON)
    # Set to the ticket before it is flushed, so the record is one INSERT after the ticket's.
    ticket = relationship("Ticket")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("scope", "key", name="uq_idempotency_records_scope_key"),
        Index("ix_idempotency_records_created_at", "created_at"),
    )


class WebhookEndpoint(db.Model):
    """An agency's system that receives the events of the agency's tickets, signed with `secret`."""

    __tablename__ = "webhook_endpoints"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    url: Mapped[str] = mapped_column(String(500))
    # Kept in clear: the sender needs it to sign; shown to the agency admin once, at creation.
    secret: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped["Agency"] = relationship()  # noqa: F821
    __table_args__ = (Index("ix_webhook_endpoints_agency", "agency_id", "active"),)


class WebhookDelivery(db.Model):
    """The outbox: one event for one endpoint, written with the event; the scheduler sends it,
    retrying with backoff, and keeps the outcome of the last attempt (the delivery log)."""

    __tablename__ = "webhook_deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("ticket_events.id"))
    payload: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending delivered failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    endpoint: Mapped[WebhookEndpoint] = relationship()
    event: Mapped["TicketEvent"] = relationship()  # noqa: F821
    __table_args__ = (
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
        Index("ix_webhook_deliveries_due", "next_attempt_at",
              postgresql_where=text("state = 'pending'"), sqlite_where=text("state = 'pending'")),
    )
