"""The dispatch centre and shared handling through the services: dispatch, returns and their
arbitration, co-handling, merging duplicates, corrections — and every refusal changing nothing."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from app.domain import workflow
from app.domain.routing.models import Candidate, Decision
from app.domain.similarity import similarity
from app.domain.workflow import WorkflowError
from app.models import (
    RoutingExample,
    TicketEvent,
    TicketReturn,
    utcnow,
)
from app.services import ServiceError, dispatching
from app.services import routing as routing_service
from app.services import tickets as core
from tests.conftest import received

AGENCIES = ("市市场监管局", "市税务局", "市人力资源和社会保障局", "市住房城乡建设局")


def route_to(monkeypatch, agency="市市场监管局", co=(), confidence=0.9):
    """Make the router choose `agency`; below 0.35 the ticket waits at the dispatch centre."""
    low = confidence < 0.35

    def decide(jurisdiction, title, text, topic=None):
        return Decision(jurisdiction=jurisdiction, agency=agency, co_agencies=tuple(co), measure=None,
                        confidence=confidence, to_dispatch=low,
                        candidates=(Candidate(agency, 2.5, None, ("职责词:执照",)),) if agency else (),
                        explanation="测试路由说明")

    monkeypatch.setattr("app.services.routing.decide", decide)


class World:
    """A city with four agencies, their clerks, a dispatcher, a supervisor, two businesses."""

    def __init__(self, db, make_city, make_user):
        self.db = db
        _, self.ag = make_city(agencies=AGENCIES)
        self.scj, self.sw, self.rs, self.zj = (self.ag[n] for n in AGENCIES)
        _, other = make_city(code="xiamen", name="厦门市", prefix="XM", agencies=("厦门市税务局",))
        self.foreign = other["厦门市税务局"]
        self.biz = make_user("enterprise", username="biz1")
        self.biz2 = make_user("enterprise", username="biz2")
        self.clerk = make_user("clerk", username="clerk_scj", agency=self.scj)
        self.clerk_sw = make_user("clerk", username="clerk_sw", agency=self.sw)
        self.clerk_rs = make_user("clerk", username="clerk_rs", agency=self.rs)
        self.dispatcher = make_user("dispatcher", username="disp")
        self.supervisor = make_user("supervisor", username="sup")

    def file(self, user=None, title="营业执照变更迟迟办不下来", description="公司地址变更提交材料十天了还没有结果,影响签约。"):
        return core.file_ticket(user or self.biz, kind="complaint", topic="start_close", title=title,
                                description=description)

    def waiting(self, monkeypatch, **kw):
        route_to(monkeypatch, agency="市市场监管局", confidence=0.2)
        return self.file(**kw)

    def sign(self, ticket, clerk):
        """The lead signs, straight through the core (these tests are about the dispatch centre)."""
        lead = core.lead_assignment(ticket)
        core.apply(ticket, "sign", clerk, assignment=lead)
        lead.state, lead.signed_at = "signed", utcnow()
        self.db.session.commit()

    def count(self, model, *where):
        return self.db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def w(db, make_city, make_user):
    return World(db, make_city, make_user)


def test_low_confidence_waits_in_queue_with_router_candidates(w, monkeypatch):
    t = w.waiting(monkeypatch)
    assert t.state == "to_dispatch" and t.dispatch_reason == "low_confidence"
    page, nxt = dispatching.queue("liaoyuan")
    assert [x.id for x in page] == [t.id] and nxt is None
    assert t.routing["candidates"][0]["agency"] == "市市场监管局"
    assert dispatching.queue("xiamen")[0] == []


def test_queue_is_paginated_by_key(w, monkeypatch):
    made = [w.waiting(monkeypatch) for _ in range(5)]
    first, nxt = dispatching.queue("liaoyuan", limit=2)
    assert [t.id for t in first] == [made[4].id, made[3].id] and nxt == made[3].id
    second, nxt2 = dispatching.queue("liaoyuan", before_id=nxt, limit=2)
    assert [t.id for t in second] == [made[2].id, made[1].id]
    third, nxt3 = dispatching.queue("liaoyuan", before_id=nxt2, limit=2)
    assert [t.id for t in third] == [made[0].id] and nxt3 is None


def test_dispatch_with_co_agencies_records_correction(w, monkeypatch):
    t = w.waiting(monkeypatch)
    lead = dispatching.dispatch(t, w.sw.id, [w.rs.id, w.zj.id, w.sw.id], w.dispatcher, note="涉及税务")
    assert t.state == "dispatched" and t.lead_agency_id == w.sw.id and t.dispatch_reason is None
    assert lead.role == "lead" and lead.sign_due_at is not None
    co = sorted(a.agency_id for a in core.active_assignments(t, "co"))
    assert co == sorted([w.rs.id, w.zj.id])
    assert t.events[-1].action == "dispatch" and t.events[-1].details["co_agencies"]
    ex = w.db.session.scalars(select(RoutingExample)).all()
    assert len(ex) == 1 and ex[0].agency_id == w.sw.id and ex[0].router_agency_id == w.scj.id
    assert "营业执照" in ex[0].text
    assert [e.agency for e in routing_service.examples()] == ["市税务局"]
    # Notified: lead and both co agencies' staff.
    assert len(received(w.clerk_rs, ticket_id=t.id)) == 1


def test_dispatch_to_routers_choice_records_no_correction(w, monkeypatch):
    t = w.waiting(monkeypatch)
    dispatching.dispatch(t, w.scj.id, [], w.dispatcher)
    assert w.count(RoutingExample) == 0


def test_dispatch_refusals_change_nothing(w, monkeypatch):
    t = w.waiting(monkeypatch)
    events = len(t.events)
    with pytest.raises(ServiceError, match="不属于本辖区"):
        dispatching.dispatch(t, w.foreign.id, [], w.dispatcher)
    with pytest.raises(ServiceError, match="不属于本辖区"):
        dispatching.dispatch(t, w.sw.id, [w.foreign.id], w.dispatcher)
    with pytest.raises(ServiceError, match="请选择承办单位"):
        dispatching.dispatch(t, None, [], w.dispatcher)
    w.db.session.expire_all()
    assert t.state == "to_dispatch" and len(t.events) == events and t.assignments == []
    assert w.count(RoutingExample) == 0


def test_reject_out_of_scope_tells_the_business(w, monkeypatch):
    t = w.waiting(monkeypatch)
    with pytest.raises(WorkflowError):
        dispatching.reject(t, "  ", w.dispatcher)
    assert t.state == "to_dispatch"
    dispatching.reject(t, "属于诉讼程序,请通过法院渠道", w.dispatcher)
    assert t.state == "rejected" and t.events[-1].note == "属于诉讼程序,请通过法院渠道"
    assert not t.events[-1].internal
    msgs = [n.message for n in received(w.biz)]
    assert any("法院渠道" in m for m in msgs)


def test_co_opinion_pending_blocks_reply_until_override(w, monkeypatch):
    route_to(monkeypatch, agency="市市场监管局", co=("市税务局",))
    t = w.file()
    assert t.state == "dispatched"
    assert dispatching.pending_co_opinions(t) == 1
    w.sign(t, w.clerk)
    ctx = {"is_owner": True, "answer": "经核查,已为企业办理地址变更登记,请留意短信通知。"}
    with pytest.raises(WorkflowError) as exc:
        workflow.check("reply", t.state, "clerk", dict(ctx, pending_co_opinions=dispatching.pending_co_opinions(t)))
    assert exc.value.code == "co_opinions_pending"
    assert workflow.check("reply", t.state, "clerk", dict(
        ctx, pending_co_opinions=dispatching.pending_co_opinions(t), override_reason="企业急需,税务意见已电话确认")) == "replied"

    # The co-agency cannot act as lead, and must sign before giving its opinion.
    with pytest.raises(WorkflowError):
        core.apply(t, "reply", w.clerk_sw, context={"answer": ctx["answer"], "pending_co_opinions": 0})
    with pytest.raises(WorkflowError, match="请先签收"):  # a guard of the co_opinion transition
        dispatching.submit_opinion(t, w.clerk_sw, "本局意见:该企业无欠税记录,可以办理。")
    with pytest.raises(ServiceError, match="不是该工单的协办单位"):
        dispatching.sign_co(t, w.clerk_rs)
    co = dispatching.sign_co(t, w.clerk_sw)
    assert co.state == "signed" and co.signed_at is not None
    with pytest.raises(WorkflowError, match="不能少于"):
        dispatching.submit_opinion(t, w.clerk_sw, "同意")
    dispatching.submit_opinion(t, w.clerk_sw, "本局意见:该企业无欠税记录,可以办理。")
    assert co.state == "opinion_submitted" and co.opinion_at is not None and co.next_check_at is None
    assert dispatching.pending_co_opinions(t) == 0
    assert workflow.check("reply", t.state, "clerk", dict(ctx, pending_co_opinions=0)) == "replied"
    assert [e.action for e in t.events][-2:] == ["co_sign", "co_opinion"]
    assert len(received(w.clerk, kind="co_opinion")) == 1
    # Each assignment keeps its own state.
    assert core.lead_assignment(t).state == "signed"


def return_it(w, t, clerk=None, **kw):
    args = {"category": "not_our_duty", "reason": "该事项属于税务部门职责,本局无权办理。"}
    args.update(kw)
    return dispatching.return_ticket(t, clerk or w.clerk, **args)


def test_justified_return_then_redispatch(w, monkeypatch):
    route_to(monkeypatch, agency="市市场监管局", co=("市人力资源和社会保障局",))
    t = w.file()
    ret = return_it(w, t, suggested_agency_id=w.sw.id)
    assert t.state == "to_dispatch" and t.dispatch_reason == "returned" and t.return_count == 1
    assert ret.decision == "pending" and ret.suggested_agency_id == w.sw.id
    assert all(not a.active for a in t.assignments)
    assert {a.role: a.state for a in t.assignments} == {"lead": "returned", "co": "cancelled"}
    assert len(received(w.dispatcher, kind="returned")) == 1
    with pytest.raises(ServiceError, match="驳回退单"):
        dispatching.dispatch(t, w.scj.id, [], w.dispatcher)
    dispatching.dispatch(t, w.sw.id, [], w.dispatcher)
    assert ret.decision == "justified" and ret.decided_by_id == w.dispatcher.id
    assert t.state == "dispatched" and t.lead_agency_id == w.sw.id


def test_unjustified_return_goes_back_to_the_same_agency(w, monkeypatch):
    route_to(monkeypatch, agency="市市场监管局", co=("市税务局",))
    t = w.file()
    w.sign(t, w.clerk)
    ret = return_it(w, t)
    dispatching.reject_return(t, w.dispatcher, note="营业执照变更属于市场监管职责")
    assert ret.decision == "unjustified"
    # It had been signed: the signature stands, the agency continues handling.
    assert t.state == "in_progress" and t.lead_agency_id == w.scj.id
    active = {a.role: a.agency_id for a in core.active_assignments(t)}
    assert active == {"lead": w.scj.id, "co": w.sw.id}
    assert t.events[-1].action == "reject_return"
    with pytest.raises(ServiceError, match="没有待裁决的退单"):
        dispatching.reject_return(t, w.dispatcher)


def test_return_refusals(w, monkeypatch):
    route_to(monkeypatch, agency="市市场监管局", co=("市税务局",))
    # Filed on Wednesday 2026-11-04 at 10:00 in Shanghai: its 2 working days are Thursday and
    # Friday (次日起算), so on Monday it can no longer be returned. A fixed day, not today's: four
    # days after a Thursday dispatch would still be inside the window.
    with time_machine.travel(datetime(2026, 11, 4, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        t = w.file()
        n_events = len(t.events)
        with pytest.raises(WorkflowError, match="不能少于10个字"):
            return_it(w, t, reason="不归我们管")
        with pytest.raises(WorkflowError, match="请选择退回原因"):
            return_it(w, t, category="bogus")
        with pytest.raises(WorkflowError, match="只有承办单位"):
            return_it(w, t, clerk=w.clerk_sw)  # a co-agency cannot return as lead
        with pytest.raises(ServiceError, match="不属于本辖区"):
            return_it(w, t, suggested_agency_id=w.foreign.id)
        w.db.session.expire_all()
        assert t.state == "dispatched" and t.return_count == 0 and len(t.events) == n_events
        assert w.count(TicketReturn) == 0
        w.sign(t, w.clerk)

    # Dispatched more than 2 working days ago: too late.
    later = datetime(2026, 11, 9, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(later, tick=False), pytest.raises(WorkflowError, match="不能再退回"):
        return_it(w, t, now=later)
    assert t.state == "in_progress" and w.count(TicketReturn) == 0


def test_replied_ticket_cannot_be_returned(w, monkeypatch):
    t = w.waiting(monkeypatch)
    dispatching.dispatch(t, w.scj.id, [], w.dispatcher)
    w.sign(t, w.clerk)
    core.apply(t, "reply", w.clerk, context={"answer": "经核查已办理完毕,新的营业执照已寄出,请注意查收并核对信息。"})
    w.db.session.commit()
    with pytest.raises(WorkflowError, match="已答复"):
        return_it(w, t)
    assert t.state == "replied" and w.count(TicketReturn) == 0


def test_third_return_goes_to_supervision(w, monkeypatch):
    t = w.waiting(monkeypatch)
    for agency, clerk in ((w.scj, w.clerk), (w.sw, w.clerk_sw)):
        dispatching.dispatch(t, agency.id, [], w.dispatcher)
        return_it(w, t, clerk=clerk)
        assert t.state == "to_dispatch"
    dispatching.dispatch(t, w.rs.id, [], w.dispatcher)
    return_it(w, t, clerk=w.clerk_rs)
    assert t.state == "to_supervision" and t.return_count == 3
    assert len(received(w.supervisor, kind="to_supervision")) == 1
    decisions = [r.decision for r in dispatching.returns_of(t)]
    assert decisions == ["justified", "justified", "pending"]
    # The supervision office transfers it: shares the dispatch mechanics.
    dispatching.transfer(t, w.zj, [w.scj], w.supervisor, note="督查裁决:由住建局办理")
    assert t.state == "dispatched" and t.lead_agency_id == w.zj.id
    assert dispatching.returns_of(t)[-1].decision == "justified"
    assert w.db.session.scalars(select(RoutingExample).order_by(RoutingExample.id.desc())).first().agency_id == w.zj.id


def test_merge_duplicate(w, monkeypatch):
    route_to(monkeypatch, agency="市市场监管局")
    survivor = w.file()
    dup = w.waiting(monkeypatch)
    survivor_events, dup_events = len(survivor.events), len(dup.events)
    dispatching.merge(dup, survivor, w.dispatcher, note="同一事项")
    w.db.session.expire_all()
    assert dup.state == "merged" and dup.merged_into_id == survivor.id and dup.merged_into.number == survivor.number
    assert len(dup.events) == dup_events + 1 and dup.events[-1].action == "merge"
    assert len(survivor.events) == survivor_events + 1 and survivor.events[-1].action == "merged_in"
    assert survivor.state == "dispatched"
    assert len(received(w.biz, kind="merged")) == 1


def test_merge_refusals(w, monkeypatch):
    closed = w.waiting(monkeypatch, user=w.biz2)  # another business's ticket, then closed
    dispatching.reject(closed, "属于诉讼程序,请通过法院渠道", w.dispatcher)
    dup = w.waiting(monkeypatch)
    with pytest.raises(ServiceError, match="自身"):
        dispatching.merge(dup, dup, w.dispatcher)
    with pytest.raises(ServiceError, match="不能作为合并目标"):
        dispatching.merge(dup, closed, w.dispatcher)
    with pytest.raises(ServiceError, match="找不到"):
        dispatching.merge(dup, None, w.dispatcher)
    w.db.session.expire_all()
    assert dup.state == "to_dispatch" and dup.merged_into_id is None


def test_similar_open_tickets(w, monkeypatch):
    a = w.waiting(monkeypatch)
    w.waiting(monkeypatch, title="申请退税进度查询", description="去年多缴的增值税申请退还一个多月了。")
    w.waiting(monkeypatch, user=w.biz2)  # another business: never shown
    found = dispatching.similar_open_tickets(w.biz.enterprise_id, "营业执照变更办不下来", "地址变更材料交了很久没结果")
    assert [s.ticket.id for s in found] == [a.id]
    assert dispatching.similar_open_tickets(w.biz.enterprise_id, "营业执照变更", "x", exclude_id=a.id) == []
    with time_machine.travel(utcnow() + timedelta(days=31), tick=False):
        assert dispatching.similar_open_tickets(w.biz.enterprise_id, "营业执照变更办不下来", "地址变更") == []


def test_similarity_is_symmetric_and_bounded():
    assert similarity("营业执照变更", "", "营业执照变更", "") == 1.0
    assert similarity("营业执照变更", "地址", "退税进度", "增值税") < 0.1
    assert similarity("a", "b", "c", "d") == similarity("c", "d", "a", "b")


def test_corrections_teach_the_real_router(w, monkeypatch, app):
    """The real router (lexicon-only for a city without a plan) learns the dispatchers' corrections."""
    text = ("园区污水管网堵塞倒灌进厂房", "厂区门前市政污水管道堵塞,雨天倒灌进车间,请尽快疏通管网。")
    before = routing_service.decide("liaoyuan", *text)
    assert before.agency != "市住房城乡建设局" or before.to_dispatch
    for i in range(3):
        t = w.waiting(monkeypatch, title=f"{text[0]}{i}", description=text[1])
        dispatching.dispatch(t, w.zj.id, [], w.dispatcher)
    assert w.count(RoutingExample, RoutingExample.agency_id == w.zj.id) == 3
    assert [e.agency for e in routing_service.examples()] == ["市住房城乡建设局"] * 3
    monkeypatch.undo()
    after = routing_service.decide("liaoyuan", "厂房门口污水管网堵塞倒灌", "市政污水管道堵塞,下雨就倒灌进车间,影响生产。")
    assert after.agency == "市住房城乡建设局"
    assert any("派单纠错样例" in r for c in after.candidates if c.agency == after.agency for r in c.reasons)


