"""Audit entries for account, verification, calendar and SLA-policy changes (docs/security.md,
"Audit"): each is done through the web client (or the operator's CLI, where the act has no page)
and then read where the supervision office or the admin reads the log."""
import re
from pathlib import Path

import pytest

from tests.conftest import csrf_token, login
from tests.web.test_audit import fresh_client
from tests.web.test_sessions import STRONG, _register

NOTICE_2027 = (Path(__file__).resolve().parent.parent / "fixtures" / "notices" / "2027-example.txt").read_text(
    encoding="utf-8")
_ROW = re.compile(r'<tr id="audit-\d+">(.*?)</tr>', re.S)
_TAG = re.compile(r"<[^>]+>")


def audit_rows(client, url: str) -> list[str]:
    """The audit table's rows as text, newest first."""
    page = client.get(url).get_data(as_text=True)
    return [" ".join(_TAG.sub(" ", row).split()) for row in _ROW.findall(page)]


def rows_with(rows: list[str], *words: str) -> list[str]:
    return [r for r in rows if all(w in r for w in words)]


@pytest.fixture
def city(make_city, make_user):
    make_city()
    make_user("admin", username="root", jurisdiction=None)
    make_user("supervisor", username="sup_ly")
    make_user("dispatcher", username="disp_ly")


def as_user(app, username: str, password: str = "password123"):
    c = fresh_client(app)
    login(c, username, password)
    return c


def test_an_account_disabled_and_enabled_by_the_operator_is_audited(app, city, make_user, runner):
    make_user("clerk", username="clerk_a", agency=None)
    assert runner.invoke(args=["users", "disable", "--username", "clerk_a"]).exit_code == 0
    assert runner.invoke(args=["users", "enable", "--username", "clerk_a"]).exit_code == 0
    rows = audit_rows(as_user(app, "root"), "/admin/audit?action=account_change")
    assert len(rows_with(rows, "clerk_a", "停用账号")) == 1
    assert len(rows_with(rows, "clerk_a", "启用账号")) == 1
    assert rows.index(rows_with(rows, "启用账号")[0]) < rows.index(rows_with(rows, "停用账号")[0])  # newest first


def test_a_password_change_is_audited(app, city, make_user):
    make_user("dispatcher", username="disp2")
    c = as_user(app, "disp2")
    r = c.post("/account/password", data={"csrf_token": csrf_token(c, "/account/password"),
                                          "current": "password123", "password": STRONG, "confirm": STRONG})
    assert r.status_code == 302
    rows = audit_rows(as_user(app, "sup_ly"), "/supervision/audit")
    assert len(rows_with(rows, "disp2", "修改密码", "成功")) == 1
    # A refused change (wrong current password) changes nothing and is not an account change.
    c.post("/account/password", data={"csrf_token": csrf_token(c, "/account/password"),
                                      "current": "wrong", "password": STRONG + "x", "confirm": STRONG + "x"})
    assert len(rows_with(audit_rows(as_user(app, "sup_ly"), "/supervision/audit"), "修改密码")) == 1


def test_invitations_made_and_used_are_audited(app, city):
    first = fresh_client(app)
    _register(first)
    page = first.post("/account/invitations", data={"csrf_token": csrf_token(first, "/account/invitations")})
    code = re.search(r"<strong>([0-9A-F]{12})</strong>", page.get_data(as_text=True)).group(1)
    second = fresh_client(app)
    r = second.post("/register/join", data={
        "csrf_token": csrf_token(second, "/register/join"), "code": code, "contact_name": "李四",
        "phone": "13812345679", "username": "lisi", "password": STRONG, "confirm": STRONG})
    assert r.status_code == 302
    rows = audit_rows(as_user(app, "sup_ly"), "/supervision/audit")
    assert len(rows_with(rows, "zhangsan", "生成邀请码")) == 1
    assert len(rows_with(rows, "lisi", "凭邀请码加入")) == 1
    assert code not in " ".join(rows)  # the code itself is never logged


def test_a_verification_decision_is_audited(app, city, db):
    from app.models import Enterprise

    _register(fresh_client(app))
    e = db.session.query(Enterprise).one()
    disp = as_user(app, "disp_ly")
    disp.post(f"/dispatch/enterprises/{e.id}/verify", data={"csrf_token": csrf_token(disp, "/dispatch/enterprises")})
    rows = audit_rows(as_user(app, "sup_ly"), "/supervision/audit")
    assert len(rows_with(rows, "disp_ly", "核验通过", f"#{e.id}")) == 1


def test_calendar_edits_and_notice_imports_are_audited(app, city):
    admin = as_user(app, "root")
    token = csrf_token(admin, "/admin/calendar")
    admin.post("/admin/calendar/days?year=2025", data={"csrf_token": token, "day-day": "2025-10-15",
                                                       "day-kind": "holiday", "day-name": "临时放假"})
    admin.post("/admin/calendar/days/remove?year=2025", data={"csrf_token": token, "rm-day": "2025-10-15"})
    admin.post("/admin/calendar/years", data={"csrf_token": token, "year-year": "2028"})
    admin.post("/admin/calendar/hours", data={"csrf_token": token, "hours-jurisdiction": "liaoyuan",
                                              "hours-periods": "08:30-12:00, 14:00-17:30"})
    admin.post("/admin/calendar/notice", data={"csrf_token": token, "notice-text": NOTICE_2027,
                                               "notice-confirm": "1"})
    rows = audit_rows(admin, "/admin/audit")
    assert len(rows_with(rows, "root", "设置节假日或调休", "2025-10-15")) == 1
    assert len(rows_with(rows, "root", "删除节假日或调休", "2025-10-15")) == 1
    assert len(rows_with(rows, "root", "标记年份已录入", "2028")) == 1
    assert len(rows_with(rows, "root", "修改工作时间")) == 1
    assert len(rows_with(rows, "root", "录入国务院节假日通知", "2027")) == 1
    # The city's working hours are its supervision office's business too.
    assert len(rows_with(audit_rows(as_user(app, "sup_ly"), "/supervision/audit"), "修改工作时间")) == 1


def test_an_sla_policy_edit_is_audited(app, city):
    admin = as_user(app, "root")
    url = "/admin/sla/liaoyuan/complaint/0"
    form = {"sign_amount": "2", "sign_unit": "working_hours", "contact_amount": "1",
            "contact_unit": "working_days", "resolve_amount": "10", "resolve_unit": "working_days",
            "reopen_resolve_amount": "5", "reopen_resolve_unit": "working_days", "warn_pct": "80",
            "flag_days": "3", "interview_days": "5", "notice_days": "10", "rating_window_days": "7", "note": ""}
    assert admin.post(url, data={**form, "csrf_token": csrf_token(admin, url)}).status_code == 302
    rows = audit_rows(as_user(app, "sup_ly"), "/supervision/audit")
    assert len(rows_with(rows, "root", "时限策略变更", "修改时限策略")) == 1
