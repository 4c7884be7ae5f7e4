"""The supervision office (督查室): the overdue board, 督办单, extension and exclusion requests
(asked by the agency, decided here), tickets waiting for a supervisory decision, transfers.

Each public function is one transaction: it checks, changes, appends the TicketEvent, notifies
and commits; a refusal raises before anything is written (and the session is rolled back).
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, literal, or_, select, union_all, update
from sqlalchemy.exc import IntegrityError

from app.domain import Message, workflow
from app.extensions import db
from app.models import (
    Agency,
    Assignment,
    Escalation,
    ExclusionRequest,
    ExtensionRequest,
    SupervisionNotice,
    Ticket,
    User,
    utcnow,
)
from app.services import (
    N_,
    Conflict,
    NotFound,
    ServiceError,
    clocks,
    commit,
    dispatching,
    evaluation,
    notifications,
    transaction,
)
from app.services import tickets as core

EXCLUSION_CATEGORIES = {
    "beyond_remit": N_("超出职权范围"),
    "in_litigation": N_("已进入诉讼/仲裁/信访程序"),
    "unlawful": N_("诉求违法"),
    "untrue": N_("经核实不属实"),
    "unreasonable": N_("明显不合理"),
    "malicious": N_("恶意诉求"),
    "duplicate": N_("重复诉求"),
}
LEVELS = {
    "remind": N_("催办"),
    "supervise": N_("督办"),
    "flag": N_("挂牌督办"),
    "interview": N_("约谈"),
    "notice": N_("通报"),
}
LEVEL_ORDER = ("notice", "interview", "flag", "supervise", "remind")
EXCLUSION_REASON_MIN = 10
NOTE_MIN = 2
NOTICE_MAX_DAYS = 30
ACTIVE_STATES = ("dispatched", "in_progress", "suspended")




def _text(value: str | None) -> str:
    return (value or "").strip()


def _require_supervisor(user: User, ticket: Ticket | None = None) -> None:
    if user is None or user.role != "supervisor":
        raise ServiceError(N_("只有督查员可以执行此操作"), code="role")
    if ticket is not None and ticket.jurisdiction != user.jurisdiction:
        raise NotFound(N_("工单不存在或您无权查看"))


def _agency_of(user: User, agency_id: int | None) -> Agency:
    agency = db.session.get(Agency, agency_id) if agency_id else None
    if agency is None or agency.jurisdiction != user.jurisdiction or not agency.active or agency.collective:
        raise ServiceError(N_("请选择本市的承办单位"), code="agency")
    return agency


def _notify_supervisors(ticket: Ticket, kind: str, message: str) -> None:
    notifications.notify([notifications.to_city(ticket.jurisdiction, "supervisor")],
                         ticket, kind, message)


def _notify_agency(agency_id: int, ticket: Ticket, kind: str, message: str) -> None:
    notifications.notify([notifications.to_agency(agency_id)], ticket, kind, message)


# --- the board ----------------------------------------------------------------------------------

@dataclass
class BoardItem:
    """One overdue or escalated active assignment on the board."""

    assignment: Assignment
    ticket: Ticket
    agency: Agency
    level: str | None
    overdue_days: int
    overdue: bool
    order_due: datetime | None = None  # deadline of the latest 督办单 to this assignment


def board(user: User, *, agency_id: int | None = None, level: str | None = None,
          after: tuple[datetime, int] | None = None, limit: int = 100,
          now: datetime | None = None) -> list[BoardItem]:
    """Active assignments of the supervisor's city that are overdue (sign or resolve) or escalated,
    ordered by (resolve_due_at, id) and paginated by that key. A suspended ticket is not overdue
    while its clocks stand still; it shows only if it was escalated or given a 督办单."""
    _require_supervisor(user)
    now = now or utcnow()
    ordered = select(SupervisionNotice.assignment_id)
    # A 督办单 issued by hand puts the assignment on the board at 督办 even before it is late.
    noticed = Assignment.id.in_(ordered)
    cond = and_(Ticket.jurisdiction == user.jurisdiction, Assignment.active.is_(True),
                Ticket.state.in_(ACTIVE_STATES),
                or_(clocks.overdue(now), Assignment.escalation_level.is_not(None), noticed))
    if agency_id:
        cond = and_(cond, Assignment.agency_id == agency_id)
    if level == "supervise":
        cond = and_(cond, or_(Assignment.escalation_level == level,
                              and_(Assignment.escalation_level.is_(None), noticed)))
    elif level:
        cond = and_(cond, Assignment.escalation_level == level)
    if after is not None:
        due, last_id = after
        cond = and_(cond, or_(Assignment.resolve_due_at > due,
                              and_(Assignment.resolve_due_at == due, Assignment.id > last_id)))
    q = (select(Assignment, Ticket, Agency)
         .join(Ticket, Ticket.id == Assignment.ticket_id)
         .join(Agency, Agency.id == Assignment.agency_id).where(cond)
         .order_by(Assignment.resolve_due_at, Assignment.id).limit(limit))
    cal = clocks.calendar_for(user.jurisdiction)
    items = []
    rows = db.session.execute(q).all()
    orders: dict[int, datetime] = {}
    if rows:
        for aid, due in db.session.execute(
                select(SupervisionNotice.assignment_id, SupervisionNotice.due_at)
                .where(SupervisionNotice.assignment_id.in_([a.id for a, _t, _ag in rows]))
                .order_by(SupervisionNotice.id)):
            orders[aid] = due  # the latest order wins
    for a, t, ag in rows:
        due = a.resolve_due_at if a.signed_at is not None or a.sign_due_at is None else min(
            a.sign_due_at, a.resolve_due_at or a.sign_due_at)
        overdue = due is not None and due < now and t.state != "suspended"
        days = cal.working_days_between(due, now) if overdue else 0
        level_ = a.escalation_level or ("supervise" if a.id in orders else None)  # a 督办单 issued by hand
        items.append(BoardItem(a, t, ag, level_, days, overdue, orders.get(a.id)))
    return items


def group_board(items: list[BoardItem]) -> list[tuple[Agency, list[tuple[str | None, list[BoardItem]]]]]:
    """Group board items by agency (most items first) and ladder level (highest first)."""
    by_agency: dict[int, list[BoardItem]] = {}
    for item in items:
        by_agency.setdefault(item.agency.id, []).append(item)
    out = []
    for group in sorted(by_agency.values(), key=lambda g: (-len(g), g[0].agency.name)):
        levels: dict[str | None, list[BoardItem]] = {}
        for item in group:
            levels.setdefault(item.level, []).append(item)
        ordered = sorted(levels.items(),
                         key=lambda kv: LEVEL_ORDER.index(kv[0]) if kv[0] in LEVEL_ORDER else len(LEVEL_ORDER))
        out.append((group[0].agency, ordered))
    return out


def ticket_for(user: User, ticket_id: int) -> Ticket:
    """A ticket of the supervisor's city (404 otherwise)."""
    _require_supervisor(user)
    return core.get_visible(user, ticket_id)