def test_events_are_appended_for_every_change(w, monkeypatch):
    t = w.waiting(monkeypatch)
    dispatching.dispatch(t, w.sw.id, [w.scj.id], w.dispatcher)
    return_it(w, t, clerk=w.clerk_sw)
    dispatching.reject_return(t, w.dispatcher)
    actions = [e.action for e in w.db.session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id))]
    assert actions == ["file", "route_to_dispatch", "dispatch", "return", "reject_return"]


# --- workflow defects (issue 10 §3): each test failed before its fix ----------------------------

SH = ZoneInfo("Asia/Shanghai")


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SH).astimezone(UTC)


def test_unsigned_ticket_cannot_be_returned_after_the_window(w, monkeypatch):
    """The 2-working-day return window runs from the dispatch, signed or not."""
    route_to(monkeypatch)
    with time_machine.travel(sh(2025, 9, 22, 10, 0), tick=False):  # Monday
        t = w.file()
    with time_machine.travel(sh(2025, 9, 25, 9, 0), tick=False):  # Thursday: Tue and Wed have passed
        assert not dispatching.can_return(t, w.clerk)
        with pytest.raises(WorkflowError) as e:
            return_it(w, t)
    assert e.value.code == "return_too_late" and t.state == "dispatched" and w.count(TicketReturn) == 0


