"""账号管理 (/admin/accounts): the site admin finds accounts, disables one (its sessions end on
every host at once) and enables it again; refusals change nothing."""
from flask_babel import refresh

from app.models import AuditEntry, User
from tests.conftest import csrf_token, login


def _listed(username, page):
    """Whether the list shows the account (the page's header names the admin too)."""
    return f'data-label="用户名">{username}</td>' in page or f'data-label="User name">{username}</td>' in page


def _toggle(client, user_id, active, back="/admin/accounts"):
    token = csrf_token(client, "/admin/accounts")
    return client.post(f"/admin/accounts/{user_id}/active", data={"csrf_token": token, "active": active, "back": back})


def test_the_admin_disables_an_account_and_its_session_ends(app, db, make_city, make_user):
    _, agencies = make_city(agencies=("市市场监管局",))
    clerk = make_user("clerk", username="clerk_x", agency=agencies["市市场监管局"])
    make_user("admin", username="root1")
    clerk_browser = app.test_client()
    login(clerk_browser, "clerk_x")
    assert clerk_browser.get("/desk/").status_code == 200
    admin = app.test_client()
    login(admin, "root1")
    page = admin.get("/admin/accounts?q=clerk_").get_data(as_text=True)
    assert _listed("clerk_x", page) and "承办人员" in page and "市市场监管局" in page and not _listed("root1", page)
    r = _toggle(admin, clerk.id, "0", back="/admin/accounts?q=clerk_")
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/accounts?q=clerk_")
    db.session.expire_all()
    assert db.session.get(User, clerk.id).active is False
    assert "已停用账号clerk_x，其所有会话已结束" in admin.get("/admin/accounts").get_data(as_text=True)
    assert clerk_browser.get("/desk/").status_code == 302  # the old session no longer works
    entry = db.session.query(AuditEntry).filter_by(action="account_change", target_id=clerk.id).one()
    assert entry.details["change"] == "disable" and entry.username == "clerk_x" and entry.actor_id is not None
    _toggle(admin, clerk.id, "1")
    db.session.expire_all()
    assert db.session.get(User, clerk.id).active is True


def test_refusals_change_nothing(app, db, make_user):
    root = make_user("admin", username="root1")
    biz = make_user("enterprise", username="biz_y")
    admin = app.test_client()
    login(admin, "root1")
    r = _toggle(admin, root.id, "0")  # one's own account
    assert r.status_code == 302
    assert "不能停用自己的账号" in admin.get("/admin/accounts").get_data(as_text=True)
    for bad in ("2", "", "yes"):
        _toggle(admin, biz.id, bad)
    assert _toggle(admin, 987654, "0").status_code == 404
    r = _toggle(admin, biz.id, "0", back="https://evil.example/")
    assert r.headers["Location"].endswith("/admin/accounts")  # only a page of the list is followed
    db.session.expire_all()
    assert db.session.get(User, root.id).active is True
    assert db.session.query(AuditEntry).filter_by(action="account_change").count() == 1  # biz_y, just now
    assert db.session.get(User, biz.id).active is False


def test_the_list_filters_by_role_and_pages_by_key(app, db, make_user):
    make_user("admin", username="root1")
    for i in range(55):
        make_user("enterprise", username=f"firm{i:02d}")
    admin = app.test_client()
    login(admin, "root1")
    first = admin.get("/admin/accounts?role=enterprise").get_data(as_text=True)
    assert _listed("firm54", first) and not _listed("firm04", first) and not _listed("root1", first)
    assert "before=" in first
    before = first.split("before=")[1].split("&")[0].split('"')[0]
    second = admin.get(f"/admin/accounts?role=enterprise&before={before}").get_data(as_text=True)
    assert _listed("firm04", second) and not _listed("firm54", second)
    assert admin.get("/admin/accounts?role=nobody&q=" + "x" * 200).status_code == 200  # bad filters: ignored
    refresh()  # the test's app context outlives requests; Flask-Babel caches the locale on it
    en = admin.get("/admin/accounts?lang=en&role=enterprise").get_data(as_text=True)
    assert "Accounts" in en and "企业用户" not in en
