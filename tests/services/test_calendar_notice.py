"""Entering a year's State Council notice through the service and the CLI: what it changes, what a
malformed text does not change, the events on tickets whose deadlines moved, `flask calendar check`,
and deadlines to the minute against an independent computation across 2025–2027."""
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine

from app.extensions import db
from app.models import CalendarDay, CalendarYear, TicketEvent
from app.services import ServiceError
from app.services import calendar as cal_service
from tests.worlds import World, route_to

SH = ZoneInfo("Asia/Shanghai")
NOTICE_2027 = (Path(__file__).resolve().parent.parent / "fixtures" / "notices" / "2027-example.txt").read_text(
    encoding="utf-8")

# The 2027 example notice, written out again by hand (not read back from the parser):
OFF_2027 = {date(2027, 1, 1), *(date(2027, 2, d) for d in (5, 8, 9, 10, 11, 12)), date(2027, 4, 5),
            date(2027, 5, 3), date(2027, 5, 4), date(2027, 5, 5), date(2027, 6, 9), date(2027, 9, 15),
            date(2027, 10, 1), *(date(2027, 10, d) for d in (4, 5, 6, 7))}
WORKED_2027 = {date(2027, 2, 14), date(2027, 4, 25), date(2027, 5, 8), date(2027, 9, 26), date(2027, 10, 9)}


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def w(make_city, make_user, db):
    return World(make_city, make_user)


def test_import_enters_the_year_and_its_make_up_sunday_is_working_time(w):
    cal = cal_service.working_calendar("liaoyuan")
    assert cal.is_provisional(2027)
    assert not cal.is_open(sh(2027, 2, 14, 10))          # a Sunday, before the notice
    assert not cal.is_open(sh(2027, 2, 8, 10))           # 正月初三, by law
    assert cal.is_open(sh(2027, 2, 9, 10))               # statutory days only: 9 Feb is a plain Tuesday
    result = cal_service.import_notice(NOTICE_2027, w.supervisor)
    assert result["year"] == 2027 and result["workdays"] == 5
    cal = cal_service.working_calendar("liaoyuan")
    assert not cal.is_provisional(2027)
    assert cal.is_open(sh(2027, 2, 14, 10))              # 2月14日（周日）上班
    assert not cal.is_open(sh(2027, 2, 9, 10))           # 放假调休 to 13 February
    entry = db.session.get(CalendarYear, 2027)
    assert entry.source == "notice" and entry.entered_by_id == w.supervisor.id and "2027" in entry.notice_text
    assert cal_service.year_entered(2027)


def test_a_malformed_notice_changes_nothing(w):
    cal_service.seed_from_chinesecalendar()
    days = db.session.query(CalendarDay).count()
    years = db.session.query(CalendarYear).count()
    version = cal_service._version()
    broken = NOTICE_2027.replace("至13日（农历正月初八、周六）", "至13日（农历正月初八、周日）")
    with pytest.raises(ServiceError) as err:
        cal_service.import_notice(broken, w.supervisor)
    assert "第10行" in str(err.value) and "星期" in str(err.value)
    db.session.rollback()
    assert db.session.query(CalendarDay).count() == days
    assert db.session.query(CalendarYear).count() == years
    assert db.session.get(CalendarYear, 2027) is None and cal_service._version() == version


def test_open_deadlines_are_recomputed_and_each_moved_ticket_says_why(w, monkeypatch):
    route_to(monkeypatch)
    with time_machine.travel(sh(2027, 2, 3, 10, 0), tick=False):
        moving = w.file()                       # complaint: 15 working days across 春节
    with time_machine.travel(sh(2027, 1, 4, 10, 0), tick=False):
        steady = w.file(kind="consultation")    # 3 working days in early January: the notice changes nothing
    lead = moving.assignments[0]
    assert lead.deadline_provisional and steady.assignments[0].deadline_provisional
    # Provisional: only 5–8 February off (除夕–初三). Count by hand: 4 Feb (1), 9–12 (5), 15–19 (10),
    # 22–26 (15) → Friday 26 February 17:30.
    assert lead.resolve_due_at == sh(2027, 2, 26, 17, 30).astimezone(UTC)
    with time_machine.travel(sh(2027, 2, 3, 11, 0), tick=False):
        result = cal_service.import_notice(NOTICE_2027)
    assert result["tickets"] == 1
    # With the notice: off 5–13 Feb, 14 Feb (Sunday) worked. 4 Feb (1), 14 (2), 15–19 (7), 22–26 (12),
    # 1–3 March (15) → Wednesday 3 March 17:30.
    db.session.refresh(lead)
    assert lead.resolve_due_at == sh(2027, 3, 3, 17, 30).astimezone(UTC)
    assert not lead.deadline_provisional
    events = db.session.query(TicketEvent).filter_by(action=cal_service.DEADLINE_EVENT).all()
    assert [e.ticket_id for e in events] == [moving.id]
    assert "2027年节假日安排" in events[0].note
    change = events[0].details["assignments"][0]
    assert change["resolve_from"].startswith("2027-02-26") and change["resolve_to"].startswith("2027-03-03")