def test_return_window_counts_working_days_of_the_calendar(w, monkeypatch):
    """Counted like every working-day limit (次日起算): dispatched Monday 09:00, signed at once,
    returnable until Wednesday's close; a 7.5-hour day or hours since signing do not enter."""
    route_to(monkeypatch)
    with time_machine.travel(sh(2025, 9, 22, 9, 0), tick=False):
        t = w.file()
        w.sign(t, w.clerk)
    with time_machine.travel(sh(2025, 9, 24, 17, 0), tick=False):  # Wednesday 17:00
        assert dispatching.can_return(t, w.clerk)
        return_it(w, t)
    assert t.state == "to_dispatch"


def test_rejected_return_keeps_the_original_deadlines(w, monkeypatch):
    route_to(monkeypatch)
    with time_machine.travel(sh(2025, 9, 22, 10, 0), tick=False):
        t = w.file()
        first = core.lead_assignment(t)
        due = (first.sign_due_at, first.contact_due_at, first.resolve_due_at)
    with time_machine.travel(sh(2025, 9, 23, 10, 0), tick=False):
        return_it(w, t)
    with time_machine.travel(sh(2025, 9, 24, 15, 0), tick=False):
        dispatching.reject_return(t, w.dispatcher, note="属于市场监管职责")
    lead = core.lead_assignment(t)
    assert lead.agency_id == w.scj.id
    assert (lead.sign_due_at, lead.contact_due_at, lead.resolve_due_at) == due
    assert lead.created_at == sh(2025, 9, 22, 10, 0)
    # …and the return window is not reopened by the decision.
    with time_machine.travel(sh(2025, 9, 25, 9, 0), tick=False), pytest.raises(WorkflowError):
        return_it(w, t)


