"""Monthly evaluation report on 1 000 000 tickets (PostgreSQL).

    .venv/bin/python bench/evaluation_bench.py [--tickets 1000000] [--agencies 60] [--reuse]

Creates a dedicated database `bench_eval` on the local server (drops it first), migrates it,
bulk-loads tickets spread over 12 months, with their lead (and some co) assignments, ratings,
unjustified returns and escalations, using psycopg COPY; then times `evaluation.report` for one
month (the target is < 3 s), a 12-month trend and the freeze. Prints JSON figures.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402 — after the sys.path fix above

ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB = os.environ.get("BENCH_DB", "bench_eval")
J = "liaoyuan"
SAT = ("very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied")
TOPICS = ("tax", "finance", "land", "employment", "utilities", "approval", "inspection", "start_close")


def recreate_database() -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        conn.execute(f'CREATE DATABASE "{DB}"')
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{DB}"


def migrate(url: str):
    from flask_migrate import upgrade

    from app import create_app
    from config import Config

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url.replace("postgresql://", "postgresql+psycopg://")

    app = create_app(BenchConfig)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    return app


def load(url: str, n_tickets: int, n_agencies: int, seed: int = 11) -> dict:
    rnd = random.Random(seed)
    start = datetime(2025, 11, 1, tzinfo=UTC)
    span = (datetime(2026, 11, 1, tzinfo=UTC) - start).total_seconds()
    counts = {"tickets": 0, "assignments": 0, "ratings": 0, "returns": 0, "escalations": 0}
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO jurisdictions (code, name, name_en, prefix) VALUES (%s, '辽源市', 'Liaoyuan', 'LY')",
                    (J,))
        for i in range(1, n_agencies + 1):
            cur.execute("INSERT INTO agencies (id, jurisdiction, name, kind, aliases, collective, active) "
                        "VALUES (%s, %s, %s, 'department', '[]', false, true)", (i, J, f"测试局{i:03d}"))
        cur.execute("INSERT INTO enterprises (id, uscc, name, jurisdiction, created_at) "
                    "VALUES (1, '91220400MA00000010', '基准企业', %s, now())", (J,))
        now = datetime(2026, 11, 20, tzinfo=UTC)
        assignments, ratings, returns, escalations = [], [], [], []
        aid = 0
        with cur.copy("COPY tickets (id, number, jurisdiction, enterprise_id, kind, topic, title, description, "
                      "urgent, public, state, lead_agency_id, return_count, reopen_count, excluded, created_at, "
                      "updated_at, version) FROM STDIN") as cp:
            for tid in range(1, n_tickets + 1):
                created = start + timedelta(seconds=rnd.random() * span)
                agency = rnd.randint(1, n_agencies)
                closed = created < now - timedelta(days=20) or rnd.random() < 0.5
                reopen = 1 if closed and rnd.random() < 0.03 else 0
                cp.write_row((tid, f"LY{tid:012d}", J, 1, "complaint", rnd.choice(TOPICS), "诉求", "基准诉求内容",
                              False, False, "closed" if closed else "in_progress", agency, 0, reopen,
                              rnd.random() < 0.01, created, created, 1))
                sign_due, contact_due = created + timedelta(hours=4), created + timedelta(days=1)
                resolve_due = created + timedelta(days=15)
                signed = created + timedelta(hours=rnd.choice((1, 2, 3, 6)))
                contacted = created + timedelta(hours=rnd.choice((5, 10, 30)))
                replied = created + timedelta(days=rnd.choice((3, 8, 12, 18))) if closed else None
                aid += 1
                assignments.append((aid, tid, agency, "lead", "replied" if closed else "signed", not closed, 0,
                                    created, signed, contacted, replied, None, sign_due, contact_due, resolve_due,
                                    0))
                if rnd.random() < 0.1:
                    aid += 1
                    co = rnd.randint(1, n_agencies)
                    assignments.append((aid, tid, co, "co", "opinion_submitted", False, 0, created, signed, None,
                                        None, created + timedelta(days=rnd.choice((2, 20))), sign_due, contact_due,
                                        resolve_due, 0))
                if closed and rnd.random() < 0.8:
                    auto = rnd.random() < 0.2
                    ratings.append((tid, agency, 0, rnd.random() < 0.85, rnd.choice(SAT), auto,
                                    (replied or created) + timedelta(days=1)))
                if rnd.random() < 0.01:
                    returns.append((tid, aid, agency, "other", "理由", "unjustified", created + timedelta(hours=5)))
                if not closed and resolve_due < now and rnd.random() < 0.5:
                    escalations.append((aid, tid, agency, rnd.choice(("supervise", "flag")), "resolve",
                                        resolve_due + timedelta(days=3)))
        counts["tickets"] = n_tickets
        with cur.copy("COPY assignments (id, ticket_id, agency_id, role, state, active, cycle, created_at, "
                      "signed_at, contacted_at, replied_at, opinion_at, sign_due_at, contact_due_at, "
                      "resolve_due_at, extension_days) FROM STDIN") as cp:
            for row in assignments:
                cp.write_row(row)
        with cur.copy("COPY ratings (ticket_id, agency_id, cycle, resolved, satisfaction, auto, created_at) "
                      "FROM STDIN") as cp:
            for row in ratings:
                cp.write_row(row)
        with cur.copy("COPY ticket_returns (ticket_id, assignment_id, agency_id, category, reason, decision, "
                      "created_at) FROM STDIN") as cp:
            for row in returns:
                cp.write_row(row)
        with cur.copy("COPY escalations (assignment_id, ticket_id, agency_id, level, clock, fired_at) "
                      "FROM STDIN") as cp:
            for row in escalations:
                cp.write_row(row)
        for table, seq in (("tickets", "tickets_id_seq"), ("assignments", "assignments_id_seq"),
                           ("agencies", "agencies_id_seq"), ("enterprises", "enterprises_id_seq")):
            cur.execute(f"SELECT setval('{seq}', (SELECT max(id) FROM {table}))")
        conn.commit()
        cur.execute("ANALYZE")
        counts.update(assignments=len(assignments), ratings=len(ratings), returns=len(returns),
                      escalations=len(escalations))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=60)
    parser.add_argument("--month", default="2026-09")
    parser.add_argument("--reuse", action="store_true", help="time again on the loaded bench_eval database")
    args = parser.parse_args()

    if args.reuse:
        url = ADMIN_URL.rsplit("/", 1)[0] + f"/{DB}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DELETE FROM scorecards")
            conn.execute("DELETE FROM evaluation_periods")
            counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                      for t in ("tickets", "assignments", "ratings", "ticket_returns", "escalations")}
        app, load_s = migrate(url), 0.0
    else:
        url = recreate_database()
        app = migrate(url)
        t0 = time.perf_counter()
        counts = load(url, args.tickets, args.agencies)
        load_s = time.perf_counter() - t0

    from app.extensions import db
    from app.services import evaluation as ev

    with app.app_context():
        ev.report(J, args.month)  # warm the connection pool and caches
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            rows = ev.report(J, args.month)
            runs.append(time.perf_counter() - t)
        t = time.perf_counter()
        ev.trend(J, args.month)
        trend_s = time.perf_counter() - t
        t = time.perf_counter()
        ev.freeze(J, args.month, None)
        freeze_s = time.perf_counter() - t
        t = time.perf_counter()
        ev.report(J, args.month)
        frozen_s = time.perf_counter() - t
        month_assignments = sum(r["assignments"] for r in rows)
        # Ceiling of the same run: one pass over the month's assignments and their tickets, which
        # the report cannot do with less (it reads them and more: ratings, returns, escalations).
        from zoneinfo import ZoneInfo

        from sqlalchemy import text

        y, m = (int(x) for x in args.month.split("-"))
        start = datetime(y, m, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
        end = datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
        scans = []
        for _ in range(3):
            t = time.perf_counter()
            db.session.execute(text(
                "SELECT count(*), count(a.signed_at), count(a.replied_at), count(DISTINCT a.agency_id) "
                "FROM assignments a JOIN tickets t ON t.id = a.ticket_id "
                "WHERE t.jurisdiction = :j AND a.created_at >= :s AND a.created_at < :e"),
                {"j": J, "s": start, "e": end}).one()
            scans.append(time.perf_counter() - t)
        db.session.remove()
        db.engine.dispose()

    print(json.dumps({
        "machine": platform.machine(), "nproc": os.cpu_count(), "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"), **counts, "load_s": round(load_s, 1),
        "month": args.month, "month_assignments": month_assignments, "agencies": len(rows),
        "report_s": [round(x, 3) for x in runs], "report_best_s": round(min(runs), 3),
        "trend_12_months_s": round(trend_s, 3), "freeze_s": round(freeze_s, 3), "frozen_report_s": round(frozen_s, 3),
        "ceiling_month_scan_s": round(sorted(scans)[1], 3),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
