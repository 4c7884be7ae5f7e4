"""Lists: the tickets a caller may see (REST API, a business's own page), newest first and
paginated by key, and the public catalog (cities, plans, measures).

The SQL narrows the rows to the caller's own (the business's tickets, the agency's current
assignments, the city of a dispatcher or supervisor); each row of the API's list is then passed
through `tickets.can_see`, the one place that decides, so the list never shows what a page would not.
"""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Assignment, Jurisdiction, Measure, Plan, Responsibility, Ticket, User
from app.services import tickets as core
from app.services.paging import newest_first

PAGE_MAX = 100


def visible_tickets(user: User, *, state: str | None = None, kind: str | None = None,
                    topic: str | None = None, before_id: int | None = None,
                    size: int = 20) -> tuple[list[Ticket], int | None]:
    """One page of the tickets `user` may see; returns (rows, before_id of the next page)."""
    query = select(Ticket)
    if user.role == "enterprise":
        query = query.where(Ticket.enterprise_id == user.enterprise_id)
    elif user.role in core.STAFF_OF_AGENCY:
        query = query.where(Ticket.id.in_(select(Assignment.ticket_id).where(
            Assignment.agency_id == user.agency_id, Assignment.active.is_(True))))
    elif user.role in ("dispatcher", "supervisor"):
        query = query.where(Ticket.jurisdiction == user.jurisdiction)
    else:
        return [], None
    if state:
        query = query.where(Ticket.state == state)
    if kind:
        query = query.where(Ticket.kind == kind)
    if topic:
        query = query.where(Ticket.topic == topic)
    rows, next_before = newest_first(query, Ticket.id, before_id, max(1, min(size, PAGE_MAX)))
    return [t for t in rows if core.can_see(user, t)], next_before


def enterprise_tickets(user: User, before_id: int | None, size: int) -> tuple[list[Ticket], int | None]:
    """One page of the tickets of `user`'s business, newest first, with what the list shows of each
    (lead agency, assignments for the promised date, ratings) loaded with the page, not per row."""
    return newest_first(
        select(Ticket).where(Ticket.enterprise_id == user.enterprise_id)
        .options(selectinload(Ticket.lead_agency), selectinload(Ticket.assignments),
                 selectinload(Ticket.ratings)), Ticket.id, before_id, size)


# --- the catalog (public to any token) --------------------------------------------------------

def cities() -> list[Jurisdiction]:
    """Every city the desk serves."""
    return list(db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.code)))


def plans() -> list[Plan]:
    """Every city's action plan, by city."""
    return list(db.session.scalars(select(Plan).order_by(Plan.jurisdiction)))


def plan_of(jurisdiction: str) -> Plan | None:
    """The city's action plan, or None."""
    return db.session.scalar(select(Plan).where(Plan.jurisdiction == jurisdiction))


def measures(jurisdiction: str, after_number: int | None = None, size: int = 50) -> tuple[list, int | None]:
    """The plan's measures in number order, paginated by number; returns (rows, next after_number)."""
    query = (select(Measure).join(Plan).where(Plan.jurisdiction == jurisdiction)
             .options(selectinload(Measure.responsibilities).selectinload(Responsibility.agency))
             .order_by(Measure.number).limit(size + 1))
    if after_number is not None:
        query = query.where(Measure.number > after_number)
    rows = list(db.session.scalars(query))
    page = rows[:size]
    return page, (page[-1].number if len(rows) > size else None)
