"""Reports read from the replica (DATABASE_URL_REPLICA); writes, and the figures a freeze stores,
never touch it. The "replica" here is a second SQLite file, migrated like any database, that
holds different data from the primary: whichever data a page shows says where it was read."""
from datetime import UTC, datetime

import pytest
import time_machine
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db as _db
from app.models import Agency, EvaluationPeriod, Jurisdiction
from app.services import evaluation as ev
from app.services import replica
from config import TestConfig
from tests.conftest import login
from tests.web.test_supervision import build_month

NOW = datetime(2026, 10, 20, 2, tzinfo=UTC)
ONLY_ON_REPLICA = "只在副本中的单位"


@pytest.fixture
def replica_url(app, tmp_path):
    """A migrated SQLite file with one city and one agency the primary does not have."""
    url = f"sqlite:///{tmp_path / 'replica.sqlite'}"

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_DIR = tmp_path / "replica-uploads"

    other = create_app(Cfg)
    with other.app_context():
        upgrade(directory="migrations")
        _db.engine.dispose()
    engine = create_engine(url)
    with Session(engine) as s:
        s.add(Jurisdiction(code="liaoyuan", name="辽源市", name_en="Liaoyuan", prefix="LY"))
        s.flush()
        s.add(Agency(jurisdiction="liaoyuan", name=ONLY_ON_REPLICA, aliases=[], kind="department"))
        s.commit()
    engine.dispose()
    app.config["SQLALCHEMY_REPLICA_URI"] = url
    yield url
    app.config["SQLALCHEMY_REPLICA_URI"] = None


def _agencies(rows):
    return sorted(r["agency"] for r in rows)


def _periods(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(EvaluationPeriod.__table__)).scalar()
    engine.dispose()
    return n


def test_without_a_replica_reports_read_the_primary(db, make_city, make_user):
    with time_machine.travel(NOW, tick=False):
        build_month(db, make_city, make_user)
        assert replica.reads() is db.session
        assert _agencies(ev.report("liaoyuan", "2026-09")) == ["市人社局", "市市场监管局", "市税务局"]


def test_reports_read_the_replica_and_writes_go_to_the_primary(app, db, make_city, make_user, replica_url):
    with time_machine.travel(NOW, tick=False):
        build_month(db, make_city, make_user)
        # the ranking, the trend and the breakdown all read the replica's rows
        assert _agencies(ev.report("liaoyuan", "2026-09")) == [ONLY_ON_REPLICA]
        assert ev.trend("liaoyuan", "2026-09")[-1]["counts"]["assignments"] == 0
        assert ev.breakdown("liaoyuan", "2026-09") == []
        # the primary has the month's tickets (read there directly)
        assert db.session.scalar(select(func.count()).select_from(Agency)) == 3

        # freezing stores the primary's figures, in the primary
        period = ev.freeze("liaoyuan", "2026-09", None)
        assert sorted(s.figures["agency"] for s in period.scorecards) == ["市人社局", "市市场监管局", "市税务局"]
        assert db.session.scalar(select(func.count()).select_from(EvaluationPeriod)) == 1
        assert _periods(replica_url) == 0
        # the replica has not received the freeze yet: the report still shows what the replica holds
        assert _agencies(ev.report("liaoyuan", "2026-09")) == [ONLY_ON_REPLICA]
        assert ev.is_frozen("liaoyuan", "2026-09")  # a decision before a write reads the primary


def test_the_replica_session_refuses_writes(app, db, make_city, replica_url):
    session = replica.reads()
    assert session is not db.session
    session.add(Agency(jurisdiction="liaoyuan", name="写入副本", aliases=[], kind="department"))
    with pytest.raises(RuntimeError, match="read-only"):
        session.flush()
    session.rollback()
    with pytest.raises(RuntimeError, match="read-only"):
        session.execute(Agency.__table__.delete())
    assert _agencies([{"agency": a.name} for a in session.scalars(select(Agency))]) == [ONLY_ON_REPLICA]


def test_the_export_page_reads_the_replica(app, client, db, make_city, make_user, replica_url):
    with time_machine.travel(NOW, tick=False):
        build_month(db, make_city, make_user)
        sup = make_user("supervisor", jurisdiction="liaoyuan")
        login(client, sup.username)
        body = client.get("/supervision/evaluation/export.csv?month=2026-09").get_data(as_text=True)
    assert ONLY_ON_REPLICA in body and "市税务局" not in body
