"""The admin calendar page: list a year's exceptions, add/remove days, mark a year entered."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask_babel import refresh

from app.models import CalendarDay, CalendarYear
from app.services import clocks
from tests.conftest import csrf_token, login

SH = ZoneInfo("Asia/Shanghai")


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SH).astimezone(UTC)



@pytest.fixture
def admin_client(client, make_user, make_city):
    make_city()
    make_user("admin", username="root", jurisdiction=None)
    login(client, "root")
    return client


def _deadline():
    cal = clocks.calendar_for("liaoyuan")
    return clocks.policy_of("liaoyuan", "complaint", False).resolve.due(cal, sh(2025, 9, 30, 16, 30))


def test_page_lists_exceptions_and_warns_about_next_year(admin_client):
    with time_machine.travel(sh(2026, 11, 21, 10, 0), tick=False):
        login(admin_client, "root")  # a session cookie signed in the future is refused
        page = admin_client.get("/admin/calendar?year=2025").get_data(as_text=True)
    assert "2025-10-11" in page and "国庆节" in page and "调休上班" in page
    assert "2027 年的节假日安排尚未录入" in page


def test_the_calendar_s_day_names_are_in_the_reader_s_language(admin_client, db):
    """The calendar's own day names read in English on an English page; a name the administrator typed
    stays as typed."""
    r = admin_client.post("/admin/calendar/days?year=2025", data={
        "csrf_token": csrf_token(admin_client, "/admin/calendar?year=2025"), "day-day": "2025-12-31",
        "day-kind": "holiday", "day-name": "市庆日"})
    assert r.status_code == 302
    refresh()  # the test's app context outlives requests; Flask-Babel caches the locale on it
    page = admin_client.get("/admin/calendar?year=2025&lang=en").get_data(as_text=True)
    assert "National Day" in page and "Mid-Autumn Festival" in page and "国庆节" not in page
    assert "调休上班" not in page  # the seeded name of a 调休 workday, too
    assert "市庆日" in page
    refresh()
    assert "国庆节" in admin_client.get("/admin/calendar?year=2025&lang=zh").get_data(as_text=True)


def test_non_admin_is_refused(client, make_user):
    make_user("clerk", username="c1")
    login(client, "c1")
    assert client.get("/admin/calendar").status_code == 403


def _open_assignment(db, make_user):
    """An open complaint assigned at Tue 2025-09-30 16:30 (stored deadlines set by clocks.start)."""
    from app.models import Agency, Assignment, Ticket

    biz = make_user("enterprise")
    agency = Agency(jurisdiction="liaoyuan", name="市商务局", aliases=[], kind="department")
    t = Ticket(number="LY20250930-000001", jurisdiction="liaoyuan", enterprise_id=biz.enterprise_id,
               kind="complaint", topic="tax", title="发票", description="申请增值税专用发票没有结果。",
               state="dispatched", created_at=sh(2025, 9, 30, 16, 30))
    a = Assignment(ticket=t, agency=agency, role="lead", created_at=sh(2025, 9, 30, 16, 30))
    db.session.add_all([agency, t, a])
    db.session.flush()
    clocks.start(a, a.created_at)
    db.session.commit()
    return a


def test_add_holiday_moves_deadlines(admin_client, db, make_user):
    assert _deadline() == sh(2025, 10, 28, 17, 30)
    a = _open_assignment(db, make_user)
    assert a.resolve_due_at == sh(2025, 10, 28, 17, 30)
    token = csrf_token(admin_client, "/admin/calendar?year=2025")
    r = admin_client.post("/admin/calendar/days?year=2025", data={
        "csrf_token": token, "day-day": "2025-10-15", "day-kind": "holiday", "day-name": "临时休假"},
        follow_redirects=True)
    assert "已保存 2025-10-15" in r.get_data(as_text=True)
    row = db.session.get(CalendarDay, date(2025, 10, 15))
    assert row.source == "admin" and row.is_workday is False
    assert _deadline() == sh(2025, 10, 29, 17, 30)  # one workday less before it
    db.session.expire_all()
    assert a.resolve_due_at == sh(2025, 10, 29, 17, 30)  # the stored deadline moved with the calendar
    # remove it again: the deadline comes back
    r = admin_client.post("/admin/calendar/days/remove?year=2025",
                          data={"csrf_token": token, "rm-day": "2025-10-15"}, follow_redirects=True)
    assert db.session.get(CalendarDay, date(2025, 10, 15)) is None
    assert _deadline() == sh(2025, 10, 28, 17, 30)
    db.session.expire_all()
    assert a.resolve_due_at == sh(2025, 10, 28, 17, 30)


def test_bad_date_is_refused_with_a_clear_message(admin_client, db):
    token = csrf_token(admin_client, "/admin/calendar")
    before = _deadline()
    r = admin_client.post("/admin/calendar/days", data={
        "csrf_token": token, "day-day": "2025-13-45", "day-kind": "holiday", "day-name": ""},
        follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "日期格式不正确" in page and "YYYY-MM-DD" in page
    assert db.session.query(CalendarDay).filter_by(source="admin").count() == 0
    assert _deadline() == before
    r = admin_client.post("/admin/calendar/days", data={
        "csrf_token": token, "day-day": "2025-10-18", "day-kind": "holiday"}, follow_redirects=True)
    assert "本来就是休息日" in r.get_data(as_text=True)


def test_mark_year_entered_and_working_hours(admin_client, db):
    token = csrf_token(admin_client, "/admin/calendar")
    r = admin_client.post("/admin/calendar/years", data={"csrf_token": token, "year-year": "2027"},
                          follow_redirects=True)
    assert db.session.get(CalendarYear, 2027).source == "admin"
    with time_machine.travel(sh(2026, 11, 21, 10, 0), tick=False):
        travelled = admin_client.application.test_client()
        login(travelled, "root")  # a session cookie signed in the future is refused
        page = travelled.get("/admin/calendar").get_data(as_text=True)
    assert "尚未录入" not in page
    r = admin_client.post("/admin/calendar/hours", data={
        "csrf_token": token, "hours-jurisdiction": "liaoyuan", "hours-periods": "08:30-12:00, 14:00-17:30"},
        follow_redirects=True)
    assert "工作时间已保存" in r.get_data(as_text=True)
    cal = clocks.calendar_for("liaoyuan")
    assert cal.add_working_hours(sh(2025, 9, 30, 17, 0), 1) == sh(2025, 10, 9, 9, 0)
    r = admin_client.post("/admin/calendar/hours", data={
        "csrf_token": token, "hours-jurisdiction": "liaoyuan", "hours-periods": "18:00-09:00"},
        follow_redirects=True)
    assert "工作时间格式不正确" in r.get_data(as_text=True)


NOTICE_2027 = (__import__("pathlib").Path(__file__).resolve().parent.parent / "fixtures" / "notices"
               / "2027-example.txt").read_text(encoding="utf-8")


def test_pasted_notice_is_previewed_then_saved_with_who_entered_it(admin_client, db):
    token = csrf_token(admin_client, "/admin/calendar")
    r = admin_client.post("/admin/calendar/notice", data={"csrf_token": token, "notice-text": NOTICE_2027})
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "识别结果：2027 年（尚未保存）" in page and "2027-02-14" in page and "确认保存" in page
    assert db.session.get(CalendarYear, 2027) is None   # a preview saves nothing
    r = admin_client.post("/admin/calendar/notice", data={"csrf_token": token, "notice-text": NOTICE_2027,
                                                          "notice-confirm": "1"}, follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "2027 年的节假日安排已录入" in page and "root" in page
    entry = db.session.get(CalendarYear, 2027)
    assert entry.source == "notice" and entry.entered_by.username == "root"
    assert db.session.get(CalendarDay, date(2027, 2, 14)).is_workday


def test_an_unreadable_pasted_notice_is_refused_and_kept_in_the_form(admin_client, db):
    token = csrf_token(admin_client, "/admin/calendar")
    text = "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：元月初一放假。"
    r = admin_client.post("/admin/calendar/notice", data={"csrf_token": token, "notice-text": text,
                                                          "notice-confirm": "1"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "第2行" in page and "元月初一" in page
    assert db.session.get(CalendarYear, 2027) is None


def test_the_reason_a_notice_is_unreadable_is_given_in_english_too(admin_client, db):
    token = csrf_token(admin_client, "/admin/calendar")
    text = "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：元月初一放假。"
    refresh()  # the test's app context outlives requests; Flask-Babel caches the locale on it
    r = admin_client.post("/admin/calendar/notice?lang=en", data={"csrf_token": token, "notice-text": text,
                                                                  "notice-confirm": "1"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Cannot read the notice (line 2: the days off cannot be read)" in page
    assert "放假日期无法识别" not in page


def test_no_warning_before_november(admin_client):
    with time_machine.travel(sh(2026, 10, 31, 10, 0), tick=False):
        page = admin_client.get("/admin/calendar").get_data(as_text=True)
    assert "2027 年的节假日安排尚未录入" not in page


def _provisional_ticket(make_city, make_user, monkeypatch):
    from tests.worlds import World, route_to

    w = World(make_city, make_user)
    route_to(monkeypatch)
    with time_machine.travel(sh(2026, 12, 28, 10, 0), tick=False):
        return w.file()  # 15 working days: into 2027


def test_supervision_board_warns_about_the_provisional_coming_year(client, db, make_city, make_user, monkeypatch):
    _provisional_ticket(make_city, make_user, monkeypatch)
    # sessions are checked on every request: log in inside each time travel (docs/security.md)
    with time_machine.travel(sh(2026, 12, 28, 10, 0), tick=False):
        login(client, "supervisor_ly")
        board = client.get("/supervision/").get_data(as_text=True)
    assert "2027 年的节假日安排尚未录入" in board
    with time_machine.travel(sh(2026, 10, 28, 10, 0), tick=False):
        login(client, "supervisor_ly")
        board = client.get("/supervision/").get_data(as_text=True)
    assert "2027 年的节假日安排尚未录入" not in board


def test_the_ticket_page_marks_a_provisional_deadline(client, db, make_city, make_user, monkeypatch):
    from app.services import calendar as cal_service

    t = _provisional_ticket(make_city, make_user, monkeypatch)
    with time_machine.travel(sh(2026, 12, 28, 10, 30), tick=False):
        login(client, "clerk_scj")
        page = client.get(f"/desk/tickets/{t.id}").get_data(as_text=True)
    assert "按法定节假日预估" in page
    cal_service.import_notice(NOTICE_2027)
    with time_machine.travel(sh(2026, 12, 28, 11, 0), tick=False):
        page = client.get(f"/desk/tickets/{t.id}").get_data(as_text=True)
    assert "按法定节假日预估" not in page
