"""HTTP benchmark through gunicorn against a loaded PostgreSQL database (bench/load.py).

    .venv/bin/python bench/http_bench.py postgresql+psycopg://postgres@127.0.0.1:5432/bench_f_100k \
        --busy-clerk clerk186a [--port 5106] [--workers 2] [--concurrency 16] [--seconds 15]

Starts `gunicorn -c gunicorn.conf.py -w 2 --max-requests 0` (no worker recycled mid-run) on 127.0.0.1:<port>,
then an asyncio + httpx load
generator (loopback only; every scenario bounded by a request count and a time limit) measures,
each beside the ceiling of the same run (/api/health: one SELECT 1, measured right before):

* filing through the web form (GET the form + POST it) by 16 businesses at once, checking that
  every successful POST made a ticket and that no number appears twice;
* filing through the REST API (POST /api/v1/tickets with a Bearer token and an Idempotency-Key)
  by 16 other businesses at once, same checks, plus one retried key that must not file twice;
* the busy agency's clerk queue page (/desk/): serially (p50/p95) and at concurrency 16;
* a ticket view (/desk/tickets/<random id of that agency>) at concurrency 16;
* the resident memory of each gunicorn worker after the run.

Beside every scenario it prints where the two cores went (`cpu`): the cores used, over the scenario's
wall time, by this load generator, by the gunicorn workers and by PostgreSQL's processes, and each
one's CPU milliseconds per request (from /proc: user + system time). The ceiling is bounded by the
load generator as much as by the server, and a page's rate by what the three leave each other.

`bounds` gives, per scenario, the best rate the machine's cores allow with this run's load generator
and PostgreSQL costs per operation and workers that spend no more per request than /api/health
(a limit no server-side change can pass).

Prints one JSON object with every figure.
"""
import argparse
import asyncio
import json
import os
import platform
import random
import re
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
WORDS = "营业执照变更退税发票社保补贴用电报装道路施工消防验收招聘融资贷款检查审批环评排污许可证"


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`, in ms."""
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))] * 1000


async def login(client: httpx.AsyncClient, username: str) -> None:
    page = (await client.get("/login")).text
    r = await client.post("/login", data={"username": username, "password": "password123",
                                          "csrf_token": CSRF.search(page).group(1)})
    assert r.status_code == 302, (username, r.status_code)


def make_tokens(url: str, usernames: list[str]) -> dict[str, str]:
    """A personal API token (tickets:write, one day) for each business, made as the token page does."""
    env_before = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))
    try:
        from sqlalchemy import select

        from app import create_app
        from app.extensions import db
        from app.models import User
        from app.services import api_tokens
        from config import Config

        app = create_app(Config)
        with app.app_context():
            users = db.session.scalars(select(User).where(User.username.in_(usernames))).all()
            tokens = {u.username: api_tokens.create_token(u, "bench", ["tickets:write"], 1)[1] for u in users}
            db.session.remove()
            db.engine.dispose()
    finally:
        if env_before is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = env_before
    assert len(tokens) == len(usernames), f"missing businesses: {set(usernames) - set(tokens)}"
    return tokens


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SERVER: dict[str, int] = {}  # the gunicorn master's pid, once started


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes (those that are gone count nothing)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def _pids(*args: str) -> list[int]:
    return [int(p) for p in subprocess.run(["pgrep", *args], capture_output=True, text=True).stdout.split()]


def cpu_snapshot() -> dict[str, float]:
    """CPU seconds so far of this process, the gunicorn workers and every `postgres` process."""
    times = os.times()
    return {"client": times.user + times.system,
            "workers": _cpu_seconds(_pids("-P", str(SERVER["pid"]))) if SERVER else 0.0,
            "postgres": _cpu_seconds(_pids("-x", "postgres"))}


def cpu_split(before: dict[str, float], wall: float, requests: int) -> dict:
    """Cores used by each side over `wall` seconds, and its CPU ms per request."""
    after = cpu_snapshot()
    used = {k: after[k] - before[k] for k in after}
    return {"cores": {k: round(v / wall, 2) for k, v in used.items()},
            "ms_per_request": {k: round(v / max(requests, 1) * 1000, 2) for k, v in used.items()}}


async def run(clients: list[httpx.AsyncClient], one, count: int, seconds: float) -> dict:
    """Run `one(client)` from every client in parallel until `count` are done or `seconds` pass."""
    latencies: list[float] = []
    errors = 0
    done = 0
    deadline = time.monotonic() + seconds

    async def worker(c):
        nonlocal done, errors
        while done < count and time.monotonic() < deadline:
            done += 1
            t0 = time.perf_counter()
            try:
                ok = await one(c)
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - t0)
            errors += 0 if ok else 1

    cpu = cpu_snapshot()
    t0 = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in clients))
    wall = time.perf_counter() - t0
    return {"requests": len(latencies), "errors": errors, "per_s": round(len(latencies) / wall, 1),
            "p50_ms": round(pct(latencies, 50), 1), "p95_ms": round(pct(latencies, 95), 1),
            "p99_ms": round(pct(latencies, 99), 1), "cpu": cpu_split(cpu, wall, len(latencies))}


def start_gunicorn(url: str, port: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url, APP_CONFIG="development", LOG_LEVEL="WARNING",
               SECRET_KEY="bench-secret-0123456789", WEB_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers))
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    # --max-requests 0: gunicorn.conf.py recycles a worker every 5 000 ± 500 requests, and a run sends
    # about 10 000 per worker; a recycle in the middle of a scenario (a new worker imports the app and
    # builds its router) is not what the scenario measures.
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile",
                             "/dev/null", "--max-requests", "0"], cwd=ROOT, env=env, start_new_session=True)


def worker_rss(master: int) -> list[float]:
    """Resident memory (MB) of the gunicorn master's children."""
    out = []
    for pid in subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split():
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out.append(round(int(line.split()[1]) / 1024, 1))
    return out


async def bench(args) -> dict:
    base = f"http://127.0.0.1:{args.port}"
    assert base.startswith("http://127.0.0.1:"), "loopback only"
    engine = create_engine(args.url)
    with engine.connect() as conn:
        agency = conn.execute(text("SELECT agency_id FROM users WHERE username = :u"), {"u": args.busy_clerk}).scalar()
        ids = [r[0] for r in conn.execute(text(
            "SELECT ticket_id FROM assignments WHERE agency_id = :a ORDER BY random() LIMIT 5000"), {"a": agency})]
        tickets_before = conn.execute(text("SELECT count(*) FROM tickets")).scalar()
        max_id = conn.execute(text("SELECT max(id) FROM tickets")).scalar()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)

    def make():
        return httpx.AsyncClient(base_url=base, timeout=30, limits=limits, follow_redirects=False)

    c16 = args.concurrency
    out: dict = {}
    health_clients = [make() for _ in range(c16)]

    async def health(c):
        return (await c.get("/api/health")).status_code == 200

    async def ceiling(name):
        out[f"health_before_{name}"] = await run(health_clients, health, 4000, args.seconds / 2)

    # warm-up: the router's catalog and the calendar are loaded once per worker
    await run(health_clients, health, 200, 5)

    filers = [make() for _ in range(c16)]
    for i, c in enumerate(filers, start=1):
        await login(c, f"biz{i}")
    counter = {"n": 0}

    async def file(c):
        counter["n"] += 1
        n = counter["n"]
        page = (await c.get("/portal/tickets/new")).text
        rnd = random.Random(n)
        words = "".join(rnd.sample(WORDS, 8))
        appeal = {"kind": "complaint", "topic": "other", "title": f"{words}问题{n}",
                  "description": f"关于{words}的诉求，第{n}件，请相关部门尽快处理，谢谢。"}
        r = await c.post("/portal/tickets/new", data={"csrf_token": CSRF.search(page).group(1), **appeal})
        if r.status_code == 200 and "相似" in r.text:
            # The form showed the business its similar open tickets: it files anyway, as a user would.
            r = await c.post("/portal/tickets/new", data={"csrf_token": CSRF.search(r.text).group(1), **appeal,
                                                          "seen_similar": "1"})
            counter["similar_shown"] = counter.get("similar_shown", 0) + 1
        counter["limited"] = counter.get("limited", 0) + (r.status_code == 429)
        return r.status_code == 302

    for c in filers[:2]:  # warm the router in both workers
        await file(c)
    await ceiling("filing")
    out["filing"] = await run(filers, file, args.filings, args.seconds)
    with engine.connect() as conn:
        made = conn.execute(text("SELECT count(*) FROM tickets WHERE id > :m"), {"m": max_id}).scalar()
        twice = conn.execute(text("SELECT count(*) FROM (SELECT number FROM tickets GROUP BY number "
                                  "HAVING count(*) > 1) d")).scalar()
    out["filing"].update(similar_shown=counter.get("similar_shown", 0), rate_limited=counter.get("limited", 0),
                         made=made, ok_posts=out["filing"]["requests"] - out["filing"]["errors"] + 2,
                         numbers_twice=twice)
    for c in filers:
        await c.aclose()

    # The same through the REST API, by 16 other businesses (each with its own token).
    api_filers = []
    for name in sorted(args.tokens):
        c = make()
        c.headers["Authorization"] = f"Bearer {args.tokens[name]}"
        api_filers.append(c)
    api_counter = {"n": 0}
    with engine.connect() as conn:
        max_id = conn.execute(text("SELECT max(id) FROM tickets")).scalar()

    def appeal(n: int) -> dict:
        words = "".join(random.Random(100000 + n).sample(WORDS, 8))
        return {"kind": "complaint", "topic": "other", "title": f"{words}问题{n}",
                "description": f"关于{words}的诉求，第{n}件，请相关部门尽快处理，谢谢。"}

    async def api_file(c):
        api_counter["n"] += 1
        r = await c.post("/api/v1/tickets", json=appeal(api_counter["n"]),
                         headers={"Idempotency-Key": uuid.uuid4().hex})
        api_counter["limited"] = api_counter.get("limited", 0) + (r.status_code == 429)
        return r.status_code == 201

    for c in api_filers[:2]:  # warm both workers
        await api_file(c)
    await ceiling("api_filing")
    out["api_filing"] = await run(api_filers, api_file, args.filings, args.seconds)
    # A retried request (same Idempotency-Key) answers the first ticket and files nothing new.
    key = uuid.uuid4().hex
    first = await api_filers[0].post("/api/v1/tickets", json=appeal(0), headers={"Idempotency-Key": key})
    retry = await api_filers[0].post("/api/v1/tickets", json=appeal(0), headers={"Idempotency-Key": key})
    with engine.connect() as conn:
        made = conn.execute(text("SELECT count(*) FROM tickets WHERE id > :m"), {"m": max_id}).scalar()
        twice = conn.execute(text("SELECT count(*) FROM (SELECT number FROM tickets GROUP BY number "
                                  "HAVING count(*) > 1) d")).scalar()
    ok = out["api_filing"]["requests"] - out["api_filing"]["errors"]
    out["api_filing"].update(rate_limited=api_counter.get("limited", 0), made=made, ok_posts=ok + 2 + 1, numbers_twice=twice,
                             retry_same_ticket=first.status_code == 201 and retry.status_code in (200, 201)
                             and first.json()["id"] == retry.json()["id"])
    for c in api_filers:
        await c.aclose()

    # One login, its session cookie in every client (tabs of one browser): logging in 16 times
    # from one address would meet the login limit (30 a minute) right after the 16 businesses'.
    clerks = [make() for _ in range(c16)]
    await login(clerks[0], args.busy_clerk)
    for c in clerks[1:]:
        c.cookies = httpx.Cookies(clerks[0].cookies)

    async def queue(c):
        return (await c.get("/desk/")).status_code == 200

    async def view(c):
        return (await c.get(f"/desk/tickets/{random.choice(ids)}")).status_code == 200

    await run(clerks[:1], queue, 20, 5)
    out["queue_serial"] = await run(clerks[:1], queue, 300, args.seconds)
    await ceiling("queue")
    out["queue"] = await run(clerks, queue, 3000, args.seconds)
    await ceiling("view")
    out["view"] = await run(clerks, view, 6000, args.seconds)
    for c in clerks + health_clients:
        await c.aclose()
    out["tickets_loaded"] = tickets_before
    engine.dispose()
    return out


# HTTP requests per operation of each scenario, and the ceiling measured right before it.
SCENARIOS = {"filing": (2, "health_before_filing"), "api_filing": (1, "health_before_api_filing"),
             "queue": (1, "health_before_queue"), "view": (1, "health_before_view")}


def bounds(result: dict) -> dict:
    """What each scenario could reach at best on this machine's cores, from this run's own figures:
    its load generator's and PostgreSQL's CPU per operation as measured, and workers that spend on
    each of its requests only what /api/health cost them (plumbing, no page). No server-side change
    that keeps the load generator and the database's work can pass this rate; a target above it
    needs a cheaper client or database work too."""
    out = {}
    for name, (requests, health_key) in SCENARIOS.items():
        ms, health = result[name]["cpu"]["ms_per_request"], result[health_key]
        floor = ms["client"] + ms["postgres"] + requests * health["cpu"]["ms_per_request"]["workers"]
        best = (os.cpu_count() or 1) * 1000 / floor
        out[name] = {"cpu_ms_per_op_at_best": round(floor, 2), "best_per_s": round(best, 1),
                     "best_vs_health": round(best / health["per_s"], 2)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--busy-clerk", required=True)
    parser.add_argument("--port", type=int, default=5106)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    # 300: the 16 businesses stay under the filing limit (20 an hour each, counted per worker).
    parser.add_argument("--filings", type=int, default=300)
    args = parser.parse_args()
    # Web-form filers are biz1…biz16; the API filers are the next 16 businesses.
    args.tokens = make_tokens(args.url, [f"biz{i}" for i in range(args.concurrency + 1, 2 * args.concurrency + 1)])
    server = start_gunicorn(args.url, args.port, args.workers)
    SERVER["pid"] = server.pid
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{args.port}/api/ready", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
            time.sleep(0.5)
        result = asyncio.run(bench(args))
        result["worker_rss_mb"] = worker_rss(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    result["machine"] = {"arch": platform.machine(), "nproc": os.cpu_count(), "python": platform.python_version(),
                         "load_avg": os.getloadavg(), "date": datetime.now(UTC).isoformat(timespec="minutes")}
    h = {k: v["per_s"] for k, v in result.items() if k.startswith("health_before")}
    result["ratios"] = {
        "filing_vs_health": round(result["filing"]["per_s"] / h["health_before_filing"], 2),
        "api_filing_vs_health": round(result["api_filing"]["per_s"] / h["health_before_api_filing"], 2),
        "queue_vs_health": round(result["queue"]["per_s"] / h["health_before_queue"], 2),
        "view_vs_health": round(result["view"]["per_s"] / h["health_before_view"], 2),
    }
    result["bounds"] = bounds(result)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
