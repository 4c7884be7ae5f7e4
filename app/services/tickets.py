"""The core of the closed loop: numbering, visibility, state transitions with their events,
dispatching to agencies, and filing a new appeal."""
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import defer, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.domain import Message, audience, workflow
from app.domain.routing.models import RoutingInputError
from app.domain.topics import DESCRIPTION_MAX, DESCRIPTION_MIN, KINDS, TITLE_MAX, TOPICS
from app.extensions import db
from app.models import Agency, Assignment, Jurisdiction, Suspension, Ticket, TicketEvent, TicketSequence, User, utcnow
from app.services import N_, NotFound, ServiceError, bulk, clocks, commit, metrics, notifications, routing, webhooks

SHANGHAI = ZoneInfo("Asia/Shanghai")
STAFF_OF_AGENCY = ("clerk", "agency_admin")


def role_of(actor: User | None) -> str:
    """The workflow role of an actor; None is the system."""
    return actor.role if actor is not None else "system"


# --- visibility -------------------------------------------------------------------------------
# Need-to-know (docs/security.md, "Access rules"): an agency sees a ticket while it holds an
# assignment; afterwards only what it itself wrote. Who reads which event is app.domain.audience.

FULL = "full"  # the whole ticket, each event as its audience allows
OWN = "own"  # a former agency: the ticket's header and what the agency itself wrote
ENDED_EARLY = ("returned", "cancelled")  # assignments taken away (return, transfer, merge, reopen)


def agency_holds(agency_id: int, ticket: Ticket) -> bool:
    """True while the agency holds an assignment of the ticket: an active one, or the one it held
    when the ticket closed (an assignment returned or cancelled is held no more)."""
    return any(a.agency_id == agency_id and (a.active or a.state not in ENDED_EARLY)
               for a in ticket.assignments)


def agency_held(agency_id: int, ticket: Ticket) -> bool:
    """True when the agency ever had an assignment of the ticket."""
    return any(a.agency_id == agency_id for a in ticket.assignments)


def access(user: User | None, ticket: Ticket) -> str | None:
    """How much of `ticket` the user may see: FULL, OWN (a former agency) or None."""
    if user is None:
        return None
    if user.role == "enterprise":
        return FULL if ticket.enterprise_id == user.enterprise_id else None
    if user.role in STAFF_OF_AGENCY:
        if agency_holds(user.agency_id, ticket):
            return FULL
        return OWN if agency_held(user.agency_id, ticket) else None
    if user.role in ("dispatcher", "supervisor"):
        return FULL if ticket.jurisdiction == user.jurisdiction else None
    return None  # the site admin manages accounts and catalogs; it reads no ticket


def can_see(user: User, ticket: Ticket) -> bool:
    """Whether `user` may open `ticket` at all (others get a 404, not a 403)."""
    return access(user, ticket) is not None


def get_visible(user: User, ticket_id: int) -> Ticket:
    """The ticket if `user` may see it; NotFound otherwise (whether or not it exists)."""
    # The access check reads the assignments and every page of a ticket names its business:
    # both come with the ticket, in one query.
    ticket = db.session.get(Ticket, ticket_id, options=(joinedload(Ticket.assignments), joinedload(Ticket.enterprise)))
    if ticket is None or not can_see(user, ticket):
        raise NotFound(N_("工单不存在或您无权查看"))
    return ticket


class EventView:
    """An event as one viewer sees it: `note` and `details` are empty unless the viewer is of the
    event's text audience; every other attribute is the event's."""

    __slots__ = ("event", "note", "details")

    def __init__(self, event: TicketEvent, with_text: bool):
        self.event = event
        self.note = event.note if with_text else None
        self.details = (event.details or {}) if with_text else {}

    def __getattr__(self, name):
        return getattr(self.event, name)


def wrote(user: User, event: TicketEvent) -> bool:
    """True when the event was written by the user's agency (for a former agency's view)."""
    return (user.agency_id is not None and event.actor is not None
            and event.actor.agency_id == user.agency_id)


