"""The dispatch centre (派单中心) and shared handling: manual dispatch, rejection, merging of
duplicates, returns (退单) and their arbitration, co-handling (协办), and the supervision
office's transfer (改派), which shares the dispatch mechanics.

Every public function that changes something is one transaction: it validates (raising
ServiceError / WorkflowError before touching anything), changes the models, appends the
TicketEvent(s), notifies, and commits.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, literal_column, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.domain import Message, workflow
from app.domain.similarity import DUP_TEXT_CHARS, bigrams, jaccard
from app.extensions import db
from app.models import Agency, Assignment, Ticket, TicketReturn, User, utcnow
from app.services import (
    N_,
    Conflict,
    NotFound,
    ServiceError,
    clocks,
    commit,
    notifications,
    routing,
    tickets,
)
from app.services.paging import newest_first

ACTIVE_STATES = ("dispatched", "in_progress", "suspended")
QUEUE_PAGE = 20
SIMILAR_MIN_SCORE = 0.3
SIMILAR_SCAN = 200  # newest open tickets of the business compared; bounds the work per call


# --- small helpers ------------------------------------------------------------------------------

def _check_version(ticket: Ticket, version: int | None) -> None:
    # The form carries the version it was rendered with: a stale page gets a clear conflict.
    if version is not None and version != ticket.version:
        raise Conflict(N_("该工单刚被其他人处理过，您的操作未生效。请刷新页面查看最新状态后再试。"))


def _check_jurisdiction(ticket: Ticket, actor: User) -> None:
    if actor.role in ("dispatcher", "supervisor") and actor.jurisdiction != ticket.jurisdiction:
        raise NotFound(N_("工单不存在或您无权查看"))


def agency_of(ticket: Ticket, agency_id: int | None) -> Agency:
    """An active, non-collective agency of the ticket's city, or a refusal naming the problem."""
    agency = db.session.get(Agency, agency_id) if agency_id else None
    if agency is None:
        raise ServiceError(N_("请选择承办单位"), code="agency")
    if agency.jurisdiction != ticket.jurisdiction:
        raise ServiceError(N_("“%(a)s”不属于本辖区，不能派单给该单位"), code="jurisdiction", a=agency.name)
    if not agency.active or agency.collective:
        raise ServiceError(N_("“%(a)s”不是可承办工单的单位"), code="agency", a=agency.name)
    return agency


def _agencies(ticket: Ticket, lead_id: int, co_ids: Sequence[int]) -> tuple[Agency, list[Agency]]:
    lead = agency_of(ticket, lead_id)
    co = []
    for i in dict.fromkeys(co_ids or ()):
        if i and i != lead.id:
            co.append(agency_of(ticket, i))
    return lead, co


def agencies_of(jurisdiction: str, q: str | None = None) -> list:
    """Agencies of a city that can handle tickets, by name, filtered by `q` in the name or an alias.

    Plain rows (id, name, jurisdiction, kind, aliases), not ORM objects: the lists that choose an
    agency show ~55 per city on pages where nothing else needs them as objects.
    """
    rows = db.session.execute(
        select(Agency.id, Agency.name, Agency.jurisdiction, Agency.kind, Agency.aliases)
        .where(Agency.jurisdiction == jurisdiction, Agency.active.is_(True), Agency.collective.is_(False))
        .order_by(Agency.name)
    ).all()
    q = (q or "").strip()
    if not q:
        return list(rows)
    return [a for a in rows if q in a.name or any(q in (alias or "") for alias in (a.aliases or []))]


def pending_return(ticket: Ticket) -> TicketReturn | None:
    """The latest undecided return of the ticket, if any."""
    return db.session.scalar(
        select(TicketReturn).where(TicketReturn.ticket_id == ticket.id, TicketReturn.decision == "pending")
        .order_by(TicketReturn.id.desc()).limit(1)
    )


def returns_of(ticket: Ticket) -> list[TicketReturn]:
    """All returns of the ticket, oldest first."""
    return list(db.session.scalars(
        select(TicketReturn).where(TicketReturn.ticket_id == ticket.id).order_by(TicketReturn.id)
    ))


