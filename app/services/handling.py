"""Handling a ticket through the closed loop: sign, contact, suspend/resume, add information,
reply, rate, reopen, withdraw, internal notes and assigning a clerk.

Each public function is one transaction: it loads the ticket the actor may see, checks the
transition with `tickets.apply` (the state machine), changes the rows, appends the event,
notifies the parties and commits. A refusal raises before anything is written, and any
error rolls the session back.
"""
import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.domain import Message, workflow
from app.extensions import db
from app.models import (
    Agency,
    Rating,
    Suspension,
    SuspensionRequest,
    Ticket,
    TicketEvent,
    User,
    utcnow,
)
from app.services import (
    N_,
    NotFound,
    ServiceError,
    attachments,
    clocks,
    commit,
    evaluation,
    notifications,
    sla,
    transaction,
)
from app.services import tickets as core

CONTACT_WAYS = {"phone": N_("电话"), "visit": N_("上门"), "sms": N_("短信"), "other": N_("其他")}
NOTE_MAX = 5000
log = logging.getLogger(__name__)


def _text(value: str | None) -> str:
    return (value or "").strip()


def _lead(ticket: Ticket):
    return core.lead_assignment(ticket)


def _notify_business(ticket: Ticket, kind: str, message: str) -> None:
    notifications.notify([notifications.to_filer(ticket)], ticket, kind, message)


def _notify_agencies(ticket: Ticket, kind: str, message: str, exclude: User | None = None) -> None:
    audiences = [notifications.to_agency(a.agency_id, exclude=exclude) for a in core.active_assignments(ticket)]
    notifications.notify(audiences, ticket, kind, message)


# --- agency actions -------------------------------------------------------------------------

@transaction
def sign(user: User, ticket_id: int) -> Ticket:
    """签收: the lead agency acknowledges the ticket; a clerk who signs takes it."""
    ticket = core.get_visible(user, ticket_id)
    lead = _lead(ticket)
    at = utcnow()
    core.apply(ticket, "sign", user, assignment=lead, at=at)
    lead.state = "signed"
    lead.signed_at = at
    if lead.clerk_id is None and user.role == "clerk":
        lead.clerk_id = user.id
    _notify_business(ticket, "signed", Message(N_("工单 %(n)s 已由%(a)s签收"), n=ticket.number, a=lead.agency.name))
    commit()
    return ticket


@transaction
def record_contact(user: User, ticket_id: int, *, contacted_on: date, way: str, summary: str) -> TicketEvent:
    """联系企业: record when and how the clerk reached the business (stops the contact clock)."""
    ticket = core.get_visible(user, ticket_id)
    if way not in CONTACT_WAYS:
        raise ServiceError(N_("请选择联系方式"), code="way")
    if not _text(summary):
        raise ServiceError(N_("请填写联系情况"), code="summary")
    at = utcnow()
    if contacted_on is None or contacted_on > at.astimezone(core.SHANGHAI).date():
        raise ServiceError(N_("联系日期不能晚于今天"), code="date")
    if contacted_on < ticket.created_at.astimezone(core.SHANGHAI).date():
        raise ServiceError(N_("联系日期不能早于诉求提交日期（%(d)s）"), code="date",
                           d=ticket.created_at.astimezone(core.SHANGHAI).date().isoformat())
    lead = _lead(ticket)
    event = core.apply(ticket, "contact", user, assignment=lead, at=at, note=_text(summary),
                       details={"date": contacted_on.isoformat(), "way": way})
    if lead.contacted_at is None:
        lead.contacted_at = at
    commit()
    return event


