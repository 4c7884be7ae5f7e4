"""The closed loop through the services: every action's success and its refusals."""
import io
from datetime import timedelta

import pytest
import time_machine
from werkzeug.datastructures import FileStorage

from app.domain.workflow import WorkflowError
from app.models import Rating, Suspension, TicketEvent
from app.services import NotFound, ServiceError, handling
from app.services import tickets as core
from tests.conftest import received
from tests.worlds import World, pdf, route_to, shanghai_today


@pytest.fixture
def w(make_city, make_user, db):
    return World(make_city, make_user)


def actions(t):
    return [e.action for e in t.events]


def test_sign_moves_to_in_progress_and_takes_the_ticket(w, monkeypatch, db):
    route_to(monkeypatch)
    t = w.file()
    assert t.state == "dispatched"
    handling.sign(w.clerk, t.id)
    lead = core.lead_assignment(t)
    assert t.state == "in_progress" and lead.state == "signed" and lead.signed_at is not None
    assert lead.clerk_id == w.clerk.id
    assert actions(t)[-1] == "sign"
    assert len(received(w.biz, kind="signed")) == 1


def test_sign_refusals(w, monkeypatch):
    route_to(monkeypatch)
    t = w.file()
    with pytest.raises(NotFound):
        handling.sign(w.other, t.id)  # another agency: not even visible
    with pytest.raises(WorkflowError) as e:
        handling.sign(w.biz, t.id)
    assert e.value.code == "forbidden_role"
    handling.sign(w.clerk, t.id)
    with pytest.raises(WorkflowError) as e:
        handling.sign(w.clerk_b, t.id)
    assert e.value.code == "invalid_state"
    assert actions(t).count("sign") == 1


def test_contact_sets_contacted_at(w, monkeypatch):
    route_to(monkeypatch)
    t = w.file()
    with pytest.raises(WorkflowError):  # not signed yet
        handling.record_contact(w.clerk, t.id, contacted_on=shanghai_today(), way="phone", summary="已电话沟通")
    handling.sign(w.clerk, t.id)
    with pytest.raises(ServiceError):
        handling.record_contact(w.clerk, t.id, contacted_on=shanghai_today(), way="fax", summary="x")
    with pytest.raises(ServiceError):
        handling.record_contact(w.clerk, t.id, contacted_on=shanghai_today(), way="phone", summary="  ")
    with pytest.raises(ServiceError):
        handling.record_contact(w.clerk, t.id, contacted_on=shanghai_today() + timedelta(days=3),
                                way="phone", summary="已电话沟通")
    assert core.lead_assignment(t).contacted_at is None
    ev = handling.record_contact(w.clerk, t.id, contacted_on=shanghai_today(), way="visit", summary="上门了解情况")
    assert ev.details["way"] == "visit" and core.lead_assignment(t).contacted_at is not None
    assert t.state == "in_progress"


def test_suspend_and_resume(w, monkeypatch, db):
    route_to(monkeypatch)
    t = w.file()
    with pytest.raises(WorkflowError):
        handling.suspend(w.clerk, t.id, "请补充检查通知书")  # dispatched: not yet
    handling.sign(w.clerk, t.id)
    with pytest.raises(WorkflowError) as e:
        handling.suspend(w.clerk, t.id, "  ")
    assert e.value.code == "question_required"
    handling.suspend(w.clerk, t.id, "请补充检查通知书")
    assert t.state == "suspended"
    s = db.session.query(Suspension).filter_by(ticket_id=t.id).one()
    assert s.ended_at is None
    with pytest.raises(ServiceError):
        handling.resume(w.biz, t.id, "")
    with pytest.raises(NotFound):
        handling.resume(w.biz2, t.id, "不是我的工单")
    handling.resume(w.biz, t.id, "已上传检查通知书", files=[pdf()])
    assert t.state == "in_progress" and s.answer == "已上传检查通知书" and s.ended_at is not None
    assert len(t.attachments) == 1
    assert len(received(w.clerk, kind="resumed")) == 1