def test_check_warns_from_november_and_while_open_deadlines_touch_a_provisional_year(w, monkeypatch, runner, tmp_path):
    route_to(monkeypatch)
    with time_machine.travel(sh(2026, 10, 20, 10, 0), tick=False):
        w.file()
        r = runner.invoke(args=["calendar", "check"])
    assert r.exit_code == 0, r.output                    # deadlines in 2026, before 1 November
    with time_machine.travel(sh(2026, 11, 2, 10, 0), tick=False):
        r = runner.invoke(args=["calendar", "check"])
        assert r.exit_code == 1 and "2027" in r.output   # the coming year, from 1 November
        assert cal_service.next_year_missing() == 2027
    path = tmp_path / "notice-2027.txt"
    path.write_text(NOTICE_2027, encoding="utf-8")
    with time_machine.travel(sh(2026, 11, 2, 10, 0), tick=False):
        r = runner.invoke(args=["calendar", "import-notice", str(path)])
        assert r.exit_code == 0 and "2027" in r.output, r.output
        r = runner.invoke(args=["calendar", "check"])
    assert r.exit_code == 0, r.output


def test_import_notice_cli_refuses_an_unreadable_file(runner, tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：元月初一放假。\n", encoding="utf-8")
    r = runner.invoke(args=["calendar", "import-notice", str(path)])
    assert r.exit_code != 0 and "第2行" in r.output
    assert db.session.get(CalendarYear, 2027) is None


# --- the independent computation ------------------------------------------------------------------
# Written from docs/calendar-and-sla.md, not from the code: 09:00–12:00 and 13:30–17:30 on workdays;
# workdays are chinesecalendar's for 2025–2026 and the hand-written 2027 notice above; N working hours
# are counted minute by minute; N working days end at 17:30 of the N-th workday after the start's date.

def ref_workday(d: date) -> bool:
    if d.year == 2027:
        return d in WORKED_2027 or (d.weekday() < 5 and d not in OFF_2027)
    return chinese_calendar.is_workday(d)


def ref_open(t: datetime) -> bool:
    local = t.astimezone(SH)
    clock = local.time()
    return ref_workday(local.date()) and (time(9) <= clock < time(12) or time(13, 30) <= clock < time(17, 30))


def ref_add_hours(start: datetime, hours: int) -> datetime:
    minutes, t = hours * 60, start
    while True:
        if not ref_workday(t.astimezone(SH).date()):
            t = datetime.combine(t.astimezone(SH).date() + timedelta(days=1), time(0), SH)
            continue
        if ref_open(t):
            minutes -= 1
            if minutes == 0:
                return t + timedelta(minutes=1)
        t += timedelta(minutes=1)


def ref_add_days(start: datetime, n: int) -> datetime:
    d = start.astimezone(SH).date()
    while n:
        d += timedelta(days=1)
        n -= ref_workday(d)
    return datetime.combine(d, time(17, 30), SH)


def test_deadlines_to_the_minute_against_an_independent_computation_2025_to_2027(w):
    cal_service.import_notice(NOTICE_2027)
    cal = cal_service.working_calendar("liaoyuan")
    rng = random.Random(20261201)
    lo = sh(2025, 1, 1)
    span = int((sh(2027, 12, 1) - lo).total_seconds() // 60)
    starts = [lo + timedelta(minutes=rng.randrange(span)) for _ in range(150)]
    # and the edges: around the year ends, 春节 and the make-up days
    starts += [sh(2026, 12, 31, 16, 0), sh(2026, 12, 31, 17, 29), sh(2027, 2, 4, 16, 45), sh(2027, 2, 13, 12, 0),
               sh(2027, 2, 14, 9, 0), sh(2027, 9, 30, 17, 0), sh(2025, 9, 30, 16, 30), sh(2026, 2, 13, 17, 0)]
    for start in starts:
        assert cal.add_working_hours(start, 2) == ref_add_hours(start, 2), start
        for n in (1, 3, 7, 15):
            assert cal.add_working_days(start, n) == ref_add_days(start, n), (start, n)


def test_seed_recomputes_deadlines_stored_on_plain_monday_to_friday(w, monkeypatch, runner):
    """A deadline stored by an older release on 1 January 2027 (元旦) is moved by `flask calendar seed`."""
    route_to(monkeypatch)
    with time_machine.travel(sh(2026, 12, 28, 10, 0), tick=False):
        t = w.file(kind="consultation")
        lead = t.assignments[0]
        right = lead.resolve_due_at      # 3 working days: 29, 30, 31 December → 31 December 17:30
        assert right == sh(2026, 12, 31, 17, 30).astimezone(UTC)
        lead.contact_due_at = sh(2027, 1, 1, 17, 30).astimezone(UTC)   # as plain Mon–Fri had it
        lead.resolve_due_at = sh(2027, 1, 1, 17, 30).astimezone(UTC)
        db.session.commit()
        r = runner.invoke(args=["calendar", "seed"])
    assert r.exit_code == 0 and "1 tickets' deadlines recomputed" in r.output, r.output
    db.session.refresh(lead)
    assert lead.resolve_due_at == right and lead.contact_due_at == sh(2026, 12, 29, 17, 30).astimezone(UTC)
    event = db.session.query(TicketEvent).filter_by(action=cal_service.DEADLINE_EVENT).one()
    assert event.details["reason"] == "statutory" and "2027" in event.note
