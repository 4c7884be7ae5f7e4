"""CLI commands: the working calendar (`flask calendar seed|show|import-notice|check`)."""
import click
from flask.cli import AppGroup

from app.services import ServiceError
from app.services import calendar as cal_service

calendar = AppGroup("calendar", help="The working calendar (holidays, 调休 workdays).")


@calendar.command("seed")
def seed():
    """Copy the chinesecalendar package's holidays into the database (idempotent)."""
    result = cal_service.seed_from_chinesecalendar()
    click.echo(f"calendar seeded: {result['years']} years, {result['days']} days added; "
               f"{result['tickets']} tickets' deadlines recomputed")


@calendar.command("show")
@click.option("--year", type=int, default=None, help="Year (default: this year)")
def show(year):
    """List the exceptions to Monday–Friday of a year."""
    year = year or cal_service.local_today().year
    entered = cal_service.year_entered(year)
    click.echo(f"{year}: {'entered' if entered else 'NOT entered (provisional: statutory holidays only)'}")
    for row in cal_service.exceptions_of(year):
        kind = "workday" if row.is_workday else "holiday"
        click.echo(f"{row.day.isoformat()} {row.day.strftime('%a')} {kind:8} {row.name or ''} [{row.source}]")


@calendar.command("import-notice")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--by", "username", default=None, help="Username recorded as having entered it")
def import_notice(file, username):
    """Enter a year's 国务院办公厅关于YYYY年部分节假日安排的通知 from its text (UTF-8)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User

    actor = None
    if username:
        actor = db.session.scalar(select(User).where(User.username == username))
        if actor is None:
            raise click.ClickException(f"no such user: {username}")
    try:
        result = cal_service.import_notice(file.read(), actor)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{result['year']}: entered — {result['holidays']} weekday holidays, "
               f"{result['workdays']} make-up workdays; {result['tickets']} tickets' deadlines recomputed")


@calendar.command("check")
def check():
    """Exit 1 naming each year that open deadlines touch (or the coming year, from 1 November) that is
    still provisional; 0 when every such year is entered."""
    years = cal_service.provisional_years()
    if years:
        names = ", ".join(str(y) for y in years)
        click.echo(f"provisional calendar year(s): {names} — the State Council's notice is not entered; "
                   f"deadlines there rest on the statutory holidays only. "
                   f"Enter it: flask calendar import-notice FILE", err=True)
        raise SystemExit(1)
    click.echo("calendar ok: every year that open deadlines touch is entered")


COMMANDS = [calendar]
