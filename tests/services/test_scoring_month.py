"""A month of 辽源市 built through the services with time travel — a co-agency that could never act,
co-agencies on a rated and on an auto-closed ticket, a suspension, a justified return followed by a
reopen, an exclusion after closing, a live report mid-month and a frozen month — scored against figures
worked out by hand from docs/evaluation.md (never from the code under test).

Limits (default policy, consultation): sign 2 working hours, contact 1 working day, resolve 3 working
days. September 2026: 25 September (中秋) off, 20 September (Sunday) worked.
"""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app.extensions import db
from app.models import Agency, Setting, Ticket
from app.services import ServiceError, dispatching, handling
from app.services import evaluation as ev
from app.services import sla as sla_service
from app.services import supervision as sv
from app.services import tickets as core
from tests.worlds import route_to

SH = ZoneInfo("Asia/Shanghai")
JIA, YI, BING = "市市场监管局", "市税务局", "市人社局"
REPLY = "经核查，已协调相关科室办理完毕，请企业放心经营。"
OPINION = "本单位意见：同意主办单位的处理方案。"


def at(day, hour, minute=0):
    return datetime(2026, 9, day, hour, minute, tzinfo=SH)


class Month:
    """Staff of three agencies, a dispatcher, a supervisor and a business; `do` runs at a given instant."""

    def __init__(self, make_city, make_user, monkeypatch):
        _, self.ag = make_city(agencies=(JIA, YI, BING))
        self.mp = monkeypatch
        self.biz = make_user("enterprise", username="biz")
        self.clerk = {n: make_user("clerk", username=f"clerk{i}", agency=self.ag[n])
                      for i, n in enumerate((JIA, YI, BING))}
        self.dispatcher = make_user("dispatcher", username="disp")
        self.supervisor = make_user("supervisor", username="sup")
        self.t = {}

    def file(self, when, lead, co=()):
        route_to(self.mp, agency=lead, co=co)
        with time_machine.travel(when, tick=False):
            return core.file_ticket(self.biz, kind="consultation", topic="other", title="咨询事项",
                                    description="请问企业办理相关手续需要准备哪些材料？谢谢。")

    def do(self, when, fn, *args, **kw):
        with time_machine.travel(when, tick=False):
            return fn(*args, **kw)

    def handle(self, t, agency, day, hour, reply=True, override=None):
        """Sign one minute after `hour`, contact after 5 minutes, reply after 20 (same day)."""
        c = self.clerk[agency]
        self.do(at(day, hour, 1), handling.sign, c, t.id)
        self.do(at(day, hour, 5), handling.record_contact, c, t.id, contacted_on=at(day, hour).date(),
                way="phone", summary="电话联系企业了解情况")
        if reply:
            self.do(at(day, hour, 20), handling.reply, c, t.id, REPLY, override_reason=override)