def _decide_return(ticket: Ticket, lead: Agency | None, actor: User, at: datetime) -> TicketReturn | None:
    # A re-dispatch elsewhere (or a rejection) agrees with the agency; back to it does not.
    ret = pending_return(ticket)
    if ret is not None:
        ret.decision = "unjustified" if lead is not None and lead.id == ret.agency_id else "justified"
        ret.decided_by_id = actor.id if actor else None
        ret.decided_at = at
    return ret


# --- the queue ----------------------------------------------------------------------------------

def queue(jurisdiction: str, before_id: int | None = None, reason: str | None = None,
          limit: int = QUEUE_PAGE) -> tuple[list[Ticket], int | None]:
    """Tickets of a city waiting at the dispatch centre, newest first, paginated by key.

    Returns (page, before_id of the next page or None).
    """
    query = select(Ticket).where(Ticket.jurisdiction == jurisdiction, Ticket.state == "to_dispatch")
    if reason:
        query = query.where(Ticket.dispatch_reason == reason)
    return newest_first(query, Ticket.id, before_id, limit)


# --- dispatcher actions -------------------------------------------------------------------------

def dispatch(ticket: Ticket, lead_id: int, co_ids: Sequence[int], actor: User, note: str | None = None,
             version: int | None = None) -> Assignment:
    """Send a waiting ticket to a lead agency (and co-agencies); learn from a differing choice.

    On a returned ticket this accepts the return (TicketReturn.decision "justified"): the lead
    must then differ from the agency that returned it (otherwise use `reject_return`).
    """
    _check_jurisdiction(ticket, actor)
    _check_version(ticket, version)
    lead, co = _agencies(ticket, lead_id, co_ids)
    ret = pending_return(ticket)
    if ticket.state == "to_dispatch" and ret is not None and ret.agency_id == lead.id:
        raise ServiceError(N_("“%(a)s”刚退回此工单；如认为退单理由不成立，请选择“驳回退单”"),
                           code="same_agency", a=lead.name)
    at = utcnow()
    tickets.apply(ticket, "dispatch", actor, note=(note or "").strip() or None, agency_id=lead.id, at=at,
                  details={"agency": lead.name, "co_agencies": [a.name for a in co],
                           "router_agency": (ticket.routing or {}).get("agency"),
                           "reason": ticket.dispatch_reason})
    _decide_return(ticket, lead, actor, at)
    assignment = tickets.dispatch_to(ticket, lead, co, at=at)
    routing.record_correction(ticket, lead, actor)
    commit()
    return assignment


def reject(ticket: Ticket, reason: str, actor: User, version: int | None = None) -> None:
    """Refuse a ticket as out of scope (不予受理); the business sees the reason."""
    _check_jurisdiction(ticket, actor)
    _check_version(ticket, version)
    reason = (reason or "").strip()
    at = utcnow()
    tickets.apply(ticket, "reject", actor, context={"reason": reason}, note=reason, at=at)
    _decide_return(ticket, None, actor, at)
    ticket.dispatch_reason = None
    ticket.closed_at = at
    notifications.notify(
        [notifications.to_filer(ticket)], ticket, "rejected",
        Message(N_("您的诉求 %(n)s 不予受理：%(r)s"), n=ticket.number, r=reason),
    )
    commit()


def find_ticket(jurisdiction: str, ref: str) -> Ticket | None:
    """A ticket of the city by its number (LY20261121-000001) or its id."""
    ref = (ref or "").strip()
    if not ref:
        return None
    found = db.session.scalar(select(Ticket).where(Ticket.number == ref.upper()))
    if found is None and ref.isdigit():
        found = db.session.get(Ticket, int(ref))
    return found if found is not None and found.jurisdiction == jurisdiction else None