def test_terminate_tells_the_business_the_reason(w, monkeypatch):
    route_to(monkeypatch)
    t = w.file()
    w.sign(t, w.clerk)
    n = len(t.events)
    with pytest.raises(WorkflowError) as e:
        dispatching.terminate(t, w.dispatcher, "bogus", "企业拒绝提供营业执照等办理所需材料")
    assert e.value.code == "invalid_termination_reason"
    with pytest.raises(WorkflowError) as e:
        dispatching.terminate(t, w.dispatcher, "info_refused", "太短")
    assert e.value.code == "termination_reason_too_short"
    with pytest.raises(WorkflowError):
        dispatching.terminate(t, w.clerk, "info_refused", "企业拒绝提供营业执照等办理所需材料")
    w.db.session.expire_all()
    assert t.state == "in_progress" and len(t.events) == n
    dispatching.terminate(t, w.dispatcher, "info_refused", "企业拒绝提供营业执照等办理所需材料")
    assert t.state == "terminated" and t.closed_at is not None and core.active_assignments(t) == []
    ev = t.events[-1]
    assert ev.action == "terminate" and not ev.internal and ev.details["category"] == "info_refused"
    msgs = [x.message for x in received(w.biz)]
    assert any("营业执照等办理所需材料" in m for m in msgs)
    assert len(received(w.clerk, "terminated")) == 1
    assert "terminated" in workflow.UNSCORED_STATES and "terminated" in workflow.TERMINAL_STATES
    # the supervision office may terminate too, e.g. a ticket waiting for its decision
    t2 = w.waiting(monkeypatch)
    dispatching.terminate(t2, w.supervisor, "unlawful_explained", "诉求要求违反环保法规,已向企业解释说明")
    assert t2.state == "terminated"