def suspension_facts(ticket: Ticket, at: datetime) -> dict:
    """What the suspension cap is judged on: how many times the ticket was suspended and for how
    many whole working days in total (the current cycle's assignments share the ticket's pauses)."""
    rows = list(db.session.execute(select(Suspension.started_at, Suspension.ended_at)
                                   .where(Suspension.ticket_id == ticket.id)))
    cal = clocks.calendar_for(ticket.jurisdiction)
    total = sum((cal.working_time_between(a, b or at) for a, b in rows), timedelta(0))
    pending = db.session.scalar(select(SuspensionRequest.id).where(
        SuspensionRequest.ticket_id == ticket.id, SuspensionRequest.state == "pending").limit(1))
    return {"suspension_count": len(rows),
            "suspended_working_days": total / cal.daily_working_time,
            "suspension_pending": pending is not None}


def _start_suspension(ticket: Ticket, question: str, at: datetime, facts: dict | None = None) -> Suspension:
    """Suspend now. With the cap's `facts` (a suspension the agency starts on its own), it ends by
    itself where the ticket's suspended working time reaches the cap; one the supervision office
    approved beyond the cap (no facts) lasts until answered."""
    ends_by = None
    if facts is not None:
        cal = clocks.calendar_for(ticket.jurisdiction)
        left = workflow.SUSPENDED_WORKING_DAYS_WITHOUT_APPROVAL - facts["suspended_working_days"]
        ends_by = cal.add_working_time(at, cal.daily_working_time * max(left, 0))
    s = Suspension(ticket_id=ticket.id, question=question, started_at=at, ends_by=ends_by)
    db.session.add(s)
    clocks.pause(ticket, at)
    _notify_business(ticket, "suspended",
                     Message(N_("工单 %(n)s 需要您补充信息：%(q)s"), n=ticket.number, q=question[:100]))
    return s


@transaction
def suspend(user: User, ticket_id: int, question: str) -> Suspension:
    """挂起: ask the business a question; the clocks stop until it answers. Beyond the cap (2 times
    or 5 working days suspended) the supervision office must approve (`request_suspension`)."""
    ticket = core.get_visible(user, ticket_id)
    question = _text(question)
    at = utcnow()
    facts = suspension_facts(ticket, at)
    core.apply(ticket, "suspend", user, context={"question": question, **facts},
               note=question, assignment=_lead(ticket), at=at)
    s = _start_suspension(ticket, question, at, facts)
    commit()
    return s


