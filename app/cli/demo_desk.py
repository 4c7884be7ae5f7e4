"""The living desk of `flask demo seed`: tickets at each step of the ladder (催办, 督办, 挂牌督办),
overdue and warning lights, a suspension, an extension, a reopen, an exclusion, a co-handled
ticket, a manual 督办单 and a frozen past month with scores — so every page shows what it is for.

Everything goes through the services. Where a ticket must look older than it is, its
assignment's clocks are restarted in the past with `clocks.start(assignment, at=…)` and the
escalation sweep runs with an explicit `now`; nothing writes history rows by hand."""
from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Ticket, User, utcnow
from app.services import clocks, commit, dispatching, evaluation, handling, supervision
from app.services import sla as sla_service
from app.services import tickets as core

CITY = "liaoyuan"
SCJ, SW = "市市场监管局", "市税务局"
REPLY = "经我局核查，已责成执法大队依法处理，并将处理结果书面告知贵公司。如有疑问请致电12345。"


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _agency(name: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.jurisdiction == CITY, Agency.name == name))


def _working_days_ago(n: int, now: datetime) -> datetime:
    """An instant `n` working days before `now` on the city's calendar (holidays skipped)."""
    cal = clocks.calendar_for(CITY)
    at = now
    while cal.working_days_between(at, now) < n:
        at -= timedelta(days=1)
    return at


def _start_clocks_at(ticket: Ticket, at: datetime) -> None:
    """Restart the active assignments' clocks at `at` (the demo's time travel)."""
    for a in core.active_assignments(ticket):
        clocks.start(a, at)
    commit()


def _file(biz: User, title: str, description: str, kind: str = "complaint", topic: str = "inspection",
          lead: str = SCJ, co: tuple[str, ...] = ()) -> Ticket:
    """File as the business and put the ticket with `lead` (and `co`) through dispatch or supervision."""
    t = core.file_ticket(biz, kind=kind, topic=topic, title=title, description=description, district="龙山区")
    lead_agency, co_agencies = _agency(lead), [_agency(n) for n in co]
    if t.state == "to_dispatch":
        dispatching.dispatch(t, lead_agency.id, [a.id for a in co_agencies], _user("dispatcher_ly"),
                             note="派单中心人工派单（演示数据）")
    elif t.lead_agency_id != lead_agency.id or co_agencies:
        dispatching.transfer(t, lead_agency, co_agencies, _user("supervisor_ly"), note="督查室改派（演示数据）")
    return t


def _sign_and_contact(t: Ticket, clerk: User) -> None:
    handling.sign(clerk, t.id)
    handling.record_contact(clerk, t.id, contacted_on=handling.contact_date_default(), way="phone",
                            summary="已电话联系企业，了解具体情况。")


# (title, description, kind, topic, what happens)
SCENES = [
    ("同一批货物被重复抽检", "我公司同一批次冷链食品半个月内被不同部门抽检三次，每次都要停产配合，请求统筹安排检查。",
     "complaint", "inspection", "warning"),
    ("执法检查未出示证件", "上周有执法人员到店检查时未出示执法证件，也未留下检查记录，请核实是否为贵局人员。",
     "complaint", "inspection", "supervise"),
    ("罚款决定迟迟未送达", "我公司三个月前接受检查，至今未收到处罚决定书，也无法办理信用修复，影响投标。",
     "complaint", "inspection", "flag"),
    ("新开门店许可证待签收", "我公司新门店已提交食品经营许可申请，想确认材料是否齐全、何时可以现场核查。",
     "consultation", "start_close", "sign_overdue"),
    ("计量器具检定排队太久", "我公司电子秤送检已排队一个多月，影响正常营业，请协调加快检定。",
     "help", "inspection", "extension"),
    ("商户反映市场管理费过高", "市场管理方每年上调管理费，且没有公示收费依据，请求核查是否合规。",
     "complaint", "fees", "exclusion"),
    ("包装标识整改意见不明确", "检查后要求我公司整改包装标识，但没有说明具体哪些标注不合规。",
     "consultation", "inspection", "reopen"),
    ("出口食品备案与退税", "我公司出口食品备案后申请出口退税，两个部门要求的材料不一致，请协同答复。",
     "consultation", "tax", "co_handled"),
    ("投诉举报处理进度", "我公司举报的仿冒产品已过去一个月，想了解查处进度。",
     "report", "ip", "notice"),
]
PAST_MONTH = [
    ("上月：营业执照增项咨询", "consultation", "start_close", "satisfied"),
    ("上月：门头招牌审批", "help", "approval", "dissatisfied"),
    ("上月：食品抽检复检申请", "complaint", "inspection", "very_satisfied"),
    ("上月：年报信息更正", "consultation", "start_close", "basically_satisfied"),
]