def merge(ticket: Ticket, target: Ticket | None, actor: User, note: str | None = None,
          version: int | None = None) -> None:
    """Merge a duplicate into the surviving ticket: the duplicate ends as `merged` with
    `merged_into` set; both keep their events and gain one; the business is told. Only tickets
    of the same enterprise merge."""
    _check_jurisdiction(ticket, actor)
    _check_version(ticket, version)
    if target is None or target.jurisdiction != ticket.jurisdiction:
        raise ServiceError(N_("找不到要合并到的工单，请核对工单号"), code="merge_target")
    if target.id == ticket.id:
        raise ServiceError(N_("不能将工单合并到它自身"), code="merge_self")
    if target.state in workflow.TERMINAL_STATES:
        raise ServiceError(N_("工单 %(n)s 已“%(s)s”，不能作为合并目标"), code="merge_closed",
                           n=target.number, s=workflow.STATES[target.state])
    if target.enterprise_id != ticket.enterprise_id:
        # Each business would learn of the other's appeal (and its number).
        raise ServiceError(N_("不能合并不同企业的工单：重复件须为同一企业提交"), code="merge_enterprise")
    at = utcnow()
    note = (note or "").strip() or None
    tickets.apply(ticket, "merge", actor, note=note, at=at,
                  details={"merged_into": target.number, "merged_into_id": target.id})
    ret = pending_return(ticket)
    if ret is not None:  # the merge settles it: the ticket was not the agency's to handle
        ret.decision, ret.decided_by_id, ret.decided_at = "justified", actor.id, at
    tickets.end_assignments(ticket, "cancelled", at)
    ticket.merged_into_id = target.id
    ticket.dispatch_reason = None
    ticket.closed_at = at
    tickets.record(target, "merged_in", actor, at=at, note=note,
                   details={"duplicate": ticket.number, "duplicate_id": ticket.id})
    msg = Message(N_("工单 %(d)s 与 %(t)s 为重复诉求，已合并至 %(t)s 办理"), d=ticket.number, t=target.number)
    notifications.notify([notifications.to_filer(ticket)], ticket, "merged", msg)
    for a in tickets.active_assignments(target, "lead"):
        notifications.notify([notifications.to_agency(a.agency_id)], target, "merged", msg)
    commit()


def reject_return(ticket: Ticket, actor: User, note: str | None = None, version: int | None = None) -> Assignment:
    """The return is not justified: the ticket goes back to the agency that returned it (and its
    co-agencies); TicketReturn.decision becomes "unjustified", which the evaluation counts.

    The returned assignments come back as they were: their deadlines continue from the original
    dispatch, a signature stands, and escalations already fired are not fired again."""
    _check_jurisdiction(ticket, actor)
    _check_version(ticket, version)
    ret = pending_return(ticket)
    if ret is None or ticket.state != "to_dispatch":
        raise ServiceError(N_("该工单没有待裁决的退单"), code="no_return")
    lead = db.session.get(Agency, ret.agency_id)
    returned = db.session.get(Assignment, ret.assignment_id)
    co = [a for a in ticket.assignments
          if a.role == "co" and a.cycle == returned.cycle and a.ended_at == returned.ended_at
          and a.state == "cancelled" and a.agency.active]
    at = utcnow()
    note = (note or "").strip() or None
    tickets.apply(ticket, "reject_return", actor, note=note, agency_id=lead.id, at=at,
                  context={"returned_signed": returned.signed_at is not None},
                  details={"agency": lead.name, "return_id": ret.id})
    ret.decision, ret.decided_by_id, ret.decided_at = "unjustified", actor.id, at
    for a in [returned, *co]:
        a.active, a.ended_at = True, None
        if a.opinion_at is not None:
            a.state = "opinion_submitted"
        else:
            a.state = "signed" if a.signed_at is not None else "dispatched"
    ticket.lead_agency_id = lead.id
    ticket.dispatch_reason = None
    db.session.flush()
    pauses = clocks.pauses_of(ticket)
    for a in [returned, *co]:
        clocks.recompute(a, at, pauses)
    for a in [returned, *co]:
        notifications.notify(
            [notifications.to_agency(a.agency_id)], ticket, "return_rejected",
            Message(N_("工单 %(n)s 的退单被驳回，请继续办理；办理时限仍从原派单时间起算"), n=ticket.number),
        )
    commit()
    return returned


def terminate(ticket: Ticket, actor: User, category: str, reason: str, version: int | None = None) -> Ticket:
    """终止办理 by the dispatch centre or the supervision office: the business refused the information
    the agency needs, or the demand is unlawful and was explained to it. The business sees the
    reason; the agencies are told and their assignments end (the ticket leaves the scores)."""
    _check_jurisdiction(ticket, actor)
    _check_version(ticket, version)
    reason = (reason or "").strip()
    at = utcnow()
    holders = {a.agency_id for a in tickets.active_assignments(ticket)}
    tickets.apply(ticket, "terminate", actor, note=reason, at=at,
                  context={"reason_category": category, "reason": reason},
                  details={"category": category})
    _decide_return(ticket, None, actor, at)
    tickets.end_assignments(ticket, "terminated", at)
    ticket.dispatch_reason = None
    ticket.closed_at = at
    label = Message(workflow.TERMINATION_REASONS[category])
    notifications.notify(
        [notifications.to_filer(ticket)], ticket, "terminated",
        Message(N_("您的诉求 %(n)s 已终止办理（%(c)s）：%(r)s"), n=ticket.number, c=label, r=reason),
    )
    for agency_id in sorted(holders):
        notifications.notify([notifications.to_agency(agency_id)], ticket, "terminated",
                             Message(N_("工单 %(n)s 已终止办理，无需继续办理"), n=ticket.number))
    commit()
    return ticket


