"""USCC squatting (issue 11): a self-registered business is unverified until the dispatcher of its
city confirms it; its tickets say so; a colleague joins by invitation, not by re-registering."""
import re

from sqlalchemy import func, select

from app.models import Enterprise, User
from tests.conftest import csrf_token, login
from tests.web.test_sessions import STRONG, _register


def test_a_new_business_is_unverified_and_its_tickets_say_so(client, make_city, make_user, db, monkeypatch):
    from tests.worlds import route_to

    make_city()
    route_to(monkeypatch)
    _register(client)
    e = db.session.scalar(select(Enterprise))
    assert e.verified_at is None and e.verified_by_id is None
    token = csrf_token(client, "/portal/tickets/new")
    r = client.post("/portal/tickets/new", data={
        "csrf_token": token, "kind": "complaint", "topic": "inspection", "title": "检查过多",
        "description": "一个月内被不同部门检查了五次，影响经营。", "contact_phone": "13912345678"},
        follow_redirects=True)
    assert "企业未核验" in r.get_data(as_text=True)


def test_the_dispatcher_of_its_city_verifies_it(app, make_city, make_user, db):
    make_city()
    make_city(code="changchun", name="长春市", prefix="CC", agencies=())
    biz = app.test_client()
    _register(biz)
    e = db.session.scalar(select(Enterprise))
    make_user("dispatcher", username="other_city", jurisdiction="changchun")
    make_user("dispatcher", username="disp")
    stranger = app.test_client()
    login(stranger, "other_city")
    assert "辽源市示例科技" not in stranger.get("/dispatch/enterprises").get_data(as_text=True)
    r = stranger.post(f"/dispatch/enterprises/{e.id}/verify",
                      data={"csrf_token": csrf_token(stranger, "/dispatch/enterprises")})
    assert r.status_code == 404
    db.session.expire_all()
    assert db.session.get(Enterprise, e.id).verified_at is None
    disp = app.test_client()
    login(disp, "disp")
    assert "辽源市示例科技" in disp.get("/dispatch/enterprises").get_data(as_text=True)
    disp.post(f"/dispatch/enterprises/{e.id}/verify", data={"csrf_token": csrf_token(disp, "/dispatch/enterprises")})
    db.session.expire_all()
    verified = db.session.get(Enterprise, e.id)
    assert verified.verified_at is not None and verified.verified_by_id == db.session.scalar(
        select(User.id).where(User.username == "disp"))


def test_registering_an_existing_uscc_does_not_join_it(client, make_city, db):
    make_city()
    _register(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")})
    r = _register(client, username="squatter")
    assert "邀请码" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_a_colleague_joins_by_invitation_once(app, make_city, db):
    make_city()
    first = app.test_client()
    _register(first)
    page = first.post("/account/invitations", data={"csrf_token": csrf_token(first, "/account/invitations")})
    code = re.search(r"<strong>([0-9A-F]{12})</strong>", page.get_data(as_text=True)).group(1)

    def join(username):
        c = app.test_client()
        return c.post("/register/join", data={
            "csrf_token": csrf_token(c, "/register/join"), "code": code, "contact_name": "李四",
            "phone": "13812345679", "username": username, "password": STRONG, "confirm": STRONG})

    assert join("lisi").status_code == 302
    lisi = db.session.scalar(select(User).where(User.username == "lisi"))
    assert lisi.enterprise_id == db.session.scalar(select(Enterprise.id))
    r = join("wangwu")
    assert r.status_code == 200 and "邀请码无效" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 2
