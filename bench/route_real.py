"""The router on real messages: class agreement with the TipDM gold classes, per city.

    .venv/bin/python bench/route_real.py --corpus /path/tipdm2020c_labeled_sample.csv [--half even|odd|all]

Each message is routed in each of the five cities; the chosen agency's role is mapped to TipDM first-level
classes by ROLE_CLASSES (written down in docs/routing.md before the catalog was tuned). Printed per city:
class agreement over all routings, the auto-route share (not sent to the dispatch centre) and the class
agreement of what was auto-routed. The corpus is read only here, never by the tests.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.domain.routing.router import Router  # noqa: E402
from app.plans.catalog_files import load_catalog_from_files  # noqa: E402

LAB, BUILD, EDU, HEALTH, TRANS, TRADE, ENV = ("劳动和社会保障", "城乡建设", "教育文体", "卫生计生", "交通运输",
                                              "商贸旅游", "环境保护")
# agency role -> the TipDM classes its remit falls in (see docs/routing.md, "TipDM class map")
ROLE_CLASSES = {
    "hr": {LAB}, "medinsure": {LAB, HEALTH}, "housingfund": {LAB, BUILD}, "civil": {LAB},
    "housing": {BUILD}, "natres": {BUILD}, "citymgmt": {BUILD}, "watersupply": {BUILD}, "gas": {BUILD},
    "power": {BUILD}, "telecom": {BUILD}, "water": {BUILD, ENV}, "agri": {BUILD}, "emergency": {BUILD},
    "fire": {BUILD}, "education": {EDU}, "culture": {EDU, TRADE}, "health": {HEALTH}, "transport": {TRANS},
    "port": {TRANS}, "police": {TRANS}, "commerce": {TRADE}, "market": {TRADE}, "ecology": {ENV},
    "forestry": {ENV},
}


def load(path: str, half: str) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if half != "all":
        # a fixed split by the message id, so the tuning half and the held-out half never mix
        want = 0 if half == "even" else 1
        rows = [r for r in rows if zlib.crc32(r["id"].encode()) % 2 == want]
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
    router = Router(measures, lexicon)
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
            e = lexicon.entry(j, d.agency) if d.agency else None
            ok = bool(e) and r["label_l1"] in ROLE_CLASSES.get(e.role, ())
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
