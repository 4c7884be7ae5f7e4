"""The router as the web app uses it: built from the database catalog, cached per process,
refreshed when the catalog or the dispatchers' corrections change."""
import shutil
import threading
import time
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.domain.routing.batch import decision_to_dict
from app.domain.routing.calibrate import Calibration
from app.domain.routing.lexicon import CATALOG_FILE, Lexicon, LexiconError, load_catalog_file, merge_catalogs
from app.domain.routing.models import CatalogMeasure, CatalogResponsibility, Decision, Example
from app.domain.routing.router import Router
from app.extensions import db
from app.models import (
    Agency,
    Measure,
    Plan,
    PlanImport,
    Responsibility,
    ResponsibilityCorrection,
    RoutingExample,
    Section,
)
from app.services import N_, ServiceError

CALIBRATION_FILE = "routing_calibration.json"
_lock = threading.Lock()


def _data_dir() -> Path:
    return Path(current_app.config["DATA_DIR"])


def local_catalog_path() -> Path:
    """The dispatch centre's own remit-catalog file (additions and corrections to the shipped one)."""
    return Path(current_app.config.get("REMIT_LOCAL_PATH") or (Path(current_app.instance_path) / "remit_local.json"))


def catalog_files() -> list[Path]:
    """The remit catalog as loaded: the shipped data/remit_catalog.json, then the centre's local file."""
    files = [_data_dir() / CATALOG_FILE]
    local = local_catalog_path()
    if local.exists():
        files.append(local)
    return files


def load_lexicon(catalogs=None) -> Lexicon:
    """The agency lexicon with the remit catalog (``catalogs``: files to use instead of catalog_files())."""
    return Lexicon.load(_data_dir() / "agencies.json", catalogs if catalogs is not None else catalog_files())


def import_remit_catalog(path) -> dict:
    """Install a centre-edited remit catalog as the local layer (kept across plan re-imports and updates of
    the shipped catalog). The file is validated against the lexicon first; a bad file changes nothing."""
    try:
        data = load_catalog_file(path)
        Lexicon(_lexicon_data(), merge_catalogs([load_catalog_file(_data_dir() / CATALOG_FILE), data]))
    except LexiconError as exc:
        raise ServiceError(N_("派单目录文件有误：%(e)s"), code="remit_catalog", e=str(exc)) from exc
    target = local_catalog_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    invalidate()
    roles = data.get("roles", {})
    return {"roles": len(roles), "entries": sum(len(r.get("entries", ())) for r in roles.values()),
            "path": str(target)}


def _lexicon_data() -> dict:
    import json

    return json.loads((_data_dir() / "agencies.json").read_text(encoding="utf-8"))


def _file_version() -> tuple:
    out = []
    for p in (_data_dir() / "agencies.json", *catalog_files(), _data_dir() / CALIBRATION_FILE):
        try:
            out.append((str(p), p.stat().st_mtime_ns))
        except OSError:
            out.append((str(p), None))
    return tuple(out)


def lexicon() -> Lexicon:
    """The agency lexicon and remit catalog, loaded once per process (reloaded when a file changes)."""
    state = _state()
    key = _file_version()
    with _lock:
        if state.get("lexicon_key") != key:
            state["lexicon"] = load_lexicon()
            state["lexicon_key"] = key
        return state["lexicon"]


def calibration() -> Calibration | None:
    """The confidence calibration (data/routing_calibration.json, written by `flask routing calibrate`)."""
    return Calibration.load(_data_dir() / CALIBRATION_FILE)


def catalog_measures(jurisdiction: str | None = None) -> list[CatalogMeasure]:
    """The responsibility catalog from the database (with administrators' corrections applied)."""
    query = (
        select(Measure, Plan.jurisdiction, Plan.title, Section.marker, Section.title)
        .join(Plan, Measure.plan_id == Plan.id)
        .outerjoin(Section, Measure.section_id == Section.id)
        .options(selectinload(Measure.responsibilities).selectinload(Responsibility.agency))
        .order_by(Plan.jurisdiction, Measure.number)
    )
    if jurisdiction:
        query = query.where(Plan.jurisdiction == jurisdiction)
    out = []
    for m, j, plan_title, marker, section_title in db.session.execute(query):
        out.append(CatalogMeasure(
            jurisdiction=j, plan_title=plan_title, number=m.number,
            section=f"{marker or ''}{section_title or ''}", title=m.title, body=m.body,
            responsibilities=tuple(
                CatalogResponsibility(r.agency.name, r.role, r.source, r.agency.collective)
                for r in m.responsibilities
            ),
        ))
    return out