def end_capped_suspensions(now: datetime | None = None, limit: int = 200) -> dict:
    """The scheduler's job: resume the tickets whose suspension reached the cap unanswered, at the
    instant it did (so the time after it counts against the agency). Returns {"ended": n, "failed": m}.

    On PostgreSQL the suspensions are selected FOR UPDATE SKIP LOCKED: two schedulers share them.
    Each resume runs in a savepoint, so one that fails (logged, left suspended, tried again next
    run) does not hold back the rest of the batch.
    """
    now = now or utcnow()
    q = (select(Suspension).where(Suspension.ended_at.is_(None), Suspension.ends_by <= now)
         .order_by(Suspension.ends_by, Suspension.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    ended = failed = 0
    for s in list(db.session.scalars(q)):
        try:
            with db.session.begin_nested():
                ended += _end_at_cap(s)
        except Exception:  # noqa: BLE001 — one bad ticket must not stop the job for every other
            failed += 1
            log.exception("suspension %s of ticket %s: could not end it at the cap", s.id, s.ticket_id)
    commit()
    return {"ended": ended, "failed": failed}


def _end_at_cap(s: Suspension) -> int:
    """Resume the ticket of one capped suspension at its cap instant; 1 if it did, 0 if the ticket
    had already left 挂起 another way (which ends the suspension itself)."""
    ticket = db.session.get(Ticket, s.ticket_id)
    if ticket.state != "suspended":
        return 0
    at = s.ends_by
    core.apply(ticket, "resume", None, assignment=_lead(ticket), at=at,
               details={"ended_by": "cap", "days": workflow.SUSPENDED_WORKING_DAYS_WITHOUT_APPROVAL})
    clocks.resume(ticket, at)
    message = Message(N_("工单 %(n)s 挂起已满%(d)s个工作日，已自动恢复办理"), n=ticket.number,
                      d=workflow.SUSPENDED_WORKING_DAYS_WITHOUT_APPROVAL)
    _notify_business(ticket, "resumed", message)
    _notify_agencies(ticket, "resumed", message)
    return 1


@transaction
def request_suspension(user: User, ticket_id: int, question: str, reason: str) -> SuspensionRequest:
    """申请挂起: past the cap, the lead asks the supervision office to approve one more suspension."""
    ticket = core.get_visible(user, ticket_id)
    question, reason = _text(question), _text(reason)
    if not reason:
        raise ServiceError(N_("请填写需要再次挂起的理由"), code="reason")
    at = utcnow()
    lead = _lead(ticket)
    core.apply(ticket, "request_suspension", user, note=reason, assignment=lead, at=at, internal=True,
               context={"question": question, **suspension_facts(ticket, at)},
               details={"question": question})
    req = SuspensionRequest(ticket_id=ticket.id, assignment_id=lead.id, requested_by_id=user.id,
                            question=question, reason=reason, state="pending", created_at=at)
    db.session.add(req)
    notifications.notify([notifications.to_city(ticket.jurisdiction, "supervisor")], ticket,
                         "suspension_requested",
                         Message(N_("工单 %(n)s 申请再次挂起，请审批"), n=ticket.number))
    commit()
    return req


def open_order(ticket: Ticket):
    """The latest 督办单 to the ticket's active lead assignment while it has not replied (for the
    banner on the clerk's page), else None."""
    from app.models import SupervisionNotice

    lead = _lead(ticket)
    if lead is None or lead.replied_at is not None:
        return None
    return db.session.scalar(select(SupervisionNotice).where(SupervisionNotice.assignment_id == lead.id)
                             .order_by(SupervisionNotice.id.desc()).limit(1))


def pending_suspension_requests(user: User, limit: int = 100) -> list[SuspensionRequest]:
    """Suspension requests of the supervisor's city waiting for a decision, oldest first."""
    return list(db.session.scalars(
        select(SuspensionRequest).join(Ticket, Ticket.id == SuspensionRequest.ticket_id)
        .where(SuspensionRequest.state == "pending", Ticket.jurisdiction == user.jurisdiction)
        .order_by(SuspensionRequest.id).limit(limit)))


@transaction
def decide_suspension(user: User, request_id: int, *, approve: bool, note: str) -> SuspensionRequest:
    """审批挂起 by the supervision office: approved, the ticket is suspended now (clocks stop) and the
    business gets the question; refused, it stays in progress. The agency is told either way."""
    req = db.session.get(SuspensionRequest, request_id)
    if req is None or user.role != "supervisor":
        raise NotFound(N_("申请不存在"))
    ticket = core.get_visible(user, req.ticket_id)
    note = _text(note)
    if not note:
        raise ServiceError(N_("请填写审批意见"), code="note")
    if req.state != "pending":
        raise ServiceError(N_("该申请已处理，不能重复审批"), code="decided")
    at = utcnow()
    core.apply(ticket, "decide_suspension", user, note=note, at=at, assignment=_lead(ticket), internal=True,
               context={"approve": bool(approve), "suspension_pending": True},
               details={"request_id": req.id, "approved": bool(approve)})
    req.state = "approved" if approve else "refused"
    req.decided_by_id, req.decision_note, req.decided_at = user.id, note, at
    if approve:
        _start_suspension(ticket, req.question, at)
        msg = Message(N_("工单 %(n)s 的挂起申请已批准，已向企业发出补充问题"), n=ticket.number)
    else:
        msg = Message(N_("工单 %(n)s 的挂起申请未获批准：%(r)s"), n=ticket.number, r=note)
    notifications.notify([notifications.to_agency(req.ticket.lead_agency_id)], ticket,
                         "suspension_decided", msg)
    commit()
    return req


def open_suspension(ticket: Ticket) -> Suspension | None:
    """The suspension still waiting for the business's answer, if any (only a suspended ticket has
    one: leaving 挂起 ends it)."""
    if ticket.state != "suspended":
        return None
    return db.session.scalar(
        select(Suspension).where(Suspension.ticket_id == ticket.id, Suspension.ended_at.is_(None))
        .order_by(Suspension.id.desc())
    )


@transaction
def resume(user: User, ticket_id: int, answer: str, files: Sequence = ()) -> Ticket:
    """恢复办理: the business answers the question (or the agency resumes); clocks run again."""
    ticket = core.get_visible(user, ticket_id)
    answer = _text(answer)
    if user.role == "enterprise" and not answer:
        raise ServiceError(N_("请填写对问题的答复"), code="answer")
    at = utcnow()
    s = open_suspension(ticket)
    event = core.apply(ticket, "resume", user, note=answer or None, assignment=_lead(ticket), at=at)  # ends it
    if s is not None:
        s.answer = answer or None
    clocks.resume(ticket, at)
    attachments.save_all(ticket, files, user, event=event)
    _notify_agencies(ticket, "resumed", Message(N_("工单 %(n)s 企业已答复补充问题，恢复办理"), n=ticket.number),
                     exclude=user)
    commit()
    return ticket


@transaction
def note(user: User, ticket_id: int, text: str) -> TicketEvent:
    """内部备注: visible to staff, never to the business."""
    ticket = core.get_visible(user, ticket_id)
    text = _text(text)
    if not text:
        raise ServiceError(N_("请填写备注内容"), code="note")
    if len(text) > NOTE_MAX:
        raise ServiceError(N_("备注不能超过%(n)d个字"), code="note", n=NOTE_MAX)
    event = core.apply(ticket, "note", user, note=text, internal=True, agency_id=user.agency_id)
    commit()
    return event


@transaction
def assign(user: User, ticket_id: int, clerk_id: int) -> Ticket:
    """分配承办人: an agency admin gives the ticket to a clerk of the agency; a clerk may take it."""
    ticket = core.get_visible(user, ticket_id)
    clerk = db.session.get(User, clerk_id) if clerk_id else None
    lead = _lead(ticket)
    core.apply(ticket, "assign", user, context={"assignee_is_self": clerk_id == user.id},
               assignment=lead, internal=True,
               details={"clerk_id": clerk_id, "clerk": clerk.display_name if clerk else None})
    if (clerk is None or not clerk.active or clerk.role not in core.STAFF_OF_AGENCY
            or clerk.agency_id != user.agency_id):
        raise ServiceError(N_("只能分配给本单位的承办人员"), code="clerk")
    lead.clerk_id = clerk.id
    if clerk.id != user.id:
        notifications.notify([notifications.to_user(clerk)], ticket, "assigned",
                             Message(N_("工单 %(n)s 已分配给您办理"), n=ticket.number))
    commit()
    return ticket


def pending_co_opinions(ticket: Ticket) -> int:
    """Active co assignments that have not submitted their opinion yet."""
    return sum(1 for a in core.active_assignments(ticket, "co") if a.state != "opinion_submitted")


@transaction
def reply(user: User, ticket_id: int, answer: str, files: Sequence = (),
          override_reason: str | None = None) -> Ticket:
    """答复: the lead agency's formal answer to the business; the lead's clocks stop."""
    ticket = core.get_visible(user, ticket_id)
    answer = _text(answer)
    lead = _lead(ticket)
    at = utcnow()
    event = core.apply(
        ticket, "reply", user, assignment=lead, at=at, note=answer,
        context={"answer": answer, "pending_co_opinions": pending_co_opinions(ticket),
                 "override_reason": _text(override_reason)},
        details={"override_reason": _text(override_reason)} if _text(override_reason) else None,
    )
    attachments.save_all(ticket, files, user, event=event)
    ticket.reply = answer
    ticket.replied_at = at
    lead.state = "replied"
    lead.replied_at = at
    if lead.clerk_id is None and user.role == "clerk":
        lead.clerk_id = user.id
    clocks.stop(lead, at)
    _notify_business(ticket, "replied",
                     Message(N_("工单 %(n)s 已答复，请查看并评价"), n=ticket.number))
    commit()
    return ticket


# --- business actions -----------------------------------------------------------------------

@transaction
def add_info(user: User, ticket_id: int, text: str, files: Sequence = ()) -> TicketEvent:
    """补充材料: the business adds text and/or files while the ticket is open."""
    ticket = core.get_visible(user, ticket_id)
    text = _text(text)
    present = [f for f in (files or ()) if f is not None and getattr(f, "filename", None)]
    if not text and not present:
        raise ServiceError(N_("请填写补充内容或上传附件"), code="empty")
    event = core.apply(ticket, "add_info", user, note=text or None)
    attachments.save_all(ticket, files, user, event=event)
    _notify_agencies(ticket, "info_added", Message(N_("工单 %(n)s 企业补充了材料"), n=ticket.number))
    commit()
    return event


@transaction
def withdraw(user: User, ticket_id: int, reason: str | None = None) -> Ticket:
    """撤回: the business takes the appeal back while it is open, signed or not. The agencies
    holding it are told, their assignments end and the ticket leaves the scores
    (workflow.UNSCORED_STATES)."""
    ticket = core.get_visible(user, ticket_id)
    at = utcnow()
    signed = any(a.signed_at is not None for a in core.active_assignments(ticket))
    core.apply(ticket, "withdraw", user, note=_text(reason) or None, at=at, details={"after_signing": signed})
    _notify_agencies(ticket, "withdrawn", Message(N_("工单 %(n)s 已被企业撤回，无需继续办理"), n=ticket.number))
    core.end_assignments(ticket, "withdrawn", at)
    ticket.closed_at = at
    commit()
    return ticket


def _last_assignment(ticket: Ticket, role: str = "lead"):
    rows = [a for a in ticket.assignments if a.role == role]
    return rows[-1] if rows else None


def record_rating(ticket: Ticket, at: datetime, *, resolved: bool, satisfaction: str, comment: str | None,
                  channel: str, recorded_by: User | None = None) -> Rating:
    """Store the business's rating (online or by callback) for the lead, close the ticket and let
    its assignments leave the queues. No commit (the rating and callback use cases commit)."""
    lead = _lead(ticket) or _last_assignment(ticket)
    rating = Rating(
        ticket=ticket, assignment_id=lead.id if lead else None,
        agency_id=lead.agency_id if lead else ticket.lead_agency_id, cycle=ticket.reopen_count,
        resolved=resolved, satisfaction=satisfaction, comment=comment or None, created_at=at,
        channel=channel, recorded_by_id=recorded_by.id if recorded_by else None,
    )
    db.session.add(rating)
    db.session.flush()
    # A rating of a month already frozen is logged; it counts in the open month.
    evaluation.note_late_rating(rating)
    ticket.closed_at = at
    sla.close_assignments(ticket, at)
    if lead is not None:
        _notify_agency_staff(lead.agency_id, ticket, "rated",
                             Message(N_("工单 %(n)s 企业已评价：%(s)s"), n=ticket.number,
                                     s=Message(workflow.SATISFACTION_LEVELS[satisfaction])))
    return rating


def rating_window(ticket: Ticket, at: datetime) -> dict:
    """The context of the one rating window: days since the reply and the jurisdiction's window."""
    return {"days_since_reply": sla.days_since(ticket.replied_at, at),
            "rating_window_days": sla.rating_window_days(ticket.jurisdiction)}


@transaction
def rate(user: User, ticket_id: int, *, resolved: bool, satisfaction: str, comment: str | None = None) -> Rating:
    """评价: the business rates the reply within the rating window; the ticket closes and the rating
    counts for the lead."""
    ticket = core.get_visible(user, ticket_id)
    comment = _text(comment)
    at = utcnow()
    core.apply(ticket, "rate", user, at=at, note=comment or None,
               context={"resolved": resolved, "satisfaction": satisfaction, "comment": comment,
                        **rating_window(ticket, at)},
               details={"resolved": resolved, "satisfaction": satisfaction, "channel": "online"})
    rating = record_rating(ticket, at, resolved=resolved, satisfaction=satisfaction, comment=comment,
                           channel="online")
    commit()
    return rating


def _notify_agency_staff(agency_id: int, ticket: Ticket, kind: str, message: str) -> None:
    notifications.notify([notifications.to_agency(agency_id)], ticket, kind, message)


def is_unsatisfied(rating: Rating | None) -> bool:
    """A rating that allows a reopen: not resolved, or (very) dissatisfied."""
    return rating is not None and (not rating.resolved or rating.satisfaction in workflow.UNSATISFIED_LEVELS)


@transaction
def reopen(user: User, ticket_id: int, reason: str | None = None) -> Ticket:
    """重办: a business dissatisfied within the rating window sends the ticket back to the same lead
    agency (new cycle); the third dissatisfaction goes to the supervision office instead."""
    ticket = core.get_visible(user, ticket_id)
    at = utcnow()
    last = ticket.ratings[-1] if ticket.ratings else None
    core.apply(
        ticket, "reopen", user, at=at, note=_text(reason) or None,
        context={"last_rating_unsatisfied": is_unsatisfied(last),
                 "reopen_count": ticket.reopen_count, **rating_window(ticket, at)},
        details={"reopen_count": ticket.reopen_count + 1},
    )
    # Counted first, so the new assignment's clocks use the reopen limit (cycle > 0).
    ticket.reopen_count += 1
    ticket.closed_at = None
    if ticket.state == "to_supervision":
        notifications.notify(
            [notifications.to_city(ticket.jurisdiction, "supervisor")], ticket, "to_supervision",
            Message(N_("工单 %(n)s 企业第%(c)d次不满意，请督查裁决"), n=ticket.number, c=ticket.reopen_count + 1))
        _notify_business(ticket, "reopened", Message(N_("工单 %(n)s 已转督查室处理"), n=ticket.number))
    else:
        agency = db.session.get(Agency, ticket.lead_agency_id)
        core.dispatch_to(ticket, agency, at=at)
        _notify_business(ticket, "reopened", Message(N_("工单 %(n)s 已重新交办"), n=ticket.number))
    commit()
    return ticket


# --- reading --------------------------------------------------------------------------------

def may_see_phone(user: User, ticket: Ticket) -> bool:
    """Only the business itself and the owning (lead) agency see the contact phone unmasked."""
    if user.role == "enterprise":
        return ticket.enterprise_id == user.enterprise_id
    return core.is_owner(user, ticket)


def contact_date_default() -> date:
    """Today in Shanghai (the default of the contact form)."""
    return datetime.now(core.SHANGHAI).date()


# --- the agency's queue ---------------------------------------------------------------------

def sign_many(user: User, ticket_ids: Sequence[int]) -> tuple[list[Ticket], list[tuple[int, str]]]:
    """批量签收: sign each ticket in its own transaction; returns (signed, [(id, refusal)])."""
    return _each(ticket_ids, lambda tid: sign(user, tid))


def assign_many(user: User, ticket_ids: Sequence[int], clerk_id: int) -> tuple[list[Ticket], list[tuple[int, str]]]:
    """批量分配: give each ticket to the clerk, one transaction per ticket."""
    return _each(ticket_ids, lambda tid: assign(user, tid, clerk_id))


def _each(ticket_ids: Sequence[int], call) -> tuple[list, list]:
    from app.services import NotFound

    done, refused = [], []
    for tid in dict.fromkeys(ticket_ids):  # once each, in the order given
        try:
            done.append(call(tid))
        except (ServiceError, workflow.WorkflowError, NotFound) as exc:
            refused.append((tid, exc))
    return done, refused
