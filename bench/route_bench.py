"""Router speed: start-up time and appeals routed per second on one core.

    .venv/bin/python bench/route_bench.py [--n 3000] [--corpus PATH.csv]
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.domain.routing.router import Router  # noqa: E402
from app.plans.catalog_files import load_catalog_from_files  # noqa: E402

TEMPLATES = [
    "我们公司{a}的事情办了很久,{b}一直没有结果,希望{c}尽快处理。",
    "关于{a}:{b}和{c}都要重复提交材料,来回跑了好几趟。",
    "{a}问题反映:窗口说{b}不归他们管,让我们去找{c}。",
    "本公司申請{a},但{b}遲遲沒有辦結,請協助督促。",
]


def synthetic(lexicon, n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    rnd = random.Random(seed)
    out = []
    js = list(lexicon.jurisdictions)
    for _ in range(n):
        j = rnd.choice(js)
        entries = [e for e in lexicon.agencies(j) if e.remit]
        e = rnd.choice(entries)
        terms = list(e.remit)
        a, b = rnd.choice(terms), rnd.choice(terms)
        other = rnd.choice(entries)
        c = rnd.choice(other.aliases or (other.name,))
        text = rnd.choice(TEMPLATES).format(a=a, b=b, c=c)
        out.append((j, a, text))
    return out


def from_corpus(path: str, lexicon, n: int) -> list[tuple[str, str, str]]:
    rnd = random.Random(11)
    js = list(lexicon.jurisdictions)
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            vals = [v for v in row.values() if isinstance(v, str)]
            text = max(vals, key=len) if vals else ""
            if text.strip():
                rows.append((rnd.choice(js), "", text))
            if len(rows) >= n:
                break
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--corpus")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        except OSError:
            pass
    load_before = os.getloadavg()
    w0 = time.perf_counter()
    t0 = time.process_time()
    measures, lexicon = load_catalog_from_files(ROOT / "data")
    t1 = time.process_time()
    router = Router(measures, lexicon)
    t2 = time.process_time()
    w2 = time.perf_counter()
    appeals = from_corpus(args.corpus, lexicon, args.n) if args.corpus else synthetic(lexicon, args.n)
    for j, title, text in appeals[:50]:  # warm caches
        router.route(j, title, text)
    t3 = time.process_time()  # CPU time: the machine is shared with other jobs
    dispatched = 0
    for j, title, text in appeals:
        dispatched += router.route(j, title, text).to_dispatch
    t4 = time.process_time()
    # ceiling in the same run: jieba segmentation alone of the same texts (the router cannot be faster)
    c0 = time.process_time()
    for _j, title, text in appeals:
        router.tokenizer.cut(title)
        router.tokenizer.cut(text)
    c1 = time.process_time()
    res = {
        "machine": platform.machine(), "nproc": os.cpu_count(), "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"), "measures": len(measures), "appeals": len(appeals),
        "catalog_s": round(t1 - t0, 3), "router_build_s": round(t2 - t1, 3), "startup_s": round(t2 - t0, 3),
        "startup_wall_s": round(w2 - w0, 3),
        "appeals_per_s": round(len(appeals) / (t4 - t3), 1), "mean_ms": round(1000 * (t4 - t3) / len(appeals), 3),
        "ceiling_segmentation_per_s": round(len(appeals) / (c1 - c0), 1),
        "to_dispatch": dispatched, "source": args.corpus or "synthetic",
        # the machine is shared: the 1-minute load average before and after the run
        "load_avg_1m": f"{load_before[0]:.2f} → {os.getloadavg()[0]:.2f}",
    }
    if args.json:
        print(json.dumps(res, ensure_ascii=False))
    else:
        for k, v in res.items():
            print(f"{k:>15}: {v}")


if __name__ == "__main__":
    main()
