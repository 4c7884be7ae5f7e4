"""Load a benchmark database: the real catalog, then N tickets with their assignments, events and
notifications, bulk-loaded with PostgreSQL COPY.

    .venv/bin/python bench/load.py postgresql+psycopg://postgres@127.0.0.1:5432/bench_f_100k --tickets 100000

Drops and recreates the database, migrates it, imports the five cities' plans (data/plans) and the
working calendar through the services, then writes with COPY:

* per agency 2 clerks and 1 agency admin, per city 1 dispatcher and 1 supervisor
  (usernames clerk<agency id>a/b, admin<agency id>, disp_<city>, sup_<city>);
* N/50 businesses with one account each (biz1, biz2 …); every account's password is `password123`;
* N tickets, titles and texts drawn from the catalog's measures, 80 % closed over the last 365 days,
  20 % open (dispatched or in progress) from the last 25 days; a quarter of them at one busy agency (the benchmark's
  clerk, `clerk<busy>a`, as in the issue's measurement), the rest spread over the agencies;
* one lead assignment per ticket, two events (file, route), two notifications (the business's
  "filed", the agency's "dispatched" — one row each, as the app writes them).

Prints the busy agency and the load time. Bounded: 1 000 000 tickets take a few minutes.
"""
import argparse
import io
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

OPEN_SHARE = 0.2
BUSY_SHARE = 0.25
CHUNK = 50_000


