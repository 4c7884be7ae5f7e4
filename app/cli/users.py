"""`flask users create …` for staff accounts."""
import click
from flask.cli import AppGroup

from app.services import ServiceError, accounts

users = AppGroup("users", help="Manage accounts.")


@users.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", required=True,
              type=click.Choice(["clerk", "agency_admin", "dispatcher", "supervisor", "admin"]))
@click.option("--name", "display_name", help="Display name")
@click.option("--agency", "agency_name", help="Agency name (clerk, agency_admin)")
@click.option("--jurisdiction", help="City code (dispatcher, supervisor; disambiguates --agency)")
@click.option("--email")
def create(username, password, role, display_name, agency_name, jurisdiction, email):
    """Create a staff account."""
    try:
        user = accounts.create_staff(
            username=username, password=password, role=role, display_name=display_name,
            agency_name=agency_name, jurisdiction=jurisdiction, email=email,
        )
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {user.role} {user.username} (id {user.id})")


def _set_active(username: str, active: bool) -> None:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    accounts.set_active(user.id, active)
    click.echo(f"{'enabled' if active else 'disabled'} {username}; their sessions have ended")


@users.command("disable")
@click.option("--username", required=True)
def disable(username):
    """Disable an account and end all its sessions."""
    _set_active(username, False)


@users.command("enable")
@click.option("--username", required=True)
def enable(username):
    """Enable an account again (it must log in anew)."""
    _set_active(username, True)


COMMANDS = [users]
