"""Prometheus metrics: filing latency (observed in every worker; multiprocess-safe under
gunicorn via PROMETHEUS_MULTIPROC_DIR) and the state of the desk read from the database at
scrape time — tickets by state, overdue assignments, the escalation sweep's lag."""
import os
import time
from contextlib import contextmanager

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from app.extensions import db
from app.models import Assignment, Ticket, utcnow
from app.services import clocks

FILING_SECONDS = Histogram(
    "desk_filing_seconds", "Time to file one appeal (number, route, write, commit)",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5), registry=None,
)


@contextmanager
def timing_filing():
    """Observe the duration of the block in desk_filing_seconds."""
    start = time.perf_counter()
    try:
        yield
    finally:
        FILING_SECONDS.observe(time.perf_counter() - start)


def snapshot(now=None) -> dict:
    """The database-derived figures: {"tickets": {state: n}, "overdue": n, "sweep_lag": seconds}."""
    now = now or utcnow()
    by_state = {state: n for state, n in db.session.execute(
        select(Ticket.state, func.count()).group_by(Ticket.state))}
    overdue = db.session.scalar(select(func.count()).select_from(Assignment).join(Ticket, Ticket.id == Assignment.ticket_id)
                                .where(Assignment.active.is_(True), Assignment.replied_at.is_(None),
                                       clocks.overdue(now))) or 0
    oldest_due = db.session.scalar(select(func.min(Assignment.next_check_at)).where(Assignment.next_check_at <= now))
    lag = (now - oldest_due).total_seconds() if oldest_due is not None else 0.0
    return {"tickets": by_state, "overdue": overdue, "sweep_lag": lag}


class _DatabaseCollector:
    def __init__(self, figures: dict):
        self.figures = figures

    def collect(self):
        tickets = GaugeMetricFamily("desk_tickets", "Tickets by state", labels=["state"])
        for state, n in sorted(self.figures["tickets"].items()):
            tickets.add_metric([state], n)
        yield tickets
        yield GaugeMetricFamily("desk_overdue_assignments", "Active assignments past their resolve deadline",
                                value=self.figures["overdue"])
        yield GaugeMetricFamily("desk_sweep_lag_seconds",
                                "Age of the oldest escalation check that is due but not yet swept",
                                value=self.figures["sweep_lag"])


def render() -> tuple[bytes, str]:
    """The exposition text of every metric and its content type."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(FILING_SECONDS)
    registry.register(_DatabaseCollector(snapshot()))
    return generate_latest(registry), CONTENT_TYPE_LATEST
