"""What the ORM costs the desk ticket page: its reads through the services, beside the same rows read
with plain SQL on the same connection, in CPU time of this process.

    .venv/bin/python bench/page_reads.py postgresql+psycopg://postgres@127.0.0.1:5432/bench_x_1m \
        --busy-clerk clerk186a [--n 300] [--rounds 5]

For `n` random tickets of the busy clerk's agency, each round reads, per ticket, what the page reads: the
session's user, the ticket with its assignments and business, its events with their authors and agencies,
its attachments, its requests and the unread badge. Once through the services the page calls (ORM objects),
once as tuples (`exec_driver_sql`, the same tables, columns and joins). It prints the minimum over the
rounds of the CPU per ticket of each way, and a fixed pure-Python workload of the same run as the ceiling
(the machine's speed moves by a third within minutes). Nothing is written.
"""
import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

# The page's reads as plain SQL: every column of the tables the ORM loads, the same joins.
SQL = {
    "user": "SELECT u.*, a.*, e.* FROM users u LEFT JOIN agencies a ON a.id = u.agency_id "
            "LEFT JOIN enterprises e ON e.id = u.enterprise_id WHERE u.id = %(id)s",
    "ticket": "SELECT t.*, s.*, e.* FROM tickets t LEFT JOIN assignments s ON s.ticket_id = t.id "
              "LEFT JOIN enterprises e ON e.id = t.enterprise_id WHERE t.id = %(id)s",
    "events": "SELECT v.*, u.*, a.* FROM ticket_events v LEFT JOIN users u ON u.id = v.actor_id "
              "LEFT JOIN agencies a ON a.id = v.agency_id WHERE v.ticket_id = %(id)s ORDER BY v.id",
    "attachments": "SELECT * FROM attachments WHERE ticket_id = %(id)s",
    "requests": "SELECT r.id, 'ext' FROM extension_requests r JOIN assignments s ON s.id = r.assignment_id "
                "WHERE r.ticket_id = %(id)s AND s.agency_id = %(agency)s UNION ALL "
                "SELECT id, 'exc' FROM exclusion_requests WHERE ticket_id = %(id)s AND agency_id = %(agency)s",
    # the badge's shape: one capped branch per audience key of a clerk (the user, the agency, its role)
    "unread": "SELECT count(*) FROM (" + " UNION ALL ".join(
        f"(SELECT id FROM notifications WHERE audience = %(k{i})s "
        "AND (except_user_id IS NULL OR except_user_id != %(uid)s) AND id > "
        "(SELECT coalesce(max(read_upto), 0) FROM inbox_states WHERE user_id = %(uid)s) LIMIT 100)"
        for i in range(3)) + ") AS unread",
}


def python_ceiling() -> float:
    """CPU ms of a fixed pure-Python workload (the same one as sla_sweep_bench's idea of a ceiling)."""
    c0 = time.process_time()
    total = 0
    for i in range(300_000):
        total += i * i % 7
    return (time.process_time() - c0) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--busy-clerk", required=True)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from app import create_app
    from app.auth import sessions
    from app.extensions import db
    from app.models import User
    from app.services import attachments, notifications
    from app.services import supervision as sv
    from app.services import tickets as core
    from config import Config

    class Cfg(Config):
        SQLALCHEMY_DATABASE_URI = args.url

    app = create_app(Cfg)
    with app.test_request_context():
        clerk = db.session.scalar(db.select(User).where(User.username == args.busy_clerk))
        uid, agency, generation = clerk.id, clerk.agency_id, clerk.session_generation
        ids = list(db.session.scalars(text(
            "SELECT ticket_id FROM assignments WHERE agency_id = :a ORDER BY random() LIMIT :n"),
            {"a": agency, "n": args.n}))
        db.session.remove()

        def orm(ticket_id):
            user = sessions.load_user(f"{uid}.{generation}")
            t = core.get_visible(user, ticket_id)
            events = core.visible_events(user, t)
            attachments.visible(user, t, events)
            sv.requests_of(t, agency_id=agency)
            notifications.unread_count(user)

        def plain(ticket_id):
            conn = db.session.connection()
            p = {"id": ticket_id, "agency": agency, "uid": uid,
                 "k0": f"u:{uid}", "k1": f"a:{agency}", "k2": f"a:{agency}:clerk"}
            conn.exec_driver_sql(SQL["user"], {"id": uid}).all()
            for name in ("ticket", "events", "attachments", "requests", "unread"):
                conn.exec_driver_sql(SQL[name], p).all()

        results: dict[str, list[float]] = {"orm": [], "plain": [], "ceiling": []}
        for way in (orm, plain):  # warm: statement caches, prepared statements
            for i in ids[:20]:
                way(i)
            db.session.remove()
        for _ in range(args.rounds):
            results["ceiling"].append(python_ceiling())
            for name, way in (("orm", orm), ("plain", plain)):
                c0 = time.process_time()
                for i in ids:
                    way(i)
                    db.session.remove()  # a request ends its session
                results[name].append((time.process_time() - c0) / len(ids) * 1000)
        best = {k: min(v) for k, v in results.items()}
        print(f"tickets {len(ids)}, rounds {args.rounds} (minimum of each):")
        print(f"  through the services (ORM): {best['orm']:.2f} ms CPU per ticket page's reads")
        print(f"  the same rows, plain SQL:   {best['plain']:.2f} ms")
        print(f"  ceiling, same run: {best['ceiling']:.1f} ms for a fixed pure-Python workload")


if __name__ == "__main__":
    main()
