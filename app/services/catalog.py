"""The responsibility catalog (职责清单): import the plans, export them, correct them.

Importing is idempotent: a plan whose file and lexicon are unchanged is left
alone; a changed one is updated in place and what changed is recorded in a
PlanImport row. Administrators' corrections are kept as rows and applied again
after every import.
"""
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, select

from app.domain.routing.lexicon import Lexicon
from app.extensions import db
from app.models import (
    Agency,
    Jurisdiction,
    Measure,
    Plan,
    PlanImport,
    Responsibility,
    ResponsibilityCorrection,
    Section,
    Ticket,
    User,
)
from app.plans.catalog_files import FALLBACK_TITLES, measure_responsibilities
from app.plans.parser import ParsedPlan, PlanFormatError, full_width, parse_plan_bytes
from app.services import N_, NotFound, ServiceError, audit, commit

ROLES = ("lead", "co", "sole")


@dataclass
class Source:
    """One plan file, parsed, with what the catalog should say about each measure."""

    file_name: str
    meta: dict
    fingerprint: str
    plan: ParsedPlan
    # measure number → [(agency name, role, source, collective, evidence terms)]
    responsibilities: dict[int, list[tuple]] = field(default_factory=dict)


def _data_dir() -> Path:
    return Path(current_app.config["DATA_DIR"])


