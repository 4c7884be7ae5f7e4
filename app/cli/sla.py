"""CLI commands: SLA deadlines and the periodic jobs (`flask sla deadline|sweep|auto-close|send-outbox`)."""
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask.cli import AppGroup

from app.domain.sla import KINDS
from app.extensions import db
from app.models import Jurisdiction
from app.services import clocks
from app.services import sla as sla_service

SHANGHAI = ZoneInfo("Asia/Shanghai")
sla = AppGroup("sla", help="SLA clocks and escalations.")


def _iso(t: datetime) -> str:
    return t.astimezone(SHANGHAI).isoformat()


@sla.command("deadline")
@click.option("--jurisdiction", required=True)
@click.option("--kind", required=True, type=click.Choice(KINDS))
@click.option("--urgent", is_flag=True)
@click.option("--at", "at_text", required=True, help="ISO 8601 start; without an offset: Shanghai time")
def deadline(jurisdiction, kind, urgent, at_text):
    """Print {"sign_due_at", "contact_due_at", "resolve_due_at"} as ISO 8601 (+08:00)."""
    try:
        at = datetime.fromisoformat(at_text)
    except ValueError as exc:
        raise click.BadParameter(f"not an ISO 8601 datetime: {at_text}", param_hint="--at") from exc
    if at.tzinfo is None:
        at = at.replace(tzinfo=SHANGHAI)
    if db.session.get(Jurisdiction, jurisdiction) is None:
        raise click.BadParameter(f"unknown jurisdiction: {jurisdiction}", param_hint="--jurisdiction")
    cal = clocks.calendar_for(jurisdiction)
    policy = clocks.policy_of(jurisdiction, kind, urgent)
    click.echo(json.dumps({
        "sign_due_at": _iso(policy.sign.due(cal, at)),
        "contact_due_at": _iso(policy.contact.due(cal, at)),
        "resolve_due_at": _iso(policy.resolve.due(cal, at)),
    }))


@sla.command("sweep")
@click.option("--limit", type=int, default=1000)
@click.option("--batch", type=int, default=sla_service.BATCH, help="Assignments per commit")
def sweep(limit, batch):
    """Run the escalation sweep and the auto-close once; print the counts."""
    result = sla_service.sweep(limit=limit, batch=batch)
    closed = sla_service.auto_close()
    click.echo(f"sweep: checked {result['checked']}, fired {result['fired']}, failed {result['failed']}; "
               f"auto_close: closed {closed['closed']}, failed {closed['failed']}")


@sla.command("end-suspensions")
def end_suspensions():
    """Resume the tickets whose suspension reached the cap unanswered (the scheduler's job, once)."""
    from app.services import handling

    click.echo(json.dumps(handling.end_capped_suspensions()))


@sla.command("send-outbox")
def send_outbox():
    """Send queued emails (only when SMTP_HOST is set)."""
    click.echo(json.dumps(sla_service.send_outbox()))


COMMANDS = [sla]