def test_add_info(w, monkeypatch):
    route_to(monkeypatch)
    t = w.file()
    with pytest.raises(ServiceError):
        handling.add_info(w.biz, t.id, "  ")
    with pytest.raises(WorkflowError):
        handling.add_info(w.clerk, t.id, "职员不能补充材料")
    handling.add_info(w.biz, t.id, "补充:检查时间为本月3日、8日", files=[pdf()])
    assert actions(t)[-1] == "add_info" and t.attachments[0].event_id == t.events[-1].id


def test_reply_rules(w, monkeypatch, db):
    route_to(monkeypatch, co=("市税务局",))
    t = w.file()
    handling.sign(w.clerk, t.id)
    with pytest.raises(WorkflowError) as e:
        handling.reply(w.clerk, t.id, "已处理。")
    assert e.value.code == "reply_too_short"
    answer = "经核查,已协调相关部门合并检查事项,今后将统一安排。"
    with pytest.raises(WorkflowError) as e:
        handling.reply(w.clerk, t.id, answer)  # the co agency has not given its opinion
    assert e.value.code == "co_opinions_pending"
    with pytest.raises(NotFound):
        handling.reply(w.biz2, t.id, answer)
    with pytest.raises(WorkflowError) as e:
        handling.reply(w.other, t.id, answer, override_reason="协办单位无回应")  # co agency is not the lead
    assert e.value.code == "not_owner"
    assert t.state == "in_progress" and t.reply is None
    handling.reply(w.clerk, t.id, answer, override_reason="协办单位逾期未回复", files=[pdf()])
    lead = core.lead_assignment(t)
    assert t.state == "replied" and t.reply == answer and t.replied_at is not None
    assert lead.state == "replied" and lead.replied_at is not None and lead.next_check_at is None
    assert len(received(w.biz, kind="replied")) == 1


def test_rate_closes_and_records_rating_for_lead(w, monkeypatch, db):
    t = w.replied(monkeypatch)
    with pytest.raises(WorkflowError) as e:
        handling.rate(w.biz, t.id, resolved=False, satisfaction="dissatisfied", comment="")
    assert e.value.code == "comment_required"
    with pytest.raises(WorkflowError):
        handling.rate(w.clerk, t.id, resolved=True, satisfaction="satisfied")
    with pytest.raises(NotFound):
        handling.rate(w.biz2, t.id, resolved=True, satisfaction="satisfied")
    assert db.session.query(Rating).count() == 0
    r = handling.rate(w.biz, t.id, resolved=True, satisfaction="satisfied")
    assert t.state == "closed" and t.closed_at is not None
    assert r.agency_id == w.scj.id and r.cycle == 0
    assert core.active_assignments(t) == []
    with pytest.raises(WorkflowError):
        handling.rate(w.biz, t.id, resolved=True, satisfaction="satisfied")


def test_reopen_goes_back_to_the_same_lead_with_a_new_cycle(w, monkeypatch):
    t = w.replied(monkeypatch)
    handling.rate(w.biz, t.id, resolved=False, satisfaction="dissatisfied", comment="检查仍然很多")
    handling.reopen(w.biz, t.id, "问题没有解决")
    lead = core.lead_assignment(t)
    assert t.state == "dispatched" and t.reopen_count == 1
    assert lead.agency_id == w.scj.id and lead.cycle == 1
    first = next(a for a in t.assignments if a.cycle == 0)
    # 5 working days for a reopen: shorter than the first cycle's limit
    assert (lead.resolve_due_at - lead.created_at) < (first.resolve_due_at - first.created_at)


def test_reopen_refused_when_satisfied(w, monkeypatch):
    t = w.replied(monkeypatch)
    handling.rate(w.biz, t.id, resolved=True, satisfaction="satisfied")
    with pytest.raises(WorkflowError) as e:
        handling.reopen(w.biz, t.id)
    assert e.value.code == "reopen_not_allowed" and t.state == "closed"


