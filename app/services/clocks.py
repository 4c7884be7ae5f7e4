"""SLA clocks of assignments: computed from the calendar and policies, paused by suspensions.

The core ticket services call `start`, `pause`, `resume`, `refresh`/`recompute`, `extend` and
`stop` inside their own transaction (nothing here commits); the scheduler's sweep reads
`Assignment.next_check_at`.

Every deadline is recomputed from the assignment's stored start (`created_at`), its policy, its
granted extension and *all* the ticket's suspension intervals, so a policy change or a late
suspension edit gives the same answer as if it had been known from the start.
"""
from datetime import datetime, timedelta
from functools import cached_property

from sqlalchemy import and_, or_, select

from app.domain import sla
from app.domain.calendar import WorkingCalendar
from app.extensions import db
from app.models import Assignment, Escalation, SlaPolicy, SupervisionNotice, Suspension, Ticket
from app.services import N_, ServiceError
from app.services.calendar import working_calendar

#: The sign and contact clocks escalate to these levels; the resolve clock climbs the whole
#: ladder; a missed 督办单 (the "order" clock) climbs from 挂牌督办 (sla.ORDER_OVERDUE_AFTER).
SIGN_LEVELS = ("remind", "supervise")
CONTACT_LEVELS = ("remind", "supervise")
ORDER_LEVELS = tuple(sla.ORDER_OVERDUE_AFTER)


def calendar_for(jurisdiction: str) -> WorkingCalendar:
    """The working calendar of a jurisdiction."""
    return working_calendar(jurisdiction)


def _limit(raw, fallback: sla.Limit) -> sla.Limit:
    if not isinstance(raw, dict):
        return fallback
    return sla.Limit(raw.get("amount", fallback.amount), raw.get("unit", fallback.unit))


def policy_of(jurisdiction: str, kind: str, urgent: bool) -> sla.SlaPolicy:
    """The policy for a jurisdiction × kind × urgency: an SlaPolicy row overrides the defaults per limit."""
    row = db.session.scalar(select(SlaPolicy).where(
        SlaPolicy.jurisdiction == jurisdiction, SlaPolicy.kind == kind, SlaPolicy.urgent.is_(bool(urgent))
    ))
    return _policy_from(row, kind, urgent)


def _policy_from(row: SlaPolicy | None, kind: str, urgent: bool) -> sla.SlaPolicy:
    base = sla.default_policy(kind, bool(urgent))
    if row is None:
        return base
    limits = row.limits or {}
    return sla.SlaPolicy(
        sign=_limit(limits.get("sign"), base.sign),
        contact=_limit(limits.get("contact"), base.contact),
        resolve=_limit(limits.get("resolve"), base.resolve),
        reopen_resolve=_limit(limits.get("reopen_resolve"), base.reopen_resolve),
        max_extension_days=base.max_extension_days,
        warn_ratio=row.warn_ratio or base.warn_ratio,
        overdue_after=row.ladder or base.overdue_after,
    )


def policy_for(ticket: Ticket) -> sla.SlaPolicy:
    """The SLA policy of a ticket's jurisdiction, kind and urgency."""
    return policy_of(ticket.jurisdiction, ticket.kind, ticket.urgent)


def pauses_of(ticket: Ticket, at: datetime | None = None, *, opening: bool = False,
              closing: bool = False) -> list[sla.Pause]:
    """The ticket's suspension intervals; `opening`/`closing` tolerate a caller that calls
    pause/resume before writing (or closing) its Suspension row."""
    rows = [] if ticket.id is None else list(db.session.execute(
        select(Suspension.started_at, Suspension.ended_at).where(Suspension.ticket_id == ticket.id)
    ))
    pauses: list[sla.Pause] = [(a, b) for a, b in rows]
    if opening and at is not None and not any(b is None for _, b in pauses):
        pauses.append((at, None))
    if closing and at is not None:
        pauses = [(a, b if b is not None else max(a, at)) for a, b in pauses]
    return pauses


