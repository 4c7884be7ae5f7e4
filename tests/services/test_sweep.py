"""The escalation sweep: every ladder step fires exactly once, survives a crash; auto-close; outbox."""
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from app.domain.routing.models import Decision
from app.models import Escalation, OutboxEmail, Rating, TicketEvent
from app.services import clocks, commit, jobs, sla, tickets
from tests.conftest import received

SH = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[2]


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SH).astimezone(UTC)


@pytest.fixture
def world(db, make_city, make_user, monkeypatch):
    """A city, its agency staff and supervisor, and file(at) routed to 市市场监管局."""
    _city, agencies = make_city(agencies=("市市场监管局", "市税务局"))
    agency = agencies["市市场监管局"]
    business = make_user("enterprise")
    staff = {
        "clerk": make_user("clerk", agency=agency),
        "agency_admin": make_user("agency_admin", agency=agency),
        "supervisor": make_user("supervisor", jurisdiction="liaoyuan"),
    }
    monkeypatch.setattr("app.services.routing.decide", lambda j, title, text, topic=None: Decision(
        jurisdiction=j, agency="市市场监管局", co_agencies=(), measure=None, confidence=0.9,
        to_dispatch=False, explanation="test"))

    def file(at: datetime, kind="complaint"):
        with time_machine.travel(at, tick=False):
            t = tickets.file_ticket(business, kind=kind, topic="tax", title="发票问题",
                                    description="申请增值税专用发票一直没有办理结果。")
        return t, tickets.lead_assignment(t)

    return {"file": file, "staff": staff, "agency": agency}


def fired(db, a):
    return sorted(db.session.execute(
        select(Escalation.clock, Escalation.level).where(Escalation.assignment_id == a.id)).tuples())


def inbox(db, user):
    return [n.kind for n in received(user, prefix="escalate")]


def test_ladder_fires_each_step_once(world, db):
    ticket, a = world["file"](sh(2025, 9, 30, 16, 30))
    staff = world["staff"]
    # sign reminder at 75 % of 2 working hours: 10-09 09:30
    assert sla.sweep(sh(2025, 10, 9, 9, 29))["fired"] == 0
    assert sla.sweep(sh(2025, 10, 9, 9, 30)) == {"checked": 1, "fired": 1, "failed": 0}
    assert fired(db, a) == [("sign", "remind")]
    assert sla.sweep(sh(2025, 10, 9, 9, 45))["checked"] == 0  # next check moved on
    assert a.next_check_at == sh(2025, 10, 9, 10, 0) + timedelta(microseconds=1)
    assert sla.sweep(sh(2025, 10, 9, 10, 1))["fired"] == 1
    assert fired(db, a) == [("sign", "remind"), ("sign", "supervise")]
    assert inbox(db, staff["clerk"]) == ["escalate_remind"]
    assert "escalate_supervise" in inbox(db, staff["agency_admin"])
    assert "escalate_supervise" in inbox(db, staff["supervisor"])
    # signed: the resolve clock (deadline 10-28 17:30) climbs the whole ladder
    a.signed_at = sh(2025, 10, 9, 10, 30)
    a.contacted_at = sh(2025, 10, 9, 10, 30)  # in time: the contact clock stops before its reminder
    clocks.refresh(a, sh(2025, 10, 9, 10, 30))
    commit()
    steps = [
        (sh(2025, 10, 23, 10, 30), "remind"),      # 79.5 of 106 working hours used
        (sh(2025, 10, 28, 17, 31), "supervise"),   # just after the deadline
        (sh(2025, 10, 31, 17, 30), "flag"),        # close of the 3rd workday after it
        (sh(2025, 11, 4, 17, 30), "interview"),    # close of the 5th
        (sh(2025, 11, 11, 17, 30), "notice"),      # 通报: close of the 10th
    ]
    for at, level in steps:
        assert sla.sweep(at - timedelta(minutes=1))["fired"] == 0, level
        assert sla.sweep(at)["fired"] == 1, level
        assert ("resolve", level) in fired(db, a)
        # the highest level fired on any clock (the sign clock already reached supervise)
        assert a.escalation_level == ("supervise" if level == "remind" else level)
    assert a.next_check_at is None
    # many more sweeps change nothing
    for days in range(0, 40, 3):
        sla.sweep(sh(2025, 11, 5) + timedelta(days=days))
    assert len(fired(db, a)) == 7
    events = list(db.session.scalars(select(TicketEvent).where(
        TicketEvent.ticket_id == ticket.id, TicketEvent.action == "escalate")))
    assert sorted((e.details["clock"], e.details["level"]) for e in events) == fired(db, a)
    assert inbox(db, staff["supervisor"]).count("escalate_flag") == 1
    assert "escalate_flag" not in inbox(db, staff["clerk"])