def read_sources(data_dir: Path | None = None) -> tuple[list[Source], Lexicon]:
    """Parse every plan of data/plans/manifest.json. Raises ServiceError naming a bad file;
    nothing is written, so a malformed file changes nothing."""
    data_dir = Path(data_dir or _data_dir())
    lexicon_bytes = (data_dir / "agencies.json").read_bytes()
    lexicon = Lexicon(json.loads(lexicon_bytes))
    try:
        manifest = json.loads((data_dir / "plans" / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ServiceError(N_("无法读取方案清单 data/plans/manifest.json:%(e)s"), code="manifest", e=str(exc)) from exc
    sources = []
    for file_name, meta in manifest.items():
        path = data_dir / "plans" / file_name
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ServiceError(N_("方案文件 %(f)s 不存在"), code="missing_file", f=file_name) from exc
        j = meta["jurisdiction"]
        try:
            plan = parse_plan_bytes(raw, j, fallback_title=FALLBACK_TITLES.get(j))
        except PlanFormatError as exc:
            raise ServiceError(N_("方案文件 %(f)s 格式有误：%(e)s"), code="plan_format", f=file_name, e=str(exc)) from exc
        fingerprint = hashlib.sha256(raw + b"\0" + lexicon_bytes).hexdigest()
        source = Source(file_name, meta, fingerprint, plan)
        for pm in plan.measures:
            source.responsibilities[pm.number] = [
                (r.agency, r.role, r.source, r.collective, list(why))
                for r, why in measure_responsibilities(pm, j, lexicon)
            ]
        sources.append(source)
    return sources, lexicon


def import_plans(data_dir: Path | None = None) -> dict[str, dict]:
    """Import (or update) every plan; returns per city what changed (empty dict: unchanged)."""
    sources, lexicon = read_sources(data_dir)
    report = {}
    for source in sources:
        report[source.meta["jurisdiction"]] = _import_one(source, lexicon)
        if report[source.meta["jurisdiction"]]:
            audit.record("catalog_change", None, jurisdiction=source.meta["jurisdiction"],
                         target_type="plan", details={"import": True})
    commit()
    return report


def _ensure_agency(j: str, name: str, collective: bool, cache: dict) -> Agency:
    if name in cache:
        return cache[name]
    agency = Agency(jurisdiction=j, name=name, aliases=[], kind="collective" if collective else "department",
                    collective=collective)
    db.session.add(agency)
    db.session.flush()
    cache[name] = agency
    return agency


def _sync_agencies(j: str, lexicon: Lexicon) -> dict[str, Agency]:
    cache = {a.name: a for a in db.session.scalars(select(Agency).where(Agency.jurisdiction == j))}
    for e in lexicon.agencies(j):
        agency = cache.get(e.name) or _ensure_agency(j, e.name, e.collective, cache)
        wanted = (e.role, e.kind, sorted(e.aliases), e.collective)
        if (agency.role_code, agency.kind, sorted(agency.aliases or []), agency.collective) != wanted:
            agency.role_code, agency.kind, agency.aliases, agency.collective = (
                e.role, e.kind, list(e.aliases), e.collective)
    return cache


def _import_one(source: Source, lexicon: Lexicon) -> dict:
    meta, parsed = source.meta, source.plan
    j = meta["jurisdiction"]
    city = db.session.get(Jurisdiction, j)
    if city is None:
        city = Jurisdiction(code=j, name=meta["city"], name_en=meta["city_en"], prefix=meta["prefix"])
        db.session.add(city)
        db.session.flush()
    plan = db.session.scalar(select(Plan).where(Plan.jurisdiction == j))
    if plan is not None and plan.source_sha256 == source.fingerprint:
        return {}
    agencies = _sync_agencies(j, lexicon)
    changes: dict = {"added": [], "removed": [], "changed": [], "responsibilities": []}
    if plan is None:
        plan = Plan(jurisdiction=j, title=full_width(parsed.title), source_file=source.file_name,
                    source_sha256=source.fingerprint)
        db.session.add(plan)
        changes["created"] = True
    # Stored as people read them: the parser's ASCII marks back to full-width beside Chinese text.
    plan.title, plan.issuer, plan.issued_on = full_width(parsed.title), parsed.issuer, parsed.issued_on
    plan.source_file, plan.source_sha256 = source.file_name, source.fingerprint
    db.session.flush()

    sections = {s.number: s for s in db.session.scalars(select(Section).where(Section.plan_id == plan.id))}
    for ps in parsed.sections:
        s = sections.get(ps.number)
        marker, title = full_width(ps.marker), full_width(ps.title)
        if s is None:
            s = Section(plan_id=plan.id, number=ps.number, marker=marker, title=title)
            db.session.add(s)
            sections[ps.number] = s
        else:
            s.marker, s.title = marker, title
    db.session.flush()

    existing = {m.number: m for m in db.session.scalars(select(Measure).where(Measure.plan_id == plan.id))}
    for pm in parsed.measures:
        m = existing.pop(pm.number, None)
        section_id = sections[pm.section_number].id if pm.section_number in sections else None
        title, body = full_width(pm.title), full_width(pm.body)
        if m is None:
            m = Measure(plan_id=plan.id, number=pm.number, title=title, body=body, section_id=section_id)
            db.session.add(m)
            db.session.flush()
            changes["added"].append(pm.number)
        elif (m.title, m.body, m.section_id) != (title, body, section_id):
            m.title, m.body, m.section_id = title, body, section_id
            changes["changed"].append(pm.number)
        if _set_responsibilities(m, source.responsibilities[pm.number], agencies):
            changes["responsibilities"].append(pm.number)
    for number, m in existing.items():
        # A measure that left the plan goes, unless tickets cite it (kept for their history).
        if db.session.scalar(select(func.count(Ticket.id)).where(Ticket.measure_id == m.id)) == 0:
            db.session.execute(delete(Responsibility).where(Responsibility.measure_id == m.id))
            db.session.delete(m)
        changes["removed"].append(number)
    db.session.flush()
    _apply_corrections(j)
    db.session.add(PlanImport(jurisdiction=j, source_file=source.file_name,
                              source_sha256=source.fingerprint, changes=changes))
    return changes


def _set_responsibilities(measure: Measure, wanted: list[tuple], agencies: dict[str, Agency]) -> bool:
    """Make the measure's (non-corrected) responsibilities equal `wanted`; True when they changed."""
    j = measure.plan.jurisdiction if measure.plan else None
    target = {}
    for name, role, source, collective, evidence in wanted:
        agency = agencies.get(name) or _ensure_agency(j, name, collective, agencies)
        target.setdefault(agency.id, (role, source, evidence))
    current = {r.agency_id: r for r in measure.responsibilities}
    changed = False
    for agency_id, r in list(current.items()):
        if agency_id not in target:
            measure.responsibilities.remove(r)
            changed = True
    for agency_id, (role, source, evidence) in target.items():
        r = current.get(agency_id)
        if r is None:
            measure.responsibilities.append(Responsibility(agency_id=agency_id, role=role, source=source,
                                                           evidence=evidence))
            changed = True
        elif (r.role, r.source, r.evidence) != (role, source, evidence):
            r.role, r.source, r.evidence = role, source, evidence
            changed = True
    db.session.flush()
    return changed


def _apply_corrections(j: str) -> None:
    corrections = db.session.scalars(
        select(ResponsibilityCorrection).where(ResponsibilityCorrection.jurisdiction == j)
        .order_by(ResponsibilityCorrection.id)
    )
    for c in corrections:
        _apply_correction(c)


def _apply_correction(c: ResponsibilityCorrection) -> None:
    measure = db.session.scalar(
        select(Measure).join(Plan).where(Plan.jurisdiction == c.jurisdiction, Measure.number == c.measure_number)
    )
    if measure is None:
        return
    r = next((r for r in measure.responsibilities if r.agency_id == c.agency_id), None)
    if c.role is None:
        if r is not None:
            measure.responsibilities.remove(r)
    elif r is None:
        measure.responsibilities.append(Responsibility(agency_id=c.agency_id, role=c.role, source="corrected",
                                                       evidence=[]))
    else:
        r.role, r.source = c.role, "corrected"
    db.session.flush()


# --- reads of the admin's catalog pages ------------------------------------------------------------

def recent_imports(limit: int = 10) -> list[PlanImport]:
    """The latest plan imports, newest first."""
    return list(db.session.scalars(select(PlanImport).order_by(PlanImport.id.desc()).limit(limit)))


def measure_of(measure_id: int) -> Measure:
    """One measure (NotFound when there is none)."""
    measure = db.session.get(Measure, measure_id)
    if measure is None:
        raise NotFound(N_("措施不存在"))
    return measure


def agencies_in(jurisdiction: str) -> list[Agency]:
    """Every agency of the city, collective ones included, by name (the choices of a correction)."""
    return list(db.session.scalars(select(Agency).where(Agency.jurisdiction == jurisdiction).order_by(Agency.name)))


def corrections_of(measure: Measure) -> list[ResponsibilityCorrection]:
    """The administrators' corrections of a measure's responsibilities, oldest first."""
    return list(db.session.scalars(select(ResponsibilityCorrection).where(
        ResponsibilityCorrection.jurisdiction == measure.plan.jurisdiction,
        ResponsibilityCorrection.measure_number == measure.number,
    ).order_by(ResponsibilityCorrection.id)))


def correct_responsibility(admin: User, measure_id: int, agency_id: int, role: str | None,
                           note: str | None = None) -> ResponsibilityCorrection:
    """An administrator sets an agency's role on a measure (None removes it); kept across re-imports."""
    measure = measure_of(measure_id)
    agency = db.session.get(Agency, agency_id)
    if agency is None or agency.jurisdiction != measure.plan.jurisdiction:
        raise ServiceError(N_("请选择本市的承办单位"), code="agency")
    if role is not None and role not in ROLES:
        raise ServiceError(N_("职责类型无效"), code="role")
    if role is None and not any(r.agency_id == agency_id for r in measure.responsibilities):
        raise ServiceError(N_("该单位不在此措施的职责中"), code="not_listed")
    correction = ResponsibilityCorrection(
        jurisdiction=measure.plan.jurisdiction, measure_number=measure.number, agency_id=agency_id,
        role=role, note=(note or "").strip() or None, user_id=admin.id,
    )
    db.session.add(correction)
    db.session.flush()
    _apply_correction(correction)
    audit.record("catalog_change", admin, jurisdiction=measure.plan.jurisdiction, target_type="measure",
                 target_id=measure.id, details={"agency_id": agency_id, "role": role})
    commit()
    return correction


def export_catalog() -> list[dict]:
    """The whole catalog in the documented JSON shape (read by other tools; keep it)."""
    out = []
    plans = db.session.scalars(select(Plan).order_by(Plan.jurisdiction))
    for plan in plans:
        sections = {s.id: s.title for s in plan.sections}
        out.append({
            "jurisdiction": plan.jurisdiction,
            "title": plan.title,
            "measures": [
                {
                    "number": m.number,
                    "section": sections.get(m.section_id),
                    "title": m.title,
                    "body": m.body,
                    "responsibilities": [
                        {"agency": r.agency.name, "role": r.role, "source": r.source,
                         "collective": r.agency.collective}
                        for r in m.responsibilities
                    ],
                }
                for m in plan.measures
            ],
        })
    return out
