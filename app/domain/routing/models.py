"""Value objects of the router. Pure Python: no Flask, no SQLAlchemy."""
from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("lead", "co", "sole")
SOURCES = ("explicit", "inferred", "corrected")


class RoutingInputError(ValueError):
    """The appeal cannot be routed at all (unknown jurisdiction, empty text). Message is Chinese."""


@dataclass(frozen=True)
class CatalogResponsibility:
    agency: str
    role: str  # lead | co | sole
    source: str = "explicit"  # explicit | inferred | corrected
    collective: bool = False


@dataclass(frozen=True)
class CatalogMeasure:
    jurisdiction: str
    plan_title: str
    number: int
    section: str
    title: str
    body: str
    responsibilities: tuple[CatalogResponsibility, ...] = ()

    def leads(self) -> tuple[str, ...]:
        """Lead/sole agencies (not collective); if there are none, the co agencies."""
        out = [r.agency for r in self.responsibilities if r.role in ("lead", "sole") and not r.collective]
        if not out:
            out = [r.agency for r in self.responsibilities if not r.collective]
        return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Example:
    """A dispatcher's correction: this text of this jurisdiction belongs to this agency."""
    jurisdiction: str
    text: str
    agency: str


@dataclass(frozen=True)
class Candidate:
    agency: str
    score: float
    measure: CatalogMeasure | None = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    jurisdiction: str
    agency: str | None
    co_agencies: tuple[str, ...]
    measure: CatalogMeasure | None
    confidence: float
    to_dispatch: bool
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)
    explanation: str = ""
    learned: int = 0  # dispatcher corrections that voted for the chosen agency
    raw_confidence: float = 0.0  # before calibration
