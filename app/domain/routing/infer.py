"""Infer lead agencies of a measure from the remit terms of its title and body."""
from __future__ import annotations

from .lexicon import Lexicon
from .models import CatalogResponsibility
from .normalize import normalize

TITLE_WEIGHT = 3.0
RATIO = 0.45
MAX_LEADS = 4


def remit_scores(text: str, jurisdiction: str, lexicon: Lexicon, count_cap: int = 3) -> dict[str, tuple[float, dict[str, float]]]:
    scores: dict[str, list] = {}
    for hit, n in lexicon.match_terms_counted(jurisdiction, text):
        n = min(n, count_cap)
        s = scores.setdefault(hit.agency, [0.0, {}])
        s[0] += hit.weight * n
        s[1][hit.term] = s[1].get(hit.term, 0.0) + hit.weight * n
    return {a: (v[0], v[1]) for a, v in scores.items()}


def infer_responsibilities(measure_title: str, measure_body: str, jurisdiction: str,
                           lexicon: Lexicon) -> list[tuple[CatalogResponsibility, tuple[str, ...]]]:
    title = normalize(measure_title)
    body = normalize(measure_body, limit=20000)
    total: dict[str, float] = {}
    terms: dict[str, dict[str, float]] = {}
    for text, w in ((title, TITLE_WEIGHT), (body, 1.0)):
        for agency, (score, by_term) in remit_scores(text, jurisdiction, lexicon).items():
            e = lexicon.entry(jurisdiction, agency)
            if e is None or e.collective:
                continue
            total[agency] = total.get(agency, 0.0) + score * w
            tt = terms.setdefault(agency, {})
            for t, v in by_term.items():
                tt[t] = tt.get(t, 0.0) + v * w
    if not total:
        fallback = lexicon.by_role(jurisdiction, "devreform") or lexicon.by_role(jurisdiction, "govservice")
        if fallback is None:
            return []
        return [(CatalogResponsibility(fallback.name, "lead", "inferred", False), ("营商环境",))]
    ranked = sorted(total.items(), key=lambda kv: -kv[1])
    top = ranked[0][1]
    out = []
    for agency, score in ranked[:MAX_LEADS]:
        if score < top * RATIO:
            break
        why = tuple(t for t, _ in sorted(terms[agency].items(), key=lambda kv: -kv[1])[:5])
        out.append((CatalogResponsibility(agency, "lead", "inferred", False), why))
    return out
