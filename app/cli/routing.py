"""`flask route-batch` and `flask routing evaluate|calibrate|check-catalog`: the router from the command line."""
import csv
import json
import sys
from pathlib import Path

import click
from flask import current_app
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


@routing_group.command("calibrate")
@click.option("--cases", "case_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="labelled JSON lines (default: the tune split of tests/domain/routing/*cases*.jsonl)")
@click.option("--corpus", type=click.Path(exists=True, dir_okay=False),
              help="TipDM labelled sample CSV; its tuning half (by message id) is added, class-level")
@click.option("--docs", type=click.Path(dir_okay=False), default="docs/routing.md", show_default=True)
def calibrate_cmd(case_files, corpus, docs):
    """Fit confidence → precision on labelled cases, write data/routing_calibration.json and the
    reliability table in docs/routing.md."""
    from app.domain.routing.calibrate import corpus_outcomes, fit, outcomes, reliability_markdown, replace_section
    from app.domain.routing.classes import half_of
    from app.domain.routing.router import Router
    from app.plans.catalog_files import load_catalog_from_files

    data_dir = Path(current_app.config["DATA_DIR"])
    measures, lexicon = load_catalog_from_files(data_dir)
    router = Router(measures, lexicon)  # uncalibrated: raw confidences
    root = Path(current_app.root_path).parent
    paths = [Path(p) for p in case_files] or sorted((root / "tests/domain/routing").glob("*cases*.jsonl"))
    cases = []
    for p in paths:
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                c = json.loads(line)
                if c.get("split", "tune") == "tune":
                    cases.append(c)
    points = outcomes(cases, router)
    note = f"{len(points)} own cases (tune split)"
    if corpus:
        with open(corpus, encoding="utf-8-sig", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if half_of(r["id"]) == "even"]
        extra = corpus_outcomes(rows, router, lexicon)
        points += extra
        note += f" + {len(extra)} TipDM routings (tuning half, class agreement)"
    if not points:
        raise click.ClickException("没有可用于校准的标注样例")
    cal = fit(points, note=note)
    cal.save(data_dir / "routing_calibration.json")
    doc_path = Path(docs)
    if doc_path.exists():
        doc_path.write_text(replace_section(doc_path.read_text(encoding="utf-8"), reliability_markdown(cal)),
                            encoding="utf-8")
    click.echo(reliability_markdown(cal))


@routing_group.command("check-catalog")
@click.argument("path", type=click.Path(exists=True, dir_okay=False), required=False)
def check_catalog_cmd(path):
    """Validate a remit catalog file (default: the shipped one and the centre's local one) and list
    each role's number of matters."""
    from app.domain.routing.lexicon import LexiconError

    try:
        lex = routing_service.load_lexicon([path] if path else None)
    except LexiconError as exc:
        raise click.ClickException(str(exc)) from exc
    roles = lex.catalog.get("roles", {})
    for key, r in roles.items():
        click.echo(f"{key:<15} {len(r.get('entries', ())):>3} 项  {r.get('source', '')[:60]}")
    click.echo(f"共 {len(roles)} 个职能，{sum(len(r.get('entries', ())) for r in roles.values())} 项事项")




@routing_group.command("import-catalog")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_catalog_cmd(path):
    """Install a centre-edited remit catalog (additions/corrections) as the local layer; it survives plan
    re-imports and updates of data/remit_catalog.json."""
    from app.services import ServiceError

    try:
        res = routing_service.import_remit_catalog(path)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已导入派单目录：{res['roles']} 个职能，{res['entries']} 项事项 → {res['path']}")


COMMANDS = [route_batch, routing_group]
