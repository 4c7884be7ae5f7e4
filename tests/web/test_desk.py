"""The agency desk through the test client, with real CSRF tokens."""
import io

from app.models import TicketEvent
from app.services import handling
from app.services import tickets as core
from tests.conftest import csrf_token, login
from tests.worlds import PDF, route_to, shanghai_today

ANSWER = "经核查,已协调相关部门合并检查事项,今后将统一安排。"



def test_queue_lists_the_agency_tickets_with_filters(client, w, db):
    t1 = w.file(title="检查过多")
    t2 = w.file(title="咨询办照", kind="consultation")
    login(client, "clerk_scj")
    page = client.get("/desk/").get_data(as_text=True)
    assert t1.number in page and t2.number in page and "待签收" in page
    page = client.get("/desk/?kind=consultation").get_data(as_text=True)
    assert t2.number in page and t1.number not in page
    handling.sign(w.clerk, t1.id)
    page = client.get("/desk/?mine=1").get_data(as_text=True)
    assert t1.number in page and t2.number not in page
    page = client.get("/desk/?state=in_progress").get_data(as_text=True)
    assert t1.number in page and t2.number not in page


def test_queue_key_pagination(client, w, app):
    app.config["PAGE_SIZE"] = 2
    made = [w.file(title=f"检查过多{i}") for i in range(3)]
    login(client, "agencyadmin_scj")
    first = client.get("/desk/").get_data(as_text=True)
    assert "after=" in first
    import re

    link = re.search(r'href="(/desk/\?after=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(link).get_data(as_text=True)
    shown = [t.number for t in made if t.number in first] + [t.number for t in made if t.number in second]
    assert sorted(shown) == sorted(t.number for t in made)


def test_another_agency_gets_404(client, w):
    t = w.file()
    login(client, "clerk_sw")
    assert client.get(f"/desk/tickets/{t.id}").status_code == 404
    assert t.number not in client.get("/desk/").get_data(as_text=True)
    token = csrf_token(client, "/inbox")
    assert client.post(f"/desk/tickets/{t.id}/sign", data={"csrf_token": token}).status_code == 404
    assert t.state == "dispatched"


def test_wrong_role_403_and_csrf_400(client, w):
    t = w.file()
    login(client, "biz1")
    assert client.get("/desk/").status_code == 403
    assert client.get(f"/desk/tickets/{t.id}").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")})
    login(client, "clerk_scj")
    assert client.post(f"/desk/tickets/{t.id}/sign").status_code == 400
    assert t.state == "dispatched"


def test_ticket_page_and_full_handling(client, w, db):
    t = w.file()
    login(client, "clerk_scj")
    page = client.get(f"/desk/tickets/{t.id}").get_data(as_text=True)
    assert "测试路由说明" in page and "13912345678" in page  # owning agency sees the phone
    token = csrf_token(client, f"/desk/tickets/{t.id}")
    client.post(f"/desk/tickets/{t.id}/sign", data={"csrf_token": token})
    assert t.state == "in_progress"
    client.post(f"/desk/tickets/{t.id}/contact", data={
        "csrf_token": token, "contacted_on": shanghai_today().isoformat(), "way": "phone", "summary": "电话沟通"})
    assert core.lead_assignment(t).contacted_at is not None
    client.post(f"/desk/tickets/{t.id}/note", data={"csrf_token": token, "text": "重点企业,注意回访"})
    page = client.get(f"/desk/tickets/{t.id}").get_data(as_text=True)
    assert "重点企业,注意回访" in page
    r = client.post(f"/desk/tickets/{t.id}/reply", data={"csrf_token": token, "answer": "太短了"})
    assert "答复内容不能少于20个字" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert t.state == "in_progress"
    client.post(f"/desk/tickets/{t.id}/reply", data={
        "csrf_token": token, "answer": ANSWER, "files": [(io.BytesIO(PDF), "答复函.pdf")]},
        content_type="multipart/form-data")
    db.session.refresh(t)
    assert t.state == "replied" and t.reply == ANSWER
    assert [a.original_name for a in t.attachments] == ["答复函.pdf"]


def test_suspend_through_the_desk(client, w, db):
    t = w.file()
    handling.sign(w.clerk, t.id)
    login(client, "clerk_scj")
    token = csrf_token(client, f"/desk/tickets/{t.id}")
    client.post(f"/desk/tickets/{t.id}/suspend", data={"csrf_token": token, "question": "请提供检查通知书"})
    db.session.refresh(t)
    assert t.state == "suspended"


def test_assign_by_admin(client, w, db):
    t = w.file()
    login(client, "agencyadmin_scj")
    page = client.get(f"/desk/tickets/{t.id}").get_data(as_text=True)
    assert "clerk_scj2" in page
    token = csrf_token(client, f"/desk/tickets/{t.id}")
    client.post(f"/desk/tickets/{t.id}/assign", data={"csrf_token": token, "clerk_id": str(w.clerk_b.id)})
    assert core.lead_assignment(t).clerk_id == w.clerk_b.id


def test_co_agency_sees_masked_phone(client, w, db, monkeypatch):
    route_to(monkeypatch, co=("市税务局",))
    t = w.file()
    login(client, "clerk_sw")
    page = client.get(f"/desk/tickets/{t.id}").get_data(as_text=True)
    assert "*******5678" in page and "13912345678" not in page  # docs/security.md: one mask format
    assert "协办" in client.get("/desk/").get_data(as_text=True)
    # the co agency may not sign the lead's ticket
    token = csrf_token(client, f"/desk/tickets/{t.id}")
    client.post(f"/desk/tickets/{t.id}/sign", data={"csrf_token": token})
    assert t.state == "dispatched"
    assert db.session.query(TicketEvent).filter_by(ticket_id=t.id, action="sign").count() == 0