def transfer(ticket: Ticket, lead: Agency, co: Sequence[Agency], actor: User, note: str | None = None,
             version: int | None = None) -> Assignment:
    """改派 by the supervision office: to another lead (and co) agency, fresh clocks, the router
    learns the choice. Settles a return waiting at supervision (justified unless back to it)."""
    _check_jurisdiction(ticket, actor)
    _check_version(ticket, version)
    lead, co_list = _agencies(ticket, lead.id if lead else None, [a.id for a in co])
    at = utcnow()
    tickets.apply(ticket, "transfer", actor, note=(note or "").strip() or None, agency_id=lead.id, at=at,
                  details={"agency": lead.name, "co_agencies": [a.name for a in co_list],
                           "from_agency": ticket.lead_agency.name if ticket.lead_agency else None})
    previous = ticket.lead_agency_id
    _decide_return(ticket, lead, actor, at)
    assignment = tickets.dispatch_to(ticket, lead, co_list, at=at)
    routing.record_correction(ticket, lead, actor)
    if previous and previous != lead.id:
        notifications.notify([notifications.to_agency(previous)], ticket, "transferred",
                             Message(N_("工单 %(n)s 已由督查室改派至%(a)s"), n=ticket.number, a=lead.name))
    commit()
    return assignment


# --- returns (退单) -----------------------------------------------------------------------------

def working_days_since_dispatch(assignment: Assignment | None, jurisdiction: str, now: datetime) -> int:
    """Whole working days since the assignment was dispatched (次日起算, as every working-day limit:
    the return window of 2 working days closes at the close of the 2nd workday after dispatch)."""
    if assignment is None:
        return 0
    return clocks.calendar_for(jurisdiction).working_days_between(assignment.created_at, now)


def return_ticket(ticket: Ticket, actor: User, category: str, reason: str,
                  suggested_agency_id: int | None = None, now: datetime | None = None,
                  version: int | None = None) -> TicketReturn:
    """退单: the lead agency sends the ticket back to the dispatch centre (the 3rd time: to the
    supervision office), within 2 working days of the dispatch, signed or not."""
    _check_version(ticket, version)
    now = now or utcnow()
    lead = tickets.lead_assignment(ticket)
    reason = (reason or "").strip()
    suggested = agency_of(ticket, suggested_agency_id) if suggested_agency_id else None
    ctx = {
        "reason_category": category, "reason": reason,
        "working_days_since_dispatch": working_days_since_dispatch(lead, ticket.jurisdiction, now),
        "return_count": ticket.return_count + 1,
    }
    event = tickets.apply(ticket, "return", actor, context=ctx, note=reason, at=now, assignment=lead,
                          details={"category": category, "suggested_agency": suggested.name if suggested else None,
                                   "return_number": ticket.return_count + 1})
    ret = TicketReturn(ticket_id=ticket.id, assignment_id=lead.id, agency_id=lead.agency_id, clerk_id=actor.id,
                       category=category, reason=reason,
                       suggested_agency_id=suggested.id if suggested else None, created_at=now)
    db.session.add(ret)
    ticket.return_count += 1
    tickets.end_assignments(ticket, "returned", now, only=[lead])
    tickets.end_assignments(ticket, "cancelled", now)
    ticket.lead_agency_id = None
    ticket.dispatch_reason = "returned"
    if event.to_state == "to_supervision":
        notifications.notify(
            [notifications.to_city(ticket.jurisdiction, "supervisor")], ticket, "to_supervision",
            Message(N_("工单 %(n)s 已被退回%(c)s次，请督查室裁决"), n=ticket.number, c=ticket.return_count),
        )
    else:
        notifications.notify(
            [notifications.to_city(ticket.jurisdiction, "dispatcher")], ticket, "returned",
            Message(N_("工单 %(n)s 被%(a)s退回，请重新派单"), n=ticket.number, a=lead.agency.name),
        )
    commit()
    return ret


