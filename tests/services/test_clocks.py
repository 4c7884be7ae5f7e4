"""SLA clocks through the services: deadlines across holidays, pauses, extensions, reopening."""
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app.domain.routing.models import Decision
from app.models import Assignment, SlaPolicy, Suspension
from app.services import ServiceError, clocks, commit, tickets

SH = ZoneInfo("Asia/Shanghai")


def sh(*args) -> datetime:
    """A Shanghai wall-clock instant as UTC (what the database stores)."""
    return datetime(*args, tzinfo=SH).astimezone(UTC)


@pytest.fixture
def filer(db, make_city, make_user, monkeypatch):
    """file(at, kind=…, urgent=…) files a ticket routed to 市市场监管局 at Shanghai time `at`."""
    _city, agencies = make_city(agencies=("市市场监管局", "市税务局"))
    user = make_user("enterprise")
    monkeypatch.setattr("app.services.routing.decide", lambda j, title, text, topic=None: Decision(
        jurisdiction=j, agency="市市场监管局", co_agencies=(), measure=None, confidence=0.9,
        to_dispatch=False, explanation="test"))

    def file(at: datetime, kind="complaint", urgent=False):
        with time_machine.travel(at, tick=False):
            t = tickets.file_ticket(user, kind=kind, topic="tax", title="发票问题",
                                    description="申请增值税专用发票一直没有办理结果。", urgent=urgent)
        return t, tickets.lead_assignment(t)

    file.agency = agencies["市市场监管局"]
    return file


def test_deadlines_across_national_day(filer):
    ticket, a = filer(sh(2025, 9, 30, 16, 30))
    assert ticket.state == "dispatched"
    assert a.sign_due_at == sh(2025, 10, 9, 10, 0)
    assert a.contact_due_at == sh(2025, 10, 9, 17, 30)
    # 10-09 … 10-28, counting worked Saturday 10-11, skipping the holiday block
    assert a.resolve_due_at == sh(2025, 10, 28, 17, 30)
    # first check: the sign reminder at 75 % of 2 working hours
    assert a.next_check_at == sh(2025, 10, 9, 9, 30)


def test_urgent_and_consultation(filer):
    _, a = filer(sh(2025, 9, 30, 16, 30), kind="consultation", urgent=True)
    assert a.sign_due_at == sh(2025, 9, 30, 17, 0)
    assert a.contact_due_at == sh(2025, 9, 30, 18, 30)
    assert a.resolve_due_at == sh(2025, 10, 1, 16, 30)
    _, b = filer(sh(2025, 9, 26, 10, 0), kind="consultation")
    # 9-28 (worked Sunday), 9-29, 9-30
    assert b.resolve_due_at == sh(2025, 9, 30, 17, 30)


def test_spring_festival_2026(filer):
    _, a = filer(sh(2026, 2, 13, 10, 0))
    assert a.sign_due_at == sh(2026, 2, 13, 12, 0)
    # 2-14 (worked Saturday), 2-24 … 2-28 (worked Saturday), 3-2 … 3-12
    assert a.resolve_due_at == sh(2026, 3, 12, 17, 30)


def test_reopen_limit_is_five_working_days(filer, db):
    ticket, first = filer(sh(2026, 2, 10, 10, 0))
    ticket.reopen_count = 1
    # a reopened ticket is dispatched again (the caller applied the transition; state stays dispatched)
    second = tickets.dispatch_to(ticket, db.session.get(type(filer.agency), filer.agency.id),
                                 at=sh(2026, 2, 13, 10, 0))
    commit()
    assert second.cycle == 1 and not first.active
    # 2-14 (Sat, worked), 2-24, 2-25, 2-26, 2-27
    assert second.resolve_due_at == sh(2026, 2, 27, 17, 30)


def _suspend(db, ticket, start, end=None):
    s = Suspension(ticket_id=ticket.id, question="请补充材料", started_at=start)
    db.session.add(s)
    clocks.pause(ticket, start)
    commit()
    return s


def test_suspension_over_weekend_pushes_resolve(filer, db):
    ticket, a = filer(sh(2025, 9, 30, 16, 30))
    a.signed_at = sh(2025, 10, 9, 9, 0)
    a.contacted_at = sh(2025, 10, 9, 9, 30)  # contacted in time: the contact clock has stopped
    s = _suspend(db, ticket, sh(2025, 10, 17, 16, 30))
    assert a.next_check_at is None  # signed; the resolve clock is paused before its reminder
    st = clocks.status(a, sh(2025, 10, 18, 12, 0))
    assert st["paused"] is True and st["clock"] == "resolve"
    # resumed Monday 10:00: 1 h Friday + 1 h Monday of working time were paused, the weekend is free
    s.ended_at = sh(2025, 10, 20, 10, 0)
    clocks.resume(ticket, s.ended_at)
    commit()
    assert a.resolve_due_at == sh(2025, 10, 29, 11, 0)
    assert a.sign_due_at == sh(2025, 10, 9, 10, 0)  # that pause began after the sign deadline
    assert a.next_check_at is not None
    st = clocks.status(a, sh(2025, 10, 29, 10, 0))
    assert st["paused"] is False and st["light"] == "yellow" and st["hours_left"] == pytest.approx(1.0)


