"""Webhooks for an agency's own system: every ticket event the agency may see is written to the
outbox (webhook_deliveries) in the same transaction as the event, and sent by the scheduler as
signed JSON, with retries and exponential backoff. Each row is also the endpoint's delivery log.

Signature: header ``X-Desk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``;
a receiver recomputes it over the raw body and refuses a timestamp older than a few minutes.
"""
import hashlib
import hmac
import http.client
import json
import secrets
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import event as sa_event
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.domain import audience
from app.extensions import db
from app.models import (
    Assignment,
    Ticket,
    TicketEvent,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from app.services import N_, NotFound, ServiceError, transaction

MAX_ATTEMPTS = 8
BACKOFF_MAX = timedelta(hours=6)
TIMEOUT_SECONDS = 5
URL_MAX = 500
SIGNATURE_HEADER = "X-Desk-Signature"


def iso(at: datetime | None) -> str | None:
    """ISO 8601 with the offset, in Asia/Shanghai (what every interface of the desk answers)."""
    from app.services.tickets import SHANGHAI

    return at.astimezone(SHANGHAI).isoformat(timespec="seconds") if at is not None else None


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, body: bytes, header: str, now: int | None = None, tolerance: int = 300) -> bool:
    """What a receiver does: check the HMAC and that the timestamp is recent."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        ts = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now or int(time.time())) - ts) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, body, ts), header)


# --- endpoints (managed by the agency admin) -----------------------------------------------------

def _require_agency_admin(user: User) -> None:
    if user.role != "agency_admin" or user.agency_id is None:
        raise ServiceError(N_("只有承办单位管理员可以管理推送地址"), code="role")


def endpoints_of(user: User) -> list[WebhookEndpoint]:
    """The webhook endpoints of the admin's agency, newest first."""
    _require_agency_admin(user)
    return list(db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.agency_id == user.agency_id)
                                   .order_by(WebhookEndpoint.id.desc())))


def endpoint_of(user: User, endpoint_id: int) -> WebhookEndpoint:
    """One endpoint of the admin's own agency (NotFound for any other)."""
    _require_agency_admin(user)
    ep = db.session.get(WebhookEndpoint, endpoint_id)
    if ep is None or ep.agency_id != user.agency_id:
        raise NotFound(N_("推送地址不存在"))
    return ep


@transaction
def create_endpoint(user: User, url: str) -> WebhookEndpoint:
    """Register an https (or http) URL for the admin's agency; its secret is made here."""
    _require_agency_admin(user)
    url = (url or "").strip()
    parts = urlsplit(url)
    if len(url) > URL_MAX or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServiceError(N_("请填写以 https:// 或 http:// 开头的有效推送地址"), code="url")
    ep = WebhookEndpoint(agency_id=user.agency_id, url=url, secret="whsec_" + secrets.token_urlsafe(32),
                         created_by_id=user.id)
    db.session.add(ep)
    db.session.commit()
    return ep


@transaction
def set_active(user: User, endpoint_id: int, active: bool) -> WebhookEndpoint:
    """Pause or resume an endpoint; a paused one gets no new deliveries."""
    ep = endpoint_of(user, endpoint_id)
    ep.active = bool(active)
    db.session.commit()
    return ep


def deliveries(user: User, endpoint_id: int, limit: int = 50) -> list[WebhookDelivery]:
    """The delivery log of one endpoint, newest first."""
    ep = endpoint_of(user, endpoint_id)
    return list(db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == ep.id)
                                   .order_by(WebhookDelivery.id.desc()).limit(limit)))


# --- the outbox, written with the event -----------------------------------------------------------

def payload(ev: TicketEvent, ticket: Ticket) -> dict:
    """The JSON an endpoint receives for one event."""
    return {
        "type": f"ticket.{ev.action}",
        "event": {"id": ev.id, "action": ev.action, "from_state": ev.from_state, "to_state": ev.to_state,
                  "note": ev.note, "internal": bool(ev.internal), "created_at": iso(ev.created_at)},
        "ticket": {"id": ticket.id, "number": ticket.number, "state": ticket.state,
                   "jurisdiction": ticket.jurisdiction},
    }


