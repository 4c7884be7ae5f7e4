"""The business portal through the test client, with real CSRF tokens."""
import io

from app.models import Ticket
from app.services import handling
from tests.conftest import csrf_token, login
from tests.worlds import PDF


def _file_via_form(client, **extra):
    token = csrf_token(client, "/portal/tickets/new")
    data = {"csrf_token": token, "kind": "complaint", "topic": "inspection", "title": "检查过多",
            "description": "一个月内被不同部门检查了五次,影响经营。", "contact_phone": "13912345678"}
    data.update(extra)
    return client.post("/portal/tickets/new", data=data, content_type="multipart/form-data")


def test_file_an_appeal_shows_number_and_timeline(client, w, db):
    login(client, "biz1")
    page = client.get("/portal/tickets/new").get_data(as_text=True)
    assert "投诉" in page and "企业开办与注销" in page and "autofocus" in page
    r = _file_via_form(client, files=[(io.BytesIO(PDF), "营业执照.pdf")])
    assert r.status_code == 302
    t = db.session.query(Ticket).one()
    assert r.headers["Location"].endswith(f"/portal/tickets/{t.id}")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert t.number in page and t.number.startswith("LY")
    assert "提交诉求" in page and "自动派单" in page and "营业执照.pdf" in page
    index = client.get("/portal/").get_data(as_text=True)
    assert t.number in index and "待签收" in index


def test_short_description_refused(client, w, db):
    login(client, "biz1")
    r = _file_via_form(client, description="太短")
    assert r.status_code == 200 and "10到5000" in r.get_data(as_text=True)
    assert db.session.query(Ticket).count() == 0


def test_exe_renamed_pdf_refused_on_form(client, w, db):
    login(client, "biz1")
    r = _file_via_form(client, files=[(io.BytesIO(b"MZ\x90\x00" + b"\x00" * 300), "发票.pdf")])
    assert r.status_code == 200 and "类型不允许" in r.get_data(as_text=True)
    assert db.session.query(Ticket).count() == 0


def test_missing_csrf_is_400(client, w, db):
    login(client, "biz1")
    r = client.post("/portal/tickets/new", data={"kind": "complaint", "topic": "inspection", "title": "x",
                                                 "description": "一个月内被不同部门检查了五次"})
    assert r.status_code == 400
    assert db.session.query(Ticket).count() == 0


def test_wrong_role_is_403(client, w):
    login(client, "clerk_scj")
    assert client.get("/portal/").status_code == 403
    assert client.get("/portal/tickets/new").status_code == 403


def test_business_sees_only_its_own(client, w, db):
    t = w.file(user=w.biz2)
    login(client, "biz1")
    assert client.get(f"/portal/tickets/{t.id}").status_code == 404
    assert t.number not in client.get("/portal/").get_data(as_text=True)
    token = csrf_token(client, "/portal/tickets/new")
    r = client.post(f"/portal/tickets/{t.id}/withdraw", data={"csrf_token": token})
    assert r.status_code == 404 and t.state == "dispatched"


def test_withdraw_and_internal_note_hidden(client, w, db):
    t = w.file()
    handling.note(w.clerk, t.id, "内部备注:此企业为重点企业")
    login(client, "biz1")
    page = client.get(f"/portal/tickets/{t.id}").get_data(as_text=True)
    assert "此企业为重点企业" not in page and "13912345678" in page
    token = csrf_token(client, f"/portal/tickets/{t.id}")
    r = client.post(f"/portal/tickets/{t.id}/withdraw", data={"csrf_token": token, "reason": "已解决"})
    assert r.status_code == 302
    db.session.refresh(t)
    assert t.state == "withdrawn"


def test_answer_suspension_rate_and_reopen(client, w, db):
    t = w.file()
    handling.sign(w.clerk, t.id)
    handling.suspend(w.clerk, t.id, "请提供检查通知书")
    login(client, "biz1")
    page = client.get(f"/portal/tickets/{t.id}").get_data(as_text=True)
    assert "请提供检查通知书" in page
    token = csrf_token(client, f"/portal/tickets/{t.id}")
    client.post(f"/portal/tickets/{t.id}/answer", data={"csrf_token": token, "answer": "通知书编号123"})
    db.session.refresh(t)
    assert t.state == "in_progress"
    handling.reply(w.clerk, t.id, "经核查,已协调相关部门合并检查事项,今后将统一安排。")
    # dissatisfied without a comment: refused, nothing changes
    client.post(f"/portal/tickets/{t.id}/rate",
                data={"csrf_token": token, "resolved": "no", "satisfaction": "dissatisfied"})
    db.session.refresh(t)
    assert t.state == "replied"
    page = client.get(f"/portal/tickets/{t.id}").get_data(as_text=True)
    assert "评价为不满意时必须填写意见" in page
    client.post(f"/portal/tickets/{t.id}/rate", data={
        "csrf_token": token, "resolved": "no", "satisfaction": "dissatisfied", "comment": "检查依旧"})
    db.session.refresh(t)
    assert t.state == "closed"
    page = client.get(f"/portal/tickets/{t.id}").get_data(as_text=True)
    assert "申请重办" in page and "未解决 · 不满意 · 网上评价" in page
    client.post(f"/portal/tickets/{t.id}/reopen", data={"csrf_token": token, "reason": "仍未解决"})
    db.session.refresh(t)
    assert t.state == "dispatched" and t.reopen_count == 1


def test_add_info_with_file(client, w, db):
    t = w.file()
    login(client, "biz1")
    token = csrf_token(client, f"/portal/tickets/{t.id}")
    r = client.post(f"/portal/tickets/{t.id}/info", data={
        "csrf_token": token, "text": "补充检查记录", "files": [(io.BytesIO(PDF), "记录.pdf")]},
        content_type="multipart/form-data")
    assert r.status_code == 302
    db.session.refresh(t)
    assert [a.original_name for a in t.attachments] == ["记录.pdf"]


def test_inbox(client, w, db):
    w.file()
    login(client, "biz1")
    page = client.get("/inbox").get_data(as_text=True)
    assert "您的诉求已提交" in page and "未读 1 条" in page
    token = csrf_token(client, "/inbox")
    client.post("/inbox/read", data={"csrf_token": token})
    assert "未读 0 条" in client.get("/inbox").get_data(as_text=True)
    assert client.post("/inbox/read").status_code == 400


def test_similar_open_ticket_is_shown_before_filing_again(client, w, db):
    login(client, "biz1")
    assert _file_via_form(client).status_code == 302
    # the same appeal again: the business sees its open ticket first, and nothing is filed yet
    r = _file_via_form(client)
    page = r.get_data(as_text=True)
    first = db.session.query(Ticket).one()
    assert r.status_code == 200 and "相似的诉求" in page and first.number in page
    assert 'name="seen_similar" type="hidden" value="1"' in page
    # having seen it, the business may still file
    r = _file_via_form(client, seen_similar="1")
    assert r.status_code == 302 and db.session.query(Ticket).count() == 2