def test_callback_counts_as_the_business_rating(w, monkeypatch):
    from app.models import Rating

    route_to(monkeypatch)
    t = w.file()
    w.sign(t, w.clerk)
    core.apply(t, "reply", w.clerk, context={"answer": "经核查已办理完毕,新的营业执照已寄出,请注意查收。"})
    t.replied_at = utcnow()
    w.db.session.commit()
    with pytest.raises(WorkflowError) as e:
        dispatching.callback(t, w.dispatcher, channel="fax", resolved=True, satisfaction="satisfied")
    assert e.value.code == "invalid_channel"
    with pytest.raises(WorkflowError):
        dispatching.callback(t, w.clerk, channel="phone", resolved=True, satisfaction="satisfied")
    rating = dispatching.callback(t, w.dispatcher, channel="phone", resolved=False,
                                  satisfaction="dissatisfied", comment="电话回访:企业表示仍未解决")
    assert t.state == "closed" and core.active_assignments(t) == []
    assert rating.channel == "phone" and rating.recorded_by_id == w.dispatcher.id and not rating.auto
    assert rating.agency_id == w.scj.id
    assert w.count(Rating, Rating.ticket_id == t.id) == 1
    # It is the business's rating: a dissatisfied callback lets the business ask for a reopen.
    from app.services import handling

    handling.reopen(w.biz, t.id, "仍未解决")
    assert t.state == "dispatched"