def test_everything_due_at_once_fires_in_one_sweep(world, db):
    _, a = world["file"](sh(2025, 9, 30, 16, 30))
    # sign: remind, supervise; contact: remind, supervise; resolve: the whole ladder of 5
    assert sla.sweep(sh(2025, 12, 31, 12, 0))["fired"] == 9
    assert a.escalation_level == "notice" and a.next_check_at is None
    assert sla.sweep(sh(2026, 1, 31, 12, 0))["fired"] == 0



def test_an_assignment_that_cannot_be_swept_does_not_stop_the_others(world, db, monkeypatch, caplog):
    made = [world["file"](sh(2025, 9, 30, 16, 30)) for _ in range(3)]
    bad = made[1][1]
    real = clocks.Clocks

    class Broken(real):
        def due_levels(self, now):
            if self.assignment.id == bad.id:
                raise RuntimeError("a broken row")
            return super().due_levels(now)

    monkeypatch.setattr(sla.clocks, "Clocks", Broken)
    at = sh(2025, 10, 9, 9, 30)  # each sign clock's reminder is due (see the test above)
    assert sla.sweep(at) == {"checked": 3, "fired": 2, "failed": 1}
    assert f"assignment {bad.id} failed" in caplog.text
    db.session.expire_all()
    assert [fired(db, a) for _, a in made] == [[("sign", "remind")], [], [("sign", "remind")]]
    assert bad.next_check_at == at + sla.RETRY_FAILED  # looked at again in an hour, not every minute
    assert sla.sweep(at + timedelta(minutes=1))["checked"] == 0
    monkeypatch.setattr(sla.clocks, "Clocks", real)
    # An hour later (10:30) the sign clock's 督办 of 10:00 is due for all three; the one put off
    # gets its reminder too.
    assert sla.sweep(at + sla.RETRY_FAILED) == {"checked": 3, "fired": 4, "failed": 0}
    assert fired(db, bad) == [("sign", "remind"), ("sign", "supervise")]

def test_a_sweep_s_statements_do_not_grow_with_what_is_due(world, db):
    """A batch costs the same statements whether one assignment is due in it or four: what the
    sweep reads and writes per assignment is read and written for the whole batch at once."""
    from sqlalchemy import event

    def statements_of_sweep(at):
        seen: list[str] = []

        def before(conn, cursor, statement, *_):
            seen.append(" ".join(statement.split()))

        db.session.expire_all()
        event.listen(db.engine, "before_cursor_execute", before)
        try:
            result = sla.sweep(at)
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        return result, seen

    _, one = world["file"](sh(2025, 9, 30, 16, 30))
    first, alone = statements_of_sweep(sh(2025, 12, 31, 12, 0))
    more = [world["file"](sh(2026, 2, 2, 10, 0))[1] for _ in range(4)]
    second, together = statements_of_sweep(sh(2026, 4, 30, 12, 0))
    # every level of every clock fired (9 each: see the test above), each assignment stored once
    assert (first["checked"], first["fired"]) == (1, 9)
    assert (second["checked"], second["fired"]) == (4, 36)
    assert len(together) == len(alone)
    assert sum(s.startswith("UPDATE assignments") for s in together) == 1
    db.session.expire_all()
    assert one.escalation_level == "notice" and one.next_check_at is None
    assert all(a.escalation_level == "notice" and a.next_check_at is None for a in more)