def test_dissatisfied_rating_on_day_8_can_reopen(w, monkeypatch):
    """One window (10 days after the reply, docs/workflow.md): rating and reopening share it."""
    with time_machine.travel("2026-11-02 10:00:00+08:00", tick=False) as tm:
        t = w.replied(monkeypatch)
        tm.move_to("2026-11-10 10:00:00+08:00")  # day 8
        handling.rate(w.biz, t.id, resolved=False, satisfaction="very_dissatisfied", comment="没有解决")
        handling.reopen(w.biz, t.id, "没有解决")
    assert t.state == "dispatched" and t.reopen_count == 1


def test_rating_and_reopen_refused_after_the_window(w, monkeypatch):
    with time_machine.travel("2026-11-02 10:00:00+08:00", tick=False) as tm:
        t = w.replied(monkeypatch)
        tm.move_to("2026-11-12 10:00:00+08:00")  # exactly 10 days: still inside
        handling.rate(w.biz, t.id, resolved=False, satisfaction="dissatisfied", comment="没有解决")
        tm.move_to("2026-11-12 10:00:01+08:00")  # one second past the window
        with pytest.raises(WorkflowError) as e:
            handling.reopen(w.biz, t.id)
    assert e.value.code == "reopen_too_late" and t.state == "closed" and t.reopen_count == 0
    with time_machine.travel("2026-11-02 10:00:00+08:00", tick=False) as tm:
        t2 = w.replied(monkeypatch)
        tm.move_to("2026-11-13 10:00:00+08:00")
        with pytest.raises(WorkflowError) as e:
            handling.rate(w.biz, t2.id, resolved=True, satisfaction="satisfied")
    assert e.value.code == "rating_too_late" and t2.state == "replied"


def test_rating_window_is_a_setting_per_jurisdiction(w, monkeypatch, db):
    from app.models import Setting

    db.session.add(Setting(key="sla.rating_window_days", jurisdiction="liaoyuan", value={"value": 5}))
    db.session.commit()
    with time_machine.travel("2026-11-02 10:00:00+08:00", tick=False) as tm:
        t = w.replied(monkeypatch)
        tm.move_to("2026-11-08 10:00:00+08:00")  # day 6 of a 5-day window
        with pytest.raises(WorkflowError) as e:
            handling.rate(w.biz, t.id, resolved=True, satisfaction="satisfied")
    assert e.value.code == "rating_too_late"


def test_third_dissatisfaction_goes_to_supervision(w, monkeypatch, db):
    t = w.replied(monkeypatch)
    answer = "经再次核查,已协调相关部门合并检查事项,今后将统一安排。"
    for _ in range(2):
        handling.rate(w.biz, t.id, resolved=False, satisfaction="dissatisfied", comment="仍未解决")
        handling.reopen(w.biz, t.id, "仍未解决")
        assert t.state == "dispatched"
        handling.sign(w.clerk, t.id)
        handling.reply(w.clerk, t.id, answer)
    handling.rate(w.biz, t.id, resolved=False, satisfaction="dissatisfied", comment="第三次不满意")
    handling.reopen(w.biz, t.id, "第三次")
    assert t.state == "to_supervision" and t.reopen_count == 3
    assert len(received(w.supervisor, kind="to_supervision")) == 1
    assert db.session.query(Rating).filter_by(ticket_id=t.id).count() == 3