def escalations(ticket: Ticket) -> list[Escalation]:
    """Escalations fired for the ticket, oldest first."""
    return list(db.session.scalars(select(Escalation).where(Escalation.ticket_id == ticket.id)
                                   .order_by(Escalation.fired_at, Escalation.id)))


def notices(ticket: Ticket) -> list[SupervisionNotice]:
    """督办单 of the ticket, oldest first."""
    return list(db.session.scalars(select(SupervisionNotice).where(SupervisionNotice.ticket_id == ticket.id)
                                   .order_by(SupervisionNotice.id)))


def pending_extensions(user: User, limit: int = 100) -> list[ExtensionRequest]:
    """Extension requests of the city waiting for a decision, oldest first."""
    return list(db.session.scalars(
        select(ExtensionRequest).join(Ticket, Ticket.id == ExtensionRequest.ticket_id)
        .where(ExtensionRequest.state == "pending", Ticket.jurisdiction == user.jurisdiction)
        .order_by(ExtensionRequest.id).limit(limit)))


def pending_exclusions(user: User, limit: int = 100) -> list[ExclusionRequest]:
    """Exclusion requests of the city waiting for a decision, oldest first."""
    return list(db.session.scalars(
        select(ExclusionRequest).join(Ticket, Ticket.id == ExclusionRequest.ticket_id)
        .where(ExclusionRequest.state == "pending", Ticket.jurisdiction == user.jurisdiction)
        .order_by(ExclusionRequest.id).limit(limit)))


