"""In-app inbox messages and the email outbox."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Notification(db.Model):
    """One inbox message about a ticket, addressed to an audience (a user, a business, an
    agency's staff or one role of it, a city's dispatchers or supervisors) — one row however
    many people the audience holds. `except_user_id` leaves out the actor who caused it."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[str] = mapped_column(String(60))  # see app.services.notifications.Addressee
    except_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    kind: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text)  # in Chinese, filled (as the email says it)
    # The marked message `message` was filled from, {"msgid", "params"} (a parameter may itself be
    # one): the inbox shows it in the reader's language. None for rows written before 0018.
    message_source: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped["Ticket | None"] = relationship()  # noqa: F821
    # Inbox pages and the unread badge read this index only (audience, id range, the exception).
    __table_args__ = (Index("ix_notifications_audience", "audience", "id", "except_user_id"),)


class InboxState(db.Model):
    """A user's read state: every notification with id <= read_upto is read."""

    __tablename__ = "inbox_states"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    read_upto: Mapped[int] = mapped_column(default=0)


class OutboxEmail(db.Model):
    """An email waiting to be sent by the scheduler (left queued when SMTP is not configured)."""

    __tablename__ = "outbox_emails"
    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        Index(
            "ix_outbox_unsent",
            "id",
            postgresql_where=text("sent_at IS NULL"),
            sqlite_where=text("sent_at IS NULL"),
        ),
    )