class Clocks:
    """The clocks of an assignment, computed lazily once (used by recompute, status and the sweep)."""

    def __init__(self, assignment: Assignment, cal: WorkingCalendar, policy: sla.SlaPolicy,
                 pauses: list[sla.Pause], order_due: datetime | None = None):
        self.assignment = assignment
        self.cal = cal
        self.policy = policy
        self.pauses = pauses
        self.start = assignment.created_at
        self.order_due = order_due  # deadline of the latest 督办单 to this assignment, if any
        self._triggers: dict[str, dict[str, datetime | None]] = {}

    @cached_property
    def sign(self) -> sla.Clock:
        return sla.Clock.for_limit(self.cal, self.policy.sign, self.start, self.pauses)

    @cached_property
    def contact(self) -> sla.Clock:
        return sla.Clock.for_limit(self.cal, self.policy.contact, self.start, self.pauses)

    @cached_property
    def resolve(self) -> sla.Clock:
        a = self.assignment
        limit = self.policy.reopen_resolve if (a.cycle or 0) > 0 else self.policy.resolve
        return sla.Clock.for_limit(self.cal, limit, self.start, self.pauses, a.extension_days or 0)

    def running(self) -> dict[str, sla.Clock | None]:
        """The clocks the ladder watches now: sign until signed, contact (lead) until the business
        was contacted, resolve until replied, a 督办单's order until the lead replied."""
        a = self.assignment
        out: dict[str, sla.Clock | None] = {}
        if not a.active or a.ticket.state not in ("dispatched", "in_progress", "suspended"):
            return out
        if a.signed_at is None:
            out["sign"] = self.sign
        if a.role == "lead" and a.contacted_at is None and a.replied_at is None:
            out["contact"] = self.contact
        if a.replied_at is None and a.opinion_at is None:
            out["resolve"] = self.resolve
        if self.order_due is not None and a.role == "lead" and a.replied_at is None:
            out["order"] = None  # not a budget clock: its deadline was set by hand
        return out

    def due_of(self, name: str) -> datetime:
        """The deadline of a running clock (for messages)."""
        if name == "order":
            return self.order_due
        return getattr(self, name).due

    def triggers(self, name: str) -> dict[str, datetime | None]:
        """Trigger instant of each ladder level this clock climbs (None: stopped by an open pause)."""
        if name not in self._triggers:
            if name == "order":
                self._triggers[name] = {lvl: sla.order_trigger_at(self.cal, lvl, self.order_due)
                                        for lvl in ORDER_LEVELS}
            else:
                clock = getattr(self, name)
                levels = {"sign": SIGN_LEVELS, "contact": CONTACT_LEVELS}.get(name, sla.LADDER)
                self._triggers[name] = {lvl: clock.trigger_at(self.cal, lvl, self.policy.warn_ratio,
                                                              self.policy.overdue_after)
                                        for lvl in levels}
        return self._triggers[name]

    def next_check_at(self, now: datetime, fired: set[tuple[str, str]]) -> datetime | None:
        """Earliest trigger of an unfired level over the running clocks (None: nothing to watch)."""
        pending = [at for name in self.running() for lvl, at in self.triggers(name).items()
                   if at is not None and (name, lvl) not in fired]
        return min(pending) if pending else None

    def due_levels(self, now: datetime) -> list[tuple[str, str]]:
        """(clock, level) pairs due at `now` over the running clocks, in ladder order."""
        return [(name, lvl) for name in self.running() for lvl, at in self.triggers(name).items()
                if at is not None and at <= now]


def order_due_of(assignment: Assignment) -> datetime | None:
    """Deadline of the latest 督办单 issued to the assignment (a new order supersedes the last)."""
    if assignment.id is None:
        return None
    return db.session.scalar(
        select(SupervisionNotice.due_at).where(SupervisionNotice.assignment_id == assignment.id)
        .order_by(SupervisionNotice.id.desc()).limit(1))


def clocks_of(assignment: Assignment, pauses: list[sla.Pause] | None = None,
              cal: WorkingCalendar | None = None, policy: sla.SlaPolicy | None = None) -> Clocks:
    """Build the Clocks of an assignment (callers in a loop pass cached calendar/policy/pauses)."""
    ticket = assignment.ticket
    return Clocks(assignment, cal or calendar_for(ticket.jurisdiction), policy or policy_for(ticket),
                  pauses if pauses is not None else pauses_of(ticket), order_due_of(assignment))


def fired_of(assignment: Assignment) -> set[tuple[str, str]]:
    """The (clock, level) escalations already fired for an assignment."""
    if assignment.id is None:
        return set()
    return set(db.session.execute(
        select(Escalation.clock, Escalation.level).where(Escalation.assignment_id == assignment.id)
    ).tuples())


def apply_clocks(assignment: Assignment, c: Clocks, now: datetime, fired: set[tuple[str, str]],
                 full: bool = True) -> None:
    """Store the deadlines and next_check_at of computed clocks on the assignment.

    Deadlines are stored from the closed pauses (the display deadline while
    paused: the queue keeps its order); next_check_at is None while an open
    pause stops every clock, or when nothing is left to fire. The sweep passes
    ``full=False``: only the clocks it needed are stored again.
    """
    if full or "sign" in c.__dict__:
        assignment.sign_due_at = c.sign.due
    if full or "contact" in c.__dict__:
        assignment.contact_due_at = c.contact.due
    assignment.resolve_due_at = c.resolve.due
    # What the deadlines rest on: a provisional year (statutory holidays only) is shown as 预估.
    assignment.deadline_provisional = c.cal.rests_on_provisional(c.start, assignment.resolve_due_at)
    assignment.next_check_at = c.next_check_at(now, fired)


def recompute(assignment: Assignment, now: datetime, pauses: list[sla.Pause] | None = None) -> None:
    """Recompute an assignment's deadlines and next check from its start, policy, extension and pauses."""
    apply_clocks(assignment, clocks_of(assignment, pauses), now, fired_of(assignment))