def _state() -> dict:
    # one cache per app object, i.e. per worker process (and per test app)
    return current_app.extensions.setdefault("routing_cache", {})


def _version() -> tuple:
    """What the router is built from: one query for the catalog and the corrections, plus file times."""
    row = db.session.execute(select(
        select(func.max(PlanImport.id)).scalar_subquery(),
        select(func.max(ResponsibilityCorrection.id)).scalar_subquery(),
        select(func.count(Responsibility.id)).scalar_subquery(),
        select(func.max(RoutingExample.id)).scalar_subquery(),
    )).one()
    return tuple(row[:3]), row[3], _file_version()


def invalidate() -> None:
    """Make this process look at the catalog and corrections again on its next routing."""
    _state()["checked"] = None


def examples() -> list[Example]:
    """Every correction recorded by the dispatch centre and the supervision office."""
    rows = db.session.execute(
        select(RoutingExample.jurisdiction, RoutingExample.text, Agency.name)
        .join(Agency, RoutingExample.agency_id == Agency.id)
        .order_by(RoutingExample.id)
    )
    return [Example(j, text, name) for j, text, name in rows]


def router() -> Router:
    """The process's router. The catalog and corrections are checked at most every
    ROUTING_REFRESH_SECONDS (one query), so a correction reaches every worker within that time and the
    worker that recorded it at once; the router is rebuilt only when something changed."""
    state = _state()
    now = time.monotonic()
    refresh = float(current_app.config.get("ROUTING_REFRESH_SECONDS", 30))
    checked = state.get("checked")
    if state.get("router") is not None and checked is not None and now - checked < refresh:
        return state["router"]
    base_key, ex_key, files = _version()
    state["checked"] = now
    threshold = current_app.config.get("ROUTING_THRESHOLD")
    base_key = (base_key, files, threshold)
    if state.get("base_key") != base_key:
        state["base"] = Router(catalog_measures(), lexicon(), threshold=threshold, calibration=calibration())
        state["base_key"] = base_key
        state["ex_key"] = object()
    if state.get("ex_key") != ex_key:
        base = state["base"]
        state["router"] = base.with_examples(examples()) if ex_key else base
        state["ex_key"] = ex_key
    return state["router"]


def decide(jurisdiction: str, title: str, text: str, topic: str | None = None) -> Decision:
    """Route one appeal with the current catalog and corrections."""
    return router().route(jurisdiction, title, text, topic)


def suggest(jurisdiction: str, text: str, title: str = "", topic: str | None = None) -> dict:
    """The router's public answer for previews (API): text + jurisdiction → lead, co-agencies, calibrated
    confidence, whether it would be auto-dispatched, up to five candidates each with its reasons, and the
    explanation. Raises RoutingInputError (Chinese message) for an unknown jurisdiction or empty text."""
    return decision_summary(decide(jurisdiction, title, text, topic))


def decision_summary(decision: Decision) -> dict:
    """The decision as stored on the ticket and shown to staff: the route-batch line shape,
    with each candidate's reasons added."""
    out = decision_to_dict(None, decision)
    del out["id"]
    out["candidates"] = [{"agency": c.agency, "score": round(c.score, 3), "reasons": list(c.reasons)}
                         for c in decision.candidates]
    out["learned"] = decision.learned
    return out


def record_correction(ticket, agency: Agency, actor) -> RoutingExample | None:
    """Remember that `ticket` belongs to `agency` when that differs from the router's choice."""
    routed = (ticket.routing or {}).get("agency")
    if routed == agency.name:
        return None
    router_agency = None
    if routed:
        router_agency = db.session.scalar(
            select(Agency.id).where(Agency.jurisdiction == ticket.jurisdiction, Agency.name == routed)
        )
    example = RoutingExample(
        jurisdiction=ticket.jurisdiction, ticket_id=ticket.id,
        text=f"{ticket.title}\n{ticket.description}", agency_id=agency.id,
        router_agency_id=router_agency, created_by_id=actor.id if actor else None,
    )
    db.session.add(example)
    invalidate()
    return example
