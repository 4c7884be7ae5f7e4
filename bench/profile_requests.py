"""cProfile of a filing POST, the clerk queue and a ticket view, in one process, against a loaded
PostgreSQL database (bench/load.py):

    .venv/bin/python bench/profile_requests.py postgresql+psycopg://postgres@127.0.0.1:5432/bench_h13_100k \
        --busy-clerk clerk186a [--n 40] [--top 25]

Runs the app in this process through Flask's test client (no gunicorn, no network), warms every
path once, then profiles `n` requests of each kind separately and prints, per kind, the time per
request, the queries per request and the top functions by cumulative and by own time. The
filings it makes stay in the database (they are numbered like any other).
"""
import argparse
import cProfile
import io
import pstats
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, text  # noqa: E402

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--busy-clerk", required=True)
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--cpu", action="store_true",
                        help="profile CPU time (time.process_time) rather than wall time: waits on the database drop out")
    parser.add_argument("--dump", help="also write each profile to DUMP-<kind>.prof (for pstats/snakeviz)")
    parser.add_argument("--statements", type=int, default=5,
                        help="also print the N statements that took the most database time per kind")
    parser.add_argument("--only", nargs="*", choices=("filing", "clerk", "ticket"),
                        help="profile only these kinds (default: all three)")
    args = parser.parse_args()

    from app import create_app
    from app.extensions import db
    from config import Config

    class Cfg(Config):
        SQLALCHEMY_DATABASE_URI = args.url
        WTF_CSRF_ENABLED = True
        RATELIMIT_ENABLED = False

    app = create_app(Cfg)
    queries = {"n": 0}
    spent: dict[str, list[float]] = {}

    def before(conn, cursor, statement, *_):
        queries["n"] += 1
        conn.info["started"] = time.perf_counter()

    def after(conn, cursor, statement, *_):
        spent.setdefault(" ".join(statement.split()), []).append(time.perf_counter() - conn.info["started"])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        agency = db.session.execute(text("SELECT agency_id FROM users WHERE username = :u"),
                                    {"u": args.busy_clerk}).scalar()
        ids = [r[0] for r in db.session.execute(text(
            "SELECT ticket_id FROM assignments WHERE agency_id = :a ORDER BY random() LIMIT 500"), {"a": agency})]
        db.session.remove()

    def login(client, username):
        page = client.get("/login").get_data(as_text=True)
        r = client.post("/login", data={"username": username, "password": "password123",
                                        "csrf_token": CSRF.search(page).group(1)})
        assert r.status_code == 302, (username, r.status_code)

    biz = app.test_client()
    login(biz, "biz1")
    clerk = app.test_client()
    login(clerk, args.busy_clerk)
    counter = {"n": 0}

    def file():
        counter["n"] += 1
        n = counter["n"]
        page = biz.get("/portal/tickets/new").get_data(as_text=True)
        words = "".join(random.Random(n).sample("营业执照变更退税发票社保补贴用电报装道路施工消防验收招聘融资贷款", 8))
        data = {"csrf_token": CSRF.search(page).group(1), "kind": "complaint", "topic": "other",
                "title": f"{words}问题{n}", "description": f"关于{words}的诉求，第{n}件，请相关部门尽快处理，谢谢。",
                "seen_similar": "1"}
        r = biz.post("/portal/tickets/new", data=data)
        assert r.status_code == 302, r.status_code

    def queue():
        assert clerk.get("/desk/").status_code == 200

    def view():
        assert clerk.get(f"/desk/tickets/{random.choice(ids)}").status_code == 200

    kinds = (("filing (GET form + POST)", file), ("clerk queue /desk/", queue), ("ticket view", view))
    for name, one in (k for k in kinds if not args.only or k[0].split()[0] in args.only):
        one()  # warm: router, calendar, templates
        spent.clear()
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(args.n):
            one()
        plain = (time.perf_counter() - t0) / args.n * 1000
        cpu = (time.process_time() - c0) / args.n * 1000
        # Copied: the profiled pass below appends to the same lists.
        slowest = [(s, list(t)) for s, t in sorted(spent.items(), key=lambda kv: -sum(kv[1]))[:args.statements]]
        queries["n"] = 0
        prof = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        for _ in range(args.n):
            one()
        prof.disable()
        if args.dump:
            prof.dump_stats(f"{args.dump}-{name.split()[0]}.prof")
        wall = time.perf_counter() - t0
        print(f"\n=== {name}: {plain:.1f} ms per request, {cpu:.1f} ms of it CPU in this process "
              f"({wall / args.n * 1000:.1f} profiled), "
              f"{queries['n'] / args.n:.1f} queries per request")
        for statement, times in slowest:
            print(f"  db {sum(times) / args.n * 1000:6.2f} ms/request  {len(times) / args.n:4.1f}×  {statement[:160]}")
        spent.clear()
        for key in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats(key).print_stats(args.top)
            print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


if __name__ == "__main__":
    main()
