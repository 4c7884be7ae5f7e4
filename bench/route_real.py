"""The router on real messages: class agreement with the TipDM gold classes, per city.

    .venv/bin/python bench/route_real.py --corpus /path/tipdm2020c_labeled_sample.csv [--half even|odd|all]

Each message is routed in each of the five cities; the chosen agency's role is mapped to TipDM first-level
classes by app/domain/routing/classes.py (written down in docs/routing.md before the catalog was tuned). Printed per city:
class agreement over all routings, the auto-route share (not sent to the dispatch centre) and the class
agreement of what was auto-routed. The corpus is read only here, never by the tests.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.domain.routing.calibrate import Calibration  # noqa: E402
from app.domain.routing.classes import agrees, half_of  # noqa: E402
from app.domain.routing.router import Router  # noqa: E402
from app.plans.catalog_files import load_catalog_from_files  # noqa: E402


def load(path: str, half: str) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if half != "all":
        rows = [r for r in rows if half_of(r["id"]) == half]
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--half", choices=("even", "odd", "all"), default="all",
                    help="even = tuning half, odd = held-out half")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show", type=int, default=0, help="print N disagreements")
    args = ap.parse_args()
    t0 = time.process_time()
    measures, lexicon = load_catalog_from_files(ROOT / "data")
    router = Router(measures, lexicon, calibration=Calibration.load(ROOT / "data" / "routing_calibration.json"))
    startup = time.process_time() - t0
    rows = load(args.corpus, args.half)
    out = {}
    pooled = [0, 0, 0, 0]
    shown = 0
    t1 = time.process_time()
    for j in lexicon.jurisdictions:
        n = agree = auto = auto_agree = 0
        for r in rows:
            d = router.route(j, r["subject"], r["detail"])
            ok = agrees(lexicon, j, d.agency, r["label_l1"])
            n += 1
            agree += ok
            if not d.to_dispatch:
                auto += 1
                auto_agree += ok
            if not ok and args.show and shown < args.show and j == "zhaoqing":
                shown += 1
                print(f"  [{r['label_l1']}] {r['subject'][:40]} → {d.agency} ({d.confidence:.2f}) {d.explanation[:80]}")
        out[j] = {"n": n, "agreement": agree / n, "auto_share": auto / n,
                  "auto_precision": auto_agree / auto if auto else None}
        for k, v in enumerate((n, agree, auto, auto_agree)):
            pooled[k] += v
    elapsed = time.process_time() - t1  # CPU time: the machine is shared
    n, agree, auto, auto_agree = pooled
    out["pooled"] = {"n": n, "agreement": agree / n, "auto_share": auto / n,
                     "auto_precision": auto_agree / auto if auto else None}
    meta = {"half": args.half, "startup_s": round(startup, 3), "routings_per_s": round(n / elapsed, 1)}
    if args.json:
        print(json.dumps({"cities": out, **meta}, ensure_ascii=False))
        return 0
    print(f"{'city':<10} {'n':>5} {'agree':>7} {'auto':>7} {'auto-prec':>9}")
    for j, v in out.items():
        ap_ = f"{v['auto_precision']:.1%}" if v["auto_precision"] is not None else "—"
        print(f"{j:<10} {v['n']:>5} {v['agreement']:>7.1%} {v['auto_share']:>7.1%} {ap_:>9}")
    print(f"start-up {meta['startup_s']} s, {meta['routings_per_s']} routings/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