def test_resume_called_before_the_row_is_closed(filer, db):
    """The handling service may call resume() before storing ended_at: the result is the same."""
    ticket, a = filer(sh(2025, 9, 30, 16, 30))
    _suspend(db, ticket, sh(2025, 10, 10, 10, 0))
    clocks.resume(ticket, sh(2025, 10, 10, 14, 0))
    assert a.resolve_due_at == sh(2025, 10, 29, 11, 30)  # the worked example of docs/calendar-and-sla.md


def test_extension_once_up_to_ten_days(filer, db):
    _, a = filer(sh(2025, 9, 30, 16, 30))
    with pytest.raises(ServiceError):
        clocks.extend(a, 11)
    with pytest.raises(ServiceError):
        clocks.extend(a, 0)
    clocks.extend(a, 10, sh(2025, 10, 20, 9, 0))
    commit()
    assert a.extension_days == 10
    assert a.resolve_due_at == sh(2025, 11, 11, 17, 30)
    with pytest.raises(ServiceError):
        clocks.extend(a, 1)
    assert a.resolve_due_at == sh(2025, 11, 11, 17, 30)


def test_policy_override_and_recompute(filer, db):
    ticket, a = filer(sh(2025, 9, 30, 16, 30))
    db.session.add(SlaPolicy(jurisdiction="liaoyuan", kind="complaint", urgent=False,
                             limits={"resolve": {"amount": 10, "unit": "working_days"}}, warn_ratio=0.5))
    commit()
    assert clocks.policy_for(ticket).resolve.amount == 10
    assert clocks.policy_for(ticket).sign.amount == 2  # not overridden: the default
    clocks.recompute(a, sh(2025, 10, 9, 9, 0))
    assert a.resolve_due_at == sh(2025, 10, 21, 17, 30)


def test_status_light_and_stop(filer):
    _, a = filer(sh(2025, 9, 30, 16, 30))
    st = clocks.status(a, sh(2025, 9, 30, 16, 45))
    assert st == {"light": "green", "hours_left": pytest.approx(1.75), "due": sh(2025, 10, 9, 10, 0),
                  "paused": False, "clock": "sign"}
    assert clocks.status(a, sh(2025, 10, 9, 9, 45))["light"] == "yellow"
    late = clocks.status(a, sh(2025, 10, 9, 11, 0))
    assert late["light"] == "red" and late["hours_left"] == pytest.approx(-1.0)
    a.signed_at = sh(2025, 10, 9, 9, 0)
    assert clocks.status(a, sh(2025, 10, 9, 11, 0))["clock"] == "resolve"
    clocks.stop(a, sh(2025, 10, 9, 11, 0))
    assert a.next_check_at is None


def test_cli_deadline_shape(runner, make_city):
    make_city()
    result = runner.invoke(args=["sla", "deadline", "--jurisdiction", "liaoyuan", "--kind", "complaint",
                                 "--at", "2025-09-30T16:30:00+08:00"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "sign_due_at": "2025-10-09T10:00:00+08:00",
        "contact_due_at": "2025-10-09T17:30:00+08:00",
        "resolve_due_at": "2025-10-28T17:30:00+08:00",
    }
    urgent = runner.invoke(args=["sla", "deadline", "--jurisdiction", "liaoyuan", "--kind", "help", "--urgent",
                                 "--at", "2025-09-30T08:30:00Z"])
    assert json.loads(urgent.output)["resolve_due_at"] == "2025-10-01T16:30:00+08:00"
    bad = runner.invoke(args=["sla", "deadline", "--jurisdiction", "liaoyuan", "--kind", "nonsense",
                              "--at", "2025-09-30T16:30"])
    assert bad.exit_code != 0


def test_calendar_seed_is_idempotent(runner, db):
    from app.models import CalendarDay, CalendarYear

    first = runner.invoke(args=["calendar", "seed"])
    assert first.exit_code == 0, first.output
    n = db.session.query(CalendarDay).count()
    assert db.session.get(CalendarYear, 2025).source == "chinesecalendar"
    assert n > 400
    again = runner.invoke(args=["calendar", "seed"])
    assert "0 years, 0 days" in again.output
    assert db.session.query(CalendarDay).count() == n
    shown = runner.invoke(args=["calendar", "show", "--year", "2025"])
    assert "2025-10-11" in shown.output and "2025-09-28" in shown.output


def test_seeded_database_gives_same_deadlines(filer, runner):
    runner.invoke(args=["calendar", "seed"])
    _, a = filer(sh(2025, 9, 30, 16, 30))
    assert a.resolve_due_at == sh(2025, 10, 28, 17, 30)


def test_assignments_are_in_the_session(filer, db):
    _, a = filer(sh(2025, 9, 30, 16, 30))
    assert db.session.get(Assignment, a.id).resolve_due_at - a.sign_due_at > timedelta(days=10)
