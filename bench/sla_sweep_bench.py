"""Benchmark the SLA sweep on PostgreSQL at a million open assignments.

    .venv/bin/python bench/sla_sweep_bench.py [postgresql+psycopg://postgres@127.0.0.1:5432/bench_sla] \
        [--reuse] [--profile]

Creates (drops and recreates) the dedicated database, migrates it, fills
1 000 000 open tickets and assignments with COPY, of which 1 000 are due
(their resolve reminder), then times (1) a sweep of the 1 000 due ones (three times, putting them back in between; the median is
the figure) and (2) a sweep with nothing due. Targets: < 0.5 s and < 20 ms. Prints figures; with --profile,
also the cProfile of the due sweep (top functions by own time). --reuse keeps a database an
earlier run filled and only puts the 1 000 back in their due state (what a sweep wrote is
truncated), so a rerun takes seconds instead of a refill; the first sweep after a fresh fill
also pays for the just-loaded database's cold caches and checkpoint, so rerun with --reuse.
"""
import io
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_sla"
TOTAL = 1_000_000
DUE = 1_000
REPEAT = 3
START = datetime(2025, 9, 30, 8, 30, tzinfo=UTC)  # Tue 16:30 Shanghai
NOW = datetime(2025, 10, 24, 2, 0, tzinfo=UTC)  # after the resolve reminder (10-23 10:30), before the deadline
FAR = datetime(2030, 1, 1, tzinfo=UTC)


def recreate(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _copy(cur, table: str, columns: str, rows) -> None:
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join(row))
        buf.write("\n")
    buf.seek(0)
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        while chunk := buf.read(1 << 20):
            copy.write(chunk)