def test_duplicate_insert_is_skipped_not_raised(world, db):
    """Another process fired the level first: the row exists, the sweep skips it silently."""
    ticket, a = world["file"](sh(2025, 9, 30, 16, 30))
    db.session.add(Escalation(assignment_id=a.id, ticket_id=ticket.id, agency_id=a.agency_id,
                              level="remind", clock="sign", fired_at=sh(2025, 10, 9, 9, 30)))
    commit()
    a.next_check_at = sh(2025, 10, 9, 9, 30)  # as if this process had not seen it yet
    commit()
    assert sla._insert_escalation({"assignment_id": a.id, "ticket_id": ticket.id, "agency_id": a.agency_id,
                                   "level": "remind", "clock": "sign", "fired_at": sh(2025, 10, 9)}) is False
    db.session.rollback()
    assert len(fired(db, a)) == 1


def test_suspended_ticket_does_not_escalate(world, db):
    from app.models import Suspension

    ticket, a = world["file"](sh(2025, 9, 30, 16, 30))
    a.signed_at = sh(2025, 10, 9, 9, 0)
    a.contacted_at = sh(2025, 10, 9, 9, 30)
    db.session.add(Suspension(ticket_id=ticket.id, question="请补充材料", started_at=sh(2025, 10, 10, 10, 0)))
    clocks.pause(ticket, sh(2025, 10, 10, 10, 0))
    commit()
    sla.sweep(sh(2025, 12, 1))
    assert fired(db, a) == []


def _sweep_cli(app, *args, crash_after=None):
    env = dict(os.environ, FLASK_APP="wsgi.py", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               APP_CONFIG="development")
    env.pop(sla._CRASH_ENV, None)
    if crash_after:
        env[sla._CRASH_ENV] = str(crash_after)
    return subprocess.run([sys.executable, "-m", "flask", "sla", "sweep", *args], cwd=ROOT, env=env, check=False,
                          capture_output=True, text=True, timeout=120)


def test_crash_mid_sweep_loses_nothing_doubles_nothing(world, app, db):
    made = [world["file"](sh(2025, 9, 30, 16, 30) + timedelta(minutes=i))[1].id for i in range(25)]
    db.session.remove()
    crashed = _sweep_cli(app, "--batch", "10", crash_after=23)  # dies inside the 3rd batch
    assert crashed.returncode == 17, crashed.stderr
    count = db.session.scalar(select(func.count(Escalation.id)))
    assert count == 20 * 9  # two committed batches; the third was rolled back whole
    done = _sweep_cli(app, "--batch", "10")
    assert done.returncode == 0, done.stderr
    assert "fired 45" in done.stdout
    rows = db.session.execute(select(Escalation.assignment_id, func.count()).group_by(Escalation.assignment_id)).all()
    assert sorted(r[0] for r in rows) == sorted(made) and {r[1] for r in rows} == {9}
    events = db.session.scalar(select(func.count(TicketEvent.id)).where(TicketEvent.action == "escalate"))
    assert events == 25 * 9
    again = _sweep_cli(app)
    assert "fired 0" in again.stdout
    assert db.session.scalar(select(func.count(Escalation.id))) == 225


def test_auto_close_after_ten_days(world, db):
    ticket, a = world["file"](sh(2025, 9, 30, 16, 30))
    replied = sh(2025, 10, 9, 15, 0)
    ticket.state, ticket.replied_at, ticket.reply = "replied", replied, "已办理完毕。"
    a.replied_at = replied
    commit()
    # The rating window is 10 days, stated once: at exactly 10 days the business may still rate.
    assert sla.auto_close(replied + timedelta(days=10))["closed"] == 0
    closing = replied + timedelta(days=10, seconds=1)
    assert sla.auto_close(closing) == {"closed": 1, "conflicts": 0, "failed": 0}
    assert ticket.state == "closed" and ticket.closed_at == closing
    rating = db.session.scalar(select(Rating).where(Rating.ticket_id == ticket.id))
    assert rating.auto and rating.resolved and rating.satisfaction == "satisfied" and rating.channel == "auto"
    assert rating.agency_id == world["agency"].id
    assert ticket.events[-1].action == "auto_close"
    assert sla.auto_close(replied + timedelta(days=20))["closed"] == 0
    assert sla.count_auto_ratings("liaoyuan") is True



