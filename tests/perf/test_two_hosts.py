"""Scale-out: two app processes (gunicorn, one worker each, as two hosts would run) and two
schedulers share nothing but one PostgreSQL database.

A session made on one host is honoured by the other (signed cookies), filings on both hosts at
once get distinct numbers, and both schedulers sweep the same due set without firing anything
twice. Uses its own database (<test database>_hosts), created and dropped here; Unix sockets,
no ports. Skipped without PostgreSQL.
"""
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from config import TestConfig

PG_URL = os.environ.get("TEST_DATABASE_URL") or ""
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not PG_URL.startswith("postgresql"), reason="needs PostgreSQL")
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
FILINGS = 12


@pytest.fixture
def shared_db():
    name = f"{make_url(PG_URL).database}_hosts"
    admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _populate(url: str) -> None:
    from flask_migrate import upgrade

    from app.domain.uscc import check_digit
    from app.models import Agency, Enterprise, Jurisdiction, User

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Cfg)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.session.add(Jurisdiction(code="liaoyuan", name="辽源市", name_en="Liaoyuan", prefix="LY"))
        db.session.flush()
        db.session.add(Agency(jurisdiction="liaoyuan", name="市市场监管局", aliases=[], kind="department"))
        body = "91220400MA0000001"
        ent = Enterprise(uscc=body + check_digit(body), name="测试企业", jurisdiction="liaoyuan", phone="1")
        db.session.add(ent)
        biz = User(username="biz", display_name="biz", role="enterprise", enterprise=ent)
        biz.set_password("password123")
        db.session.add(biz)
        db.session.commit()
        db.engine.dispose()


def _dispatch_all_and_make_due(url: str) -> int:
    """The dispatch centre sends every waiting ticket to the agency; then they are a month old,
    so every level of both clocks is due."""
    from app.models import Agency, Ticket, User
    from app.services import dispatching

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Cfg)
    with app.app_context():
        dispatcher = User(username="disp", display_name="disp", role="dispatcher", jurisdiction="liaoyuan")
        dispatcher.set_password("password123")
        db.session.add(dispatcher)
        db.session.commit()
        agency = db.session.query(Agency).one()
        waiting = db.session.query(Ticket).filter_by(state="to_dispatch").all()
        for t in waiting:
            dispatching.dispatch(t, agency.id, [], dispatcher)
        db.session.execute(text("UPDATE assignments SET created_at = now() - interval '30 days', "
                                "next_check_at = now() - interval '1 minute'"))
        db.session.commit()
        db.engine.dispose()
        return len(waiting)


def _client(sock: Path) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(uds=str(sock)), base_url="http://desk", timeout=30)


def _wait_ready(sock: Path, proc) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()[-3000:]
        try:
            with _client(sock) as c:
                if c.get("/api/ready").status_code == 200:
                    return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("app host did not become ready")


def _file(client: httpx.Client, i: int) -> str:
    page = client.get("/portal/tickets/new").text
    token = CSRF.search(page).group(1)
    r = client.post("/portal/tickets/new", data={
        "csrf_token": token, "kind": "help", "topic": "other", "title": f"第{i}件咨询事项",
        "description": f"这是第{i}件互不相同的咨询,编号{i * 7919},内容足够长。", "seen_similar": "1"})
    assert r.status_code == 302, r.text[-500:]
    return r.headers["location"]


def test_two_hosts_and_two_schedulers_share_one_database(shared_db, tmp_path):
    _populate(shared_db)
    env = dict(os.environ, DATABASE_URL=shared_db, APP_CONFIG="development", SECRET_KEY="shared-secret-of-the-hosts",
               UPLOAD_DIR=str(tmp_path / "uploads"), WEB_CONCURRENCY="1", LOG_LEVEL="WARNING",
               FLASK_APP="wsgi.py")
    # Even an empty PROMETHEUS_MULTIPROC_DIR switches prometheus-client to files in the working directory;
    # gunicorn.conf.py gives the hosts their own directory.
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    socks = [tmp_path / "a.sock", tmp_path / "b.sock"]
    hosts = [subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"unix:{s}",
                               "--access-logfile", "/dev/null"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for s in socks]
    schedulers = []
    try:
        for s, p in zip(socks, hosts, strict=True):
            _wait_ready(s, p)
        a, b = _client(socks[0]), _client(socks[1])
        # Log in on host A; host B honours the same signed session cookie.
        token = CSRF.search(a.get("/login").text).group(1)
        r = a.post("/login", data={"username": "biz", "password": "password123", "csrf_token": token})
        assert r.status_code == 302
        b.cookies = a.cookies
        assert b.get("/portal/").status_code == 200
        # Filings on both hosts at once: every one lands, no number twice.
        with ThreadPoolExecutor(4) as pool:
            locations = list(pool.map(lambda i: _file(a if i % 2 else b, i), range(FILINGS)))
        assert len(set(locations)) == FILINGS
        engine = create_engine(shared_db)
        with engine.connect() as conn:
            numbers = [r[0] for r in conn.execute(text("SELECT number FROM tickets"))]
        assert len(numbers) == FILINGS and len(set(numbers)) == FILINGS
        due = _dispatch_all_and_make_due(shared_db)
        assert due == FILINGS  # no catalog imported: the router sent each to the dispatch centre
        schedulers = [subprocess.Popen([sys.executable, "-m", "workers.scheduler"], cwd=ROOT, env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                      for _ in range(2)]
        deadline = time.monotonic() + 60
        with engine.connect() as conn:
            while time.monotonic() < deadline:
                left = conn.execute(text("SELECT count(*) FROM assignments WHERE next_check_at <= now()")).scalar()
                conn.rollback()
                if left == 0:
                    break
                time.sleep(0.3)
            assert left == 0, "the schedulers did not sweep the due checks"
            # Each level of each clock fired once, whichever scheduler got there first.
            assert conn.execute(text(
                "SELECT count(*) FROM (SELECT assignment_id, clock, level FROM escalations "
                "GROUP BY 1, 2, 3 HAVING count(*) > 1) d")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM escalations")).scalar() >= FILINGS
        engine.dispose()
    finally:
        for p in schedulers + hosts:
            p.terminate()
        for p in schedulers + hosts:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
