"""Two scheduler processes sweeping the same due set on PostgreSQL never double-fire.

Uses a dedicated database (test_sweep_<pid>) created here, so the truncating
fixtures of other tests are not disturbed. Skipped on SQLite (no row locks; the
unique constraint keeps a single SQLite sweeper correct).
"""
import contextlib
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from config import TestConfig

PG_URL = os.environ.get("TEST_DATABASE_URL") or ""
ROOT = Path(__file__).resolve().parents[2]
N = 400

pytestmark = pytest.mark.skipif(not PG_URL.startswith("postgresql"), reason="needs PostgreSQL")


@pytest.fixture
def dedicated_db():
    name = f"test_sweep_{os.getpid()}"
    admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def _city(url: str):
    """A migrated database with one city, its market regulator and one business, in an app context;
    what the block adds is committed at its end."""
    from flask_migrate import upgrade

    from app.domain.uscc import check_digit
    from app.models import Agency, Enterprise, Jurisdiction

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Cfg)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.session.add(Jurisdiction(code="liaoyuan", name="辽源市", name_en="Liaoyuan", prefix="LY"))
        db.session.flush()
        agency = Agency(jurisdiction="liaoyuan", name="市市场监管局", aliases=[], kind="department")
        body = "91220400MA0000001"
        ent = Enterprise(uscc=body + check_digit(body), name="测试企业", jurisdiction="liaoyuan", phone="1")
        db.session.add_all([agency, ent])
        db.session.flush()
        yield agency, ent
        db.session.commit()
        db.engine.dispose()


def _populate(url: str) -> None:
    """N open, long-overdue assignments (every level of the sign, contact and resolve clocks due: 2 + 2 + 5 = 9
    each), made through clocks.start."""
    from app.models import Assignment, Ticket, User
    from app.services import clocks

    with _city(url) as (agency, ent):
        clerk = User(username="clerk", display_name="clerk", role="clerk", agency_id=agency.id)
        clerk.set_password("password123")
        db.session.add(clerk)
        start = datetime(2025, 9, 30, 8, 30, tzinfo=UTC)
        for i in range(N):
            t = Ticket(number=f"LY20250930-{i:06d}", jurisdiction="liaoyuan", enterprise_id=ent.id, kind="complaint",
                       topic="tax", title="t", description="d" * 10, state="dispatched", lead_agency_id=agency.id,
                       created_at=start)
            a = Assignment(ticket=t, agency_id=agency.id, role="lead", created_at=start + timedelta(seconds=i))
            db.session.add_all([t, a])
            db.session.flush()
            clocks.start(a, a.created_at)


LEVELS = 9  # per assignment: docs/workflow.md, the ladder of each clock


def test_two_processes_never_double_fire(dedicated_db):
    _populate(dedicated_db)
    env = dict(os.environ, FLASK_APP="wsgi.py", DATABASE_URL=dedicated_db, APP_CONFIG="development")
    env.pop("SLA_SWEEP_CRASH_AFTER", None)
    cmd = [sys.executable, "-m", "flask", "sla", "sweep", "--batch", "20"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    # "sweep: checked N, fired N, failed N; auto_close: …"
    fired = [int(re.search(r"fired (\d+), failed 0;", o[0]).group(1)) for o in outs]
    assert sum(fired) == N * LEVELS, outs  # each level once, shared between the two
    engine = create_engine(dedicated_db)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM escalations")).scalar() == N * LEVELS
        assert conn.execute(text(
            "SELECT count(*) FROM (SELECT assignment_id, clock, level FROM escalations "
            "GROUP BY 1, 2, 3 HAVING count(*) > 1) d")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM ticket_events WHERE action = 'escalate'")).scalar() == N * LEVELS
        assert conn.execute(text("SELECT count(*) FROM notifications WHERE kind = 'escalate_remind'")).scalar() == 3 * N  # 3 reminders
        assert conn.execute(text(
            "SELECT count(*) FROM assignments WHERE next_check_at IS NOT NULL")).scalar() == 0
    engine.dispose()


def _populate_suspended(url: str, n: int) -> None:
    """`n` suspended tickets whose suspension reached the cap long ago (ends_by in 2025)."""
    from app.models import Assignment, Suspension, Ticket
    from app.services import clocks

    with _city(url) as (agency, ent):
        start = datetime(2025, 9, 30, 8, 30, tzinfo=UTC)
        for i in range(n):
            t = Ticket(number=f"LY20250930-{i:06d}", jurisdiction="liaoyuan", enterprise_id=ent.id, kind="complaint",
                       topic="tax", title="t", description="d" * 10, state="suspended", lead_agency_id=agency.id,
                       created_at=start)
            a = Assignment(ticket=t, agency_id=agency.id, role="lead", created_at=start, signed_at=start)
            db.session.add_all([t, a])
            db.session.flush()
            db.session.add(Suspension(ticket_id=t.id, question="请补充材料", started_at=start + timedelta(hours=1),
                                      ends_by=start + timedelta(days=7)))
            db.session.flush()
            clocks.start(a, a.created_at)


def test_two_processes_resume_each_capped_suspension_once(dedicated_db):
    n = 300  # more than one process takes in one run (200): both get some
    _populate_suspended(dedicated_db, n)
    env = dict(os.environ, FLASK_APP="wsgi.py", DATABASE_URL=dedicated_db, APP_CONFIG="development")
    cmd = [sys.executable, "-m", "flask", "sla", "end-suspensions"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    ended = [json.loads(o[0].strip().splitlines()[-1])["ended"] for o in outs]
    assert sum(ended) == n, outs  # each once, shared between the two
    engine = create_engine(dedicated_db)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM suspensions WHERE ended_at IS NULL")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM ticket_events WHERE action = 'resume'")).scalar() == n
        assert conn.execute(text("SELECT count(*) FROM tickets WHERE state = 'in_progress'")).scalar() == n
    engine.dispose()
