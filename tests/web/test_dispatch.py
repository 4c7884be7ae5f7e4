"""The dispatch centre and shared handling through the browser: real logins, real CSRF tokens."""
import pytest
from sqlalchemy import select

from app.domain.routing.models import Candidate, Decision
from app.models import RoutingExample, TicketReturn
from app.services import tickets as core
from tests.conftest import csrf_token, login, received

AGENCIES = ("市市场监管局", "市税务局", "市人力资源和社会保障局")


def route_to(monkeypatch, agency="市市场监管局", co=(), confidence=0.9):
    low = confidence < 0.35

    def decide(jurisdiction, title, text, topic=None):
        return Decision(jurisdiction=jurisdiction, agency=agency, co_agencies=tuple(co), measure=None,
                        confidence=confidence, to_dispatch=low,
                        candidates=(Candidate(agency, 1.7, None, ("职责词:执照变更",)),),
                        explanation="匹配职责词:执照变更;置信度0.20低于0.35,转派单中心人工派单")

    monkeypatch.setattr("app.services.routing.decide", decide)


@pytest.fixture
def w(db, make_city, make_user):
    class W:
        pass

    x = W()
    x.db = db
    _, ag = make_city(agencies=AGENCIES)
    x.scj, x.sw, x.rs = (ag[n] for n in AGENCIES)
    _, other = make_city(code="xiamen", name="厦门市", prefix="XM", agencies=("厦门市税务局",))
    x.foreign = other["厦门市税务局"]
    x.biz = make_user("enterprise", username="biz")
    x.clerk = make_user("clerk", username="clerk_scj", agency=x.scj)
    x.clerk_sw = make_user("clerk", username="clerk_sw", agency=x.sw)
    x.dispatcher = make_user("dispatcher", username="disp")
    x.xm_dispatcher = make_user("dispatcher", username="disp_xm", jurisdiction="xiamen")

    def file(title="营业执照变更迟迟办不下来"):
        return core.file_ticket(x.biz, kind="complaint", topic="start_close", title=title,
                                description="公司地址变更提交材料十天了还没有结果,影响签约。")

    x.file = file
    return x


def post(client, url, data, token_url):
    data = dict(data, csrf_token=csrf_token(client, token_url))
    return client.post(url, data=data, follow_redirects=True)


def test_low_confidence_ticket_appears_in_the_queue(w, client, monkeypatch):
    route_to(monkeypatch, confidence=0.2)
    t = w.file()
    assert t.state == "to_dispatch"
    login(client, "disp")
    page = client.get("/dispatch/").get_data(as_text=True)
    assert t.number in page and "路由置信度低" in page and "市市场监管局" in page
    detail = client.get(f"/dispatch/tickets/{t.id}").get_data(as_text=True)
    assert "职责词:执照变更" in detail and "转派单中心人工派单" in detail
    # Keyboard: labelled lead select with autofocus.
    assert '<label for="lead">' in detail and 'autofocus' in detail
    # The agency list is filtered on the server by name.
    filtered = client.get(f"/dispatch/tickets/{t.id}?q=税务").get_data(as_text=True)
    assert "市税务局</option>" in filtered and "市人力资源和社会保障局</option>" not in filtered


def test_dispatch_with_co_agencies_through_the_page(w, client, monkeypatch):
    route_to(monkeypatch, confidence=0.2)
    t = w.file()
    login(client, "disp")
    url = f"/dispatch/tickets/{t.id}"
    page = post(client, f"{url}/dispatch", {"lead": w.sw.id, "co": [w.rs.id, w.scj.id], "version": t.version,
                                            "note": "涉及税务登记"}, url).get_data(as_text=True)
    assert "已派单" in page
    w.db.session.expire_all()
    assert t.state == "dispatched" and t.lead_agency_id == w.sw.id
    assert sorted(a.agency_id for a in core.active_assignments(t, "co")) == sorted([w.rs.id, w.scj.id])
    ex = w.db.session.scalars(select(RoutingExample)).one()
    assert ex.agency_id == w.sw.id and ex.created_by_id == w.dispatcher.id


def test_dispatch_to_another_city_is_refused_in_chinese(w, client, monkeypatch):
    route_to(monkeypatch, confidence=0.2)
    t = w.file()
    login(client, "disp")
    url = f"/dispatch/tickets/{t.id}"
    page = post(client, f"{url}/dispatch", {"lead": w.foreign.id}, url).get_data(as_text=True)
    assert "不属于本辖区" in page
    w.db.session.expire_all()
    assert t.state == "to_dispatch" and t.assignments == []