def refresh(assignment: Assignment, at: datetime) -> None:
    """Alias of :func:`recompute` for the core services (after sign, reply, policy change …)."""
    recompute(assignment, at)


def start(assignment: Assignment, at: datetime) -> None:
    """Set the sign, contact and resolve deadlines of a new assignment started at `at`.

    A reopened cycle (cycle > 0) gets the reopen limit (5 working days).
    """
    if assignment.created_at is None or assignment.created_at != at:
        assignment.created_at = at
    recompute(assignment, at)


def _active(ticket: Ticket) -> list[Assignment]:
    return [a for a in ticket.assignments if a.active]


def pause(ticket: Ticket, at: datetime) -> None:
    """The ticket is suspended: its clocks stop (next_check_at None until resumed).

    Works whether the caller wrote the Suspension row before or after calling this.
    """
    pauses = pauses_of(ticket, at, opening=True)
    for a in _active(ticket):
        recompute(a, at, pauses)


def resume(ticket: Ticket, at: datetime) -> None:
    """The business answered: every active assignment's deadlines are pushed by the paused working time."""
    pauses = pauses_of(ticket, at, closing=True)
    for a in _active(ticket):
        recompute(a, at, pauses)


def extend(assignment: Assignment, days: int, at: datetime | None = None) -> None:
    """A granted extension: push the resolve deadline by `days` working days (≤ 10, once)."""
    from app.models import utcnow

    policy = policy_for(assignment.ticket)
    if not isinstance(days, int) or days < 1 or days > policy.max_extension_days:
        raise ServiceError(N_("延期天数应为1到%(n)d个工作日"), code="extension_days",
                           n=policy.max_extension_days)
    if assignment.extension_days:
        raise ServiceError(N_("该工单已延期过一次，不能再次延期"), code="extension_once")
    assignment.extension_days = days
    recompute(assignment, at or utcnow())


def stop(assignment: Assignment, at: datetime) -> None:
    """The assignment's work is done (replied, returned, cancelled): nothing more to check."""
    assignment.next_check_at = None


def overdue(now: datetime):
    """SQL condition (Ticket joined to Assignment): the assignment's sign deadline passed unsigned,
    or its resolve deadline passed. Not while its ticket is suspended: the clocks stand still and the
    stored deadlines are those of the closed pauses, which the present overtakes without the ticket
    being late. The queue's filter, the supervision board and /metrics all count with it."""
    return and_(Ticket.state != "suspended",
                or_(Assignment.resolve_due_at < now, and_(Assignment.signed_at.is_(None), Assignment.sign_due_at < now)))


def status(assignment: Assignment, now: datetime | None = None) -> dict | None:
    """The traffic light of the earliest unmet clock (sign until signed, then resolve).

    Returns dict(light, hours_left, due, paused, clock), or None when no clock runs.
    """
    return statuses([assignment], now)[0]


def statuses(assignments: list[Assignment], now: datetime | None = None) -> list[dict | None]:
    """:func:`status` of a page of assignments in a constant number of queries: one for all
    their tickets' suspensions, one for the policies, one per jurisdiction's calendar check."""
    from app.models import utcnow

    now = now or utcnow()
    live = [a for a in assignments if a.active]
    ticket_ids = {a.ticket_id for a in live}
    pauses: dict[int, list[sla.Pause]] = {tid: [] for tid in ticket_ids}
    if ticket_ids:
        for tid, s, e in db.session.execute(select(Suspension.ticket_id, Suspension.started_at, Suspension.ended_at)
                                            .where(Suspension.ticket_id.in_(ticket_ids))):
            pauses[tid].append((s, e))
    policies: dict[tuple, sla.SlaPolicy] = {}
    keys = {(a.ticket.jurisdiction, a.ticket.kind, bool(a.ticket.urgent)) for a in live}
    if keys:
        rows = {(r.jurisdiction, r.kind, bool(r.urgent)): r for r in db.session.scalars(
            select(SlaPolicy).where(SlaPolicy.jurisdiction.in_({k[0] for k in keys})))}
        policies = {k: _policy_from(rows.get(k), *k[1:]) for k in keys}
    cals = {j: calendar_for(j) for j in {k[0] for k in keys}}
    out: list[dict | None] = []
    for a in assignments:
        if not a.active:
            out.append(None)
            continue
        t = a.ticket
        c = Clocks(a, cals[t.jurisdiction], policies[(t.jurisdiction, t.kind, bool(t.urgent))], pauses[a.ticket_id])
        out.append(_light(a, c, now))
    return out


def _light(assignment: Assignment, c: Clocks, now: datetime) -> dict | None:
    if assignment.signed_at is None:
        name, clock = "sign", c.sign
    elif assignment.replied_at is None and assignment.opinion_at is None:
        name, clock = "resolve", c.resolve
    else:
        return None
    left = clock.time_left(c.cal, now)
    return {
        "light": clock.light(c.cal, now, c.policy.warn_ratio),
        "hours_left": left / timedelta(hours=1),
        "due": clock.due,
        "paused": clock.paused,
        "clock": name,
    }
