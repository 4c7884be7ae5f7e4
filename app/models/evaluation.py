"""Department evaluation: monthly periods and their frozen scorecards."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class EvaluationPeriod(db.Model):
    """A month of a jurisdiction; once frozen its scorecards are stored rows, never recomputed."""

    __tablename__ = "evaluation_periods"
    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    settings: Mapped[dict | None] = mapped_column(JSON)  # weights and thresholds used at freezing

    scorecards: Mapped[list["Scorecard"]] = relationship(
        back_populates="period", order_by="Scorecard.rank"
    )
    __table_args__ = (UniqueConstraint("jurisdiction", "month"),)


class Scorecard(db.Model):
    """An agency's figures for a frozen period."""

    __tablename__ = "scorecards"
    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("evaluation_periods.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    figures: Mapped[dict] = mapped_column(JSON)  # the report row, as computed at freezing
    score: Mapped[float]
    rank: Mapped[int]
    grade: Mapped[str] = mapped_column(String(2))

    period: Mapped[EvaluationPeriod] = relationship(back_populates="scorecards")
    __table_args__ = (UniqueConstraint("period_id", "agency_id"),)


class EvaluationChange(db.Model):
    """A change that touched a frozen month (a late rating, an exclusion) and landed in the open one."""

    __tablename__ = "evaluation_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    frozen_month: Mapped[str] = mapped_column(String(7))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    kind: Mapped[str] = mapped_column(String(30))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