def build(m: Month):
    # T1 甲 leads, 乙 co: replied and rated within the hour, before 乙's sign deadline (12:00) —
    # 乙 could never act.
    t1 = m.t[1] = m.file(at(1, 10), JIA, co=[YI])
    m.handle(t1, JIA, 1, 10, override="情况简单，无需协办意见")
    m.do(at(1, 10, 40), handling.rate, m.biz, t1.id, resolved=True, satisfaction="very_satisfied")
    # T2 甲 leads, 乙 co: rated on 10 September, after 乙's sign (2 Sep 11:00) and opinion (7 Sep) deadlines.
    t2 = m.t[2] = m.file(at(2, 9), JIA, co=[YI])
    m.handle(t2, JIA, 2, 9, override="企业急需答复")
    m.do(at(10, 9), handling.rate, m.biz, t2.id, resolved=True, satisfaction="satisfied")
    # T3 the same, but the business never rates: auto-closed ten days after the reply.
    t3 = m.t[3] = m.file(at(3, 9), JIA, co=[YI])
    m.handle(t3, JIA, 3, 9, override="企业急需答复")
    m.do(at(14, 10), sla_service.auto_close)
    # T5 丙 signs, contacts, then suspends on 7 September and the business never answers.
    t5 = m.t[5] = m.file(at(7, 10), BING)
    m.handle(t5, BING, 7, 10, reply=False)
    m.do(at(7, 11), handling.suspend, m.clerk[BING], t5.id, "请补充营业执照副本扫描件")
    # T6 甲 returns it unsigned within 30 minutes (justified: re-dispatched to 乙); 乙's reply is rejected
    # and the ticket reopened; 乙 answers again and the business is satisfied.
    route_to(m.mp, to_dispatch=False, agency=JIA)
    t6 = m.t[6] = m.file(at(8, 10), JIA)
    m.do(at(8, 10, 30), dispatching.return_ticket, t6, m.clerk[JIA], "not_our_duty", "该事项属于税务部门职责范围，请改派。")
    m.do(at(8, 11), dispatching.dispatch, t6, m.ag[YI].id, [], m.dispatcher)
    m.handle(t6, YI, 8, 13)
    m.do(at(8, 15), handling.rate, m.biz, t6.id, resolved=False, satisfaction="dissatisfied",
         comment="答复没有解决问题")
    m.do(at(9, 9), handling.reopen, m.biz, t6.id, "问题没有解决")
    m.handle(t6, YI, 9, 10)
    m.do(at(9, 11), handling.rate, m.biz, t6.id, resolved=True, satisfaction="satisfied")
    # T7 甲 answers, the business is very dissatisfied; after closing, 甲 asks for 核减 and it is granted.
    t7 = m.t[7] = m.file(at(14, 9), JIA)
    m.handle(t7, JIA, 14, 9)
    m.do(at(15, 9), handling.rate, m.biz, t7.id, resolved=False, satisfaction="very_dissatisfied",
         comment="答复没有解决问题")
    req = m.do(at(16, 9), sv.request_exclusion, m.clerk[JIA], t7.id, "malicious",
               "企业诉求明显超出法定职责范围，且已多次解释说明。")
    m.do(at(17, 9), sv.decide_exclusion, m.supervisor, req.id, grant=True, note="理由成立，予以核减")
    # T4 乙 signs within two minutes on 29 September; its contact deadline is tomorrow.
    t4 = m.t[4] = m.file(at(29, 10), YI)
    m.do(at(29, 10, 1), handling.sign, m.clerk[YI], t4.id)
    return m


@pytest.fixture
def month(make_city, make_user, monkeypatch, db):
    return build(Month(make_city, make_user, monkeypatch))


LIVE = at(29, 10, 5)  # the live report: 29 September, five minutes after 乙 signed T4


def rows(now=LIVE, month="2026-09"):
    with time_machine.travel(now, tick=False):
        return {r["agency"]: r for r in ev.report("liaoyuan", month)}


def test_the_month_as_built_is_what_the_scenario_says(month):
    t = month.t
    assert db.session.get(Ticket, t[1].id).state == "closed" and db.session.get(Ticket, t[3].id).state == "closed"
    assert db.session.get(Ticket, t[5].id).state == "suspended" and db.session.get(Ticket, t[7].id).excluded
    assert db.session.get(Ticket, t[6].id).reopen_count == 1


def test_live_response_counts_only_deadlines_that_have_passed(month):
    r = rows()
    # 甲: T1 T2 T3 met; T6 returned unsigned 30 minutes in, before its sign deadline: not decided.
    assert r[JIA]["assignments"] == 4 and r[JIA]["response_rate"] == 100.0
    # 乙: T1 co could never act; T2 and T3 co never signed, their sign deadlines passed while open (missed);
    # T4 signed in time, contact due tomorrow: not decided yet; T6 twice met → 2 of 4.
    assert r[YI]["assignments"] == 6 and r[YI]["response_rate"] == 50.0
    # 丙: T5 signed and contacted in time.
    assert r[BING]["response_rate"] == 100.0


