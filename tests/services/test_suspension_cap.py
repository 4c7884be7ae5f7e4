"""A suspension the agency starts on its own ends by itself when the ticket's suspended working time
reaches the cap (5 working days; the working day is 09:00–12:00 and 13:30–17:30, 7 hours), at that
instant, so waiting longer for an answer stops no clock. One the supervision office approved beyond
the cap lasts until answered. The dates below are counted by hand on the calendar (no holiday in
November 2026)."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from app.models import Suspension
from app.services import handling
from app.services import tickets as core
from tests.conftest import received

SH = ZoneInfo("Asia/Shanghai")


def test_an_unanswered_suspension_resumes_by_itself_at_the_cap(w, db):
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=False) as tm:  # a Monday
        t = w.file()
        handling.sign(w.clerk, t.id)
        due_before = core.lead_assignment(t).resolve_due_at
        s = handling.suspend(w.clerk, t.id, "请补充营业执照")
        friday_close = datetime(2026, 11, 6, 17, 30, tzinfo=SH)  # 5 × 7 working hours later
        assert s.ends_by == friday_close
        tm.move_to("2026-11-06 17:29:00+08:00")
        assert handling.end_capped_suspensions() == {"ended": 0, "failed": 0}
        tm.move_to("2026-11-09 08:30:00+08:00")  # the scheduler's first run after it, Monday morning
        assert handling.end_capped_suspensions() == {"ended": 1, "failed": 0}
        assert handling.end_capped_suspensions() == {"ended": 0, "failed": 0}  # once
    db.session.expire_all()
    assert t.state == "in_progress"
    assert db.session.get(Suspension, s.id).ended_at == friday_close  # at the cap, not when the job ran
    resumed = [e for e in t.events if e.action == "resume"]
    assert len(resumed) == 1 and resumed[0].actor_role == "system" and resumed[0].created_at == friday_close
    # The clocks stood still exactly the 5 working days: no holiday between, so one calendar week.
    assert core.lead_assignment(t).resolve_due_at == due_before + timedelta(days=7)
    told = received(w.biz, "resumed")
    assert len(told) == 1 and "挂起已满5个工作日，已自动恢复办理" in told[0].message
    assert any("已自动恢复办理" in n.message for n in received(w.clerk, "resumed"))


def test_the_timeline_says_why_it_resumed(client, w, db):
    from flask_babel import refresh

    from tests.conftest import login

    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=False) as tm:
        t = w.file()
        handling.sign(w.clerk, t.id)
        handling.suspend(w.clerk, t.id, "请补充营业执照")
        tm.move_to("2026-11-09 08:30:00+08:00")
        handling.end_capped_suspensions()
        login(client, "biz1")
        refresh()
        assert "挂起已满5个工作日，自动恢复办理" in client.get(f"/portal/tickets/{t.id}").get_data(as_text=True)
        refresh()
        en = client.get(f"/portal/tickets/{t.id}?lang=en").get_data(as_text=True)
        assert "Suspended for 5 working days: resumed by itself" in en


def test_a_second_suspension_gets_what_is_left_of_the_cap(w, db):
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=False) as tm:
        t = w.file()
        handling.sign(w.clerk, t.id)
        handling.suspend(w.clerk, t.id, "请补充营业执照")
        tm.move_to("2026-11-04 09:00:00+08:00")  # answered after 2 working days
        handling.resume(w.biz, t.id, "已上传")
        tm.move_to("2026-11-04 10:00:00+08:00")
        s = handling.suspend(w.clerk, t.id, "请补充租赁合同")
    # 3 working days (21 h) from Wednesday 10:00: 6 h Wednesday, 7 Thursday, 7 Friday, 1 on Monday
    assert s.ends_by == datetime(2026, 11, 9, 10, 0, tzinfo=SH)


def test_an_answered_or_approved_suspension_is_not_cut(w, db):
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=False) as tm:
        t = w.file()
        handling.sign(w.clerk, t.id)
        for q in ("请补充营业执照", "请补充租赁合同"):
            handling.suspend(w.clerk, t.id, q)
            handling.resume(w.biz, t.id, "已上传")
        req = handling.request_suspension(w.clerk, t.id, "请补充消防验收意见", "消防意见须由企业另行申请")
        handling.decide_suspension(w.supervisor, req.id, approve=True, note="同意挂起")
        approved = db.session.query(Suspension).filter_by(ticket_id=t.id, ended_at=None).one()
        assert approved.ends_by is None
        tm.move_to("2026-12-31 12:00:00+08:00")
        assert handling.end_capped_suspensions() == {"ended": 0, "failed": 0}
    assert t.state == "suspended"


def test_one_ticket_that_cannot_resume_does_not_hold_back_the_others(w, db, monkeypatch, caplog):
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=False) as tm:
        bad, good = w.file(), w.file()
        for t in (bad, good):
            handling.sign(w.clerk, t.id)
            handling.suspend(w.clerk, t.id, "请补充营业执照")
        resume = handling.clocks.resume

        def broken(ticket, at):
            if ticket.id == bad.id:
                raise RuntimeError("a broken row")
            return resume(ticket, at)

        monkeypatch.setattr(handling.clocks, "resume", broken)
        tm.move_to("2026-11-09 08:30:00+08:00")
        assert handling.end_capped_suspensions() == {"ended": 1, "failed": 1}
        assert "could not end it at the cap" in caplog.text
        db.session.expire_all()
        assert (good.state, bad.state) == ("in_progress", "suspended")
        # Nothing of the failed resume stayed: no event, the suspension still open.
        assert not [e for e in bad.events if e.action == "resume"]
        assert db.session.query(Suspension).filter_by(ticket_id=bad.id, ended_at=None).count() == 1
        monkeypatch.setattr(handling.clocks, "resume", resume)
        assert handling.end_capped_suspensions() == {"ended": 1, "failed": 0}  # the next run takes it
    db.session.expire_all()
    assert bad.state == "in_progress"
