"""`flask route-batch` and `flask routing evaluate`: the router from the command line."""
import json
import sys

import click
from flask.cli import AppGroup, with_appcontext

from app.domain.routing.batch import route_lines
from app.domain.routing.evaluate import evaluate, format_report
from app.services import routing as routing_service


@click.command("route-batch")
@with_appcontext
def route_batch():
    """Route JSON lines from stdin ({"id","jurisdiction","title","text"[,"topic"]}); one JSON line out each."""
    router = routing_service.router()
    for line in route_lines(sys.stdin, router):
        click.echo(line)


routing_group = AppGroup("routing", help="Router tools.")


@routing_group.command("evaluate")
@click.argument("path", type=click.File("r", encoding="utf-8"))
def evaluate_cmd(path):
    """Top-1/top-3 accuracy per city and the misses, over a labelled JSON-lines file."""
    cases = [json.loads(line) for line in path if line.strip()]
    click.echo(format_report(evaluate(cases, routing_service.router())))


COMMANDS = [route_batch, routing_group]
