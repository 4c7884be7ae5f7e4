"""`flask demo seed`: accounts for every role, tickets in each state, idempotent."""
from sqlalchemy import func, select

from app.domain.uscc import validate_uscc
from app.models import Enterprise, Notification, Ticket, TicketEvent, User
from tests.conftest import login


def _counts(db):
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (User, Enterprise, Ticket, TicketEvent, Notification))


def test_seed_fails_clearly_without_agencies(runner, make_city):
    make_city(agencies=("市市场监管局",))
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code != 0 and "市税务局" in result.output and "plans import" in result.output


def test_seed_creates_accounts_and_tickets_once(runner, make_city, db, client):
    make_city(agencies=("市市场监管局", "市税务局"))
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    for name in ("admin", "dispatcher_ly", "supervisor_ly", "clerk_scj", "agencyadmin_scj", "clerk_sw",
                 "biz1", "biz2"):
        assert name in result.output
    assert "demo12345" in result.output
    for e in db.session.scalars(select(Enterprise)):
        assert validate_uscc(e.uscc) == e.uscc
    states = set(db.session.scalars(select(Ticket.state)))
    assert {"dispatched", "in_progress", "suspended", "replied", "closed", "withdrawn"} <= states
    # every ticket carries real events
    for t in db.session.scalars(select(Ticket)):
        assert len(t.events) >= 2
    before = _counts(db)
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0, again.output
    db.session.expire_all()
    assert _counts(db) == before
    # the demo password works
    r = login(client, "clerk_scj", "demo12345")
    assert r.status_code == 302 and r.headers["Location"].endswith("/desk/")


def test_the_live_ranking_on_the_demo_data_charges_no_deadline_that_has_not_passed(runner, make_city, db):
    """Half an hour after the demo is seeded, every ticket the ranking charges to an agency for
    response or lateness has a deadline of that agency that has passed (docs/evaluation.md): the
    living desk's overdue tickets count, the fresh ones (sign: 2 working hours) do not."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from app.services import evaluation as ev

    sh = ZoneInfo("Asia/Shanghai")
    make_city(agencies=("市市场监管局", "市税务局"))
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=sh), tick=False):
        assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    now = datetime(2026, 12, 1, 10, 30, tzinfo=sh)
    with time_machine.travel(now, tick=False):
        rows = ev.report("liaoyuan", "2026-12")
        assert [r for r in rows if r["score"] is not None]
        for r in rows:
            for metric, fields in (("not_responded", ("sign_due_at", "contact_due_at")),
                                   ("late", ("resolve_due_at",))):
                for t in ev.drill("liaoyuan", "2026-12", r["agency_id"], metric):
                    dues = [getattr(a, f) for a in t.assignments if a.agency_id == r["agency_id"] for f in fields]
                    assert any(d is not None and d < now for d in dues), (r["agency"], metric, t.number)


def test_seed_makes_a_living_desk(runner, make_city, db):
    """Every page has something to show: each ladder step, the lights, each supervision decision,
    a co-handled ticket and a frozen past month (issue 15)."""
    from app.models import (
        Assignment,
        Escalation,
        EvaluationPeriod,
        ExclusionRequest,
        ExtensionRequest,
        Scorecard,
        SupervisionNotice,
        Suspension,
    )

    make_city(agencies=("市市场监管局", "市税务局"))
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    # The short table: one account per role, and where to find the rest.
    assert "flask demo accounts" in result.output and len(result.output.splitlines()) < 20
    levels = set(db.session.scalars(select(Escalation.level)))
    assert {"remind", "supervise", "flag"} <= levels
    assert db.session.scalar(select(func.count()).select_from(Suspension)) >= 1
    assert db.session.scalar(select(ExtensionRequest.state)) == "granted"
    assert db.session.scalar(select(ExclusionRequest.state)) == "granted"
    assert db.session.scalar(select(func.count()).select_from(SupervisionNotice)) == 1
    assert db.session.scalar(select(func.max(Ticket.reopen_count))) >= 1
    assert db.session.scalar(select(func.count()).where(Assignment.role == "co",
                                                        Assignment.opinion_at.is_not(None))) == 1
    period = db.session.scalar(select(EvaluationPeriod))
    assert period is not None and period.frozen_at is not None
    assert db.session.scalar(select(func.count()).select_from(Scorecard).where(Scorecard.period_id == period.id)) >= 1
    listing = runner.invoke(args=["demo", "accounts"])
    assert "clerk_sw" in listing.output and "biz2" in listing.output
