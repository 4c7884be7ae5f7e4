"""Top-1/top-3 of the router on labelled cases, split by kind (in/out of plan) and by tune/held-out.

    .venv/bin/python bench/route_cases.py [PATH.jsonl ...]   (default: the project's own case files)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.domain.routing.evaluate import evaluate, format_report  # noqa: E402
from app.domain.routing.router import Router  # noqa: E402
from app.plans.catalog_files import load_catalog_from_files  # noqa: E402

DEFAULT = [ROOT / "tests/domain/routing/business_cases.jsonl", ROOT / "tests/domain/routing/cases.jsonl"]


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv[1:]] or DEFAULT
    measures, lexicon = load_catalog_from_files(ROOT / "data")
    from app.domain.routing.calibrate import Calibration

    router = Router(measures, lexicon, calibration=Calibration.load(ROOT / "data" / "routing_calibration.json"))
    cases = []
    for p in paths:
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                c = json.loads(line)
                c.setdefault("kind", "in_plan")
                c.setdefault("split", "old")
                cases.append(c)
    groups: dict[tuple[str, str], list[dict]] = {}
    for c in cases:
        groups.setdefault((c["kind"], c["split"]), []).append(c)
    for (kind, split), cs in sorted(groups.items()):
        rep = evaluate(cs, router)
        print(f"== {kind} / {split}")
        print(format_report(rep))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