def test_stale_page_gets_a_conflict(w, client, monkeypatch):
    route_to(monkeypatch, confidence=0.2)
    t = w.file()
    login(client, "disp")
    url = f"/dispatch/tickets/{t.id}"
    page = post(client, f"{url}/dispatch", {"lead": w.sw.id, "version": t.version - 1}, url).get_data(as_text=True)
    assert "刚被其他人处理过" in page
    w.db.session.expire_all()
    assert t.state == "to_dispatch"


def test_reject_with_reason(w, client, monkeypatch):
    route_to(monkeypatch, confidence=0.2)
    t = w.file()
    login(client, "disp")
    url = f"/dispatch/tickets/{t.id}"
    post(client, f"{url}/reject", {"reason": "属于诉讼程序,请通过法院渠道"}, url)
    w.db.session.expire_all()
    assert t.state == "rejected" and t.events[-1].note == "属于诉讼程序,请通过法院渠道"


def test_wrong_role_and_other_city(w, client, monkeypatch):
    route_to(monkeypatch, confidence=0.2)
    t = w.file()
    login(client, "clerk_scj")
    assert client.get("/dispatch/").status_code == 403
    token = csrf_token(client, "/desk/")
    assert client.post(f"/dispatch/tickets/{t.id}/dispatch",
                       data={"lead": w.scj.id, "csrf_token": token}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    login(client, "biz")
    assert client.get(f"/dispatch/tickets/{t.id}").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/portal/")})
    login(client, "disp_xm")
    assert client.get(f"/dispatch/tickets/{t.id}").status_code == 404
    assert t.number not in client.get("/dispatch/").get_data(as_text=True)
    w.db.session.expire_all()
    assert t.state == "to_dispatch"


def test_missing_csrf_is_400_and_changes_nothing(w, client, monkeypatch):
    route_to(monkeypatch, confidence=0.2)
    t = w.file()
    login(client, "disp")
    resp = client.post(f"/dispatch/tickets/{t.id}/dispatch", data={"lead": w.sw.id})
    assert resp.status_code == 400
    w.db.session.expire_all()
    assert t.state == "to_dispatch"
    route_to(monkeypatch)
    t2 = w.file()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/dispatch/")})
    login(client, "clerk_scj")
    resp = client.post(f"/desk/return/{t2.id}", data={"category": "not_our_duty", "reason": "该事项属于税务部门职责范围"})
    assert resp.status_code == 400
    w.db.session.expire_all()
    assert t2.state == "dispatched" and t2.return_count == 0


def test_return_and_arbitration_through_pages(w, client, monkeypatch):
    route_to(monkeypatch)
    t = w.file()
    login(client, "clerk_scj")
    panel = client.get(f"/desk/tickets/{t.id}").get_data(as_text=True)
    assert "退回原因" in panel and 'name="reason"' in panel
    page = post(client, f"/desk/return/{t.id}", {"category": "not_our_duty", "reason": "太短"},
                f"/desk/tickets/{t.id}").get_data(as_text=True)
    assert "不能少于10个字" in page
    w.db.session.expire_all()
    assert t.state == "dispatched"
    post(client, f"/desk/return/{t.id}", {"category": "not_our_duty", "reason": "该事项属于税务部门职责,本局无权办理。",
                                          "suggested": w.sw.id}, f"/desk/tickets/{t.id}")
    w.db.session.expire_all()
    assert t.state == "to_dispatch" and t.dispatch_reason == "returned"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/desk/")})

    login(client, "disp")
    detail = client.get(f"/dispatch/tickets/{t.id}").get_data(as_text=True)
    assert "该事项属于税务部门职责" in detail and "驳回退单" in detail
    post(client, f"/dispatch/tickets/{t.id}/reject-return", {"note": "执照变更属市场监管职责"},
         f"/dispatch/tickets/{t.id}")
    w.db.session.expire_all()
    ret = w.db.session.scalars(select(TicketReturn)).one()
    assert ret.decision == "unjustified" and t.lead_agency_id == w.scj.id and t.state == "dispatched"


def test_co_agency_signs_and_gives_opinion_lead_sees_it(w, client, monkeypatch):
    route_to(monkeypatch, co=("市税务局",))
    t = w.file()
    login(client, "clerk_sw")
    page = client.get(f"/desk/tickets/{t.id}").get_data(as_text=True)
    assert "签收协办" in page and "退回原因" not in page  # a co-agency cannot return as lead
    post(client, f"/desk/co/{t.id}/sign", {}, f"/desk/tickets/{t.id}")
    page = post(client, f"/desk/co/{t.id}/opinion", {"opinion": "本局意见:该企业无欠税记录,可以办理变更。"},
                f"/desk/tickets/{t.id}").get_data(as_text=True)
    assert "协办意见已提交" in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/desk/")})
    login(client, "clerk_scj")
    page = client.get(f"/desk/tickets/{t.id}").get_data(as_text=True)
    assert "本局意见:该企业无欠税记录" in page and "协办单位均已提交意见" in page
    note = received(w.clerk, kind="co_opinion")[0]
    assert t.number in note.message


def test_lead_sees_pending_co_opinions(w, client, monkeypatch):
    route_to(monkeypatch, co=("市税务局",))
    t = w.file()
    login(client, "clerk_scj")
    page = client.get(f"/desk/tickets/{t.id}").get_data(as_text=True)
    assert "还有1个协办单位未提交意见" in page


def test_merge_through_the_page(w, client, monkeypatch):
    route_to(monkeypatch)
    survivor = w.file()
    route_to(monkeypatch, confidence=0.2)
    dup = w.file()
    login(client, "disp")
    url = f"/dispatch/tickets/{dup.id}"
    detail = client.get(url).get_data(as_text=True)
    assert survivor.number in detail  # offered as a similar open ticket of the same business
    page = post(client, f"{url}/merge", {"target": dup.number}, url).get_data(as_text=True)
    assert "不能将工单合并到它自身" in page
    post(client, f"{url}/merge", {"target": survivor.number, "note": "同一事项"}, url)
    w.db.session.expire_all()
    assert dup.state == "merged" and dup.merged_into.number == survivor.number
    assert [e.action for e in dup.events][-1] == "merge" and survivor.events[-1].action == "merged_in"
    assert survivor.number in client.get(url).get_data(as_text=True)
    # The business is told where its appeal went (the inbox shows it; ticket.merged_into links it).
    msg = received(w.biz, kind="merged")[0]
    assert survivor.number in msg.message


def test_similar_partial_lists_the_businesss_open_tickets(w, app, monkeypatch):
    from flask import render_template

    from app.services import dispatching

    route_to(monkeypatch)
    t = w.file()
    similar = dispatching.similar_open_tickets(w.biz.enterprise_id, "营业执照变更办不下来", "地址变更没结果")
    with app.test_request_context("/portal/tickets/new"):
        html = render_template("portal/_similar.html", similar=similar)
        assert t.number in html and f"/portal/tickets/{t.id}" in html
        assert render_template("portal/_similar.html").strip() == ""


def test_ticket_pages_say_when_a_routing_came_from_corrections(w, client, monkeypatch):
    """Issue 12: when the dispatchers' corrections decided a routing, both ticket pages say so."""
    def decide(jurisdiction, title, text, topic=None):
        return Decision(jurisdiction=jurisdiction, agency="市市场监管局", co_agencies=(), measure=None,
                        confidence=0.3, to_dispatch=True,
                        candidates=(Candidate("市市场监管局", 9.0, None, ("依据派单纠错样例 3 条",)),),
                        explanation="依据派单纠错样例 3 条；转派单中心人工派单", learned=3)

    monkeypatch.setattr("app.services.routing.decide", decide)
    t = w.file()
    login(client, "disp")
    page = client.get(f"/dispatch/tickets/{t.id}").get_data(as_text=True)
    assert page.count("依据派单纠错样例 3 条") >= 2  # the explanation and the note under it
    post(client, f"/dispatch/tickets/{t.id}/dispatch", {"lead": w.scj.id, "version": t.version},
         f"/dispatch/tickets/{t.id}")
    w.db.session.expire_all()
    assert t.state == "dispatched" and t.lead_agency_id == w.scj.id
    client.post("/logout", data={"csrf_token": csrf_token(client, "/dispatch/")})
    login(client, "clerk_scj")
    assert "依据派单纠错样例 3 条" in client.get(f"/desk/tickets/{t.id}").get_data(as_text=True)