def _audience(conn, ev: TicketEvent) -> set[int]:
    """Agencies whose endpoints get `ev`: those holding an active assignment of the ticket, and the
    event's own agency, each only where the event's audience reaches it (app.domain.audience, as on
    the timeline); an internal event only its own agency."""
    holders = set(conn.scalars(select(Assignment.agency_id).where(
        Assignment.ticket_id == ev.ticket_id, Assignment.active.is_(True))))
    if ev.internal:
        holders = set()
    if ev.agency_id is not None:
        holders.add(ev.agency_id)
    return {a for a in holders
            if audience.sees_event(ev.action, audience.AGENCY, concerns_viewer=a == ev.agency_id)}


def enqueue(conn, events, ticket_of) -> None:
    """Write the outbox rows of freshly stored `events` (TicketEvents, or rows with the same
    attributes) in the transaction that stores them; `ticket_of(event)` gives the event's ticket."""
    if not events:
        return
    if not conn.scalar(select(WebhookEndpoint.id).where(WebhookEndpoint.active.is_(True)).limit(1)):
        return  # no endpoint anywhere: the common case costs one indexed query per flush
    rows = []
    now = utcnow()
    for ev in events:
        agencies = _audience(conn, ev)
        if not agencies:
            continue
        ticket = ticket_of(ev)
        for ep_id, agency_id in conn.execute(select(WebhookEndpoint.id, WebhookEndpoint.agency_id).where(
                WebhookEndpoint.agency_id.in_(agencies), WebhookEndpoint.active.is_(True))):
            body = payload(ev, ticket)
            if not audience.reads_text(ev.action, audience.AGENCY, concerns_viewer=agency_id == ev.agency_id):
                body["event"]["note"] = None
            rows.append({"endpoint_id": ep_id, "event_id": ev.id, "payload": body, "state": "pending",
                         "attempts": 0, "next_attempt_at": now, "created_at": now})
    if rows:
        conn.execute(insert(WebhookDelivery), rows)


@sa_event.listens_for(Session, "after_flush")
def _outbox(session, flush_context):
    # Every TicketEvent the ORM stores; events written as plain rows call enqueue() themselves.
    new_events = [o for o in session.new if isinstance(o, TicketEvent)]
    if new_events:
        enqueue(session.connection(), new_events,
                lambda ev: ev.ticket if ev.ticket is not None else session.get(Ticket, ev.ticket_id))


# --- sending (a scheduler job) ----------------------------------------------------------------------

def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 1, 2, 4 … minutes, at most 6 hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _post(url: str, body: bytes, headers: dict) -> int:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as resp:  # noqa: S310 (http/https checked)
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def send_due(now: datetime | None = None, limit: int = 100) -> dict:
    """Send the deliveries that are due (oldest first); returns {"sent", "failed", "retry"}."""
    now = now or utcnow()
    query = (select(WebhookDelivery).join(WebhookEndpoint)
             .where(WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= now,
                    WebhookEndpoint.active.is_(True))
             .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
    counts = {"sent": 0, "failed": 0, "retry": 0}
    for d in db.session.scalars(query).all():
        body = json.dumps(d.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        ts = int(now.timestamp())
        headers = {"Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: sign(d.endpoint.secret, body, ts),
                   "X-Desk-Event": d.payload.get("type", ""), "X-Desk-Delivery": str(d.id),
                   "User-Agent": "enterprise-appeals-desk-webhooks/1"}
        d.attempts += 1
        try:
            status = _post(d.endpoint.url, body, headers)
            error = None if 200 <= status < 300 else f"HTTP {status}"
        # Refused, timed out, DNS …, or an answer that is not HTTP (http.client.BadStatusLine): this
        # delivery backs off and the others still go.
        except (OSError, ValueError, http.client.HTTPException) as exc:
            status, error = None, (str(exc) or type(exc).__name__)[:500]
        d.last_status = status
        d.last_error = error
        if error is None:
            d.state, d.delivered_at, d.next_attempt_at = "delivered", now, None
            counts["sent"] += 1
        elif d.attempts >= MAX_ATTEMPTS:
            d.state, d.next_attempt_at = "failed", None
            counts["failed"] += 1
        else:
            d.next_attempt_at = now + backoff(d.attempts)
            counts["retry"] += 1
    db.session.commit()
    return counts


def pending_count() -> int:
    """Deliveries still waiting (for the admin overview and tests)."""
    return db.session.scalar(select(func.count(WebhookDelivery.id)).where(WebhookDelivery.state == "pending"))
