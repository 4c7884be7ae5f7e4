"""Notifications: the in-app inbox and the email outbox (sent by a scheduler job when SMTP is set)."""
from collections.abc import Iterable

from sqlalchemy import func, select, update

from app.domain import audience
from app.extensions import db
from app.models import Notification, OutboxEmail, Ticket, User, utcnow
from app.services import commit


def notify(users: Iterable[User], ticket: Ticket | None, kind: str, message: str) -> int:
    """Queue `message` for each user (inbox row, plus an email when the user has an address).

    Does not commit: it runs inside the caller's transaction, so a refused
    action leaves no notification behind. Only recipients of the audience of the event that
    `kind` reports are reached (app.domain.audience). Returns the number of users reached.
    """
    seen = set()
    for user in users:
        if user is None or user.id in seen or not user.active:
            continue
        if not audience.may_notify(kind, audience.of_role(user.role)):
            continue
        seen.add(user.id)
        db.session.add(Notification(user_id=user.id, ticket_id=ticket.id if ticket else None,
                                    kind=kind, message=message))
        if user.email:
            subject = f"[企业诉求直通车] {ticket.number if ticket else ''} {message[:60]}".strip()
            db.session.add(OutboxEmail(to_address=user.email, subject=subject, body=message))
    return len(seen)


def enterprise_users(ticket: Ticket) -> list[User]:
    """The active accounts of the business that filed the ticket."""
    return list(db.session.scalars(
        select(User).where(User.enterprise_id == ticket.enterprise_id, User.active.is_(True))
    ))


def agency_users(agency_id: int, roles: tuple[str, ...] = ("clerk", "agency_admin")) -> list[User]:
    """The active staff of an agency with one of `roles`."""
    return list(db.session.scalars(
        select(User).where(User.agency_id == agency_id, User.role.in_(roles), User.active.is_(True))
    ))


def jurisdiction_users(jurisdiction: str, role: str) -> list[User]:
    """Dispatchers or supervisors of a city."""
    return list(db.session.scalars(
        select(User).where(User.jurisdiction == jurisdiction, User.role == role, User.active.is_(True))
    ))


def unread_count(user: User) -> int:
    """How many of `user`'s notifications are unread."""
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def mark_all_read(user: User) -> int:
    """Mark every unread notification of `user` as read; returns how many."""
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    commit()
    return result.rowcount or 0