def visible_events(user: User, ticket: Ticket) -> list[EventView]:
    """The ticket's history as `user` may see it — the one function the timeline, the inbox, the
    exports and the API ask. Each event type's audience is app.domain.audience; the business
    never sees an event marked internal either; a former agency sees only what it wrote."""
    level = access(user, ticket)
    if level is None:
        return []
    who = audience.of_role(user.role)
    out = []
    for e in ticket.events:
        if who == audience.BUSINESS and e.internal:
            continue
        if level == OWN and not wrote(user, e):
            continue
        concerns = who != audience.AGENCY or e.agency_id == user.agency_id
        if not audience.sees_event(e.action, who, concerns_viewer=concerns):
            continue
        out.append(EventView(e, audience.reads_text(e.action, who, concerns_viewer=concerns)))
    return out


def active_assignments(ticket: Ticket, role: str | None = None) -> list[Assignment]:
    """The ticket's current assignments (lead and co), optionally of one role."""
    return [a for a in ticket.assignments if a.active and (role is None or a.role == role)]


def lead_assignment(ticket: Ticket) -> Assignment | None:
    """The active lead assignment, if the ticket is with an agency."""
    leads = active_assignments(ticket, "lead")
    return leads[0] if leads else None


def is_owner(user: User | None, ticket: Ticket) -> bool:
    """True when `user` is staff of the ticket's current lead agency."""
    return (user is not None and user.role in STAFF_OF_AGENCY
            and ticket.lead_agency_id is not None and user.agency_id == ticket.lead_agency_id)


# --- transitions --------------------------------------------------------------------------------

def apply(
    ticket: Ticket, action: str, actor: User | None, *, context: dict | None = None,
    note: str | None = None, details: dict | None = None, internal: bool = False,
    assignment: Assignment | None = None, agency_id: int | None = None, at: datetime | None = None,
) -> TicketEvent:
    """Check `action` against the state machine, move the ticket, append its event. No commit.

    Raises workflow.WorkflowError (translatable) when the action is refused.
    """
    ctx = {"is_owner": is_owner(actor, ticket)}
    ctx.update(context or {})
    before = ticket.state
    after = workflow.check(action, before, role_of(actor), ctx)
    ticket.state = after
    if before == "suspended" and after != "suspended":
        _end_suspension(ticket, at or utcnow())
    event = TicketEvent(
        ticket=ticket, action=action, actor_id=actor.id if actor else None,
        actor_role=role_of(actor), from_state=before, to_state=after, note=note,
        details=details or {}, internal=internal,
        assignment_id=assignment.id if assignment is not None else None,
        agency_id=agency_id if agency_id is not None else (assignment.agency_id if assignment else None),
        created_at=at or utcnow(),
    )
    db.session.add(event)
    return event


def _end_suspension(ticket: Ticket, at: datetime) -> None:
    """The ticket leaves 挂起 (resumed, or transferred, merged, terminated, withdrawn while suspended):
    its open suspension ends now, and with it the pause of the clocks. Left open, a ticket
    transferred while suspended gave its new agency clocks that never ran."""
    for suspension in db.session.scalars(select(Suspension).where(Suspension.ticket_id == ticket.id,
                                                                  Suspension.ended_at.is_(None))):
        suspension.ended_at = at


#: Loader options leaving out a ticket's long texts, for lists and jobs that show or read none of them
#: (a text read all the same loads then, one query per ticket: the query-count tests would notice).
WITHOUT_TEXTS = tuple(defer(getattr(Ticket, c)) for c in ("description", "reply", "routing", "contact_name",
                                                          "contact_phone", "district"))


def event_row(ticket: Ticket, action: str, actor: User | None, **kwargs) -> dict:
    """The columns of an event that changes no state (see `record`), as a plain row."""
    return {
        "ticket_id": ticket.id, "action": action, "actor_id": actor.id if actor else None,
        "actor_role": role_of(actor), "from_state": ticket.state, "to_state": ticket.state,
        "note": kwargs.get("note"), "details": kwargs.get("details") or {},
        "internal": kwargs.get("internal", False), "assignment_id": kwargs.get("assignment_id"),
        "agency_id": kwargs.get("agency_id"), "created_at": kwargs.get("at") or utcnow(),
    }


