"""SLA data: the working calendar's exceptions, policies, and the escalations fired."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class CalendarDay(db.Model):
    """An exception to Monday–Friday: a holiday on a weekday, or an adjusted workday (调休)."""

    __tablename__ = "calendar_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool]
    name: Mapped[str | None] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(String(20), default="admin")  # chinesecalendar | notice | admin


class CalendarYear(db.Model):
    """A year whose official holiday schedule has been entered (a year without a row is provisional)."""

    __tablename__ = "calendar_years"
    year: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20), default="admin")  # chinesecalendar | notice | admin
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notice_text: Mapped[str | None] = mapped_column(Text)  # the State Council's notice as entered

    entered_by: Mapped["User | None"] = relationship()  # noqa: F821


class SlaPolicy(db.Model):
    """Limits for a jurisdiction × kind × urgency, overriding the defaults in app.domain.sla."""

    __tablename__ = "sla_policies"
    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    kind: Mapped[str] = mapped_column(String(20))
    urgent: Mapped[bool] = mapped_column(default=False)
    limits: Mapped[dict] = mapped_column(JSON)  # {"sign": {"amount", "unit"}, "contact": …, "resolve": …}
    warn_ratio: Mapped[float] = mapped_column(default=0.75)
    # {"flag": 3, "interview": 5, "notice": 10}: working days past the deadline; None = the default ladder
    ladder: Mapped[dict | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    __table_args__ = (UniqueConstraint("jurisdiction", "kind", "urgent"),)


class WorkingHours(db.Model):
    """Working hours of a jurisdiction in local time, e.g. [["09:00","12:00"],["13:30","17:30"]]."""

    __tablename__ = "working_hours"
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), primary_key=True)
    periods: Mapped[list] = mapped_column(JSON)


class Escalation(db.Model):
    """One step of the escalation ladder fired for an assignment — exactly once (unique)."""

    __tablename__ = "escalations"
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    level: Mapped[str] = mapped_column(String(20))  # remind supervise flag interview
    clock: Mapped[str] = mapped_column(String(10), default="resolve")  # sign | resolve …
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignment: Mapped["Assignment"] = relationship()  # noqa: F821
    __table_args__ = (UniqueConstraint("assignment_id", "clock", "level"),)


class SupervisionNotice(db.Model):
    """督办单 issued by hand by the supervision office, with a note and a new deadline."""

    __tablename__ = "supervision_notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Setting(db.Model):
    """A named setting, optionally per jurisdiction (e.g. evaluation weights, auto ratings)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(20), primary_key=True, default="*")
    value: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)


class SlaPolicyChange(db.Model):
    """One change of a city × kind × urgency's SLA policy made on /admin/sla: who, when, before, after."""

    __tablename__ = "sla_policy_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    kind: Mapped[str] = mapped_column(String(20))
    urgent: Mapped[bool] = mapped_column(default=False)
    before: Mapped[dict] = mapped_column(JSON)  # {"limits": {...}, "warn_ratio": x}
    after: Mapped[dict] = mapped_column(JSON)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped["User | None"] = relationship()  # noqa: F821
