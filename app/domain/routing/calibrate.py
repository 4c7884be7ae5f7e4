"""Calibrated confidence: raw router confidence → precision measured on labelled cases.

``fit`` routes every labelled case with an uncalibrated router, sorts them by raw confidence and fits a
non-decreasing step function (pool-adjacent-violators) of "the top agency was right". The calibrated
confidence of an appeal is the fitted precision at its raw confidence; the auto-dispatch level
(``threshold``) is the lowest calibrated value at or above TARGET such that the precision of *all* cases at
or above it is also ≥ TARGET. The reliability table (raw bucket → cases, precision) goes to docs/routing.md.
"""
from __future__ import annotations

import bisect
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .models import RoutingInputError

TARGET = 0.90
BUCKETS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.01)
MIN_POOL = 20  # a fitted step pools at least this many cases, so one lucky case does not make a level


@dataclass
class Calibration:
    """A step function raw → precision, and the auto-dispatch level on the calibrated scale."""
    steps: list[tuple[float, float]]  # (raw lower bound, precision), raw ascending, precision non-decreasing
    threshold: float
    target: float = TARGET
    table: list[dict] = field(default_factory=list)
    cases: int = 0
    note: str = ""

    def confidence(self, raw: float) -> float:
        """The measured precision of cases with this raw confidence."""
        if not self.steps:
            return raw
        k = bisect.bisect_right([lo for lo, _p in self.steps], raw) - 1
        return self.steps[max(k, 0)][1]

    def to_dict(self) -> dict:
        return {"target": self.target, "threshold": self.threshold, "cases": self.cases, "note": self.note,
                "steps": [[round(lo, 4), round(p, 4)] for lo, p in self.steps], "table": self.table}

    @classmethod
    def from_dict(cls, d: dict) -> Calibration:
        return cls([(float(lo), float(p)) for lo, p in d["steps"]], float(d["threshold"]),
                   float(d.get("target", TARGET)), list(d.get("table", ())), int(d.get("cases", 0)),
                   d.get("note", ""))

    @classmethod
    def load(cls, path: str | Path) -> Calibration | None:
        """The calibration file, or None when there is none."""
        try:
            with open(path, encoding="utf-8") as fh:
                return cls.from_dict(json.load(fh))
        except FileNotFoundError:
            return None

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def outcomes(cases: Iterable[dict], router) -> list[tuple[float, bool]]:
    """(raw confidence, top-1 right) for every labelled case the router can route."""
    out = []
    for c in cases:
        try:
            d = router.route(c["jurisdiction"], c.get("title", ""), c.get("text", ""), c.get("topic"))
        except RoutingInputError:
            continue
        ok = bool(d.agency) and any(e in d.agency for e in c.get("expect", ()))
        out.append((d.raw_confidence, ok))
    return out


def isotonic(points: list[tuple[float, bool]], min_pool: int = MIN_POOL) -> list[tuple[float, float]]:
    """Pool-adjacent-violators on (raw, right) sorted by raw: [(raw lower bound, precision)]."""
    ties: dict[float, list[int]] = {}
    for raw, ok in points:
        t = ties.setdefault(raw, [0, 0])
        t[0] += 1
        t[1] += int(ok)
    blocks: list[list] = []  # [lo, n, right]
    for raw, (n, right) in sorted(ties.items()):
        blocks.append([raw, n, right])
        while len(blocks) > 1 and (blocks[-2][2] / blocks[-2][1] >= blocks[-1][2] / blocks[-1][1]
                                   or blocks[-2][1] < min_pool):
            lo, n, r = blocks.pop()
            blocks[-1][1] += n
            blocks[-1][2] += r
    if len(blocks) > 1 and blocks[-1][1] < min_pool:
        lo, n, r = blocks.pop()
        blocks[-1][1] += n
        blocks[-1][2] += r
    steps = [(0.0 if k == 0 else b[0], round(b[2] / b[1], 4)) for k, b in enumerate(blocks)]
    # keep it non-decreasing after the final merge
    for k in range(1, len(steps)):
        if steps[k][1] < steps[k - 1][1]:
            steps[k] = (steps[k][0], steps[k - 1][1])
    return steps


def fit(points: list[tuple[float, bool]], target: float = TARGET, note: str = "") -> Calibration:
    """Fit the step function and choose the auto-dispatch level (see module docstring)."""
    steps = isotonic(points)
    threshold = 1.01  # nothing auto-dispatched unless some level is precise enough
    for lo, p in steps:
        if p < target:
            continue
        above = [ok for raw, ok in points if raw >= lo]
        if above and sum(above) / len(above) >= target:
            threshold = p
            break
    return Calibration(steps, threshold, target, reliability(points), len(points), note)


def reliability(points: list[tuple[float, bool]]) -> list[dict]:
    """Raw-confidence bucket → number of cases and precision."""
    rows = []
    for lo, hi in zip(BUCKETS, BUCKETS[1:], strict=False):
        sel = [ok for raw, ok in points if lo <= raw < hi]
        rows.append({"lo": lo, "hi": min(hi, 1.0), "n": len(sel),
                     "precision": round(sum(sel) / len(sel), 3) if sel else None})
    return rows


def reliability_markdown(cal: Calibration) -> str:
    """The reliability table and the chosen level, as markdown for docs/routing.md."""
    lines = ["| raw confidence | cases | precision (top-1 right) | calibrated confidence |",
             "|---|---:|---:|---:|"]
    for row in cal.table:
        prec = f"{row['precision']:.0%}" if row["precision"] is not None else "—"
        mid = (row["lo"] + row["hi"]) / 2
        lines.append(f"| {row['lo']:.1f}–{row['hi']:.1f} | {row['n']} | {prec} | {cal.confidence(mid):.2f} |")
    auto = [lo for lo, p in cal.steps if p >= cal.threshold]
    lines.append("")
    lines.append(f"Calibrated on {cal.cases} labelled cases ({cal.note}). Auto-dispatch level: calibrated "
                 f"confidence ≥ {cal.threshold:.2f} (raw ≥ {auto[0]:.3f})" if auto else
                 f"Calibrated on {cal.cases} cases; no level reaches {cal.target:.0%}: everything goes to the "
                 f"dispatch centre.")
    return "\n".join(lines)


def corpus_outcomes(rows: Iterable[dict], router, lexicon) -> list[tuple[float, bool]]:
    """(raw confidence, class agrees) for TipDM rows ({"subject","detail","label_l1"}) routed in every city."""
    from .classes import agrees

    out = []
    for r in rows:
        for j in lexicon.jurisdictions:
            d = router.route(j, r.get("subject", ""), r.get("detail", ""))
            out.append((d.raw_confidence, agrees(lexicon, j, d.agency, r.get("label_l1", ""))))
    return out


START, END = "<!-- reliability:start -->", "<!-- reliability:end -->"


def replace_section(doc: str, markdown: str) -> str:
    """``doc`` with the text between the reliability markers replaced (markers appended if missing)."""
    block = f"{START}\n{markdown}\n{END}"
    if START in doc and END in doc:
        a = doc.index(START)
        b = doc.index(END) + len(END)
        return doc[:a] + block + doc[b:]
    return doc.rstrip("\n") + "\n\n" + block + "\n"
