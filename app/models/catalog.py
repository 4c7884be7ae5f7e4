"""The responsibility catalog: cities, their plans, measures, agencies and who answers for what."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Jurisdiction(db.Model):
    """A city whose plan the desk serves (codes: zhaoqing, liaoyuan, xiamen, jiangmen, yueyang)."""

    __tablename__ = "jurisdictions"
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(50))
    prefix: Mapped[str] = mapped_column(String(4), unique=True)  # ticket number prefix, e.g. LY


class Plan(db.Model):
    """A city's business-environment action plan (营商环境方案), as imported from a file."""

    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    issuer: Mapped[str | None] = mapped_column(String(200))
    issued_on: Mapped[date | None] = mapped_column(Date)
    source_file: Mapped[str] = mapped_column(String(200))
    source_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sections: Mapped[list["Section"]] = relationship(
        back_populates="plan", order_by="Section.number", cascade="all, delete-orphan"
    )
    measures: Mapped[list["Measure"]] = relationship(
        back_populates="plan", order_by="Measure.number", cascade="all, delete-orphan"
    )


class Section(db.Model):
    """An environment of a plan, e.g. (一)打造高效便利的政务环境."""

    __tablename__ = "sections"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    number: Mapped[int]
    marker: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))

    plan: Mapped[Plan] = relationship(back_populates="sections")
    __table_args__ = (UniqueConstraint("plan_id", "number"),)


class Measure(db.Model):
    """One numbered measure (措施) of a plan."""

    __tablename__ = "measures"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)

    plan: Mapped[Plan] = relationship(back_populates="measures")
    section: Mapped[Section | None] = relationship()
    responsibilities: Mapped[list["Responsibility"]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="Responsibility.id"
    )
    __table_args__ = (UniqueConstraint("plan_id", "number"),)


class Agency(db.Model):
    """承办单位: a department, district government, court, utility … that handles tickets."""

    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    name: Mapped[str] = mapped_column(String(200))
    role_code: Mapped[str | None] = mapped_column(String(50))  # lexicon role (tax, market …)
    kind: Mapped[str] = mapped_column(String(30), default="department")
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    collective: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (UniqueConstraint("jurisdiction", "name"),)


class Responsibility(db.Model):
    """An agency named (or inferred) as lead, co or sole for a measure."""

    __tablename__ = "responsibilities"
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    role: Mapped[str] = mapped_column(String(10))  # lead | co | sole
    source: Mapped[str] = mapped_column(String(10))  # explicit | inferred | corrected
    evidence: Mapped[list] = mapped_column(JSON, default=list)  # remit terms that decided an inference

    measure: Mapped[Measure] = relationship(back_populates="responsibilities")
    agency: Mapped[Agency] = relationship()
    __table_args__ = (UniqueConstraint("measure_id", "agency_id"),)


class ResponsibilityCorrection(db.Model):
    """An administrator's correction of a measure's agencies; re-applied after every re-import."""

    __tablename__ = "responsibility_corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    measure_number: Mapped[int]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    role: Mapped[str | None] = mapped_column(String(10))  # the new role; None removes the agency
    note: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()
    __table_args__ = (Index("ix_resp_corr_measure", "jurisdiction", "measure_number"),)


class PlanImport(db.Model):
    """One run of `flask plans import` over one file: what changed."""

    __tablename__ = "plan_imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    source_file: Mapped[str] = mapped_column(String(200))
    source_sha256: Mapped[str] = mapped_column(String(64))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
