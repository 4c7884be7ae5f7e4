"""营业执照 (issue 11, USCC squatting): a self-registered business uploads its licence (image or PDF,
checked by content) at registration or later on /account/licence; the dispatcher of its city sees it
in the verification queue and confirms or rejects it with a reason, which the business reads; only
the business's own accounts and its city's dispatcher and supervision office can download it."""
import io
import re

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, Enterprise, User
from tests.conftest import csrf_token, login
from tests.web.test_audit import fresh_client
from tests.web.test_sessions import STRONG

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_LICENCE_LINK = re.compile(r'href="/licences/(\d+)"')


def register(client, licence=None, **overrides):
    data = {"enterprise_name": "辽源市示例科技有限公司", "uscc": USCC,
            "jurisdiction": "liaoyuan", "contact_name": "张三", "phone": "13812345678",
            "username": "zhangsan", "password": STRONG, "confirm": STRONG}
    data.update(overrides)
    data["csrf_token"] = csrf_token(client, "/register")
    if licence is not None:
        data["licence"] = (io.BytesIO(licence[1]), licence[0])
    return client.post("/register", data=data, content_type="multipart/form-data")


USCC = "91350100M000100Y43"


def registered(db):
    """The business the test registers (the fixture's other business is not it)."""
    return db.session.scalar(select(Enterprise).where(Enterprise.uscc == USCC))


def upload(client, name, data):
    return client.post("/account/licence", data={"csrf_token": csrf_token(client, "/account/licence"),
                                                 "licence": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


@pytest.fixture
def city(make_city, make_user):
    make_city()
    make_city(code="changchun", name="长春市", prefix="CC", agencies=())
    make_user("dispatcher", username="disp_ly")
    make_user("supervisor", username="sup_ly")
    make_user("dispatcher", username="disp_cc", jurisdiction="changchun")
    make_user("supervisor", username="sup_cc", jurisdiction="changchun")
    make_user("admin", username="root", jurisdiction=None)
    make_user("enterprise", username="biz_other")


def as_user(app, username, password="password123"):
    c = fresh_client(app)
    login(c, username, password)
    return c


def queue_licence_ids(client) -> list[int]:
    return [int(x) for x in _LICENCE_LINK.findall(client.get("/dispatch/enterprises").get_data(as_text=True))]


def test_licence_uploaded_at_registration_is_confirmed_by_the_citys_dispatcher(app, city, db):
    biz = fresh_client(app)
    assert register(biz, licence=("营业执照.png", PNG)).status_code == 302
    disp = as_user(app, "disp_ly")
    [lid] = queue_licence_ids(disp)
    r = disp.get(f"/licences/{lid}")
    assert r.status_code == 200 and r.data == PNG and r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Type"] == "image/png" and r.headers["Content-Disposition"].startswith("attachment;")
    e = registered(db)
    disp.post(f"/dispatch/enterprises/{e.id}/verify", data={"csrf_token": csrf_token(disp, "/dispatch/enterprises")})
    db.session.expire_all()
    assert db.session.get(Enterprise, e.id).verified_at is not None
    assert queue_licence_ids(disp) == []
    page = biz.get("/account/licence").get_data(as_text=True)
    assert "已核验" in page


def test_a_rejected_licence_tells_the_business_why_and_it_uploads_again(app, city, db):
    biz = fresh_client(app)
    register(biz)
    assert "尚未上传营业执照" in biz.get("/account/licence").get_data(as_text=True)
    r = upload(biz, "执照.pdf", PDF)
    assert "营业执照已上传" in r.get_data(as_text=True)
    e = registered(db)
    disp = as_user(app, "disp_ly")
    [first] = queue_licence_ids(disp)
    token = csrf_token(disp, "/dispatch/enterprises")
    # A rejection needs its reason; without one nothing changes.
    r = disp.post(f"/dispatch/enterprises/{e.id}/reject", data={"csrf_token": token, "reason": "  "},
                  follow_redirects=True)
    assert "请填写不通过的原因" in r.get_data(as_text=True)
    assert "执照照片模糊" not in biz.get("/account/licence").get_data(as_text=True)
    disp.post(f"/dispatch/enterprises/{e.id}/reject",
              data={"csrf_token": token, "reason": "执照照片模糊，统一社会信用代码无法辨认"})
    page = biz.get("/account/licence").get_data(as_text=True)
    assert "核验未通过" in page and "执照照片模糊，统一社会信用代码无法辨认" in page
    db.session.expire_all()
    assert db.session.get(Enterprise, e.id).verified_at is None
    upload(biz, "执照2.png", PNG)
    [second] = queue_licence_ids(disp)
    assert second != first
    assert "核验未通过" not in biz.get("/account/licence").get_data(as_text=True)
    # Uploads and decisions are in the city's audit log.
    actions = [(a.action, a.details.get("change")) for a in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "verification").order_by(AuditEntry.id))]
    assert actions == [("verification", "licence"), ("verification", "reject"), ("verification", "licence")]