def test_a_co_agency_is_charged_alike_whether_the_ticket_was_rated_or_auto_closed(month):
    r = rows()
    # 乙 on time: T2 co and T3 co late (opinion deadline 7/8 Sep passed before closing 10/14 Sep), T6 twice on
    # time; T1 co (closed before its deadline) and T4 (due 2 Oct) are not counted → 2 of 4.
    assert r[YI]["on_time_rate"] == 50.0
    late = {x.id for x in ev.drill("liaoyuan", "2026-09", month.ag[YI].id, "late", now=at(29, 10, 5))}
    assert late == {month.t[2].id, month.t[3].id}


def test_a_suspended_ticket_is_not_open_past_the_limit(month):
    r = rows()
    assert r[BING]["on_time_rate"] is None      # nothing finished, nothing late: its clock is stopped
    assert r[BING]["grade"] == "A"
    late = ev.drill("liaoyuan", "2026-09", month.ag[BING].id, "late", now=at(29, 10, 5))
    assert late == []


def test_a_reopen_is_charged_to_the_agency_whose_reply_was_rejected(month):
    r = rows()
    assert r[JIA]["reopened"] == 0 and r[JIA]["unjustified_returns"] == 0
    assert r[YI]["reopened"] == 1
    assert r[JIA]["score"] == 100.0 and r[JIA]["grade"] == "A"


def test_every_documented_weight_works(month):
    db.session.add(Setting(key="evaluation.weights", jurisdiction="liaoyuan",
                           value={"weights": {"response": 0, "resolution": 0, "satisfaction": 0, "on_time": 1}}))
    db.session.commit()
    r = rows()
    assert r[JIA]["composite"] == 100.0 and r[YI]["composite"] == 50.0
    assert r[BING]["score"] is None             # its only rate is weighted 0, on time is None
    setting = db.session.get(Setting, ("evaluation.weights", "liaoyuan"))
    setting.value = {"weights": {"response": 0, "resolution": 0, "satisfaction": 0, "reopen": 1, "return": 1}}
    db.session.commit()
    r = rows()
    # 乙: 1 − 1/6 reopened and 1 − 0 returned, equally weighted → (5/6 + 1) / 2
    assert r[YI]["composite"] == pytest.approx(100 * (5 / 6 + 1) / 2, abs=0.01)


def test_an_exclusion_after_closing_leaves_every_count(month):
    r = rows()
    # 甲's ratings: T1 very satisfied, T2 satisfied, T3 auto → 3 of 3; T7 (very dissatisfied) is excluded.
    assert r[JIA]["resolution_rate"] == 100.0 and r[JIA]["satisfaction_rate"] == 100.0


def test_a_frozen_month_refuses_exclusions_and_keeps_its_figures(month):
    live = rows(now=at(30, 18))
    with time_machine.travel(datetime(2026, 10, 9, 10, tzinfo=SH), tick=False):
        req = sv.request_exclusion(month.clerk[JIA], month.t[2].id, "malicious", "企业诉求超出法定职责范围，已解释说明。")
        with pytest.raises(ServiceError) as err:   # a request waits for a decision: freezing now is refused
            ev.freeze("liaoyuan", "2026-09", month.supervisor)
        assert err.value.code == "pending_exclusions"
        sv.decide_exclusion(month.supervisor, req.id, grant=False, note="理由不充分，不予核减")
        ev.freeze("liaoyuan", "2026-09", month.supervisor)
        with pytest.raises(ServiceError) as err:
            sv.request_exclusion(month.clerk[JIA], month.t[1].id, "malicious", "企业诉求超出法定职责范围，已解释说明。")
        assert err.value.code == "frozen"
    frozen = rows(now=datetime(2026, 10, 20, 10, tzinfo=SH))
    for name in (JIA, YI, BING):
        assert frozen[name]["frozen"] is True
        for key in ("assignments", "response_rate", "on_time_rate", "resolution_rate", "score", "grade"):
            assert frozen[name][key] == live[name][key], (name, key)
    assert db.session.get(Agency, month.ag[JIA].id) is not None
