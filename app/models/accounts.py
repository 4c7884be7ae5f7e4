"""Accounts: businesses (Enterprise) and the people who log in (User)."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.domain import N_
from app.extensions import db
from app.models.types import UTCDateTime, utcnow

ROLES = ("enterprise", "clerk", "agency_admin", "dispatcher", "supervisor", "admin")
ROLE_LABELS = {
    "enterprise": N_("企业用户"),
    "clerk": N_("承办人员"),
    "agency_admin": N_("承办单位管理员"),
    "dispatcher": N_("派单员"),
    "supervisor": N_("督查人员"),
    "admin": N_("系统管理员"),
}


class Enterprise(db.Model):
    """A business identified by its 统一社会信用代码 (uscc)."""

    __tablename__ = "enterprises"
    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A self-registered business is unverified until staff of its city check it against its licence
    # (营业执照); anyone could otherwise squat another company's USCC.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", use_alter=True))

    users: Mapped[list["User"]] = relationship(back_populates="enterprise", foreign_keys="User.enterprise_id")

    @property
    def is_verified(self) -> bool:
        """True once staff of its city confirmed the business against its licence."""
        return self.verified_at is not None


class User(UserMixin, db.Model):
    """Anyone who logs in; `role` says which desk they use."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    # Dispatchers and supervisors act for one city; businesses and clerks get it from their owner.
    jurisdiction: Mapped[str | None] = mapped_column(ForeignKey("jurisdictions.code"))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of the session cookie's user id: raising it (logout, password change, disabling) ends
    # every session of the user on every host, since the database is the only shared state.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    enterprise: Mapped[Enterprise | None] = relationship(back_populates="users", foreign_keys=[enterprise_id])
    agency: Mapped["Agency | None"] = relationship()  # noqa: F821

    # Who an audience holds (app.services.notifications): an agency's staff, a business's accounts,
    # a city's dispatchers or supervisors.
    __table_args__ = (Index("ix_users_agency_role", "agency_id", "role"), Index("ix_users_enterprise_id", "enterprise_id"),
                      Index("ix_users_jurisdiction_role", "jurisdiction", "role"))

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session: user id and session generation."""
        return f"{self.id}.{self.session_generation or 0}"

    def set_password(self, password: str) -> None:
        """Store a salted hash, never the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """True when `password` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def scope_jurisdiction(self) -> str | None:
        """The city this user acts in, whatever the role."""
        if self.enterprise is not None:
            return self.enterprise.jurisdiction
        if self.agency is not None:
            return self.agency.jurisdiction
        return self.jurisdiction


class EnterpriseInvitation(db.Model):
    """A one-time code by which a business's account lets a second person join the same business."""

    __tablename__ = "enterprise_invitations"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the code, never the code
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    enterprise: Mapped[Enterprise] = relationship()


class EnterpriseLicence(db.Model):
    """A business's licence (营业执照, an image or PDF) uploaded for its verification, and the
    dispatcher's decision on it: confirmed, or rejected with a reason the business reads. Stored like
    attachments, under a random name outside the web root; a new upload follows a rejection."""

    __tablename__ = "enterprise_licences"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str | None] = mapped_column(String(10))  # None (waiting), confirmed, rejected
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(500))

    enterprise: Mapped[Enterprise] = relationship()
    __table_args__ = (Index("ix_enterprise_licences_enterprise", "enterprise_id", "id"),)