def test_one_ticket_that_cannot_close_does_not_stop_auto_close(world, db, monkeypatch, caplog):
    replied = sh(2025, 10, 9, 15, 0)
    made = []
    for hour in (16, 17):  # the broken one replied first: it comes first in every run
        ticket, a = world["file"](sh(2025, 9, 30, hour, 0))
        ticket.state, ticket.replied_at, ticket.reply = "replied", replied + timedelta(hours=hour - 16), "已办理。"
        a.replied_at = ticket.replied_at
        made.append(ticket)
    commit()
    bad, good = made
    close = sla.close_assignments

    def broken(ticket, at):
        if ticket.id == bad.id:
            raise RuntimeError("a broken row")
        return close(ticket, at)

    monkeypatch.setattr(sla, "close_assignments", broken)
    assert sla.auto_close(replied + timedelta(days=11)) == {"closed": 1, "conflicts": 0, "failed": 1}
    assert "could not close it automatically" in caplog.text
    db.session.expire_all()
    assert (bad.state, good.state) == ("replied", "closed")
    assert db.session.scalar(select(func.count(Rating.id)).where(Rating.ticket_id == bad.id)) == 0
    assert not [e for e in bad.events if e.action == "auto_close"]
    monkeypatch.setattr(sla, "close_assignments", close)
    assert sla.auto_close(replied + timedelta(days=11)) == {"closed": 1, "conflicts": 0, "failed": 0}

def test_send_outbox_queues_without_smtp(app, db, monkeypatch):
    db.session.add(OutboxEmail(to_address="a@example.com", subject="s", body="b"))
    commit()
    app.config["SMTP_HOST"] = None
    assert sla.send_outbox()["sent"] == 0
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout=None):
            assert host == "mail.local"

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, msg):
            sent.append(msg["To"])

    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    app.config["SMTP_HOST"] = "mail.local"
    assert sla.send_outbox()["sent"] == 1
    assert sent == ["a@example.com"]
    assert db.session.scalar(select(OutboxEmail)).sent_at is not None



def test_one_email_that_cannot_go_does_not_hold_back_the_others(app, db, monkeypatch):
    for to in ("drop@example.com", "a@example.com\nBcc: x@example.com", "ok@example.com"):
        db.session.add(OutboxEmail(to_address=to, subject="s", body="b"))
    commit()
    sent = []

    class SMTPServer:  # stands in for the mail server: it drops the connection on one address
        def __init__(self, host, port, timeout=None):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, msg):
            if msg["To"] == "drop@example.com":
                raise ConnectionResetError("connection reset by peer")
            sent.append(msg["To"])

    monkeypatch.setattr("smtplib.SMTP", SMTPServer)
    app.config["SMTP_HOST"] = "mail.local"
    assert sla.send_outbox() == {"sent": 1, "failed": 2, "queued": False}
    assert sent == ["ok@example.com"]
    rows = {r.to_address: r for r in db.session.scalars(select(OutboxEmail))}
    assert rows["ok@example.com"].sent_at is not None
    for to in ("drop@example.com", "a@example.com\nBcc: x@example.com"):  # the header is refused, not sent
        assert rows[to].sent_at is None and rows[to].attempts == 1 and rows[to].last_error

def test_jobs_and_scheduler(app):
    from workers import scheduler

    assert {j.name: j.seconds for j in jobs.JOBS} == {"sla_sweep": 60, "auto_close": 3600, "end_suspensions": 60,
                                                      "send_outbox": 60, "send_webhooks": 30}
    sched = scheduler.build(app)
    assert {j.id for j in sched.get_jobs()} == {"sla_sweep", "auto_close", "end_suspensions", "send_outbox",
                                                "send_webhooks"}
    with app.app_context():
        assert jobs.JOBS[0].func()["checked"] == 0


# --- workflow defects (issue 10 §3): each test failed before its fix ----------------------------

def _replied(world, db, at):
    ticket, a = world["file"](at)
    replied = at + timedelta(days=1)
    ticket.state, ticket.replied_at, ticket.reply = "replied", replied, "已办理完毕。"
    a.replied_at, a.state = replied, "replied"
    commit()
    return ticket, a, replied