def test_withdraw_before_and_after_signing(w, monkeypatch, db):
    route_to(monkeypatch)
    t = w.file()
    with pytest.raises(WorkflowError):
        handling.withdraw(w.clerk, t.id)
    handling.withdraw(w.biz, t.id, "已自行解决")
    assert t.state == "withdrawn" and core.active_assignments(t) == []
    # After signing too: the agency is told, its assignment ends, the ticket leaves the scores.
    t2 = w.file()
    handling.sign(w.clerk, t2.id)
    handling.withdraw(w.biz, t2.id, "问题已自行解决")
    assert t2.state == "withdrawn" and core.active_assignments(t2) == [] and t2.closed_at is not None
    assert t2.events[-1].details["after_signing"] is True
    assert len(received(w.clerk, "withdrawn", ticket_id=t2.id)) == 1
    from app.domain.workflow import UNSCORED_STATES

    assert "withdrawn" in UNSCORED_STATES
    # Once replied it is the rating's turn, not a withdrawal.
    t3 = w.replied(monkeypatch)
    with pytest.raises(WorkflowError) as e:
        handling.withdraw(w.biz, t3.id)
    assert e.value.code == "invalid_state"


def test_suspension_cap_needs_the_supervision_office(w, monkeypatch, db):
    from app.models import SuspensionRequest

    route_to(monkeypatch)
    t = w.file()
    handling.sign(w.clerk, t.id)
    for q in ("请补充营业执照", "请补充租赁合同"):
        handling.suspend(w.clerk, t.id, q)
        handling.resume(w.biz, t.id, "已上传")
    with pytest.raises(WorkflowError) as e:  # the 3rd time: not without approval
        handling.suspend(w.clerk, t.id, "请补充消防验收意见")
    assert e.value.code == "suspension_needs_approval" and t.state == "in_progress"
    assert db.session.query(Suspension).filter_by(ticket_id=t.id).count() == 2
    req = handling.request_suspension(w.clerk, t.id, "请补充消防验收意见", "消防意见须由企业另行申请")
    assert req.state == "pending" and t.state == "in_progress"
    with pytest.raises(WorkflowError):  # one pending request at a time
        handling.request_suspension(w.clerk, t.id, "请补充消防验收意见", "消防意见须由企业另行申请")
    assert len(received(w.supervisor, "suspension_requested")) == 1
    with pytest.raises(ServiceError):
        handling.decide_suspension(w.supervisor, req.id, approve=True, note=" ")
    handling.decide_suspension(w.supervisor, req.id, approve=True, note="同意挂起")
    assert t.state == "suspended" and req.state == "approved"
    assert db.session.query(Suspension).filter_by(ticket_id=t.id, ended_at=None).count() == 1
    with pytest.raises(ServiceError):
        handling.decide_suspension(w.supervisor, req.id, approve=False, note="重复审批")
    handling.resume(w.biz, t.id, "已上传消防意见")
    req2 = handling.request_suspension(w.clerk, t.id, "请补充环评批复", "环评批复由企业办理")
    handling.decide_suspension(w.supervisor, req2.id, approve=False, note="材料可由部门间共享获取")
    assert t.state == "in_progress" and req2.state == "refused"
    assert db.session.query(SuspensionRequest).count() == 2


def test_suspension_cap_counts_working_days(w, monkeypatch):
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=False) as tm:  # a Monday
        route_to(monkeypatch)
        t = w.file()
        handling.sign(w.clerk, t.id)
        handling.suspend(w.clerk, t.id, "请补充营业执照")
        tm.move_to("2026-11-09 09:00:00+08:00")  # 5 working days suspended
        handling.resume(w.biz, t.id, "已上传")
        with pytest.raises(WorkflowError) as e:
            handling.suspend(w.clerk, t.id, "请补充租赁合同")
    assert e.value.code == "suspension_needs_approval"


def test_note_is_internal(w, monkeypatch):
    route_to(monkeypatch)
    t = w.file()
    with pytest.raises(ServiceError):
        handling.note(w.clerk, t.id, " ")
    with pytest.raises(WorkflowError):
        handling.note(w.biz, t.id, "企业不能写内部备注")
    ev = handling.note(w.clerk, t.id, "该企业上月已投诉过类似问题")
    assert ev.internal
    assert ev.id not in [e.id for e in core.visible_events(w.biz, t)]
    assert ev.id in [e.id for e in core.visible_events(w.admin, t)]


