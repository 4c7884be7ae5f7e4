"""Webhooks: the outbox row is written in the event's transaction, only for agencies that may
see the event; the sender signs with HMAC-SHA256 over "<timestamp>.<body>" and retries with backoff."""
import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from app.domain.workflow import WorkflowError
from app.models import TicketEvent, WebhookDelivery
from app.services import ServiceError, handling, webhooks
from app.services import tickets as core
from tests.api.conftest import APPEAL
from tests.worlds import route_to


class Receiver:
    """A real HTTP server on an ephemeral port that records what it gets."""

    def __init__(self, status=200):
        self.status, self.got = status, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.got.append((dict(self.headers), body))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def other_agency_admin(world, db):
    """The admin of the city's second agency (world.sw), which holds none of the tickets filed."""
    from app.models import User

    admin_sw = User(username="admin_sw", display_name="admin_sw", role="agency_admin", agency=world.sw)
    admin_sw.set_password("password123")
    db.session.add(admin_sw)
    db.session.commit()
    return admin_sw


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_signed_delivery_of_the_agencys_events(world, db, monkeypatch, receiver):
    route_to(monkeypatch)
    ep = webhooks.create_endpoint(world.agency_admin, receiver.url)
    t = core.file_ticket(world.biz, **APPEAL)
    handling.note(world.clerk, t.id, "内部备注：先电话了解")
    rows = db.session.query(WebhookDelivery).order_by(WebhookDelivery.id).all()
    # Every event of a ticket the agency holds is in the outbox — the filing (written in the same
    # flush as the agency's assignment) and the internal note (its own) included.
    assert [r.payload["event"]["action"] for r in rows] == ["file", "route", "note"]
    assert all(r.endpoint_id == ep.id and r.state == "pending" for r in rows)

    counts = webhooks.send_due()
    assert counts == {"sent": len(rows), "failed": 0, "retry": 0}
    headers, body = receiver.got[0]
    ts, mac = (p.split("=", 1)[1] for p in headers["X-Desk-Signature"].split(","))
    # The receiver's check, written from the documented rule (not from our sign()).
    expected = hmac.new(ep.secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(mac, expected)
    assert json.loads(body)["ticket"]["number"] == t.number
    assert json.loads(body)["event"]["created_at"].endswith("+08:00")
    assert webhooks.verify(ep.secret, body, headers["X-Desk-Signature"], now=int(ts))
    assert not webhooks.verify(ep.secret, body + b" ", headers["X-Desk-Signature"], now=int(ts))
    assert not webhooks.verify(ep.secret, body, headers["X-Desk-Signature"], now=int(ts) + 3600)
    assert all(r.state == "delivered" for r in db.session.query(WebhookDelivery))


def test_other_agencies_get_nothing_and_a_refused_action_writes_nothing(world, db, monkeypatch, receiver):
    route_to(monkeypatch)
    admin_sw = other_agency_admin(world, db)
    webhooks.create_endpoint(admin_sw, receiver.url)
    t = core.file_ticket(world.biz, **APPEAL)
    assert db.session.query(WebhookDelivery).count() == 0
    webhooks.create_endpoint(world.agency_admin, receiver.url)
    before = db.session.query(WebhookDelivery).count()
    with pytest.raises(WorkflowError):
        handling.reply(world.clerk, t.id, "太短")  # refused: not signed, too short
    assert db.session.query(WebhookDelivery).count() == before
    assert db.session.query(TicketEvent).count() == len(t.events)


def test_failures_back_off_then_give_up(world, db, monkeypatch):
    route_to(monkeypatch)
    down = Receiver(status=500)
    try:
        webhooks.create_endpoint(world.agency_admin, down.url)
        core.file_ticket(world.biz, **APPEAL)
        d = db.session.query(WebhookDelivery).first()
        now = d.next_attempt_at
        waits = []
        for _ in range(webhooks.MAX_ATTEMPTS):
            webhooks.send_due(now=now)
            db.session.refresh(d)
            if d.state != "pending":
                break
            waits.append(d.next_attempt_at - now)
            assert webhooks.send_due(now=d.next_attempt_at - timedelta(seconds=1))["retry"] == 0  # not due yet
            now = d.next_attempt_at
        assert d.state == "failed" and d.attempts == webhooks.MAX_ATTEMPTS and d.last_status == 500
        # 1, 2, 4 … minutes: each wait doubles the one before.
        assert waits[0] == timedelta(minutes=1)
        assert all(b == 2 * a for a, b in zip(waits, waits[1:], strict=False))
    finally:
        down.close()



def test_an_endpoint_that_answers_no_http_does_not_hold_back_the_others(world, db, monkeypatch, receiver):
    """A real socket that answers with something other than HTTP (a misconfigured port)."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)

    def answer_garbage():
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")

    threading.Thread(target=answer_garbage, daemon=True).start()
    try:
        route_to(monkeypatch)
        bad = webhooks.create_endpoint(world.agency_admin, f"http://127.0.0.1:{sock.getsockname()[1]}/hook")
        good = webhooks.create_endpoint(world.agency_admin, receiver.url)
        core.file_ticket(world.biz, **APPEAL)
        counts = webhooks.send_due()
        assert counts["sent"] == 2 and counts["retry"] == 2, counts  # the filing's two events, each way
        by_endpoint = {}
        for d in db.session.query(WebhookDelivery):
            by_endpoint.setdefault(d.endpoint_id, set()).add((d.state, d.last_error is None))
        assert by_endpoint[good.id] == {("delivered", True)}
        assert by_endpoint[bad.id] == {("pending", False)}  # it backs off and is tried again
    finally:
        sock.close()

def test_only_the_agency_admin_manages_endpoints(world):
    with pytest.raises(ServiceError):
        webhooks.create_endpoint(world.clerk, "https://example.com/hook")
    with pytest.raises(ServiceError):
        webhooks.create_endpoint(world.agency_admin, "ftp://example.com/hook")


def test_escalations_of_the_sweep_reach_only_the_agency_concerned(world, db, monkeypatch, receiver):
    # The sweep writes its events as plain rows (tickets.record_many), not through the ORM flush
    # whose listener fills the outbox: its escalations must still be delivered, each naming its event.
    from app.models import utcnow
    from app.services import sla

    route_to(monkeypatch)
    admin_sw = other_agency_admin(world, db)
    other = webhooks.create_endpoint(admin_sw, receiver.url)
    ep = webhooks.create_endpoint(world.agency_admin, receiver.url)
    t = core.file_ticket(world.biz, **APPEAL)
    before = db.session.query(WebhookDelivery).count()
    assert sla.sweep(now=utcnow() + timedelta(days=60))["fired"] > 0
    escalations = db.session.query(TicketEvent).filter_by(ticket_id=t.id, action="escalate").all()
    rows = db.session.query(WebhookDelivery).order_by(WebhookDelivery.id).all()[before:]
    assert escalations and len(rows) == len(escalations)
    assert {r.event_id for r in rows} == {e.id for e in escalations}
    assert all(r.endpoint_id == ep.id and r.endpoint_id != other.id for r in rows)
    body = rows[0].payload
    assert body["type"] == "ticket.escalate" and body["event"]["internal"] is True
    assert body["ticket"]["number"] == t.number and body["event"]["id"] == rows[0].event_id
