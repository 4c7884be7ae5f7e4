"""Department evaluation (考核): rates, composite score, rank and grade of agencies for a month.

Pure Python: the service layer counts rows with SQL aggregates and hands the
counts in as `Counts`; this module turns them into rates and scores. The
definitions are written out in docs/evaluation.md — keep the two in step.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

# The three weighted rates (三率) and their default weights.
DEFAULT_WEIGHTS: dict[str, float] = {"response": 30.0, "resolution": 35.0, "satisfaction": 35.0}
# Every rate that can be given a weight (docs/evaluation.md): the three above, 按时办结率, and 退单率 and
# 重办率 which count as (1 − rate) — fewer returns and reopens score higher. Weight 0 by default.
WEIGHT_KEYS = ("response", "on_time", "resolution", "satisfaction", "return", "reopen")
# Points taken off the composite per event.
DEFAULT_DEDUCTIONS: dict[str, float] = {"unjustified_return": 1.0, "flag": 2.0, "supervise": 0.0}
# Grade thresholds, highest first; below the last one the grade is D.
DEFAULT_GRADES: list[list[Any]] = [["A", 90.0], ["B", 80.0], ["C", 60.0]]
LOWEST_GRADE = "D"
NO_GRADE = "—"
# 基本满意 counts for 0.8 of a satisfied rating.
BASIC_SATISFACTION_FACTOR = 0.8


@dataclass(frozen=True)
class Settings:
    """Weights, deductions and grade thresholds used for one evaluation."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    deductions: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_DEDUCTIONS))
    grades: list = field(default_factory=lambda: [list(g) for g in DEFAULT_GRADES])
    count_auto_ratings: bool = True

    @classmethod
    def from_dict(cls, value: Mapping[str, Any] | None, count_auto_ratings: bool = True) -> Settings:
        """Build settings from a stored JSON value, filling what is missing with the defaults."""
        value = value or {}
        weights = {k: DEFAULT_WEIGHTS.get(k, 0.0) for k in WEIGHT_KEYS}
        weights.update({k: float(v) for k, v in (value.get("weights") or {}).items() if k in WEIGHT_KEYS})
        deductions = dict(DEFAULT_DEDUCTIONS)
        deductions.update({k: float(v) for k, v in (value.get("deductions") or {}).items()})
        grades = value.get("grades") or [list(g) for g in DEFAULT_GRADES]
        grades = sorted(([str(g), float(t)] for g, t in grades), key=lambda g: -g[1])
        return cls(weights=weights, deductions=deductions, grades=grades,
                   count_auto_ratings=bool(count_auto_ratings))

    def to_dict(self) -> dict:
        """The JSON stored with a frozen period."""
        return {"weights": dict(self.weights), "deductions": dict(self.deductions),
                "grades": [list(g) for g in self.grades], "count_auto_ratings": self.count_auto_ratings}


@dataclass
class Counts:
    """What the database counted for one agency in one month (see docs/evaluation.md)."""

    agency_id: int | None = None
    agency: str = ""
    assignments: int = 0          # lead + co assignments created in the month, ticket not excluded
    responded: int = 0            # signed (and, for a lead, contacted) within the deadlines
    response_base: int = 0        # responded + those with a sign/contact deadline passed unmet
    on_time: int = 0              # lead replied / co opinion given by resolve_due_at
    on_time_base: int = 0         # finished + still open past resolve_due_at at report time
    ratings: int = 0              # ratings counted (auto ones per the setting)
    resolved: int = 0             # ratings saying "resolved"
    satisfaction_points: float = 0.0  # 非常满意 + 满意 + 0.8 × 基本满意
    unjustified_returns: int = 0
    reopened: int = 0             # lead assignments whose handling was later reopened
    supervise: int = 0            # 督办: supervise escalations + supervision notices
    flag: int = 0                 # 挂牌督办: flag escalations
    carried: int = 0              # changes to frozen months that landed in this one

    def __add__(self, other: Counts) -> Counts:
        out = Counts(agency_id=None, agency=self.agency or other.agency)
        for name in _COUNT_FIELDS:
            setattr(out, name, getattr(self, name) + getattr(other, name))
        return out


_COUNT_FIELDS = ("assignments", "responded", "response_base", "on_time", "on_time_base", "ratings", "resolved",
                 "satisfaction_points", "unjustified_returns", "reopened", "supervise", "flag", "carried")