def waiting_decision(user: User, limit: int = 100) -> list[Ticket]:
    """Tickets in `to_supervision` (third return or third dissatisfaction), oldest first."""
    return list(db.session.scalars(select(Ticket).where(
        Ticket.jurisdiction == user.jurisdiction, Ticket.state == "to_supervision").order_by(Ticket.id).limit(limit)))


def _requests_query(of_agency: bool):
    """Which requests a ticket has (id, kind), built once: every ticket page asks."""
    ext_q = select(ExtensionRequest.id, literal("ext")).where(ExtensionRequest.ticket_id == bindparam("ticket_id"))
    exc_q = select(ExclusionRequest.id, literal("exc")).where(ExclusionRequest.ticket_id == bindparam("ticket_id"))
    if of_agency:
        ext_q = ext_q.join(Assignment, Assignment.id == ExtensionRequest.assignment_id).where(
            Assignment.agency_id == bindparam("agency_id"))
        exc_q = exc_q.where(ExclusionRequest.agency_id == bindparam("agency_id"))
    return union_all(ext_q, exc_q)


_REQUESTS = {False: _requests_query(False), True: _requests_query(True)}


def requests_of(ticket: Ticket, agency_id: int | None = None) -> tuple[list[ExtensionRequest], list[ExclusionRequest]]:
    """The extension and exclusion requests of a ticket, newest first. With `agency_id` (an
    agency's desk), only that agency's own requests: an exclusion is its own matter
    (app.domain.audience), and a former agency sees only what it wrote."""
    # One query tells which requests there are (most tickets have none, and every ticket page asks);
    # only the kinds that have some are loaded.
    found = db.session.execute(_REQUESTS[agency_id is not None],
                               {"ticket_id": ticket.id, "agency_id": agency_id}).all()
    ids = {kind: [i for i, k in found if k == kind] for kind in ("ext", "exc")}

    def load(model, kind):
        if not ids[kind]:
            return []
        return list(db.session.scalars(select(model).where(model.id.in_(ids[kind])).order_by(model.id.desc())))

    return load(ExtensionRequest, "ext"), load(ExclusionRequest, "exc")


# --- supervisor actions -------------------------------------------------------------------------

@transaction
def issue_notice(user: User, ticket_id: int, note: str, days: int) -> SupervisionNotice:
    """下发督办单: a note and a new deadline (`days` working days from now) to the lead agency."""
    ticket = ticket_for(user, ticket_id)
    note = _text(note)
    if len(note) < NOTE_MIN:
        raise ServiceError(N_("请填写督办意见"), code="note")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= NOTICE_MAX_DAYS:
        raise ServiceError(N_("督办期限应为1至%(n)s个工作日"), code="days", n=NOTICE_MAX_DAYS)
    lead = core.lead_assignment(ticket)
    if lead is None:
        raise ServiceError(N_("该工单当前没有承办单位，不能下发督办单"), code="no_agency")
    now = utcnow()
    due = clocks.calendar_for(ticket.jurisdiction).add_working_days(now, days)
    core.apply(ticket, "issue_notice", user, note=note, assignment=lead, at=now,
               details={"due_at": due.isoformat(), "days": days})
    notice = SupervisionNotice(ticket_id=ticket.id, assignment_id=lead.id, agency_id=lead.agency_id,
                               issued_by_id=user.id, note=note, due_at=due, created_at=now)
    db.session.add(notice)
    db.session.flush()
    clocks.recompute(lead, now)  # the order's deadline enters the sweep (clock "order")
    _notify_agency(lead.agency_id, ticket, "supervision_notice",
                   Message(N_("督办单：工单 %(n)s 须在 %(d)s 前办结。%(note)s"), n=ticket.number,
                           d=due.astimezone(evaluation.SHANGHAI).strftime("%Y-%m-%d %H:%M"), note=note))
    commit()
    return notice