def test_auto_close_takes_the_ticket_out_of_the_agency_queue(world, db):
    from app.models import Assignment

    ticket, a, replied = _replied(world, db, sh(2025, 9, 30, 16, 30))
    sla.auto_close(replied + timedelta(days=11))
    assert ticket.state == "closed"
    assert not a.active and a.ended_at is not None and a.state == "replied"
    queue = db.session.scalars(select(Assignment).where(Assignment.agency_id == world["agency"].id,
                                                        Assignment.active.is_(True))).all()
    assert queue == []


def test_auto_close_period_is_a_setting_per_jurisdiction(world, db, make_city):
    from app.models import Setting

    ticket, _a, replied = _replied(world, db, sh(2025, 9, 30, 16, 30))
    db.session.add(Setting(key="sla.rating_window_days", jurisdiction="liaoyuan", value={"value": 5}))
    commit()
    assert sla.rating_window_days("liaoyuan") == 5 and sla.rating_window_days("elsewhere") == 10
    assert sla.auto_close(replied + timedelta(days=5))["closed"] == 0
    assert sla.auto_close(replied + timedelta(days=5, seconds=1))["closed"] == 1
    assert ticket.events[-1].details["days"] == 5


def test_contact_clock_escalates(world, db):
    """Signed in time but the business never contacted: 1 working day from 09-30 16:30 is
    10-09 17:30; 催办 at 75 % (6 of 8 working hours: 10-09 15:30), 督办 just after the deadline."""
    ticket, a = world["file"](sh(2025, 9, 30, 16, 30))
    a.signed_at = sh(2025, 9, 30, 16, 40)
    clocks.refresh(a, a.signed_at)
    commit()
    sla.sweep(sh(2025, 10, 9, 15, 29))
    assert ("contact", "remind") not in fired(db, a)
    sla.sweep(sh(2025, 10, 9, 15, 30))
    assert ("contact", "remind") in fired(db, a)
    sla.sweep(sh(2025, 10, 9, 17, 30))
    assert ("contact", "supervise") not in fired(db, a)
    sla.sweep(sh(2025, 10, 9, 17, 31))
    assert ("contact", "supervise") in fired(db, a)
    assert "escalate_supervise" in inbox(db, world["staff"]["supervisor"])


def test_contact_in_time_stops_the_contact_clock(world, db):
    ticket, a = world["file"](sh(2025, 9, 30, 16, 30))
    a.signed_at = a.contacted_at = sh(2025, 9, 30, 16, 40)
    clocks.refresh(a, a.signed_at)
    commit()
    sla.sweep(sh(2025, 10, 10, 12, 0))
    assert [c for c, _ in fired(db, a) if c == "contact"] == []


def test_missed_supervision_order_escalates_and_shows(world, db):
    """督办单 issued 10-09 10:00 with 2 working days: due 10-11 17:30 (a worked Saturday);
    missed: 挂牌督办 right after, 约谈 +3 working days (10-13, 14, 15), 通报 +5 (10-16, 17)."""
    from app.services import supervision

    ticket, a = world["file"](sh(2025, 9, 30, 16, 30))
    a.signed_at = a.contacted_at = sh(2025, 9, 30, 16, 40)
    clocks.refresh(a, a.signed_at)
    commit()
    sup = world["staff"]["supervisor"]
    with time_machine.travel(sh(2025, 10, 9, 10, 0), tick=False):
        notice = supervision.issue_notice(sup, ticket.id, "请尽快办结并书面报告", 2)
    assert notice.due_at == sh(2025, 10, 11, 17, 30)
    sla.sweep(sh(2025, 10, 11, 17, 30))
    assert ("order", "flag") not in fired(db, a)
    sla.sweep(sh(2025, 10, 11, 17, 31))
    assert ("order", "flag") in fired(db, a)
    assert a.escalation_level == "flag"
    sla.sweep(sh(2025, 10, 15, 17, 30))
    assert ("order", "interview") in fired(db, a)
    sla.sweep(sh(2025, 10, 17, 17, 30))
    assert ("order", "notice") in fired(db, a)
    # on the supervision board, with the order's deadline
    items = supervision.board(sup, now=sh(2025, 10, 12, 9, 0))
    assert [i.ticket.id for i in items] == [ticket.id] and items[0].order_due == notice.due_at