def record(ticket: Ticket, action: str, actor: User | None, **kwargs) -> TicketEvent:
    """Append an event that changes no state (e.g. an escalation seen on the timeline)."""
    row = event_row(ticket, action, actor, **kwargs)
    # By id when the ticket is stored and its timeline not loaded: linking the object would fire
    # the timeline's backref and cascade for nothing.
    if ticket.id is None or "events" in sa_inspect(ticket).dict:
        del row["ticket_id"]
        row["ticket"] = ticket
    event = TicketEvent(**row)
    db.session.add(event)
    return event


#: What the webhook outbox reads of an event written as a plain row (webhooks.payload and _audience).
_EVENT_COLUMNS = ("id", "ticket_id", "agency_id", "action", "from_state", "to_state", "note", "internal",
                  "created_at")


def record_many(rows: list[dict], tickets_by_id: dict[int, Ticket]) -> None:
    """Append many `event_row`s of stored tickets in one INSERT, with their webhook outbox rows.

    For the jobs that write hundreds at once (the SLA sweep): no ORM objects, so no unit of work.
    """
    stored = bulk.insert_rows(TicketEvent, rows, returning=_EVENT_COLUMNS)
    webhooks.enqueue(db.session.connection(), [SimpleNamespace(**dict(zip(_EVENT_COLUMNS, r, strict=True)))
                                               for r in stored],
                     lambda ev: tickets_by_id[ev.ticket_id])


def end_assignments(ticket: Ticket, state: str, at: datetime, only: Iterable[Assignment] | None = None) -> None:
    """Close the active assignments (all, or `only` these) with `state`, stopping their clocks."""
    for a in list(only) if only is not None else active_assignments(ticket):
        a.active = False
        a.state = state
        a.ended_at = at
        clocks.stop(a, at)


def dispatch_to(
    ticket: Ticket, lead: Agency, co: Sequence[Agency] = (), *, at: datetime | None = None,
) -> Assignment:
    """Give the ticket to `lead` (and `co` agencies): new assignments with fresh clocks.

    The caller has already applied the transition that put the ticket in
    `dispatched`; the previous active assignments are cancelled here.
    """
    at = at or utcnow()
    end_assignments(ticket, "cancelled", at)
    cycle = ticket.reopen_count
    # Column defaults are spelled out: the clocks read them before the row is flushed.
    fresh = {"state": "dispatched", "active": True, "cycle": cycle, "extension_days": 0, "created_at": at}
    lead_a = Assignment(ticket=ticket, agency_id=lead.id, role="lead", **fresh)
    db.session.add(lead_a)
    made = [lead_a]
    for agency in co:
        if agency.id == lead.id or agency.collective:
            continue
        a = Assignment(ticket=ticket, agency_id=agency.id, role="co", **fresh)
        db.session.add(a)
        made.append(a)
    ticket.lead_agency_id = lead.id
    ticket.dispatch_reason = None
    # No flush here: a new ticket (filing) is still pending and is inserted once, complete.
    for a in made:
        clocks.start(a, at)
        notifications.notify(
            [notifications.to_agency(a.agency_id)], ticket, "dispatched",
            Message(N_("新工单 %(n)s：%(t)s（主办）") if a.role == "lead" else N_("新工单 %(n)s：%(t)s（协办）"),
                    n=ticket.number, t=ticket.title),
        )
    return lead_a


def agency_in(jurisdiction: str, name: str | None) -> Agency | None:
    """The active agency of that name in the city."""
    if not name:
        return None
    return db.session.scalar(
        select(Agency).where(Agency.jurisdiction == jurisdiction, Agency.name == name, Agency.active.is_(True))
    )


# --- numbering ----------------------------------------------------------------------------------