def fill(db) -> None:
    from app.domain.uscc import check_digit

    raw = db.engine.raw_connection()
    cur = raw.cursor()
    body = "91220400MA0000001"
    cur.execute("INSERT INTO jurisdictions (code, name, name_en, prefix) VALUES ('liaoyuan', '辽源市', 'Liaoyuan', 'LY')")
    cur.execute("INSERT INTO agencies (jurisdiction, name, aliases, kind, active, collective) VALUES "
                "('liaoyuan', '市市场监管局', '[]', 'department', true, false) RETURNING id")
    agency = cur.fetchone()[0]
    cur.execute("INSERT INTO enterprises (uscc, name, jurisdiction, phone, created_at) VALUES (%s, '测试企业', 'liaoyuan', '1', now()) "
                "RETURNING id", (body + check_digit(body),))
    ent = cur.fetchone()[0]
    cur.execute("INSERT INTO users (username, password_hash, display_name, role, agency_id, active, created_at) "
                "VALUES ('clerk', 'x', 'clerk', 'clerk', %s, true, now())", (agency,))
    created = START.isoformat()
    t0 = time.perf_counter()
    _copy(cur, "tickets", "id, number, jurisdiction, enterprise_id, kind, topic, title, description, urgent, public, "
          "state, lead_agency_id, return_count, reopen_count, excluded, created_at, updated_at, version",
          ((str(i), f"LY-{i:08d}", "liaoyuan", str(ent), "complaint", "tax", "发票问题", "申请增值税专用发票一直没有办理结果。",
            "f", "f", "dispatched", str(agency), "0", "0", "f", created, created, "1") for i in range(1, TOTAL + 1)))
    sign_due = "2025-10-09T02:00:00+00:00"
    contact_due = "2025-10-09T09:30:00+00:00"
    resolve_due = "2025-10-28T09:30:00+00:00"
    due_at = "2025-10-23T02:30:00+00:00"  # the resolve reminder
    # Signed and contacted on the day of filing, as a handled ticket is: only its resolve reminder is due.
    _copy(cur, "assignments", "id, ticket_id, agency_id, role, state, active, cycle, created_at, signed_at, "
          "contacted_at, sign_due_at, contact_due_at, resolve_due_at, extension_days, next_check_at",
          ((str(i), str(i), str(agency), "lead", "signed", "t", "0", created, created, created, sign_due, contact_due,
            resolve_due, "0", due_at if i % (TOTAL // DUE) == 0 else FAR.isoformat()) for i in range(1, TOTAL + 1)))
    # the sign clock of every assignment has already fired (signed): record it as the real data would
    cur.execute("SELECT setval('tickets_id_seq', %s)", (TOTAL,))
    cur.execute("SELECT setval('assignments_id_seq', %s)", (TOTAL,))
    raw.commit()
    fill_s = time.perf_counter() - t0
    cur.execute("ANALYZE tickets")
    cur.execute("ANALYZE assignments")
    raw.commit()
    raw.close()
    print(f"filled {TOTAL} tickets + assignments ({DUE} due) in {fill_s:.1f} s")


def reset(db) -> None:
    """Undo an earlier run's sweep: its escalations, events, notifications and emails, and the
    1 000 assignments' clocks (as fill() wrote them)."""
    with db.engine.begin() as conn:
        conn.execute(text("TRUNCATE escalations, notifications, outbox_emails, "
                          "webhook_deliveries, ticket_events CASCADE"))
        conn.execute(text("UPDATE assignments SET next_check_at = :due, escalation_level = NULL, "
                          "sign_due_at = :sign, contact_due_at = :contact, resolve_due_at = :resolve "
                          "WHERE id % :step = 0"),
                     {"due": datetime(2025, 10, 23, 2, 30, tzinfo=UTC), "step": TOTAL // DUE,
                      "sign": datetime(2025, 10, 9, 2, 0, tzinfo=UTC), "contact": datetime(2025, 10, 9, 9, 30, tzinfo=UTC),
                      "resolve": datetime(2025, 10, 28, 9, 30, tzinfo=UTC)})
    print("reset the 1000 due assignments of the earlier run")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    profile = "--profile" in sys.argv[1:]
    reuse = "--reuse" in sys.argv[1:]
    url = args[0] if args else DEFAULT_URL
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from config import Config

    if not reuse:
        recreate(url)

    class Cfg(Config):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Cfg)
    with app.app_context():
        if reuse:
            reset(db)
        else:
            upgrade(directory=str(Path(__file__).resolve().parents[1] / "migrations"))
            fill(db)
        from app.services import sla

        sla.sweep(now=NOW - timedelta(days=400))  # warm-up: calendar, policy, connection; nothing due then
        prof = None
        if profile:
            import cProfile

            prof = cProfile.Profile()
            prof.enable()
        # Three due sweeps, each after putting the 1 000 back: one sweep's figure moves by a fifth
        # on this machine from one minute to the next.
        timings = []
        for attempt in range(1 if profile else REPEAT):
            if attempt:
                reset(db)
            t0, c0 = time.perf_counter(), time.process_time()
            due = sla.sweep(now=NOW, limit=DUE)
            timings.append((time.perf_counter() - t0, time.process_time() - c0))
            if prof is not None:
                import pstats

                prof.disable()
                dump = Path(tempfile.gettempdir()) / "sla_sweep.prof"
                prof.dump_stats(dump)
                print(f"profile written to {dump}")
                pstats.Stats(prof).sort_stats("tottime").print_stats(30)
                pstats.Stats(prof).sort_stats("cumulative").print_stats(r"/(app|workers)/", 30)
        due_s, due_cpu = sorted(timings)[len(timings) // 2]
        runs = []
        for _ in range(5):
            t0 = time.perf_counter()
            idle = sla.sweep(now=NOW, limit=DUE)
            runs.append(time.perf_counter() - t0)
        idle_s = sorted(runs)[len(runs) // 2]
        escalations = db.session.execute(text("SELECT count(*) FROM escalations")).scalar()
        ceiling = reference(db)
    # each due assignment fires exactly its resolve reminder (催办), one escalation row each
    assert due["checked"] == DUE and due["fired"] == DUE and escalations == DUE, (due, escalations)
    assert idle["checked"] == 0
    print(f"machine: {platform.machine()}, nproc {__import__('os').cpu_count()}, Python {platform.python_version()}")
    print(f"sweep of {DUE} due (of {TOTAL} open): {due_s * 1000:.0f} ms (median of {len(timings)}: "
          f"{', '.join(f'{t * 1000:.0f}' for t, _ in timings)}), of which {due_cpu * 1000:.0f} ms "
          f"CPU in this process (the rest: waiting on PostgreSQL) ({due})")
    print(f"sweep with nothing due: {idle_s * 1000:.1f} ms (median of 5)")
    print(f"ceiling, same run: {ceiling['select1_ms']:.0f} ms for 1 000 SELECT 1 round trips through the session; "
          f"{ceiling['python_ms']:.0f} ms for a fixed pure-Python workload (median of 3 each)")


def reference(db) -> dict:
    """The machine's speed at the time of the run, for reading the sweep's figure beside it: this
    machine's neighbours move both the sweep and these by a third from one hour to the next."""
    def timed(fn) -> float:
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t0)
        return sorted(runs)[1] * 1000

    def select1():
        for _ in range(1000):
            db.session.execute(text("SELECT 1")).scalar()

    def python():
        total = 0
        for i in range(300_000):
            total += len(str(i)) * (i % 7)
        return total

    return {"select1_ms": timed(select1), "python_ms": timed(python)}


if __name__ == "__main__":
    main()
