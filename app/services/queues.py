"""The agency desk's queue: one page of an agency's active assignments, searched, filtered and sorted.

A page costs a constant number of queries whatever the queue's length: the page itself
(assignment, ticket and clerk in one join, keyset-paginated on (sort key, id)), then the SLA
lights of the whole page (clocks.statuses).
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from app.extensions import db
from app.models import Assignment, Enterprise, Ticket, User, utcnow
from app.services import clocks, tickets

SORTS = ("deadline", "filed", "updated")
LIGHTS = ("overdue", "warning")


@dataclass
class QueuePage:
    """Rows of (assignment, ticket, SLA status) and the cursor of the next page (None: last page)."""

    items: list[tuple[Assignment, Ticket, dict | None]]
    next_after: str | None


def parse_cursor(value: str | None) -> tuple[datetime, int] | None:
    """`after` = "<iso key>_<assignment id>" of the last row shown; None when absent or malformed."""
    if not value or "_" not in value:
        return None
    key, _sep, ident = value.rpartition("_")
    try:
        at, ident = datetime.fromisoformat(key), int(ident)
    except ValueError:
        return None
    # A cursor we wrote is UTC-aware, of a sane year, with an id the databases can hold.
    if at.tzinfo is None or not 2000 <= at.year <= 2100 or not 0 < ident < 2**31:
        return None
    return at, ident


def _key(sort: str):
    """(column, descending) of a queue order: nearest deadline first, newest filing or update first."""
    return {"deadline": (Assignment.resolve_due_at, False), "filed": (Ticket.created_at, True),
            "updated": (Ticket.updated_at, True)}[sort]


def agency_queue(user: User, *, state: str | None = None, kind: str | None = None, topic: str | None = None,
                 mine: bool = False, q: str | None = None, light: str | None = None, sort: str = "deadline",
                 after: str | None = None, size: int = 20, now: datetime | None = None) -> QueuePage:
    """The page of `user`'s agency queue after the cursor `after`.

    `q` matches the ticket number, the enterprise's name or words of the title and description;
    `light` keeps the overdue tickets (a sign or resolve deadline passed) or those warned (催办
    fired, not yet overdue); `sort` is one of SORTS (default: earliest resolve deadline first).
    """
    now = now or utcnow()
    sort = sort if sort in SORTS else "deadline"
    query = (select(Assignment).join(Assignment.ticket)
             .outerjoin(Enterprise, Enterprise.id == Ticket.enterprise_id)
             .options(contains_eager(Assignment.ticket).options(*tickets.WITHOUT_TEXTS), joinedload(Assignment.clerk))
             .where(Assignment.agency_id == user.agency_id, Assignment.active.is_(True)))
    if state:
        query = query.where(Ticket.state == state)
    if kind:
        query = query.where(Ticket.kind == kind)
    if topic:
        query = query.where(Ticket.topic == topic)
    if mine:
        query = query.where(Assignment.clerk_id == user.id)
    words = (q or "").strip()[:100]
    if words:
        like = f"%{words}%"
        query = query.where(or_(Ticket.number.ilike(like), Enterprise.name.ilike(like),
                                Ticket.title.ilike(like), Ticket.description.ilike(like)))
    overdue = clocks.overdue(now)
    if light == "overdue":
        query = query.where(overdue)
    elif light == "warning":
        # The sweep fires 催办 when a clock crosses its warning ratio: that is the yellow light.
        query = query.where(Assignment.escalation_level == "remind", ~overdue)
    column, desc = _key(sort)
    cursor = parse_cursor(after)
    if cursor is not None:
        key, ident = cursor
        if desc:
            query = query.where(or_(column < key, and_(column == key, Assignment.id < ident)))
        else:
            query = query.where(or_(column > key, and_(column == key, Assignment.id > ident)))
    order = (column.desc(), Assignment.id.desc()) if desc else (column, Assignment.id)
    rows = list(db.session.scalars(query.order_by(*order).limit(size + 1)).unique())
    more = len(rows) > size
    rows = rows[:size]
    lights = clocks.statuses(rows, now)
    next_after = None
    if more:
        last = rows[-1]
        value = {"deadline": last.resolve_due_at, "filed": last.ticket.created_at,
                 "updated": last.ticket.updated_at}[sort]
        if value is not None:
            next_after = f"{value.isoformat()}_{last.id}"
    return QueuePage([(a, a.ticket, s) for a, s in zip(rows, lights, strict=True)], next_after)
