"""Build the responsibility catalog straight from data/plans (no database): tests, bench, evaluation."""
from __future__ import annotations

import json
from pathlib import Path

from app.domain.routing.infer import infer_responsibilities
from app.domain.routing.lexicon import Lexicon
from app.domain.routing.models import CatalogMeasure, CatalogResponsibility
from app.plans.parser import ParsedMeasure, parse_plan

FALLBACK_TITLES = {"yueyang": "岳阳市创建一流营商环境的意见"}


def load_catalog_from_files(data_dir: Path | str) -> tuple[list[CatalogMeasure], Lexicon]:
    data_dir = Path(data_dir)
    lexicon = Lexicon.load(data_dir / "agencies.json")
    manifest = json.loads((data_dir / "plans" / "manifest.json").read_text(encoding="utf-8"))
    measures: list[CatalogMeasure] = []
    for filename, meta in manifest.items():
        j = meta["jurisdiction"]
        text = (data_dir / "plans" / filename).read_text(encoding="utf-8")
        plan = parse_plan(text, j, fallback_title=FALLBACK_TITLES.get(j))
        sections = {s.number: f"{s.marker}{s.title}" for s in plan.sections}
        for pm in plan.measures:
            resp = [r for r, _why in measure_responsibilities(pm, j, lexicon)]
            measures.append(CatalogMeasure(j, plan.title, pm.number, sections.get(pm.section_number, ""),
                                           pm.title, pm.body, tuple(resp)))
    return measures, lexicon


def measure_responsibilities(
    pm: ParsedMeasure, jurisdiction: str, lexicon: Lexicon
) -> list[tuple[CatalogResponsibility, tuple[str, ...]]]:
    """The agencies of a parsed measure, with the terms behind each inferred one.

    Explicit brackets (Liaoyuan) win, their names folded onto the lexicon's
    canonical names; a measure with no non-collective agency gets inferred leads.
    """
    out: list[tuple[CatalogResponsibility, tuple[str, ...]]] = []
    for r in pm.responsibilities:
        entry = lexicon.resolve(jurisdiction, r.agency)
        name = entry.name if entry is not None and not (r.collective and not entry.collective) else r.agency
        out.append((CatalogResponsibility(name, r.role, "explicit", bool(r.collective)), ()))
    if not any(not r.collective for r, _ in out):
        out.extend(infer_responsibilities(pm.title, pm.body, jurisdiction, lexicon))
    return out
