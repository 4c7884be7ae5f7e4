"""The router as the web app uses it: built from the database catalog, cached per process,
refreshed when the catalog or the dispatchers' corrections change."""
import threading
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.domain.routing.batch import decision_to_dict
from app.domain.routing.lexicon import Lexicon
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

_lock = threading.Lock()
_cache: dict = {}


def lexicon() -> Lexicon:
    """The agency lexicon (data/agencies.json), loaded once per process."""
    path = Path(current_app.config["DATA_DIR"]) / "agencies.json"
    key = ("lexicon", str(path))
    with _lock:
        if key not in _cache:
            _cache[key] = Lexicon.load(path)
        return _cache[key]


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


def _catalog_version() -> tuple:
    return (
        db.session.scalar(select(func.max(PlanImport.id))),
        db.session.scalar(select(func.max(ResponsibilityCorrection.id))),
        db.session.scalar(select(func.count(Responsibility.id))),
    )


def examples() -> list[Example]:
    """Every correction recorded by the dispatch centre and the supervision office."""
    rows = db.session.execute(
        select(RoutingExample.jurisdiction, RoutingExample.text, Agency.name)
        .join(Agency, RoutingExample.agency_id == Agency.id)
        .order_by(RoutingExample.id)
    )
    return [Example(j, text, name) for j, text, name in rows]


def router() -> Router:
    """The process's router, rebuilt only when the catalog or the examples changed."""
    threshold = current_app.config["ROUTING_THRESHOLD"]
    base_key = ("router", str(db.engine.url), threshold, _catalog_version())
    ex_key = db.session.scalar(select(func.max(RoutingExample.id)))
    with _lock:
        base = _cache.get(base_key)
    if base is None:
        base = Router(catalog_measures(), lexicon(), threshold=threshold)
        with _lock:
            for k in [k for k in _cache if k[0] == "router"]:
                del _cache[k]
            _cache[base_key] = base
    full_key = ("learned", base_key, ex_key)
    with _lock:
        learned = _cache.get(full_key)
    if learned is None:
        learned = base.with_examples(examples()) if ex_key else base
        with _lock:
            for k in [k for k in _cache if k[0] == "learned"]:
                del _cache[k]
            _cache[full_key] = learned
    return learned


def decide(jurisdiction: str, title: str, text: str, topic: str | None = None) -> Decision:
    """Route one appeal with the current catalog and corrections."""
    return router().route(jurisdiction, title, text, topic)


def decision_summary(decision: Decision) -> dict:
    """The decision as stored on the ticket and shown to staff: the route-batch line shape,
    with each candidate's reasons added."""
    out = decision_to_dict(None, decision)
    del out["id"]
    out["candidates"] = [{"agency": c.agency, "score": round(c.score, 3), "reasons": list(c.reasons)}
                         for c in decision.candidates]
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
    return example
