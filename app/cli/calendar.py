"""CLI commands: the working calendar (`flask calendar seed`, `flask calendar show --year`)."""
import click
from flask.cli import AppGroup

from app.services import calendar as cal_service

calendar = AppGroup("calendar", help="The working calendar (holidays, 调休 workdays).")


@calendar.command("seed")
def seed():
    """Copy the chinesecalendar package's holidays into the database (idempotent)."""
    result = cal_service.seed_from_chinesecalendar()
    click.echo(f"calendar seeded: {result['years']} years, {result['days']} days added")


@calendar.command("show")
@click.option("--year", type=int, default=None, help="Year (default: this year)")
def show(year):
    """List the exceptions to Monday–Friday of a year."""
    year = year or cal_service.local_today().year
    entered = cal_service.year_entered(year)
    click.echo(f"{year}: {'entered' if entered else 'NOT entered (plain Monday–Friday)'}")
    for row in cal_service.exceptions_of(year):
        kind = "workday" if row.is_workday else "holiday"
        click.echo(f"{row.day.isoformat()} {row.day.strftime('%a')} {kind:8} {row.name or ''} [{row.source}]")


COMMANDS = [calendar]