def test_order_met_by_reply_does_not_escalate(world, db):
    from app.services import supervision

    ticket, a = world["file"](sh(2025, 9, 30, 16, 30))
    a.signed_at = a.contacted_at = sh(2025, 9, 30, 16, 40)
    commit()
    with time_machine.travel(sh(2025, 10, 9, 10, 0), tick=False):
        supervision.issue_notice(world["staff"]["supervisor"], ticket.id, "请尽快办结", 2)
    a.replied_at = sh(2025, 10, 10, 9, 0)
    clocks.refresh(a, a.replied_at)
    commit()
    sla.sweep(sh(2025, 10, 20, 9, 0))
    assert [c for c, _ in fired(db, a) if c == "order"] == []


def test_cli_deadline_unknown_jurisdiction_is_an_error(runner, make_city):
    make_city()
    bad = runner.invoke(args=["sla", "deadline", "--jurisdiction", "nowhere", "--kind", "complaint",
                              "--at", "2025-09-30T16:30"])
    assert bad.exit_code != 0 and "nowhere" in bad.output
    good = runner.invoke(args=["sla", "deadline", "--jurisdiction", "liaoyuan", "--kind", "complaint",
                               "--at", "2025-09-30T16:30"])
    assert good.exit_code == 0, good.output


def test_an_edited_ladder_moves_the_escalation_of_running_clocks(world, db, make_user):
    """A complaint filed 09-30 16:30, signed and contacted at once: its resolve deadline is 10-28
    17:30 and 挂牌督办 would come at the close of the 3rd workday after it (10-31). The admin
    shortens the ladder to 1 / 2 / 4 working days while the ticket runs: 挂牌督办 comes at the close
    of 10-29 (Wed), 约谈 of 10-30 (Thu), 通报 of 11-03 (Mon: 10-31 is the 3rd workday, 11-03 the 4th)."""
    from app.services import sla_policies

    admin = make_user("admin", username="root", jurisdiction=None)
    ticket, a = world["file"](sh(2025, 9, 30, 16, 30))
    a.signed_at = a.contacted_at = sh(2025, 9, 30, 16, 40)
    clocks.refresh(a, sh(2025, 9, 30, 16, 40))
    commit()
    assert sla.sweep(sh(2025, 10, 28, 17, 31))["fired"] >= 1
    assert ("resolve", "supervise") in fired(db, a)
    limits = {"sign": (2, "working_hours"), "contact": (1, "working_days"), "resolve": (15, "working_days"),
              "reopen_resolve": (5, "working_days")}
    with time_machine.travel(sh(2025, 10, 29, 9, 0), tick=False):
        sla_policies.update(admin, "liaoyuan", "complaint", False, limits=limits, warn_ratio=0.75,
                            ladder={"flag": 1, "interview": 2, "notice": 4})
    for at, level in [(sh(2025, 10, 29, 17, 30), "flag"), (sh(2025, 10, 30, 17, 30), "interview"),
                      (sh(2025, 11, 3, 17, 30), "notice")]:
        assert sla.sweep(at - timedelta(minutes=1))["fired"] == 0, level
        assert ("resolve", level) not in fired(db, a)
        assert sla.sweep(at)["fired"] == 1, level
        assert ("resolve", level) in fired(db, a)
    assert a.escalation_level == "notice"


def test_the_default_ladder_is_untouched_elsewhere(world, db, make_user):
    """The edit is per city × kind × urgency: a help request keeps 挂牌督办 at the 3rd workday."""
    from app.services import sla_policies

    admin = make_user("admin", username="root", jurisdiction=None)
    limits = {"sign": (2, "working_hours"), "contact": (1, "working_days"), "resolve": (15, "working_days"),
              "reopen_resolve": (5, "working_days")}
    sla_policies.update(admin, "liaoyuan", "complaint", False, limits=limits, warn_ratio=0.75,
                        ladder={"flag": 1, "interview": 2, "notice": 4})
    assert clocks.policy_of("liaoyuan", "help", False).overdue_after == {"flag": 3, "interview": 5, "notice": 10}
    assert clocks.policy_of("liaoyuan", "complaint", True).overdue_after == {"flag": 3, "interview": 5, "notice": 10}
    assert clocks.policy_of("liaoyuan", "complaint", False).overdue_after == {"flag": 1, "interview": 2, "notice": 4}
