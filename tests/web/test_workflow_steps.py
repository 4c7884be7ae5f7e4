"""The new 12345 steps through the browser (real logins and CSRF tokens): termination, callback,
the suspension cap's approval, and the 督办单 banner and board column."""
import pytest
from sqlalchemy import select

from app.models import Rating, SuspensionRequest
from app.services import handling, supervision
from app.services import tickets as core
from tests.conftest import csrf_token, login
from tests.web.test_dispatch import route_to

AGENCIES = ("市市场监管局", "市税务局")


@pytest.fixture
def w(db, make_city, make_user, monkeypatch):
    class W:
        pass

    x = W()
    _, ag = make_city(agencies=AGENCIES)
    x.scj = ag["市市场监管局"]
    x.biz = make_user("enterprise", username="biz")
    x.clerk = make_user("clerk", username="clerk_scj", agency=x.scj)
    x.dispatcher = make_user("dispatcher", username="disp")
    x.supervisor = make_user("supervisor", username="sup")
    route_to(monkeypatch)
    x.t = core.file_ticket(x.biz, kind="complaint", topic="start_close", title="营业执照变更迟迟办不下来",
                           description="公司地址变更提交材料十天了还没有结果,影响签约。")
    handling.sign(x.clerk, x.t.id)
    return x


def post(client, url, data, token_url):
    return client.post(url, data=dict(data, csrf_token=csrf_token(client, token_url)), follow_redirects=True)


def test_dispatcher_terminates_and_the_business_sees_why(w, client):
    login(client, "disp")
    page = f"/dispatch/tickets/{w.t.id}"
    assert "终止办理" in client.get(page).get_data(as_text=True)
    bad = post(client, f"{page}/terminate", {"category": "info_refused", "reason": "太短", "version": w.t.version},
               page).get_data(as_text=True)
    assert "不能少于10个字" in bad and w.t.state == "in_progress"
    post(client, f"{page}/terminate", {"category": "info_refused", "reason": "企业拒绝提供营业执照等办理所需材料",
                                       "version": w.t.version}, page)
    assert core.get_visible(w.biz, w.t.id).state == "terminated"


def test_the_business_sees_the_termination_reason(w, client):
    from app.services import dispatching

    dispatching.terminate(w.t, w.dispatcher, "info_refused", "企业拒绝提供营业执照等办理所需材料")
    login(client, "biz")
    shown = client.get(f"/portal/tickets/{w.t.id}").get_data(as_text=True)
    assert "企业拒绝提供营业执照等办理所需材料" in shown


def test_dispatcher_records_a_callback(w, client, db):
    handling.reply(w.clerk, w.t.id, "经核查,已为企业办理地址变更登记,请留意短信通知。")
    login(client, "disp")
    page = f"/dispatch/tickets/{w.t.id}"
    assert "回访" in client.get(page).get_data(as_text=True)
    post(client, f"{page}/callback", {"channel": "phone", "resolved": "yes", "satisfaction": "satisfied",
                                      "version": w.t.version + 0}, page)
    rating = db.session.scalar(select(Rating).where(Rating.ticket_id == w.t.id))
    assert rating is not None and rating.channel == "phone" and rating.recorded_by_id == w.dispatcher.id
    # The timeline says how the rating came in, to the business too.
    client.post("/logout", data={"csrf_token": csrf_token(client, page)})
    login(client, "biz")
    shown = client.get(f"/portal/tickets/{w.t.id}").get_data(as_text=True)
    assert "已解决 · 满意 · 电话回访" in shown


def test_suspension_beyond_the_cap_is_approved_by_the_supervision_office(w, client, db):
    for q in ("请补充营业执照", "请补充租赁合同"):
        handling.suspend(w.clerk, w.t.id, q)
        handling.resume(w.biz, w.t.id, "已上传")
    login(client, "clerk_scj")
    page = f"/desk/tickets/{w.t.id}"
    post(client, f"{page}/suspension-request", {"question": "请补充消防验收意见", "reason": "消防意见须由企业另行申请"},
         page)
    req = db.session.scalar(select(SuspensionRequest))
    assert req is not None and req.state == "pending"


def test_supervisor_approves_a_suspension_request(w, client, db):
    for q in ("请补充营业执照", "请补充租赁合同"):
        handling.suspend(w.clerk, w.t.id, q)
        handling.resume(w.biz, w.t.id, "已上传")
    req = handling.request_suspension(w.clerk, w.t.id, "请补充消防验收意见", "消防意见须由企业另行申请")
    login(client, "sup")
    listing = client.get("/supervision/requests").get_data(as_text=True)
    assert "请补充消防验收意见" in listing
    post(client, f"/supervision/suspensions/{req.id}", {"decision": "approve", "note": "同意",
                                                        "ticket_id": w.t.id}, "/supervision/requests")
    db.session.expire_all()
    assert req.state == "approved" and core.get_visible(w.biz, w.t.id).state == "suspended"


def test_supervision_order_banner_and_board(w, client):
    supervision.issue_notice(w.supervisor, w.t.id, "请三日内办结并书面报告", 3)
    login(client, "clerk_scj")
    page = client.get(f"/desk/tickets/{w.t.id}").get_data(as_text=True)
    assert "督办单" in page and "请三日内办结并书面报告" in page and "前办结并答复" in page


def test_supervision_board_shows_the_order_deadline(w, client):
    supervision.issue_notice(w.supervisor, w.t.id, "请三日内办结并书面报告", 3)
    login(client, "sup")
    board = client.get("/supervision/").get_data(as_text=True)
    assert w.t.number in board and "督办单期限" in board


def test_other_roles_cannot_use_the_new_routes(w, client):
    login(client, "clerk_scj")
    token = csrf_token(client, f"/desk/tickets/{w.t.id}")
    for url in (f"/dispatch/tickets/{w.t.id}/terminate", f"/dispatch/tickets/{w.t.id}/callback",
                f"/supervision/tickets/{w.t.id}/terminate", "/supervision/suspensions/1"):
        assert client.post(url, data={"csrf_token": token}).status_code in (302, 403, 404)
    assert core.get_visible(w.clerk, w.t.id).state == "in_progress"
