"""`flask open311 key create|list|revoke`: API keys of Open311 client systems, per city; and
`flask api token create`: a personal API token for a user (what the token page does, for scripts)."""
import click
from flask.cli import AppGroup

from app.services import ServiceError, api_tokens, webhooks

open311 = AppGroup("open311", help="Open311 GeoReport v2 client keys.")
key = AppGroup("key", help="Create, list and revoke api_keys.")
open311.add_command(key)


@key.command("create")
@click.option("--name", required=True, help="The client system, e.g. FixMyStreet")
@click.option("--jurisdiction", required=True, help="City code, e.g. liaoyuan")
def create(name, jurisdiction):
    """Make a key; it is printed once, on the last line, and stored hashed."""
    try:
        row, raw = api_tokens.create_key(name, jurisdiction)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created Open311 key {row.id} for {row.name} ({row.jurisdiction}); it is shown only now:")
    click.echo(raw)


@key.command("list")
def list_keys():
    """Every key: id, prefix, client, city, state."""
    for k in api_tokens.keys():
        click.echo(f"{k.id}\t{k.prefix}…\t{k.name}\t{k.jurisdiction}\t{'revoked' if k.revoked_at else 'active'}")


@key.command("revoke")
@click.argument("key_id", type=int)
def revoke(key_id):
    """Revoke a key by its id."""
    try:
        api_tokens.revoke_key(key_id)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"revoked Open311 key {key_id}")


@open311.command("send-webhooks")
def send_webhooks():
    """Send the webhook deliveries that are due now (the scheduler does this every minute)."""
    click.echo(webhooks.send_due())


api = AppGroup("api", help="REST API v1.")
token = AppGroup("token", help="Personal API tokens.")
api.add_command(token)


@token.command("create")
@click.option("--username", required=True)
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(list(api_tokens.SCOPES)))
@click.option("--days", type=int, default=30, show_default=True)
@click.option("--name", default="cli", show_default=True)
def create_token(username, scopes, days, name):
    """Make a token for USERNAME; it is printed once, on the last line."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username}")
    try:
        row, raw = api_tokens.create_token(user, name, list(scopes), days)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created API token {row.id} for {username} ({', '.join(row.scopes)}); it is shown only now:")
    click.echo(raw)


COMMANDS = [open311, api]
