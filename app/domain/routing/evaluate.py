"""Top-1 / top-3 accuracy of a router on labelled cases ({"jurisdiction","title","text","expect",["topic"]})."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .models import RoutingInputError


@dataclass
class Miss:
    id: str | None
    jurisdiction: str
    title: str
    expect: tuple[str, ...]
    got: str | None
    top3: tuple[str, ...]
    confidence: float


@dataclass
class Report:
    total: int = 0
    top1: int = 0
    top3: int = 0
    dispatched: int = 0
    per_jurisdiction: dict[str, list[int]] = field(default_factory=dict)  # j -> [n, top1, top3]
    misses: list[Miss] = field(default_factory=list)

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0


def _ok(agency: str | None, expect) -> bool:
    return bool(agency) and any(e in agency for e in expect)


def evaluate(cases: Iterable[dict], router) -> Report:
    rep = Report()
    for c in cases:
        j = c.get("jurisdiction", "")
        expect = tuple(c.get("expect") or ())
        rep.total += 1
        row = rep.per_jurisdiction.setdefault(j, [0, 0, 0])
        row[0] += 1
        try:
            d = router.route(j, c.get("title", ""), c.get("text", ""), c.get("topic"))
            got, top3, conf = d.agency, tuple(x.agency for x in d.candidates[:3]), d.confidence
            rep.dispatched += int(d.to_dispatch)
        except RoutingInputError:
            got, top3, conf = None, (), 0.0
        h1 = _ok(got, expect)
        h3 = any(_ok(a, expect) for a in top3)
        rep.top1 += h1
        rep.top3 += h3
        row[1] += h1
        row[2] += h3
        if not h1:
            rep.misses.append(Miss(c.get("id"), j, c.get("title", ""), expect, got, top3, conf))
    return rep


def format_report(rep: Report) -> str:
    lines = [f"总计 {rep.total} 条:top-1 {rep.top1_rate:.1%} ({rep.top1}),top-3 {rep.top3_rate:.1%} ({rep.top3}),"
             f"转人工 {rep.dispatched}"]
    for j, (n, t1, t3) in sorted(rep.per_jurisdiction.items()):
        lines.append(f"  {j:<10} {n:>3} 条  top-1 {t1 / n:.1%}  top-3 {t3 / n:.1%}")
    if rep.misses:
        lines.append("未命中:")
        for m in rep.misses:
            lines.append(f"  [{m.id}] {m.jurisdiction} {m.title}: 期望 {'/'.join(m.expect)},得到 {m.got} "
                         f"(置信度 {m.confidence:.2f});前三 {', '.join(m.top3)}")
    return "\n".join(lines)