def test_co_handling_is_a_transition(w, monkeypatch):
    route_to(monkeypatch, agency="市市场监管局", co=("市税务局",))
    t = w.file()
    with pytest.raises(WorkflowError) as e:  # the lead is not the co-agency
        workflow.check("co_sign", t.state, "clerk", {"is_owner": True, "co_signed": False})
    assert e.value.code == "not_co"
    dispatching.sign_co(t, w.clerk_sw)
    with pytest.raises(WorkflowError) as e:
        dispatching.sign_co(t, w.clerk_sw)
    assert e.value.code == "co_already_signed"
    assert [e.action for e in t.events].count("co_sign") == 1
    w.sign(t, w.clerk)
    core.apply(t, "reply", w.clerk, context={"answer": "经核查已办理完毕,新的营业执照已寄出,请注意查收。",
                                             "pending_co_opinions": 0})
    w.db.session.commit()
    with pytest.raises(WorkflowError) as e:  # replied: co-handling is over
        dispatching.submit_opinion(t, w.clerk_sw, "本局意见:该企业无欠税记录,可以办理。")
    assert e.value.code == "invalid_state"


def _two_sessions_race(db, monkeypatch, ticket_id, user_ids, call):
    """Two sessions load the ticket, then act one after the other (the second on its stale view)."""
    from sqlalchemy.orm import sessionmaker

    from app.models import Ticket, User
    from app.services import Conflict

    db.session.remove()
    Session = sessionmaker(bind=db.engine)
    s1, s2 = Session(), Session()
    outcomes = []
    try:
        loaded = []
        for s, uid in ((s1, user_ids[0]), (s2, user_ids[1])):
            t = s.get(Ticket, ticket_id)
            [a.signed_at for a in t.assignments]  # loaded now, as a page would have
            loaded.append((s, t, s.get(User, uid)))
        for s, t, user in loaded:
            monkeypatch.setattr(db, "session", s)
            try:
                call(t, user)
                outcomes.append("ok")
            except Conflict as exc:
                outcomes.append("conflict")
                assert "刚刚已处理过" in str(exc)
        monkeypatch.undo()
    finally:
        s1.close()
        s2.close()
    db.session.remove()
    return sorted(outcomes)


