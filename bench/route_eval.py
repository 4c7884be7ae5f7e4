"""Print the routing evaluation report for a labelled jsonl: bench/route_eval.py PATH"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.domain.routing.evaluate import evaluate, format_report  # noqa: E402
from app.domain.routing.router import Router  # noqa: E402
from app.plans.catalog_files import load_catalog_from_files  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("用法: bench/route_eval.py PATH.jsonl", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    measures, lexicon = load_catalog_from_files(ROOT / "data")
    router = Router(measures, lexicon)
    t1 = time.perf_counter()
    with open(argv[1], encoding="utf-8") as fh:
        cases = [json.loads(line) for line in fh if line.strip()]
    report = evaluate(cases, router)
    print(format_report(report))
    print(f"启动 {t1 - t0:.2f}s,{len(cases)} 条")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
