"""Fixtures: `app`, `db`, `client`, `runner`, and helpers to make users and log in.

The schema always comes from the Alembic migrations (never create_all), so a
missing migration fails here. SQLite (default): migrate once into a template
file, copy it for each test. PostgreSQL (TEST_DATABASE_URL): migrate from an
empty schema once, truncate every table between tests.
"""
import os
import re
import shutil

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db as _db
from config import TestConfig

PG_URL = os.environ.get("TEST_DATABASE_URL") or None


def _config(uri: str, tmp_path) -> type:
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = uri
        UPLOAD_DIR = tmp_path / "uploads"

    return Cfg


@pytest.fixture(scope="session")
def _template(tmp_path_factory):
    """Migrate an empty database once per session; return its URI (and file, for SQLite)."""
    if PG_URL:
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        uri, path = PG_URL, None
    else:
        path = tmp_path_factory.mktemp("db") / "template.sqlite"
        uri = f"sqlite:///{path}"
    app = create_app(_config(uri, tmp_path_factory.mktemp("u")))
    with app.app_context():
        upgrade(directory="migrations")
        _db.engine.dispose()
    return uri, path


def _truncate_all(uri: str) -> None:
    engine = create_engine(uri)
    with engine.begin() as conn:
        names = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        ))]
        if names:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app(_template, tmp_path):
    uri, path = _template
    if PG_URL:
        _truncate_all(uri)
    else:
        target = tmp_path / "test.sqlite"
        shutil.copy(path, target)
        uri = f"sqlite:///{target}"
    application = create_app(_config(uri, tmp_path))
    with application.app_context():
        yield application
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """Fetch `url` and return the CSRF token of its first form."""
    page = client.get(url).get_data(as_text=True)
    m = _CSRF.search(page)
    assert m, f"no csrf token on {url}"
    return m.group(1) or m.group(2)


def login(client, username: str, password: str = "password123"):
    """Log `username` in through the real login form (with its CSRF token)."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def make_city(db):
    """Create a jurisdiction (and optionally agencies) by hand — fast, for tests that need no plan."""
    from app.models import Agency, Jurisdiction

    def make(code="liaoyuan", name="辽源市", prefix="LY", agencies=("市市场监管局", "市税务局")):
        city = db.session.get(Jurisdiction, code)
        if city is None:
            city = Jurisdiction(code=code, name=name, name_en=code.title(), prefix=prefix)
            db.session.add(city)
            db.session.flush()  # no relationship tells the unit of work to insert it first
        made = {}
        for a in agencies:
            agency = Agency(jurisdiction=code, name=a, aliases=[], kind="department")
            db.session.add(agency)
            made[a] = agency
        db.session.commit()
        return city, made

    return make


@pytest.fixture
def make_user(db, make_city):
    """Create a user of any role; businesses get a valid enterprise."""
    from app.models import Enterprise, Jurisdiction, User

    counter = {"n": 0}

    def make(role="enterprise", username=None, agency=None, jurisdiction="liaoyuan", enterprise=None,
             password="password123"):
        counter["n"] += 1
        if jurisdiction and db.session.get(Jurisdiction, jurisdiction) is None:
            make_city(code=jurisdiction, name=jurisdiction, prefix=jurisdiction[:2].upper(), agencies=())
        username = username or f"{role}{counter['n']}"
        if role == "enterprise" and enterprise is None:
            from app.domain.uscc import check_digit

            body = f"9122040{counter['n']:02d}MA0000{counter['n']:03d}"[:17]
            enterprise = Enterprise(uscc=body + check_digit(body), name=f"测试企业{counter['n']}",
                                    jurisdiction=jurisdiction, phone="13812345678")
            db.session.add(enterprise)
        user = User(username=username, display_name=username, role=role, enterprise=enterprise,
                    agency=agency, jurisdiction=jurisdiction if role in ("dispatcher", "supervisor") else None,
                    phone="13812345678")
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


def received(user, kind: str | None = None, ticket_id: int | None = None, prefix: str | None = None) -> list:
    """The notifications `user` reads in the inbox (optionally of one kind / ticket / kind prefix)."""
    from app.services import notifications

    rows, _ = notifications.inbox(user, size=10_000)
    return [n for n in rows if (kind is None or n.kind == kind) and (ticket_id is None or n.ticket_id == ticket_id)
            and (prefix is None or n.kind.startswith(prefix))]


@pytest.fixture
def w(make_city, make_user, db, monkeypatch):
    """The usual world (tests/worlds.py), the router choosing 市市场监管局. A module that needs
    another world defines its own `w`."""
    from tests.worlds import World, route_to

    world = World(make_city, make_user)
    route_to(monkeypatch)
    return world
