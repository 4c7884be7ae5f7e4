"""Benchmark filing through the REST API over HTTP, beside GET /api/health (the ceiling) in the same run.

    .venv/bin/python bench/api_filing.py [--port 5107] [--n 200] [--concurrency 1] [--workers 2] [--db URL]

Makes a throwaway SQLite database in a temp dir (or empties the PostgreSQL database --db: its
schema is dropped!), migrates it, imports the plans (so every filing
is routed by the real router), creates one business and its token, starts gunicorn on the port,
then times N GET /api/health and N POST /api/v1/tickets (each with its own Idempotency-Key),
`--concurrency` at a time. Prints requests/s and latency percentiles. Stops gunicorn at the end.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

APPEAL = {"kind": "complaint", "topic": "inspection", "title": "检查过多",
          "description": "一个月内被市场监管、消防、环保等不同部门检查了五次，影响正常经营，请协调合并检查。"}


def prepare(db_url: str) -> str:
    """Migrate, import the plans, make a business with a token; returns the token."""
    os.environ["DATABASE_URL"] = db_url
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    if db_url.startswith("postgresql"):
        engine = create_engine(db_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()

    from app import create_app
    from app.domain.uscc import check_digit
    from app.extensions import db
    from app.models import Enterprise, User
    from app.services import api_tokens, catalog
    from config import Config

    app = create_app(Config)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        catalog.import_plans()
        body = "91220400MA17BENC1"
        ent = Enterprise(uscc=body + check_digit(body), name="基准测试企业", jurisdiction="liaoyuan", phone="13800000000")
        user = User(username="bench", display_name="bench", role="enterprise", enterprise=ent)
        user.set_password("bench12345")
        db.session.add_all([ent, user])
        db.session.commit()
        _, raw = api_tokens.create_token(user, "bench", ["tickets:write", "tickets:read"], 1)
        db.session.remove()
        db.engine.dispose()
    return raw


def timed(method: str, url: str, headers: dict, body: bytes | None) -> tuple[float, int]:
    start = time.perf_counter()
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=300) as resp:
        resp.read()
        status = resp.status
    return time.perf_counter() - start, status


def run(n: int, concurrency: int, call) -> dict:
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(call, range(n)))
    wall = time.perf_counter() - start
    lat = sorted(r[0] for r in results)
    assert all(200 <= r[1] < 300 for r in results), {r[1] for r in results}
    return {"n": n, "per_s": n / wall, "p50_ms": 1000 * statistics.median(lat),
            "p95_ms": 1000 * lat[int(0.95 * (len(lat) - 1))]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5107)
    parser.add_argument("--n", type=int, default=200)
    # SQLite takes one writer at a time: concurrent filings there fail with "database is locked";
    # measure concurrency on PostgreSQL (--db).
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--db", help="postgresql+psycopg://… (its schema is dropped and rebuilt)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_api_"))
    db_url = args.db or f"sqlite:///{tmp / 'bench.sqlite'}"
    token = prepare(db_url)
    env = dict(os.environ, DATABASE_URL=db_url, UPLOAD_DIR=str(tmp / "uploads"), APP_CONFIG="development")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b",
                               f"127.0.0.1:{args.port}", "--graceful-timeout", "5", "--timeout", "300", "--log-level", "warning",
                               "wsgi:app"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                timed("GET", base + "/api/health", {}, None)
                break
            except OSError:
                time.sleep(0.2)
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        body = json.dumps(APPEAL, ensure_ascii=False).encode()
        run(20, args.concurrency, lambda i: timed("POST", base + "/api/v1/tickets",
                                                  dict(auth, **{"Idempotency-Key": f"warm-{i}"}), body))
        health = run(args.n, args.concurrency, lambda i: timed("GET", base + "/api/health", {}, None))
        filing = run(args.n, args.concurrency, lambda i: timed("POST", base + "/api/v1/tickets",
                                                               dict(auth, **{"Idempotency-Key": f"k-{i}"}), body))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"machine: {platform.machine()}, nproc {os.cpu_count()}, Python {platform.python_version()}, "
          f"{'PostgreSQL' if args.db else 'SQLite'}, gunicorn -w {args.workers}, concurrency {args.concurrency}")
    for name, r in (("GET /api/health", health), ("POST /api/v1/tickets", filing)):
        print(f"{name:24} n={r['n']:4}  {r['per_s']:7.1f} req/s  p50 {r['p50_ms']:7.1f} ms  p95 {r['p95_ms']:7.1f} ms")


if __name__ == "__main__":
    main()
