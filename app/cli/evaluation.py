"""CLI commands: the department evaluation (`flask evaluation report|freeze`)."""
import csv
import json
import sys

import click
from flask.cli import AppGroup

from app.extensions import db
from app.models import User
from app.services import ServiceError
from app.services import evaluation as service

evaluation = AppGroup("evaluation", help="Monthly department evaluation (考核).")


@evaluation.command("report")
@click.option("--jurisdiction", required=True)
@click.option("--month", required=True, help="YYYY-MM (Beijing time)")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "table"]), default="table")
def report(jurisdiction, month, fmt):
    """Print the month's ranking; a frozen month is read from its stored scorecards."""
    try:
        rows = service.report_json(jurisdiction, month)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False))
    elif fmt == "csv":
        if rows:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        for r in rows:
            click.echo(f"{r['rank'] or '-':>3} {r['grade']:<2} {r['score'] if r['score'] is not None else '—':>7}"
                       f"  {r['agency']}")


@evaluation.command("freeze")
@click.option("--jurisdiction", required=True)
@click.option("--month", required=True, help="YYYY-MM (Beijing time), a month that has ended")
@click.option("--by", "username", default=None, help="username of the supervisor freezing it")
def freeze(jurisdiction, month, username):
    """Store the month's scorecards and the settings used; they are never recomputed."""
    actor = db.session.scalar(db.select(User).where(User.username == username)) if username else None
    try:
        period = service.freeze(jurisdiction, month, actor)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"frozen {jurisdiction} {month}: {len(period.scorecards)} scorecards")


COMMANDS = [evaluation]
