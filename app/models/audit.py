"""The audit log (审计日志): staff reads of tickets, downloads, exports, logins and their failures,
account and catalog changes. Append-only: the database refuses UPDATE and DELETE (migration 0006)."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class AuditEntry(db.Model):
    """One audited act: who (or which username, for a failed login), what, on what, from where."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    username: Mapped[str | None] = mapped_column(String(64))  # as typed, for failed logins
    # The city whose supervision office may read the entry; None: the admin only.
    jurisdiction: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str | None] = mapped_column(String(30))
    target_id: Mapped[int | None]
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    success: Mapped[bool] = mapped_column(default=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped["User | None"] = relationship()  # noqa: F821
    __table_args__ = (Index("ix_audit_log_jurisdiction", "jurisdiction", "id"),)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _audit_is_append_only(mapper, connection, target):
    # The database refuses too (migration 0006); this fails earlier with a clearer trace.
    raise RuntimeError("audit_log is append-only")