def _scene(what: str, t: Ticket, clerk: User, biz: User, now: datetime) -> None:
    sup = _user("supervisor_ly")
    if what == "sign_overdue":  # red light on the sign clock: dispatched yesterday, still unsigned
        _start_clocks_at(t, _working_days_ago(1, now))
        return
    _sign_and_contact(t, clerk)
    if what in ("warning", "supervise", "flag"):
        # complaint: 15 working days; 12 → past the 75% warning (催办), 16 → overdue (督办),
        # 19 → overdue by 3 working days (挂牌督办).
        _start_clocks_at(t, _working_days_ago({"warning": 12, "supervise": 16, "flag": 19}[what], now))
    elif what == "extension":
        req = supervision.request_extension(clerk, t.id, 5, "需等待省计量院的检定排期，预计还需一周。")
        supervision.decide_extension(sup, req.id, grant=True, days=5, note="同意延期5个工作日")
    elif what == "exclusion":
        req = supervision.request_exclusion(clerk, t.id, "beyond_remit",
                                            "市场管理费属于民事合同约定，不属于本局行政职权范围。")
        supervision.decide_exclusion(sup, req.id, grant=True, note="经核实属实，同意核减")
    elif what == "reopen":
        handling.reply(clerk, t.id, REPLY)
        handling.rate(biz, t.id, resolved=False, satisfaction="dissatisfied", comment="仍不清楚要改哪些地方")
        handling.reopen(biz, t.id, "答复没有列出具体不合规的标注，请逐项说明。")
    elif what == "co_handled":
        sw = _user("clerk_sw")
        dispatching.sign_co(t, sw)
        dispatching.submit_opinion(t, sw, "经查，该企业出口退税备案材料齐全，可按出口退税流程申报。")
    elif what == "notice":
        supervision.issue_notice(sup, t.id, "请加快查处进度，并在期限内书面答复企业。", 3)


def _past_month(biz: User, clerk: User, now: datetime) -> int:
    """Four tickets handled last month, rated, and the month frozen with its scorecards."""
    month = evaluation.previous_months(evaluation.current_month(), 2)[0]
    if evaluation.is_frozen(CITY, month):
        return 0
    start, _end = evaluation.month_range(month)
    made = 0
    for i, (title, kind, topic, satisfaction) in enumerate(PAST_MONTH):
        if db.session.scalar(select(Ticket.id).where(Ticket.enterprise_id == biz.enterprise_id, Ticket.title == title)):
            continue
        t = _file(biz, title, title.removeprefix("上月：") + "，请相关部门给予答复和指导。", kind=kind, topic=topic)
        made += 1
        _start_clocks_at(t, start + timedelta(days=20 + i))
        _sign_and_contact(t, clerk)
        handling.reply(clerk, t.id, REPLY)
        handling.rate(biz, t.id, resolved=satisfaction != "dissatisfied", satisfaction=satisfaction,
                      comment="演示评价")
    evaluation.freeze(CITY, month, _user("supervisor_ly"))
    return made


def seed_desk() -> int:
    """Create the scenes that are missing; run the sweep so the ladder shows. Returns how many tickets made."""
    biz, clerk = _user("biz2"), _user("clerk_scj")
    now = utcnow()
    made = 0
    for title, description, kind, topic, what in SCENES:
        if db.session.scalar(select(Ticket.id).where(Ticket.enterprise_id == biz.enterprise_id, Ticket.title == title)):
            continue
        t = _file(biz, title, description, kind=kind, topic=topic, co=(SW,) if what == "co_handled" else ())
        _scene(what, t, clerk, biz, now)
        made += 1
    made += _past_month(_user("biz1"), clerk, now)
    sla_service.sweep(now=utcnow())
    return made