def can_return(ticket: Ticket, user: User, now: datetime | None = None) -> bool:
    """Whether to offer the return form to `user` (the service still decides on submit)."""
    if not tickets.is_owner(user, ticket) or ticket.state not in ("dispatched", "in_progress"):
        return False
    lead = tickets.lead_assignment(ticket)
    return (working_days_since_dispatch(lead, ticket.jurisdiction, now or utcnow())
            < workflow.RETURN_WINDOW_WORKING_DAYS)


# --- co-handling (协办) -------------------------------------------------------------------------

def co_assignment(ticket: Ticket, user: User) -> Assignment | None:
    """The active co assignment of the user's agency on the ticket, if any."""
    if user is None or user.role not in tickets.STAFF_OF_AGENCY or user.agency_id is None:
        return None
    for a in tickets.active_assignments(ticket, "co"):
        if a.agency_id == user.agency_id:
            return a
    return None


def co_assignments(ticket: Ticket) -> list[Assignment]:
    """The ticket's active co assignments (for the lead's overview)."""
    return tickets.active_assignments(ticket, "co")


def pending_co_opinions(ticket: Ticket) -> int:
    """How many active co-agencies have not submitted their opinion: the reply guard's
    `pending_co_opinions` context key."""
    return sum(1 for a in tickets.active_assignments(ticket, "co") if a.opinion_at is None)


def _own_co(ticket: Ticket, actor: User) -> Assignment:
    a = co_assignment(ticket, actor)
    if a is None:
        raise ServiceError(N_("您的单位不是该工单的协办单位"), code="not_co")
    return a


