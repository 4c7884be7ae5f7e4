"""Login, logout, roles and business self-registration through the real forms."""
import pytest
from sqlalchemy import func, select

from app.models import Enterprise, User
from tests.conftest import csrf_token, login


def test_login_page_is_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page and "用户名" in page


def test_login_page_in_english_when_asked(client, app):
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert 'lang="en"' in page


def test_login_requires_csrf_token(client, make_user):
    make_user(username="alice")
    r = client.post("/login", data={"username": "alice", "password": "password123"})
    assert r.status_code == 400
    assert "安全令牌" in r.get_data(as_text=True)


def test_login_success_and_wrong_password(client, make_user):
    make_user(username="alice")
    r = login(client, "alice", "wrong-password")
    assert "用户名或密码错误" in r.get_data(as_text=True)
    r = login(client, "alice")
    assert r.status_code == 302 and r.headers["Location"].endswith("/portal/")


@pytest.mark.parametrize("role,home", [("clerk", "/desk/"), ("dispatcher", "/dispatch/"),
                                       ("supervisor", "/supervision/"), ("admin", "/admin/")])
def test_each_role_lands_on_its_desk(client, make_city, make_user, role, home):
    _, agencies = make_city()
    make_user(role=role, username="u", agency=agencies["市税务局"] if role == "clerk" else None)
    r = login(client, "u")
    assert r.headers["Location"].endswith(home)


def test_wrong_role_gets_403(client, make_city, make_user):
    make_user(username="biz")
    login(client, "biz")
    assert client.get("/desk/").status_code == 403
    assert client.get("/admin/").status_code == 403


def test_anonymous_is_sent_to_login(client):
    r = client.get("/portal/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_logout(client, make_user):
    make_user(username="alice")
    login(client, "alice")
    token = csrf_token(client, "/portal/")
    r = client.post("/logout", data={"csrf_token": token})
    assert r.status_code == 302
    assert client.get("/portal/").status_code == 302


def _register(client, **overrides):
    data = {"enterprise_name": "辽源市示例科技有限公司", "uscc": "91350100M000100Y43",
            "jurisdiction": "liaoyuan", "contact_name": "张三", "phone": "13812345678",
            "username": "zhangsan", "password": "Lz7-kasten-Feb", "confirm": "Lz7-kasten-Feb"}
    data.update(overrides)
    data["csrf_token"] = csrf_token(client, "/register")
    return client.post("/register", data=data)


def test_register_creates_enterprise_and_logs_in(client, make_city, db):
    make_city()
    r = _register(client, uscc="91350100m000100y43")  # lower case is folded
    assert r.status_code == 302
    e = db.session.scalar(select(Enterprise))
    assert e.uscc == "91350100M000100Y43" and e.jurisdiction == "liaoyuan"
    assert db.session.scalar(select(User).where(User.username == "zhangsan")).role == "enterprise"


@pytest.mark.parametrize("uscc,message", [("91350100M000100Y44", "校验位"), ("123", "18位")])
def test_register_with_bad_uscc_changes_nothing(client, make_city, db, uscc, message):
    make_city()
    r = _register(client, uscc=uscc)
    assert r.status_code == 200 and message in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_duplicate_registration_changes_nothing(client, make_city, db):
    make_city()
    _register(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/portal/")})
    r = _register(client, username="lisi")
    assert "不能再注册新企业" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 1
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_open_redirect_is_refused(client, make_user):
    make_user(username="alice")
    token = csrf_token(client, "/login")
    r = client.post("/login?next=//evil.example/x", data={"username": "alice", "password": "password123",
                                                          "csrf_token": token})
    assert r.headers["Location"].endswith("/portal/")


def test_a_language_chosen_on_a_redirect_is_kept(client, app):
    """/?lang=en answers with a redirect and renders nothing; the next page is English all the same."""
    from flask_babel import refresh

    assert client.get("/?lang=en").status_code == 302
    refresh()  # the test's app context outlives requests; Flask-Babel caches the locale on it
    assert 'lang="en"' in client.get("/login").get_data(as_text=True)
    refresh()
    assert 'lang="zh-CN"' in client.get("/login?lang=zh").get_data(as_text=True)