def test_assign(w, monkeypatch, db):
    route_to(monkeypatch)
    t = w.file()
    with pytest.raises(WorkflowError) as e:
        handling.assign(w.clerk, t.id, w.clerk_b.id)  # a clerk may only take it
    assert e.value.code == "assign_forbidden"
    with pytest.raises(ServiceError):
        handling.assign(w.admin, t.id, w.other.id)  # not of this agency
    handling.assign(w.clerk_b, t.id, w.clerk_b.id)
    assert core.lead_assignment(t).clerk_id == w.clerk_b.id
    handling.assign(w.admin, t.id, w.clerk.id)
    assert core.lead_assignment(t).clerk_id == w.clerk.id
    assert len(received(w.clerk, kind="assigned")) == 1
    assert db.session.query(TicketEvent).filter_by(ticket_id=t.id, action="assign").count() == 2


def test_refused_action_writes_nothing(w, monkeypatch, db):
    route_to(monkeypatch)
    t = w.file()
    handling.sign(w.clerk, t.id)
    before = db.session.query(TicketEvent).count()
    bad = FileStorage(stream=io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200), filename="答复.pdf")
    with pytest.raises(ServiceError):
        handling.reply(w.clerk, t.id, "经核查,已协调相关部门合并检查事项,今后将统一安排。", files=[bad])
    db.session.expire_all()
    assert db.session.query(TicketEvent).count() == before
    assert t.state == "in_progress" and t.reply is None


def test_phone_visibility(w, monkeypatch):
    route_to(monkeypatch)
    t = w.file()
    assert handling.may_see_phone(w.biz, t) and handling.may_see_phone(w.clerk, t)
    assert not handling.may_see_phone(w.other, t) and not handling.may_see_phone(w.supervisor, t)


def test_suspension_requests_are_internal(w, monkeypatch):
    route_to(monkeypatch)
    t = w.file()
    handling.sign(w.clerk, t.id)
    for q in ("请补充营业执照", "请补充租赁合同"):
        handling.suspend(w.clerk, t.id, q)
        handling.resume(w.biz, t.id, "已上传")
    req = handling.request_suspension(w.clerk, t.id, "请补充消防验收意见", "内部理由:消防意见须另行申请")
    handling.decide_suspension(w.supervisor, req.id, approve=False, note="内部意见:材料可共享获取")
    seen = [e.note or "" for e in core.visible_events(w.biz, t)]
    assert not any("内部" in n for n in seen)


def test_a_ticket_transferred_while_suspended_gets_running_clocks(w, monkeypatch, db):
    """改派 of a suspended ticket: the question was for the old agency; its suspension ends at the
    transfer and the new agency's sign clock runs from its dispatch (it was paused for good)."""
    from app.services import clocks
    from app.services import supervision as sv

    route_to(monkeypatch)
    t = w.file()
    handling.sign(w.clerk, t.id)
    handling.suspend(w.clerk, t.id, "请补充检查通知书")
    sv.transfer(w.supervisor, t.id, w.sw.id, "属于税务部门职责")
    db.session.expire_all()
    s = db.session.query(Suspension).filter_by(ticket_id=t.id).one()
    transfer = db.session.query(TicketEvent).filter_by(ticket_id=t.id, action="transfer").one()
    assert t.state == "dispatched" and s.ended_at == transfer.created_at and s.answer is None
    status = clocks.status(core.lead_assignment(t))
    assert status["clock"] == "sign" and status["paused"] is False
    assert handling.open_suspension(t) is None


def test_withdrawing_a_suspended_ticket_ends_its_suspension(w, monkeypatch, db):
    route_to(monkeypatch)
    t = w.file()
    handling.sign(w.clerk, t.id)
    handling.suspend(w.clerk, t.id, "请补充检查通知书")
    handling.withdraw(w.biz, t.id, "问题已自行解决")
    db.session.expire_all()
    assert t.state == "withdrawn"
    assert db.session.query(Suspension).filter_by(ticket_id=t.id).one().ended_at is not None