def _pending(model, request_id: int, user: User):
    req = db.session.get(model, request_id)
    if req is None:
        raise NotFound(N_("申请不存在"))
    ticket = ticket_for(user, req.ticket_id)
    if req.state != "pending":
        raise ServiceError(N_("该申请已处理，不能重复审批"), code="decided")
    return req, ticket


def _claim(model, req, user: User, now: datetime, **values) -> None:
    """Decide a pending request with a compare-and-set on its state: of two supervisors deciding
    at once, the second finds it no longer pending (PostgreSQL's row lock makes it wait for the
    first) and gets a Conflict; nothing of its decision is written."""
    result = db.session.execute(
        update(model).where(model.id == req.id, model.state == "pending")
        .values(decided_by_id=user.id, decided_at=now, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(N_("该申请刚被其他人审批过，您的审批未生效。请刷新页面查看审批结果。"))
    db.session.refresh(req)


@transaction
def decide_extension(user: User, request_id: int, *, grant: bool, days: int | None, note: str) -> ExtensionRequest:
    """Grant (N ≤ 10 working days, at most what was asked: the state machine refuses more) or
    refuse an extension, with a reason."""
    req, ticket = _pending(ExtensionRequest, request_id, user)
    note = _text(note)
    if not note:
        raise ServiceError(N_("请填写审批意见"), code="note")
    bad_days = (isinstance(days, bool) or not isinstance(days, int)
                or not workflow.EXTENSION_MIN_DAYS <= days <= workflow.EXTENSION_MAX_DAYS)
    if grant and bad_days:
        raise ServiceError(N_("延期天数必须在%(min)s至%(max)s天之间"), code="days",
                           min=workflow.EXTENSION_MIN_DAYS, max=workflow.EXTENSION_MAX_DAYS)
    assignment = db.session.get(Assignment, req.assignment_id)
    now = utcnow()
    _claim(ExtensionRequest, req, user, now, state="granted" if grant else "refused",
           granted_days=days if grant else None, decision_note=note)
    core.apply(ticket, "decide_extension", user, note=note, assignment=assignment, at=now,
               context={"grant": bool(grant), "days": days, "requested_days": req.days},
               details={"request_id": req.id, "granted": bool(grant), "days": days if grant else 0})
    if grant:
        clocks.extend(assignment, days)
        msg = Message(N_("工单 %(n)s 的延期申请已批准，延期%(d)s个工作日"), n=ticket.number, d=days)
    else:
        msg = Message(N_("工单 %(n)s 的延期申请未获批准：%(r)s"), n=ticket.number, r=note)
    _notify_agency(assignment.agency_id, ticket, "extension_decided", msg)
    commit()
    return req


@transaction
def decide_exclusion(user: User, request_id: int, *, grant: bool, note: str) -> ExclusionRequest:
    """Grant (the ticket leaves the agency's scores, stays visible and marked) or refuse, with a reason,
    until the month that counted the ticket is frozen. A grant touching another frozen month (a ticket
    handled across months) is logged as an EvaluationChange."""
    req, ticket = _pending(ExclusionRequest, request_id, user)
    _check_not_frozen(ticket, req.agency_id)
    note = _text(note)
    if not note:
        raise ServiceError(N_("请填写审批意见"), code="note")
    now = utcnow()
    _claim(ExclusionRequest, req, user, now, state="granted" if grant else "refused", decision_note=note)
    core.record(ticket, "decide_exclusion", user, note=note, agency_id=req.agency_id, at=now,
                details={"request_id": req.id, "granted": bool(grant), "category": req.category})
    if grant:
        ticket.excluded = True
        evaluation.note_exclusion(ticket)
        msg = Message(N_("工单 %(n)s 的核减申请已批准，不计入考核"), n=ticket.number)
    else:
        msg = Message(N_("工单 %(n)s 的核减申请未获批准：%(r)s"), n=ticket.number, r=note)
    _notify_agency(req.agency_id, ticket, "exclusion_decided", msg)
    commit()
    return req


@transaction
def decide_ticket(user: User, ticket_id: int, agency_id: int, note: str) -> Ticket:
    """督查裁决 of a ticket in to_supervision: choose the agency that must handle it."""
    ticket = ticket_for(user, ticket_id)
    agency = _agency_of(user, agency_id)
    note = _text(note)
    if not note:
        raise ServiceError(N_("请填写裁决意见"), code="note")
    core.apply(ticket, "decide", user, note=note, agency_id=agency.id, details={"agency": agency.name})
    core.dispatch_to(ticket, agency)
    _notify_supervisors(ticket, "decided", Message(N_("工单 %(n)s 已裁决由%(a)s办理"), n=ticket.number, a=agency.name))
    commit()
    return ticket


@transaction
def transfer(user: User, ticket_id: int, agency_id: int, note: str) -> Ticket:
    """改派: give an active ticket (or one in to_supervision) to another agency, and teach the router."""
    ticket = ticket_for(user, ticket_id)
    agency = _agency_of(user, agency_id)
    note = _text(note)
    if not note:
        raise ServiceError(N_("请填写改派理由"), code="note")
    if ticket.lead_agency_id == agency.id and ticket.state != "to_supervision":
        raise ServiceError(N_("该工单已由%(a)s承办"), code="same_agency", a=agency.name)
    # The mechanics (event, fresh clocks, a pending return settled, the router taught) are the
    # dispatch centre's; this use case adds the supervisor's checks.
    from app.services import dispatching

    dispatching.transfer(ticket, agency, (), user, note=note)
    return ticket


# --- agency requests (desk) ---------------------------------------------------------------------

def _owned(user: User, ticket_id: int) -> tuple[Ticket, Assignment]:
    ticket = core.get_visible(user, ticket_id)
    lead = core.lead_assignment(ticket)
    if lead is None or not core.is_owner(user, ticket):
        raise ServiceError(N_("只有承办单位才能提出申请"), code="not_owner")
    return ticket, lead


@transaction
def request_extension(user: User, ticket_id: int, days: int, reason: str) -> ExtensionRequest:
    """延期申请 by the lead agency: 1–10 working days with a reason; one pending request at a time."""
    ticket, lead = _owned(user, ticket_id)
    reason = _text(reason)
    if not reason:
        raise ServiceError(N_("请填写延期理由"), code="reason")
    granted = db.session.scalar(select(db.func.count(ExtensionRequest.id)).where(
        ExtensionRequest.ticket_id == ticket.id, ExtensionRequest.state == "granted")) or 0
    pending = db.session.scalar(select(db.func.count(ExtensionRequest.id)).where(
        ExtensionRequest.ticket_id == ticket.id, ExtensionRequest.state == "pending")) or 0
    if pending:
        raise ServiceError(N_("已有待审批的延期申请"), code="pending")
    now = utcnow()
    core.apply(ticket, "request_extension", user, note=reason, assignment=lead, at=now,
               context={"days": days, "extensions_granted": granted}, details={"days": days})
    req = ExtensionRequest(ticket_id=ticket.id, assignment_id=lead.id, requested_by_id=user.id,
                           days=days, reason=reason, created_at=now)
    db.session.add(req)
    try:
        # One pending request per ticket is a unique index: of two clerks asking at once, the
        # second's insert fails here (on PostgreSQL after waiting for the first to commit).
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(N_("已有待审批的延期申请（刚由其他人提交），您的申请未生效。请刷新页面查看。")) from exc
    _notify_supervisors(ticket, "extension_requested",
                        Message(N_("工单 %(n)s 申请延期%(d)s个工作日"), n=ticket.number, d=days))
    commit()
    return req


def scored_lead(ticket: Ticket) -> Assignment | None:
    """The lead assignment whose agency answers for the ticket in the scores: the latest one
    (active or ended — a closed ticket keeps it)."""
    leads = [a for a in ticket.assignments if a.role == "lead"]
    return leads[-1] if leads else None


def _check_not_frozen(ticket: Ticket, agency_id: int) -> None:
    """核减 is possible until the month that counted the ticket for the agency is frozen."""
    month = evaluation.ticket_months(ticket).get(agency_id)
    if month is not None and evaluation.is_frozen(ticket.jurisdiction, month):
        raise ServiceError(N_("%(m)s的考核结果已冻结，不能再申请或审批核减"), code="frozen", m=month)


def _exclusion_owner(user: User, ticket_id: int) -> tuple[Ticket, Assignment]:
    ticket = core.get_visible(user, ticket_id)
    lead = scored_lead(ticket)
    if lead is None or user.role not in core.STAFF_OF_AGENCY or user.agency_id != lead.agency_id:
        raise ServiceError(N_("只有承办单位才能提出申请"), code="not_owner")
    return ticket, lead


def may_request_exclusion(user: User, ticket: Ticket) -> bool:
    """Whether to offer the exclusion form to `user` (the service still decides on submit)."""
    lead = scored_lead(ticket)
    if lead is None or user.role not in core.STAFF_OF_AGENCY or user.agency_id != lead.agency_id:
        return False
    month = evaluation.ticket_months(ticket).get(lead.agency_id)
    return not ticket.excluded and month not in evaluation.frozen_months(ticket.jurisdiction)


@transaction
def request_exclusion(user: User, ticket_id: int, category: str, reason: str) -> ExclusionRequest:
    """不合理诉求核减申请 by the agency that answers for the ticket (open or closed), until the month
    that counted it is frozen: a category and a reason of at least 10 characters."""
    ticket, lead = _exclusion_owner(user, ticket_id)
    _check_not_frozen(ticket, lead.agency_id)
    if category not in EXCLUSION_CATEGORIES:
        raise ServiceError(N_("请选择核减类别"), code="category")
    reason = _text(reason)
    if len(reason) < EXCLUSION_REASON_MIN:
        raise ServiceError(N_("核减理由不能少于%(n)s个字"), code="reason", n=EXCLUSION_REASON_MIN)
    if ticket.excluded:
        raise ServiceError(N_("该工单已核减"), code="excluded")
    pending = db.session.scalar(select(db.func.count(ExclusionRequest.id)).where(
        ExclusionRequest.ticket_id == ticket.id, ExclusionRequest.state == "pending")) or 0
    if pending:
        raise ServiceError(N_("已有待审批的核减申请"), code="pending")
    now = utcnow()
    core.record(ticket, "request_exclusion", user, note=reason, agency_id=lead.agency_id, at=now,
                internal=True, details={"category": category})
    req = ExclusionRequest(ticket_id=ticket.id, agency_id=lead.agency_id, requested_by_id=user.id,
                           category=category, reason=reason, created_at=now)
    db.session.add(req)
    _notify_supervisors(ticket, "exclusion_requested", Message(N_("工单 %(n)s 申请核减"), n=ticket.number))
    commit()
    return req


def agency_of(user: User, agency_id: int | None) -> Agency:
    """An agency of the supervisor's own city (NotFound for any other, or none)."""
    agency = db.session.get(Agency, agency_id) if agency_id else None
    if agency is None or agency.jurisdiction != user.jurisdiction:
        raise NotFound(N_("承办单位不存在"))
    return agency


def agencies_of(user: User) -> list:
    """The agencies of the supervisor's city that handle tickets (rows of dispatching.agencies_of)."""
    return dispatching.agencies_of(user.jurisdiction)
