"""`flask plans import|export`: the responsibility catalog."""
import json
from pathlib import Path

import click
from flask.cli import AppGroup

from app.services import ServiceError, catalog

plans = AppGroup("plans", help="Import and export the responsibility catalog.")


@plans.command("import")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder with plans/manifest.json and agencies.json (default: data/)")
def import_(data_dir):
    """Import the plans of data/plans (idempotent; changed files update their plan)."""
    try:
        report = catalog.import_plans(data_dir)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    for city, changes in report.items():
        if not changes:
            click.echo(f"{city}: unchanged")
        else:
            parts = [f"{k} {len(v)}" for k, v in changes.items() if isinstance(v, list) and v]
            click.echo(f"{city}: {'created' if changes.get('created') else 'updated'}"
                       + (f" ({', '.join(parts)})" if parts else ""))


@plans.command("export")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json")
def export(fmt):
    """Print the whole catalog as JSON."""
    click.echo(json.dumps(catalog.export_catalog(), ensure_ascii=False, indent=1))


COMMANDS = [plans]