#: City code → ticket-number prefix. The catalog import creates a city with its prefix and never
#: changes it, so each process asks the database once per city (not once per filing).
_prefixes: dict[str, str] = {}


def _prefix(code: str) -> str:
    if code not in _prefixes:
        _prefixes[code] = db.session.get(Jurisdiction, code).prefix
    return _prefixes[code]


def next_number(jurisdiction: str, at: datetime) -> str:
    """LY20261121-000123: city prefix, Shanghai date, the day's sequence in that city.

    On PostgreSQL the counter is taken in its own short transaction (one upsert, autocommitted),
    so no filing holds the counter's row lock while it routes: filings of one city run side by
    side, and the first two of a day cannot collide on the new row. A filing that fails
    after taking its number leaves a gap in the day's sequence (numbers are unique, not dense).
    SQLite has a single writer anyway: the upsert runs in the filing's own transaction.
    """
    day = at.astimezone(SHANGHAI).date()
    postgres = db.session.get_bind().dialect.name == "postgresql"
    upsert = pg_insert if postgres else sqlite_insert
    stmt = (upsert(TicketSequence).values(jurisdiction=jurisdiction, day=day, last=1)
            .on_conflict_do_update(index_elements=["jurisdiction", "day"],
                                   set_={"last": TicketSequence.last + 1})
            .returning(TicketSequence.last))
    if postgres:
        # Autocommit: the upsert commits by itself, one round trip instead of two.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            result = conn.execute(stmt).scalar_one()
    else:
        result = db.session.execute(stmt).scalar_one()
    return f"{_prefix(jurisdiction)}{day:%Y%m%d}-{result:06d}"


# --- filing -------------------------------------------------------------------------------------

def validate_appeal(kind: str, topic: str, title: str, description: str) -> None:
    """Refuse an appeal whose fields break the rules, with a message per rule."""
    if kind not in KINDS:
        raise ServiceError(N_("请选择诉求类型"), code="kind")
    if topic not in TOPICS:
        raise ServiceError(N_("请选择诉求主题"), code="topic")
    if not title.strip():
        raise ServiceError(N_("请填写诉求标题"), code="title")
    if len(title.strip()) > TITLE_MAX:
        raise ServiceError(N_("诉求标题不能超过%(n)d个字"), code="title", n=TITLE_MAX)
    n = len(description.strip())
    if n < DESCRIPTION_MIN or n > DESCRIPTION_MAX:
        raise ServiceError(N_("诉求内容应为%(a)d到%(b)d个字，当前%(n)d个字"), code="description",
                           a=DESCRIPTION_MIN, b=DESCRIPTION_MAX, n=n)


def route(ticket: Ticket, at: datetime) -> None:
    """Ask the router and either dispatch to the chosen agencies or send to the dispatch centre."""
    try:
        decision = routing.decide(ticket.jurisdiction, ticket.title, ticket.description, ticket.topic)
    except RoutingInputError:
        decision = None
    ticket.routing = routing.decision_summary(decision) if decision else None
    lead = agency_in(ticket.jurisdiction, decision.agency) if decision else None
    if decision is not None and not decision.to_dispatch and lead is not None and not lead.collective:
        if decision.measure is not None:
            ticket.measure_id = _measure_id(ticket.jurisdiction, decision.measure.number)
        co = [a for a in (agency_in(ticket.jurisdiction, n) for n in decision.co_agencies) if a]
        apply(ticket, "route", None, note=decision.explanation, at=at, agency_id=lead.id,
              details={"agency": lead.name, "co_agencies": [a.name for a in co],
                       "confidence": round(decision.confidence, 3)})
        dispatch_to(ticket, lead, co, at=at)
    else:
        apply(ticket, "route_to_dispatch", None, at=at,
              note=decision.explanation if decision else None,
              details={"confidence": round(decision.confidence, 3) if decision else 0})
        ticket.dispatch_reason = "low_confidence"
        notifications.notify(
            [notifications.to_city(ticket.jurisdiction, "dispatcher")], ticket, "to_dispatch",
            Message(N_("工单 %(n)s 需要人工派单"), n=ticket.number),
        )


