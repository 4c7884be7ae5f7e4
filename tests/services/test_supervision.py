"""Supervision services: 督办单, decisions on tickets in to_supervision, transfers, extension and
exclusion decisions — each appends an event and notifies; refusals change nothing."""
import pytest

from app.domain.workflow import WorkflowError
from app.models import (
    Assignment,
    ExtensionRequest,
    RoutingExample,
    SupervisionNotice,
    TicketEvent,
)
from app.services import NotFound, ServiceError
from app.services import supervision as sv
from tests.conftest import received
from tests.web.test_supervision import build_month


@pytest.fixture
def month(db, make_city, make_user):
    return build_month(db, make_city, make_user)


@pytest.fixture
def people(month, make_user):
    a, b = month["agencies"]["市市场监管局"], month["agencies"]["市税务局"]
    return {"sup": make_user("supervisor", username="duban"), "clerk_a": make_user("clerk", agency=a),
            "clerk_b": make_user("clerk", agency=b)}


def test_board_groups_overdue_and_escalated(month, people):
    items = sv.board(people["sup"])
    assert [i.ticket.id for i in items] == [month["t"][3].id]
    item = items[0]
    assert item.level == "flag" and item.overdue and item.overdue_days > 20
    groups = sv.group_board(items)
    assert groups[0][0].name == "市市场监管局" and groups[0][1][0][0] == "flag"
    assert sv.board(people["sup"], level="remind") == []
    assert sv.board(people["sup"], agency_id=month["agencies"]["市税务局"].id) == []


def test_issue_notice_event_and_notification(db, month, people):
    t3 = month["t"][3]
    notice = sv.issue_notice(people["sup"], t3.id, "请三日内办结", 3)
    assert notice.agency_id == month["agencies"]["市市场监管局"].id and notice.due_at > notice.created_at
    assert db.session.query(TicketEvent).filter_by(ticket_id=t3.id, action="issue_notice").count() == 1
    assert len(received(people["clerk_a"], kind="supervision_notice")) == 1
    with pytest.raises((ServiceError, WorkflowError)):  # a closed ticket gets no notice
        sv.issue_notice(people["sup"], month["t"][1].id, "请办理", 3)
    with pytest.raises(ServiceError):
        sv.issue_notice(people["sup"], t3.id, "请办理", 0)
    with pytest.raises(ServiceError):
        sv.issue_notice(people["clerk_a"], t3.id, "请办理", 3)
    assert db.session.query(SupervisionNotice).count() == 2  # the fixture's + this one


def test_other_city_is_not_found(db, month, make_user, make_city):
    make_city(code="xiamen", name="厦门市", prefix="XM", agencies=())
    stranger = make_user("supervisor", jurisdiction="xiamen")
    with pytest.raises(NotFound):
        sv.issue_notice(stranger, month["t"][3].id, "请办理", 3)


def test_decide_ticket_in_to_supervision(db, month, people):
    t2 = month["t"][2]
    t2.state = "to_supervision"
    db.session.commit()
    b = month["agencies"]["市税务局"]
    with pytest.raises(ServiceError):
        sv.decide_ticket(people["sup"], t2.id, b.id, "")
    sv.decide_ticket(people["sup"], t2.id, b.id, "经核查应由税务部门办理")
    db.session.expire_all()
    assert t2.state == "dispatched" and t2.lead_agency_id == b.id
    lead = [x for x in t2.assignments if x.active and x.role == "lead"]
    assert len(lead) == 1 and lead[0].agency_id == b.id and lead[0].resolve_due_at is not None
    assert db.session.query(TicketEvent).filter_by(ticket_id=t2.id, action="decide").count() == 1
    assert len(received(people["clerk_b"], kind="dispatched")) == 1


def test_transfer_moves_the_ticket_and_teaches_the_router(db, month, people):
    t3 = month["t"][3]
    b = month["agencies"]["市税务局"]
    sv.transfer(people["sup"], t3.id, b.id, "属于税务部门职责")
    db.session.expire_all()
    assert t3.lead_agency_id == b.id and t3.state == "dispatched"
    old = db.session.query(Assignment).filter_by(ticket_id=t3.id, agency_id=month["agencies"]["市市场监管局"].id).one()
    assert old.active is False
    assert db.session.query(RoutingExample).filter_by(ticket_id=t3.id, agency_id=b.id).count() == 1
    assert len(received(people["clerk_a"], kind="transferred")) == 1