def recreate(url: str) -> None:
    """Drop and create the database named in `url` (it must be a bench_* database, never a test one)."""
    name = make_url(url).database
    assert name.startswith("bench_"), "benchmarks use their own bench_* databases"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _esc(value) -> str:
    if value is None:
        return r"\N"
    s = str(value)
    return s.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def copy(cur, table: str, columns: list[str], rows) -> int:
    """COPY the rows (tuples) into `table`, in chunks; returns how many."""
    started = time.perf_counter()
    n = 0
    buf = io.StringIO()
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            buf.write("\t".join(_esc(v) for v in row))
            buf.write("\n")
            n += 1
            if n % CHUNK == 0:
                cp.write(buf.getvalue())
                buf = io.StringIO()
        cp.write(buf.getvalue())
    print(f"  {table}: {n} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return n


def setup(url: str):
    """Migrate and import the catalog and calendar through the app's own services."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.services import calendar, catalog
    from config import Config

    class Cfg(Config):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Cfg)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        catalog.import_plans()
        calendar.seed_from_chinesecalendar()
        from app.models import User

        probe = User(username="x", display_name="x", role="clerk")
        probe.set_password("password123")
        pw = probe.password_hash
        db.engine.dispose()
    return pw


def fill(url: str, total: int, pw: str, seed: int = 13) -> dict:
    from app.domain.uscc import check_digit

    rnd = random.Random(seed)
    engine = create_engine(url)
    raw = engine.raw_connection()
    cur = raw.cursor()
    cur.execute("SELECT code, prefix FROM jurisdictions ORDER BY code")
    cities = cur.fetchall()
    cur.execute("SELECT id, jurisdiction, name FROM agencies WHERE active AND NOT collective ORDER BY id")
    agencies = cur.fetchall()
    by_city = {c: [a for a in agencies if a[1] == c] for c, _ in cities}
    cur.execute("SELECT m.title, left(m.body, 150), p.jurisdiction, r.agency_id FROM measures m "
                "JOIN plans p ON p.id = m.plan_id JOIN responsibilities r ON r.measure_id = m.id "
                "WHERE r.role = 'lead'")
    measures = cur.fetchall()
    texts_by_agency: dict[int, list] = {}
    for title, body, _j, agency_id in measures:
        texts_by_agency.setdefault(agency_id, []).append((title[:180], body))
    all_texts = [(t[:180], b) for t, b, _, _ in measures]
    # the busy agency: the one with the most catalog measures in the first city
    first_city = cities[0][0]
    busy = max(by_city[first_city], key=lambda a: len(texts_by_agency.get(a[0], [])))
    now = datetime.now(UTC).replace(microsecond=0)

    users = []
    uid = 0
    for a_id, _city, _ in agencies:
        for suffix, role in (("a", "clerk"), ("b", "clerk"), ("", "agency_admin")):
            uid += 1
            name = f"clerk{a_id}{suffix}" if role == "clerk" else f"admin{a_id}"
            users.append((uid, name, pw, name, role, None, a_id, None, "t", now.isoformat()))
    for city, _ in cities:
        for role, prefix in (("dispatcher", "disp"), ("supervisor", "sup")):
            uid += 1
            users.append((uid, f"{prefix}_{city}", pw, f"{prefix}_{city}", role, None, None, city, "t", now.isoformat()))
    n_ent = max(64, total // 50)
    enterprises = []
    ent_city = {}
    for i in range(1, n_ent + 1):
        city = cities[i % len(cities)][0] if i > 64 else first_city  # the benchmark's 64 filers: one city
        body = f"9122{i:010d}MA0"[:17]
        enterprises.append((i, body + check_digit(body), f"企业{i}号有限公司", city, "13800000000", now.isoformat()))
        ent_city[i] = city
        uid += 1
        users.append((uid, f"biz{i}", pw, f"企业{i}", "enterprise", i, None, None, "t", now.isoformat()))
    t0 = time.perf_counter()
    # Bulk-load the usual way: foreign-key triggers off for this session, the big tables' secondary
    # indexes dropped now and built once at the end (much faster than maintaining them per row).
    cur.execute("SET session_replication_role = replica")
    cur.execute("SET maintenance_work_mem = '256MB'")
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename IN "
                "('tickets', 'assignments', 'ticket_events', 'notifications') AND indexname NOT LIKE 'pk_%' "
                "AND indexname NOT LIKE 'uq_%'")
    indexes = cur.fetchall()
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    copy(cur, "enterprises", ["id", "uscc", "name", "jurisdiction", "phone", "created_at"], enterprises)
    copy(cur, "users", ["id", "username", "password_hash", "display_name", "role", "enterprise_id", "agency_id",
                        "jurisdiction", "active", "created_at"], users)
    prefixes = dict(cities)
    ents_by_city: dict[str, list[int]] = {}
    for e, c in ent_city.items():
        ents_by_city.setdefault(c, []).append(e)

    plan = []  # (ticket id, city, enterprise, agency, created, open?, title, body)
    seq: dict[tuple, int] = {}
    for tid in range(1, total + 1):
        if rnd.random() < BUSY_SHARE:
            agency = busy
        else:
            agency = agencies[rnd.randrange(len(agencies))]
        city = agency[1]
        ent = rnd.choice(ents_by_city.get(city) or ents_by_city[first_city])
        is_open = rnd.random() < OPEN_SHARE
        # Open tickets are recent (the last 25 days, as a working desk's are); closed ones span the year.
        created = now - timedelta(days=1 + rnd.random() * (24 if is_open else 364))
        title, body = rnd.choice(texts_by_agency.get(agency[0]) or all_texts)
        plan.append((tid, city, ent, agency[0], created, is_open, title, body))
    plan.sort(key=lambda p: p[4])  # ids follow filing time, as in production
    agency_names = {a[0]: a[2] for a in agencies}

    def tickets():
        for new_id, (_, city, ent, agency, created, is_open, title, body) in enumerate(plan, start=1):
            day = created.astimezone(SHANGHAI).date()
            key = (city, day)
            seq[key] = seq.get(key, 0) + 1
            number = f"{prefixes[city]}{day:%Y%m%d}-{seq[key]:06d}"
            state = ("dispatched" if new_id % 2 else "in_progress") if is_open else "closed"
            routing = json.dumps({"agency": agency_names[agency], "confidence": 0.8}, ensure_ascii=False)
            c = created.isoformat()
            yield (new_id, number, city, ent, "complaint", "other", title, f"{title}。{body}", "f", "f", state,
                   agency, routing, 0, 0, "f", c, c, 1, None if is_open else (created + timedelta(days=10)).isoformat())

    copy(cur, "tickets", ["id", "number", "jurisdiction", "enterprise_id", "kind", "topic", "title", "description",
                          "urgent", "public", "state", "lead_agency_id", "routing", "return_count", "reopen_count",
                          "excluded", "created_at", "updated_at", "version", "closed_at"], tickets())

    # The rows that follow from each ticket are derived in the database, set-based (one
    # INSERT … SELECT each), which is several times faster than shipping them through COPY.
    t_derived = time.perf_counter()
    cur.execute("""
        INSERT INTO assignments (id, ticket_id, agency_id, role, state, active, cycle, created_at, signed_at,
                                 sign_due_at, contact_due_at, resolve_due_at, extension_days, next_check_at, ended_at)
        SELECT id, id, lead_agency_id, 'lead',
               CASE WHEN state = 'dispatched' THEN 'dispatched' ELSE 'signed' END, state <> 'closed', 0,
               created_at, CASE WHEN state <> 'dispatched' THEN created_at + interval '2 hours' END,
               created_at + interval '4 hours', created_at + interval '1 day',
               created_at + (20 + id % 10) * interval '1 day' + (id % 600) * interval '1 minute', 0,
               CASE WHEN state <> 'closed' THEN now() + interval '400 days' END,
               CASE WHEN state = 'closed' THEN created_at + interval '10 days' END
        FROM tickets""")
    cur.execute("""
        INSERT INTO ticket_events (id, ticket_id, assignment_id, agency_id, actor_id, actor_role, action,
                                   from_state, to_state, note, details, internal, created_at)
        SELECT 2 * id - 1, id, NULL::int, NULL::int, NULL::int, 'enterprise', 'file', 'submitted', 'submitted', NULL, '{}'::json,
               false, created_at FROM tickets
        UNION ALL
        SELECT 2 * id, id, id, lead_agency_id, NULL::int, 'system', 'route', 'submitted', 'dispatched', '自动派单',
               '{}'::json, false, created_at FROM tickets""")
    cur.execute("""
        INSERT INTO notifications (id, audience, except_user_id, ticket_id, kind, message, created_at)
        SELECT 2 * id - 1, 'e:' || enterprise_id, NULL::int, id, 'filed', '您的诉求已提交:' || left(title, 40),
               created_at FROM tickets
        UNION ALL
        SELECT 2 * id, 'a:' || lead_agency_id, NULL::int, id, 'dispatched', '新工单:' || left(title, 40) || '(主办)',
               created_at FROM tickets""")
    print(f"  assignments, events, notifications derived in {time.perf_counter() - t_derived:.1f} s",
          file=sys.stderr)
    for table, column in (("enterprises", "id"), ("users", "id"), ("tickets", "id"), ("assignments", "id"),
                          ("ticket_events", "id"), ("notifications", "id")):
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT max({column}) FROM {table}))")
    # The loaded days' counters, so the app's numbering continues them.
    copy(cur, "ticket_sequences", ["jurisdiction", "day", "last"], ((c, d.isoformat(), n) for (c, d), n in seq.items()))
    t_idx = time.perf_counter()
    for _, ddl in indexes:
        cur.execute(ddl)
    print(f"  {len(indexes)} indexes built in {time.perf_counter() - t_idx:.1f} s", file=sys.stderr)
    cur.execute("SET session_replication_role = origin")
    raw.commit()
    load_s = time.perf_counter() - t0
    raw.driver_connection.autocommit = True
    cur = raw.driver_connection.cursor()
    t1 = time.perf_counter()
    cur.execute("VACUUM ANALYZE")  # statistics, and the visibility map for index-only scans
    # Write the load's dirty pages now, not during the first run's scenarios (a timed checkpoint
    # spreading a million rows' pages over minutes stretched that run's tail latencies).
    cur.execute("CHECKPOINT")
    vacuum_s = time.perf_counter() - t1
    raw.close()
    engine.dispose()
    return {"tickets": total, "enterprises": n_ent, "users": len(users), "busy_agency": busy[0],
            "busy_clerk": f"clerk{busy[0]}a", "copy_s": round(load_s, 1), "vacuum_analyze_checkpoint_s": round(vacuum_s, 1)}


SHANGHAI = __import__("zoneinfo").ZoneInfo("Asia/Shanghai")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--tickets", type=int, default=100_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    recreate(args.url)
    pw = setup(args.url)
    setup_s = time.perf_counter() - t0
    result = fill(args.url, args.tickets, pw)
    result["setup_s"] = round(setup_s, 1)
    result["total_s"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