def rate(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when there is nothing to divide (shown as —)."""
    if not denominator:
        return None
    return numerator / denominator


@dataclass
class Row:
    """An agency's line of the monthly report: counts, rates (0..1 or None), score, rank, grade."""

    counts: Counts
    response_rate: float | None
    on_time_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    return_rate: float | None
    reopen_rate: float | None
    composite: float | None
    deductions: float
    score: float | None
    rank: int | None = None
    grade: str = NO_GRADE

    def as_dict(self) -> dict:
        """A flat dict (rates as percentages, 2 decimals) for templates, exports and storage."""
        def pct(x):
            return None if x is None else round(x * 100, 2)

        c = self.counts
        return {
            "agency_id": c.agency_id, "agency": c.agency, "assignments": c.assignments,
            "response_rate": pct(self.response_rate), "on_time_rate": pct(self.on_time_rate),
            "resolution_rate": pct(self.resolution_rate), "satisfaction_rate": pct(self.satisfaction_rate),
            "return_rate": pct(self.return_rate), "reopen_rate": pct(self.reopen_rate),
            "unjustified_returns": c.unjustified_returns, "reopened": c.reopened,
            "supervision_notices": c.supervise, "flagged": c.flag,
            "composite": None if self.composite is None else round(self.composite, 2),
            "deductions": round(self.deductions, 2),
            "score": None if self.score is None else round(self.score, 2),
            "rank": self.rank, "grade": self.grade, "counts": asdict(c),
        }


def composite(rates: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """Weighted mean of the rates on 0–100; a missing rate's weight is spread over the others."""
    used = [(weights.get(k, 0.0), r) for k, r in rates.items() if r is not None and weights.get(k, 0.0) > 0]
    total = sum(w for w, _ in used)
    if not total:
        return None
    return 100.0 * sum(w * r for w, r in used) / total


def grade_of(score: float | None, grades) -> str:
    """The first grade whose threshold the score reaches; D below them all; — without a score."""
    if score is None:
        return NO_GRADE
    for name, threshold in grades:
        if score >= threshold - 1e-9:
            return name
    return LOWEST_GRADE


def score_row(c: Counts, settings: Settings) -> Row:
    """Rates, composite, deductions and score of one agency (rank and grade come from `rank`)."""
    response = rate(c.responded, c.response_base)
    on_time = rate(c.on_time, c.on_time_base)
    resolution = rate(c.resolved, c.ratings)
    satisfaction = rate(c.satisfaction_points, c.ratings)
    returns = rate(c.unjustified_returns, c.assignments)
    reopens = rate(c.reopened, c.assignments)
    comp = composite({"response": response, "on_time": on_time, "resolution": resolution,
                      "satisfaction": satisfaction,
                      "return": None if returns is None else max(0.0, 1.0 - returns),
                      "reopen": None if reopens is None else max(0.0, 1.0 - reopens)}, settings.weights)
    d = settings.deductions
    deductions = (c.unjustified_returns * d.get("unjustified_return", 0.0)
                  + c.flag * d.get("flag", 0.0) + c.supervise * d.get("supervise", 0.0))
    score = None if comp is None else max(0.0, comp - deductions)
    return Row(
        counts=c, response_rate=response, on_time_rate=on_time,
        resolution_rate=resolution, satisfaction_rate=satisfaction,
        return_rate=returns, reopen_rate=reopens,
        composite=comp, deductions=deductions, score=score,
    )


def rank(rows: list[Row], settings: Settings) -> list[Row]:
    """Order by score (best first), give ranks (ties share one: 1, 1, 3) and grades.

    Agencies without any rate (no assignments, no ratings) have no score, no rank
    and grade —; they come last, by name.
    """
    scored = sorted((r for r in rows if r.score is not None),
                    key=lambda r: (-round(r.score, 2), r.counts.agency))
    previous, position = None, 0
    for i, row in enumerate(scored, start=1):
        key = round(row.score, 2)
        if key != previous:
            position, previous = i, key
        row.rank = position
        row.grade = grade_of(key, settings.grades)
    unscored = sorted((r for r in rows if r.score is None), key=lambda r: r.counts.agency)
    for row in unscored:
        row.rank, row.grade = None, NO_GRADE
    return scored + unscored


def evaluate(counts: list[Counts], settings: Settings) -> list[Row]:
    """The whole month: score every agency and rank them."""
    return rank([score_row(c, settings) for c in counts], settings)