def test_extension_request_and_refusal(db, month, people):
    t3 = month["t"][3]
    with pytest.raises(WorkflowError):
        sv.request_extension(people["clerk_a"], t3.id, 11, "需要更多时间")
    with pytest.raises(ServiceError):
        sv.request_extension(people["clerk_b"], t3.id, 3, "不是承办单位")  # not the lead agency
    req = sv.request_extension(people["clerk_a"], t3.id, 4, "需要联合核查")
    with pytest.raises(ServiceError):
        sv.request_extension(people["clerk_a"], t3.id, 4, "再申请一次")
    due = t3.assignments[0].resolve_due_at
    sv.decide_extension(people["sup"], req.id, grant=False, days=None, note="理由不充分")
    db.session.expire_all()
    assert db.session.get(ExtensionRequest, req.id).state == "refused"
    assert db.session.get(Assignment, t3.assignments[0].id).resolve_due_at == due
    with pytest.raises(ServiceError):
        sv.decide_extension(people["sup"], req.id, grant=True, days=3, note="改为同意")
    assert len(received(people["clerk_a"], kind="extension_decided")) == 1
    assert db.session.query(TicketEvent).filter_by(ticket_id=t3.id, action="decide_extension").count() == 1


def test_exclusion_refused_keeps_scores(db, month, people):
    t3 = month["t"][3]
    with pytest.raises(ServiceError):
        sv.request_exclusion(people["clerk_a"], t3.id, "nonsense", "经核实企业反映的情况与事实不符")
    req = sv.request_exclusion(people["clerk_a"], t3.id, "untrue", "经核实企业反映的情况与事实不符")
    sv.decide_exclusion(people["sup"], req.id, grant=False, note="证据不足")
    db.session.expire_all()
    assert t3.excluded is False
    assert db.session.query(TicketEvent).filter_by(ticket_id=t3.id, action="decide_exclusion").count() == 1


def test_extension_cannot_be_granted_beyond_the_request(db, month, people):
    """Issue 10 §3: an extension was grantable beyond what was requested; now refused."""
    t3 = month["t"][3]
    req = sv.request_extension(people["clerk_a"], t3.id, 3, "需要联合核查")
    lead = db.session.get(Assignment, req.assignment_id)
    before = lead.resolve_due_at
    with pytest.raises(WorkflowError) as e:
        sv.decide_extension(people["sup"], req.id, grant=True, days=5, note="多给两天")
    assert e.value.code == "extension_beyond_request"
    db.session.expire_all()
    assert req.state == "pending" and lead.extension_days == 0 and lead.resolve_due_at == before
    sv.decide_extension(people["sup"], req.id, grant=True, days=2, note="同意延期两天")
    assert req.granted_days == 2 and lead.extension_days == 2


def test_a_suspended_ticket_is_not_overdue_on_the_board(make_city, make_user, monkeypatch, db):
    """挂起 stops the clocks: past its old deadline a suspended ticket is not late — not on the
    board (where its overdue days grew while it waited for the business), not in the queue's
    overdue filter, not in /metrics' overdue count."""
    from datetime import timedelta

    from app.models import utcnow
    from app.services import handling, metrics, queues
    from tests.worlds import World, route_to

    def late_everywhere(now):
        board = [i.ticket.id for i in sv.board(w.supervisor, now=now)]
        queue = [tk.id for _a, tk, _s in queues.agency_queue(w.clerk, light="overdue", now=now).items]
        return board, queue, metrics.snapshot(now=now)["overdue"]

    w = World(make_city, make_user)
    route_to(monkeypatch)
    t = w.file()
    handling.sign(w.clerk, t.id)
    lead = next(a for a in t.assignments if a.active)
    later = utcnow() + timedelta(days=60)  # long past the resolve deadline
    assert late_everywhere(later) == ([t.id], [t.id], 1)  # in progress: late
    handling.suspend(w.clerk, t.id, "请补充检查通知书")
    assert lead.resolve_due_at < later
    assert late_everywhere(later) == ([], [], 0)
    lead.escalation_level = "supervise"  # escalated before it was suspended: on the board, not late
    db.session.commit()
    [item] = sv.board(w.supervisor, now=later)
    assert item.ticket.id == t.id and item.overdue is False and item.overdue_days == 0