def _measure_id(jurisdiction: str, number: int) -> int | None:
    from app.models import Measure, Plan

    return db.session.scalar(
        select(Measure.id).join(Plan).where(Plan.jurisdiction == jurisdiction, Measure.number == number)
    )


def file_ticket(
    user: User, *, kind: str, topic: str, title: str, description: str, district: str | None = None,
    urgent: bool = False, public: bool = False, contact_name: str | None = None,
    contact_phone: str | None = None, files: Sequence = (), also: Callable[[Ticket], None] | None = None,
) -> Ticket:
    """A business files an appeal: number it, record it, route it — one transaction (`also`: see file_for)."""
    if user.role != "enterprise" or user.enterprise is None:
        raise ServiceError(N_("只有企业用户可以提交诉求"), code="role")
    return file_for(user.enterprise, user, kind=kind, topic=topic, title=title, description=description,
                    district=district, urgent=urgent, public=public,
                    contact_name=contact_name or user.enterprise.contact_name or user.display_name,
                    contact_phone=contact_phone, files=files, also=also)


def file_for(
    enterprise, submitter: User | None, *, kind: str, topic: str, title: str, description: str,
    district: str | None = None, urgent: bool = False, public: bool = False, contact_name: str | None = None,
    contact_phone: str | None = None, files: Sequence = (), channel: dict | None = None,
    also: Callable[[Ticket], None] | None = None,
) -> Ticket:
    """File an appeal of `enterprise`: by one of its users, or (submitter None) by a client
    system such as an Open311 client, described by `channel` in the filing event. `also(ticket)`
    adds the caller's own rows (e.g. the Open311 link) to the same transaction; it runs before the
    ticket is flushed, so its rows refer to the ticket by relationship and go in the same INSERTs."""
    validate_appeal(kind, topic, title, description)
    with metrics.timing_filing():
        return _file(enterprise, submitter, kind=kind, topic=topic, title=title, description=description,
                     district=district, urgent=urgent, public=public, contact_name=contact_name,
                     contact_phone=contact_phone, files=files, channel=channel, also=also)


def _file(enterprise, submitter: User | None, *, kind, topic, title, description, district, urgent, public,
          contact_name, contact_phone, files, channel, also) -> Ticket:
    at = utcnow()
    ticket = Ticket(
        number=next_number(enterprise.jurisdiction, at), jurisdiction=enterprise.jurisdiction,
        enterprise_id=enterprise.id, submitter_id=submitter.id if submitter else None, kind=kind, topic=topic,
        title=title.strip(), description=description.strip(), district=(district or "").strip() or None,
        urgent=bool(urgent), public=bool(public), contact_name=contact_name or enterprise.contact_name,
        contact_phone=contact_phone or enterprise.phone, state="submitted", created_at=at,
    )
    try:
        db.session.add(ticket)
        # Nothing reaches the database before routing is done, so the ticket row is one INSERT
        # with its final state, routing and lead agency (no INSERT followed by UPDATEs).
        with db.session.no_autoflush:
            filed = record(ticket, "file", submitter, at=at,
                           details={"kind": kind, "topic": topic, **({"channel": channel} if channel else {})})
            route(ticket, at)
            notifications.notify(
                [notifications.to_filer(ticket)], ticket, "filed",
                Message(N_("您的诉求已提交，工单号 %(n)s"), n=ticket.number),
            )
            if also is not None:
                also(ticket)
        db.session.flush()
        if files:
            from app.services import attachments

            attachments.save_all(ticket, files, submitter, event=filed)
    except Exception:
        # A refused attachment (or anything else) leaves no half-filed ticket behind.
        db.session.rollback()
        raise
    ticket_id, number = ticket.id, ticket.number
    commit()
    # What the caller shows next (the number, the link) without reloading the expired row.
    set_committed_value(ticket, "id", ticket_id)
    set_committed_value(ticket, "number", number)
    return ticket
