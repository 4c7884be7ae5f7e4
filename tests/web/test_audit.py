"""The audit log (issue 11, "Audit"): staff reads, downloads, exports, logins and failures,
account and catalog changes are recorded; the supervision office reads its city's entries, the
admin all of them; nobody else; the database refuses to change or delete an entry."""
import io

import pytest
from flask import g
from sqlalchemy import text
from werkzeug.datastructures import FileStorage

from app.models import Attachment, AuditEntry
from app.services import accounts, audit, handling
from tests.conftest import login
from tests.worlds import PDF, World, route_to


@pytest.fixture
def w(make_city, make_user, db, monkeypatch):
    world = World(make_city, make_user)
    world.dispatcher = make_user("dispatcher", username="disp_ly")
    world.site_admin = make_user("admin", username="root", jurisdiction=None)
    make_city(code="xiamen", name="厦门市", prefix="XM", agencies=())
    world.sup_xm = make_user("supervisor", username="sup_xm", jurisdiction="xiamen")
    route_to(monkeypatch)
    return world


def fresh_client(app):
    """A new client with nobody logged in (Flask-Login and Flask-WTF cache the user and the CSRF
    token on the app context the tests share)."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    return app.test_client()


def entries(db, **where):
    return db.session.query(AuditEntry).filter_by(**where).order_by(AuditEntry.id).all()


def test_logins_and_failures_are_recorded(client, w, db):
    login(client, "clerk_scj", "wrong-password")
    login(client, "nobody_here", "wrong-password")
    login(client, "clerk_scj")
    failed = entries(db, action="login_failed")
    assert [(e.username, e.success, e.jurisdiction) for e in failed] == [
        ("clerk_scj", False, "liaoyuan"), ("nobody_here", False, None)]
    assert all(e.actor_id is None for e in failed)
    ok = entries(db, action="login")
    assert [(e.actor_id, e.success, e.jurisdiction) for e in ok] == [(w.clerk.id, True, "liaoyuan")]


def test_staff_reads_and_downloads_are_recorded_not_the_business_reading_its_own(client, w, db):
    t = w.file()
    handling.add_info(w.biz, t.id, "补充材料",
                      files=[FileStorage(stream=io.BytesIO(PDF), filename="执照.pdf")])
    att = db.session.query(Attachment).one()
    login(client, "biz1")
    assert client.get(f"/portal/tickets/{t.id}").status_code == 200
    assert entries(db, action="ticket_read") == []
    client = fresh_client(client.application)
    login(client, "clerk_scj")
    assert client.get(f"/desk/tickets/{t.id}").status_code == 200
    assert client.get(f"/attachments/{att.id}").status_code == 200
    reads = entries(db, action="ticket_read")
    assert [(e.actor_id, e.ticket_id, e.jurisdiction) for e in reads] == [(w.clerk.id, t.id, "liaoyuan")]
    downloads = entries(db, action="download")
    assert [(e.actor_id, e.target_id, e.ticket_id) for e in downloads] == [(w.clerk.id, att.id, t.id)]


def test_exports_and_account_changes_are_recorded(client, w, db):
    login(client, "supervisor_ly")
    assert client.get("/supervision/evaluation/export.csv?month=2026-09").status_code == 200
    [e] = entries(db, action="export")
    assert (e.actor_id, e.jurisdiction, e.details) == (w.supervisor.id, "liaoyuan",
                                                       {"month": "2026-09", "format": "csv"})
    made = accounts.create_staff(username="disp_new", password="a-long-pass-123", role="dispatcher",
                                 jurisdiction="liaoyuan")
    [c] = entries(db, action="account_change")
    assert (c.target_id, c.jurisdiction, c.details["change"]) == (made.id, "liaoyuan", "create")


def test_who_reads_the_log(client, w, db):
    audit.log("login_failed", None, username="x", success=False, jurisdiction="liaoyuan")
    audit.log("login_failed", None, username="y", success=False, jurisdiction="xiamen")
    audit.log("login_failed", None, username="z", success=False)
    sup_ly, _ = audit.entries(w.supervisor)
    assert [e.username for e in sup_ly] == ["x"]
    sup_xm, _ = audit.entries(w.sup_xm)
    assert [e.username for e in sup_xm] == ["y"]
    everything, _ = audit.entries(w.site_admin)
    assert {"x", "y", "z"} <= {e.username for e in everything}
    # pages
    for role_user, url, expect in (("supervisor_ly", "/supervision/audit", 200), ("root", "/admin/audit", 200),
                                   ("clerk_scj", "/supervision/audit", 403), ("disp_ly", "/admin/audit", 403),
                                   ("biz1", "/supervision/audit", 403), ("supervisor_ly", "/admin/audit", 403)):
        c = fresh_client(client.application)
        login(c, role_user)
        assert c.get(url).status_code == expect, (role_user, url)
    c = fresh_client(client.application)
    assert c.get("/supervision/audit").status_code in (302, 401)


def test_the_page_is_paginated_by_key(client, w, db, app):
    for i in range(7):
        audit.log("login_failed", None, username=f"u{i}", success=False, jurisdiction="liaoyuan")
    first, nxt = audit.entries(w.supervisor, size=3)
    second, nxt2 = audit.entries(w.supervisor, size=3, before_id=nxt)
    third, nxt3 = audit.entries(w.supervisor, size=3, before_id=nxt2)
    names = [e.username for e in first + second + third]
    assert names == [f"u{i}" for i in range(6, -1, -1)] and nxt3 is None
    login(client, "supervisor_ly")
    page = client.get(f"/supervision/audit?before={nxt}").get_data(as_text=True)
    assert "u3" in page and "u4" not in page


def test_the_log_is_append_only_in_the_database(w, db):
    audit.log("login_failed", None, username="x", success=False)
    for statement in ("UPDATE audit_log SET username = 'y'", "DELETE FROM audit_log"):
        with db.engine.connect() as conn:
            try:
                conn.execute(text(statement))
                conn.commit()
                changed = True
            except Exception as exc:
                assert "append-only" in str(exc)
                changed = False
        assert not changed, statement
    assert db.session.query(AuditEntry).count() == 1


def test_the_page_does_not_grow_with_the_log(client, w, db, app):
    from sqlalchemy import event

    login(client, "root")

    def queries_for_page():
        seen = []

        def count(*args, **kwargs):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/admin/audit").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    for i in range(3):
        audit.log("login_failed", None, username=f"a{i}", success=False, jurisdiction="liaoyuan")
    few = queries_for_page()
    for i in range(40):
        audit.log("login_failed", None, username=f"b{i}", success=False, jurisdiction="xiamen")
    assert queries_for_page() == few
