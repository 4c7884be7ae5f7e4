"""Sweep the measure-specificity threshold (SPEC_MIN) on the tuning cases and, optionally, the tuning half
of the TipDM corpus; held-out cases are never read here.

    .venv/bin/python bench/route_tune.py [--corpus PATH] [--values 3,4,5,6,7,8,10]
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.domain.routing.classes import agrees, half_of  # noqa: E402
from app.domain.routing.evaluate import evaluate  # noqa: E402
from app.domain.routing.router import Router  # noqa: E402
from app.plans.catalog_files import load_catalog_from_files  # noqa: E402


def tuning_cases() -> list[dict]:
    out = []
    for p in (ROOT / "tests/domain/routing/business_cases.jsonl", ROOT / "tests/domain/routing/cases.jsonl"):
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                c = json.loads(line)
                if c.get("split", "tune") == "tune":
                    out.append(c)
    dev = Path("/work/shared/routing/dev_cases.jsonl")
    if dev.exists():
        out += [json.loads(x) for x in dev.read_text(encoding="utf-8").splitlines() if x.strip()]
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus")
    ap.add_argument("--values", default="3,4,5,6,7,8,10")
    args = ap.parse_args()
    measures, lexicon = load_catalog_from_files(ROOT / "data")
    base = Router(measures, lexicon)
    cases = tuning_cases()
    rows = []
    if args.corpus:
        with open(args.corpus, encoding="utf-8-sig", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if half_of(r["id"]) == "even"][:120]
    for v in (float(x) for x in args.values.split(",")):
        r = Router((), lexicon, spec_min=v, _shared=(base.tokenizer, base.cities))
        rep = evaluate(cases, r)
        agree = n = 0
        for row in rows:
            for j in lexicon.jurisdictions:
                d = r.route(j, row["subject"], row["detail"])
                agree += agrees(lexicon, j, d.agency, row["label_l1"])
                n += 1
        extra = f"  corpus agreement {agree / n:.1%} ({n})" if n else ""
        print(f"SPEC_MIN {v:>4}: cases top-1 {rep.top1_rate:.1%} top-3 {rep.top3_rate:.1%} ({rep.total}){extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
