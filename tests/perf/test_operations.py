"""The endpoints the machines around the app use: liveness, readiness, /metrics; JSON logs."""
import json
import logging

from app import logs
from app.services import tickets as core
from tests.worlds import World, route_to


def test_live_and_ready(client, db):
    assert client.get("/api/live").get_json() == {"status": "ok"}
    assert client.get("/api/ready").status_code == 200  # the test schema is migrated to the head
    head = db.session.scalar(db.text("SELECT version_num FROM alembic_version"))
    db.session.execute(db.text("UPDATE alembic_version SET version_num = 'old'"))
    db.session.commit()
    try:
        r = client.get("/api/ready")
        assert r.status_code == 503 and "migration head" in r.get_json()["reason"]
    finally:
        # On PostgreSQL the schema (and alembic_version, which is not truncated) outlives the
        # test: leaving 'old' there made every later readiness check answer 503.
        db.session.execute(db.text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        db.session.commit()
    assert client.get("/api/ready").status_code == 200


def test_metrics_show_tickets_by_state_and_filing_latency(client, db, make_city, make_user, monkeypatch):
    w = World(make_city, make_user)
    route_to(monkeypatch)
    core.file_ticket(w.biz, kind="help", topic="other", title="咨询一", description="一般性咨询的内容,足够十个字。")
    route_to(monkeypatch, to_dispatch=True)
    core.file_ticket(w.biz, kind="help", topic="other", title="咨询二", description="另一件咨询的内容,也足够十个字。")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'desk_tickets{state="dispatched"} 1.0' in text
    assert 'desk_tickets{state="to_dispatch"} 1.0' in text
    assert "desk_overdue_assignments 0.0" in text
    assert "desk_sweep_lag_seconds 0.0" in text
    assert "desk_filing_seconds_count" in text


def test_json_logs(capsys):
    logs.configure("web", level="INFO", fmt="json")
    try:
        logging.getLogger("desk.test").info("工单 %s 已提交", "LY1")
        line = capsys.readouterr().err.strip().splitlines()[-1]
        record = json.loads(line)
        assert record["message"] == "工单 LY1 已提交" and record["level"] == "INFO" and record["logger"] == "desk.test"
    finally:
        logging.getLogger().handlers[:] = []