def _claim(a: Assignment, column, values: dict) -> None:
    """Set `values` on the co assignment only if `column` is still empty, in one UPDATE: of two
    concurrent requests (two clicks, two colleagues) one wins, the other gets a clear Conflict.
    On PostgreSQL the second UPDATE waits for the first's row lock, then finds the column set."""
    done = db.session.execute(
        update(Assignment).where(Assignment.id == a.id, column.is_(None)).values(**values)
        .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise Conflict(N_("本单位的同事刚刚已处理过该协办工单，您的操作未生效。请刷新页面查看。"))
    for key, value in values.items():
        set_committed_value(a, key, value)


def sign_co(ticket: Ticket, actor: User) -> Assignment:
    """A co-agency signs its part (签收协办): a transition of the state machine (co party)."""
    a = _own_co(ticket, actor)
    at = utcnow()
    tickets.apply(ticket, "co_sign", actor, assignment=a, at=at, internal=True,
                  context={"is_co": True, "co_signed": a.signed_at is not None})
    _claim(a, Assignment.signed_at, {"state": "signed", "signed_at": at, "clerk_id": a.clerk_id or actor.id})
    clocks.recompute(a, at)
    commit()
    return a


def submit_opinion(ticket: Ticket, actor: User, opinion: str) -> Assignment:
    """A co-agency submits its opinion (协办意见); the lead agency is told."""
    a = _own_co(ticket, actor)
    opinion = (opinion or "").strip()
    at = utcnow()
    tickets.apply(ticket, "co_opinion", actor, assignment=a, at=at, note=opinion, internal=True,
                  context={"is_co": True, "co_signed": a.signed_at is not None,
                           "co_opinion_submitted": a.opinion_at is not None, "opinion": opinion})
    _claim(a, Assignment.opinion_at, {"opinion": opinion, "opinion_at": at, "state": "opinion_submitted"})
    clocks.stop(a, at)
    if ticket.lead_agency_id:
        notifications.notify(
            [notifications.to_agency(ticket.lead_agency_id)], ticket, "co_opinion",
            Message(N_("工单 %(n)s 收到%(a)s的协办意见"), n=ticket.number, a=a.agency.name),
        )
    commit()
    return a


# --- callback (回访) ----------------------------------------------------------------------------

def callback(ticket: Ticket, actor: User, *, channel: str, resolved: bool, satisfaction: str,
             comment: str | None = None, version: int | None = None):
    """回访: the dispatch centre records the business's verdict gathered by phone, SMS or a visit,
    when the business has not rated online. It counts as the business's rating, with its channel;
    a dissatisfied callback lets the business ask for a reopen within the same window."""
    from app.services import sla as sla_service

    _check_jurisdiction(ticket, actor)
    _check_version(ticket, version)
    comment = (comment or "").strip()
    at = utcnow()
    tickets.apply(ticket, "callback", actor, at=at, note=comment or None,
                  context={"channel": channel, "resolved": resolved, "satisfaction": satisfaction,
                           "comment": comment,
                           "days_since_reply": sla_service.days_since(ticket.replied_at, at),
                           "rating_window_days": sla_service.rating_window_days(ticket.jurisdiction)},
                  details={"channel": channel, "resolved": resolved, "satisfaction": satisfaction})
    from app.services import handling

    rating = handling.record_rating(ticket, at, resolved=resolved, satisfaction=satisfaction,
                                    comment=comment, channel=channel, recorded_by=actor)
    commit()
    return rating


# --- duplicates (重复件) ------------------------------------------------------------------------

@dataclass(frozen=True)
class Similar:
    """One of a business's open tickets that looks like the appeal being written."""

    ticket: Ticket
    score: float


def similar_open_tickets(enterprise_id: int, title: str, text: str, days: int = 30, limit: int = 5,
                         exclude_id: int | None = None, min_score: float = SIMILAR_MIN_SCORE) -> list[Similar]:
    """The business's own open tickets of the last `days` days whose text looks like this one,
    most similar first.

    PostgreSQL: trigram similarity (pg_trgm) over the GIN index on (enterprise, title) — the
    index yields only the business's tickets whose titles share enough trigrams, so the cost
    follows how many look alike, not how many are open. SQLite (embedded):
    character-bigram Jaccard in Python over the newest SIMILAR_SCAN open tickets (see
    app.domain.similarity). The two scales differ slightly; both are 0..1 with the same threshold.
    """
    since = utcnow() - timedelta(days=days)
    if db.session.get_bind().dialect.name == "postgresql":
        return _similar_trigram(enterprise_id, title, text, since, limit, exclude_id, min_score)
    query = (select(Ticket).where(Ticket.enterprise_id == enterprise_id,
                                  Ticket.state.in_(sorted(workflow.OPEN_STATES)), Ticket.created_at >= since)
             .order_by(Ticket.id.desc()).limit(SIMILAR_SCAN))
    if exclude_id:
        query = query.where(Ticket.id != exclude_id)
    title_set = bigrams(title)
    whole_set = bigrams(f"{title} {text}")
    out = []
    for t in db.session.scalars(query):
        score = max(jaccard(title_set, bigrams(t.title)), jaccard(whole_set, bigrams(f"{t.title} {t.description}")))
        if score >= min_score:
            out.append(Similar(t, round(score, 3)))
    out.sort(key=lambda s: (-s.score, -s.ticket.id))
    return out[:limit]


def _similar_trigram(enterprise_id: int, title: str, text: str, since: datetime, limit: int,
                     exclude_id: int | None, min_score: float) -> list[Similar]:
    # Candidates come from the GIN index ix_tickets_similar_trgm (enterprise, title trigrams):
    # titles alike (`%`); they are then scored on the title and on the whole text (title and the
    # start of the description).
    whole = (Ticket.title.op("||")(literal_column("' '"))
             .op("||")(func.left(Ticket.description, literal_column(str(DUP_TEXT_CHARS)))))
    title = title.strip()
    probe = f"{title} {text.strip()[:DUP_TEXT_CHARS]}"
    score = func.greatest(func.similarity(Ticket.title, title), func.similarity(whole, probe))
    db.session.execute(select(func.set_config("pg_trgm.similarity_threshold", str(min_score), True)))
    query = (select(Ticket, score.label("score"))
             .where(Ticket.enterprise_id == enterprise_id,
                    Ticket.title.op("%")(title),
                    Ticket.state.in_(sorted(workflow.OPEN_STATES)), Ticket.created_at >= since)
             .order_by(score.desc(), Ticket.id.desc()).limit(limit))
    if exclude_id:
        query = query.where(Ticket.id != exclude_id)
    return [Similar(t, round(float(sc), 3)) for t, sc in db.session.execute(query) if sc >= min_score]
