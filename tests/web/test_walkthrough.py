"""The newcomer's walk, end to end with the real plans and the real router (nothing patched):
register a business, file an appeal, the routed agency's clerk signs and replies, the business
rates it, and the whole history is on the timeline — every page in Chinese."""
from sqlalchemy import select

from app.models import Agency, Ticket
from app.services import accounts, catalog
from tests.conftest import csrf_token


def logout(client):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")})


def test_newcomer_walkthrough(client, db):
    catalog.import_plans()
    # 1. a business registers itself
    r = client.post("/register", data={
        "enterprise_name": "辽源市示例纺织有限公司", "uscc": "91350100M000100Y43", "jurisdiction": "liaoyuan",
        "contact_name": "王经理", "phone": "13943712345", "username": "wangjl", "password": "Lz7-kasten-Feb",
        "confirm": "Lz7-kasten-Feb", "csrf_token": csrf_token(client, "/register")})
    assert r.status_code == 302
    # 2. it files an appeal about a tax refund
    token = csrf_token(client, "/portal/tickets/new")
    r = client.post("/portal/tickets/new", data={
        "csrf_token": token, "kind": "help", "topic": "tax", "title": "汇算清缴退税两个月未到账",
        "description": "我公司企业所得税汇算清缴多缴的税款申请退税,两个月了还没有退回,影响资金周转。"},
        content_type="multipart/form-data")
    assert r.status_code == 302
    ticket = db.session.scalar(select(Ticket))
    assert ticket.number.startswith("LY") and ticket.state == "dispatched"
    lead = db.session.get(Agency, ticket.lead_agency_id)
    assert "税务" in lead.name
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert ticket.number in page and "待签收" in page
    logout(client)

    # 3. the routed agency's clerk signs and replies
    accounts.create_staff(username="taxclerk", password="Lz7-kasten-Feb", role="clerk",
                          agency_name=lead.name, jurisdiction="liaoyuan")
    client.post("/login", data={"username": "taxclerk", "password": "Lz7-kasten-Feb",
                                "csrf_token": csrf_token(client, "/login")})
    queue = client.get("/desk/").get_data(as_text=True)
    assert ticket.number in queue
    page = client.get(f"/desk/tickets/{ticket.id}").get_data(as_text=True)
    assert "职责清单「" in page or "方案第" in page  # the explanation names the catalog entry or measure
    token = csrf_token(client, f"/desk/tickets/{ticket.id}")
    assert client.post(f"/desk/tickets/{ticket.id}/sign", data={"csrf_token": token}).status_code == 302
    client.post(f"/desk/tickets/{ticket.id}/reply", data={
        "csrf_token": token, "answer": "经核查,贵公司退税已审核通过,税款将于五个工作日内退还至企业账户。"},
        content_type="multipart/form-data")
    db.session.refresh(ticket)
    assert ticket.state == "replied"
    logout(client)

    # 4. the business rates it; the timeline holds the whole history
    client.post("/login", data={"username": "wangjl", "password": "Lz7-kasten-Feb",
                                "csrf_token": csrf_token(client, "/login")})
    token = csrf_token(client, f"/portal/tickets/{ticket.id}")
    client.post(f"/portal/tickets/{ticket.id}/rate", data={
        "csrf_token": token, "resolved": "yes", "satisfaction": "very_satisfied", "comment": ""})
    db.session.refresh(ticket)
    assert ticket.state == "closed"
    page = client.get(f"/portal/tickets/{ticket.id}").get_data(as_text=True)
    assert [e.action for e in ticket.events] == ["file", "route", "sign", "reply", "rate"]
    for label in ("已办结", "签收", "答复"):
        assert label in page