def test_only_the_business_and_its_city_staff_download_the_licence(app, city, db, make_user):
    biz = fresh_client(app)
    register(biz, licence=("licence.pdf", PDF))
    [lid] = queue_licence_ids(as_user(app, "disp_ly"))
    e = registered(db)
    make_user("enterprise", username="colleague", enterprise=e)
    make_user("clerk", username="clerk_a", agency=None)
    assert biz.get(f"/licences/{lid}").status_code == 200
    for who in ("colleague", "disp_ly", "sup_ly"):
        assert as_user(app, who).get(f"/licences/{lid}").status_code == 200, who
    for who in ("biz_other", "disp_cc", "sup_cc", "root", "clerk_a"):
        assert as_user(app, who).get(f"/licences/{lid}").status_code == 404, who
    assert fresh_client(app).get(f"/licences/{lid}").status_code == 302  # to the login page
    assert as_user(app, "disp_ly").get(f"/licences/{lid + 1}").status_code == 404
    # Another city's dispatcher can neither reject nor see it in its queue.
    other = as_user(app, "disp_cc")
    assert queue_licence_ids(other) == []
    r = other.post(f"/dispatch/enterprises/{e.id}/reject",
                   data={"csrf_token": csrf_token(other, "/dispatch/enterprises"), "reason": "不符"})
    assert r.status_code == 404


@pytest.mark.parametrize("name,data", [
    ("执照.png", b"not really an image, just text"),
    ("执照.docx", b"PK\x03\x04" + b"\x00" * 40),
    ("执照.pdf", PNG),  # the content does not match the name
    ("执照.png", PNG + b"<script>alert(1)</script>"),
])
def test_a_licence_that_is_not_an_image_or_pdf_is_refused_and_changes_nothing(app, city, db, name, data):
    biz = fresh_client(app)
    r = register(biz, licence=(name, data))
    assert r.status_code == 200 and f"“{name}”" in r.get_data(as_text=True)  # the message names the file
    assert registered(db) is None
    assert db.session.scalar(select(func.count()).select_from(User).where(User.username == "zhangsan")) == 0
    register(biz)
    upload(biz, name, data)
    assert queue_licence_ids(as_user(app, "disp_ly")) == []


def test_a_docx_licence_is_refused_though_docx_attachments_are_allowed(app, city, db):
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    biz = fresh_client(app)
    r = register(biz, licence=("执照.docx", buf.getvalue()))
    assert "营业执照只能是图片（JPG、PNG）或PDF文件" in r.get_data(as_text=True)
    assert registered(db) is None


def test_the_business_is_told_of_the_decision_in_its_inbox(app, city, db, make_user):
    """A rejected licence, with its reason, and a confirmed business reach the business's accounts
    (inbox, and email where an account has an address), no one else."""
    from app.models import OutboxEmail
    from tests.conftest import received

    biz = fresh_client(app)
    register(biz, licence=("执照.pdf", PDF), email="zhangsan@example.com")
    e = registered(db)
    colleague = make_user("enterprise", username="colleague", enterprise=e)
    disp = as_user(app, "disp_ly")
    token = csrf_token(disp, "/dispatch/enterprises")
    disp.post(f"/dispatch/enterprises/{e.id}/reject", data={"csrf_token": token, "reason": "执照照片模糊"})
    owner = db.session.scalar(select(User).where(User.username == "zhangsan"))
    for user in (owner, colleague):
        [n] = received(user, kind="licence_rejected")
        assert "执照照片模糊" in n.message and n.ticket_id is None
    for name in ("disp_ly", "sup_ly", "biz_other"):
        other = db.session.scalar(select(User).where(User.username == name))
        assert received(other, kind="licence_rejected") == [], name
    inbox = biz.get("/inbox").get_data(as_text=True)
    assert "营业执照未通过核验：执照照片模糊" in inbox
    upload(biz, "执照2.png", PNG)
    disp.post(f"/dispatch/enterprises/{e.id}/verify", data={"csrf_token": csrf_token(disp, "/dispatch/enterprises")})
    [n] = received(owner, kind="enterprise_verified")
    assert "已通过派单中心核验" in n.message
    mails = [m.to_address for m in db.session.scalars(select(OutboxEmail))]
    assert mails.count("zhangsan@example.com") == 2