def test_two_co_signs_at_once_one_wins(w, db, monkeypatch, make_user):
    route_to(monkeypatch, agency="市市场监管局", co=("市税务局",))
    t = w.file()
    colleague = make_user("clerk", username="clerk_sw2", agency=w.sw)
    ids = (w.clerk_sw.id, colleague.id)
    outcomes = _two_sessions_race(db, monkeypatch, t.id, ids, lambda t, u: dispatching.sign_co(t, u))
    assert outcomes == ["conflict", "ok"]
    assert w.count(TicketEvent, TicketEvent.ticket_id == t.id, TicketEvent.action == "co_sign") == 1


def test_two_co_opinions_at_once_one_wins(w, db, monkeypatch, make_user):
    route_to(monkeypatch, agency="市市场监管局", co=("市税务局",))
    t = w.file()
    dispatching.sign_co(t, w.clerk_sw)
    colleague = make_user("clerk", username="clerk_sw2", agency=w.sw)
    ids = (w.clerk_sw.id, colleague.id)
    outcomes = _two_sessions_race(db, monkeypatch, t.id, ids, lambda t, u: dispatching.submit_opinion(
        t, u, f"本局意见:该企业无欠税记录,可以办理。({u.username})"))
    assert outcomes == ["conflict", "ok"]
    assert w.count(TicketEvent, TicketEvent.ticket_id == t.id, TicketEvent.action == "co_opinion") == 1
