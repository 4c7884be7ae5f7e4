"""The agency desk's queue: one page of an agency's active assignments by resolve deadline.

A page costs a constant number of queries whatever the queue's length: the page itself
(assignment, ticket and clerk in one join, keyset-paginated on the index
ix_assignments_agency_queue), then the SLA lights of the whole page (clocks.statuses).
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from app.extensions import db
from app.models import Assignment, Ticket, User, utcnow
from app.services import clocks


@dataclass
class QueuePage:
    """Rows of (assignment, ticket, SLA status) and the cursor of the next page (None: last page)."""

    items: list[tuple[Assignment, Ticket, dict | None]]
    next_after: str | None


def parse_cursor(value: str | None) -> tuple[datetime, int] | None:
    """`after` = "<iso due>_<assignment id>" of the last row shown; None when absent or malformed."""
    if not value or "_" not in value:
        return None
    due, _sep, ident = value.rpartition("_")
    try:
        at, ident = datetime.fromisoformat(due), int(ident)
    except ValueError:
        return None
    # A cursor we wrote is UTC-aware, of a sane year, with an id the databases can hold.
    if at.tzinfo is None or not 2000 <= at.year <= 2100 or not 0 < ident < 2**31:
        return None
    return at, ident


def agency_queue(user: User, *, state: str | None = None, kind: str | None = None, topic: str | None = None,
                 mine: bool = False, after: str | None = None, size: int = 20) -> QueuePage:
    """The page of `user`'s agency queue after the cursor `after`, earliest resolve deadline first."""
    query = (select(Assignment).join(Assignment.ticket)
             .options(contains_eager(Assignment.ticket), joinedload(Assignment.clerk))
             .where(Assignment.agency_id == user.agency_id, Assignment.active.is_(True)))
    if state:
        query = query.where(Ticket.state == state)
    if kind:
        query = query.where(Ticket.kind == kind)
    if topic:
        query = query.where(Ticket.topic == topic)
    if mine:
        query = query.where(Assignment.clerk_id == user.id)
    cursor = parse_cursor(after)
    if cursor:
        due, ident = cursor
        query = query.where(or_(Assignment.resolve_due_at > due,
                                and_(Assignment.resolve_due_at == due, Assignment.id > ident)))
    rows = list(db.session.scalars(query.order_by(Assignment.resolve_due_at, Assignment.id).limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    lights = clocks.statuses(rows, utcnow())
    next_after = None
    if more and rows[-1].resolve_due_at is not None:
        next_after = f"{rows[-1].resolve_due_at.isoformat()}_{rows[-1].id}"
    return QueuePage([(a, a.ticket, s) for a, s in zip(rows, lights, strict=True)], next_after)
