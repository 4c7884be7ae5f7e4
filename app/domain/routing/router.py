"""The router: which agency handles an appeal, and why.

Evidence per candidate agency (all in "remit-term units"):
  remit     the remit catalog (派单目录, data/remit_catalog.json): weights of its terms found in the appeal
            as whole words (title counted twice); half weight at the seam of a compound (体育 in 体育运动)
  measure   a plan measure votes for its lead/sole agencies only when its match is specific: the idf of
            the content words it shares with the appeal (generic words excluded), each weighted by its
            rarity in general Chinese, reaches SPEC_MIN; the first-listed lead gets the largest share
  named     W_NAMED when the appeal names the agency (税务局, 供电公司 …)
  topic     W_TOPIC for the roles mapped to the topic the business picked
  examples  W_EXAMPLE × similarity of each close dispatcher correction of the same city

The raw confidence (strength × margin of the top score) is mapped through a calibration table measured on
labelled cases (see calibrate.py); an appeal is auto-dispatched only when the calibrated confidence reaches
the level where the measured precision is ≥ 90 %.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from . import explain
from .calibrate import Calibration
from .lexicon import Lexicon
from .models import Candidate, CatalogMeasure, Decision, Example, RoutingInputError
from .normalize import normalize
from .tokenize import Tokenizer

W_MEASURE = 4.0
W_NAMED = 4.0  # chosen on the tuning half of the corpus and the tuning cases (docs/routing.md, 2026-12-02)
W_TOPIC = 1.5
W_EXAMPLE = 6.0
SPEC_MIN = 4.5  # calibrated: bench/route_tune.py, plateau 4–7 on the tuning cases (docs/routing.md)
SPEC_FULL = 10.0  # a shared-word specificity at which a measure's vote is full
REL_CAP = 1.5  # a very specific match (or a restated title) votes up to this × W_MEASURE
TITLE_WORD = 1.5  # a shared word that is in the measure's title counts this much more
EXPLICIT_BOOST = 1.2  # the plan itself names the agency
TOP_MEASURES = 3
REF_IDF = math.log(34 / 1.5)  # the idf of a one-measure word in a 33-measure plan
MIN_SHARED = 2  # content words a measure must share with the appeal (unless the title is restated)
TITLE_COVER = 0.6  # share of a measure's title content words an appeal restates to count as specific
EX_NEIGHBOURS = 7
EX_MIN_SIM = 0.3
CONF_SCALE = 5.0
CITE_SHARE = 0.2  # a measure is cited only when its vote is this share of the agency's score, or decisive
MAX_CO = 3
GEN_TOP, GEN_SLOPE, GEN_MIN, GEN_MAX = 1.6, 0.3, 0.4, 1.3  # a shared word's weight by rarity (rarity())
SEAM_WEIGHT = 0.5  # a catalog term at the seam of a compound (体育 in 体育运动) counts this share
LEAD_DECAY = 0.8  # the n-th listed (or inferred) lead of a measure: LEAD_DECAY**n of the first one's share


class _City:
    """One city's measures as sets of content words with idf, and who each measure makes responsible."""

    def __init__(self, measures: list[CatalogMeasure], tokenizer: Tokenizer, generic: frozenset[str]):
        self.measures = measures
        self.tokenizer = tokenizer
        self.words: list[dict[str, float]] = []  # measure -> {word: rarity (× TITLE_WORD in the title)}
        self.title_words: list[frozenset[str]] = []
        df: Counter = Counter()
        for m in measures:
            title = {t for t in tokenizer.tokens(normalize(m.title)) if t not in generic}
            body = {t for t in tokenizer.tokens(normalize(m.body, 20000)) if t not in generic}
            w = {t: rarity(tokenizer.general_freq(t)) for t in body}
            w.update({t: TITLE_WORD * rarity(tokenizer.general_freq(t)) for t in title})
            self.title_words.append(frozenset(title))
            self.words.append(w)
            df.update(w.keys())
        n = max(len(measures), 1)
        # idf scaled so that a word found in one measure weighs REF_IDF whatever the plan's size
        # (Yueyang has 10 measures, Zhaoqing 40): specificity means the same in every city
        scale = REF_IDF / math.log((n + 1) / 1.5) if n > 1 else 1.0
        self.idf = {t: scale * math.log((n + 1) / (f + 0.5)) for t, f in df.items()}
        self.postings: dict[str, list[int]] = {}
        for i, w in enumerate(self.words):
            for t in w:
                self.postings.setdefault(t, []).append(i)
        self.leads: list[list[tuple[str, float, str, str]]] = []  # (agency, share, role, source)
        for m in measures:
            leads = [r for r in m.responsibilities if r.role in ("lead", "sole") and not r.collective]
            if not leads:
                leads = [r for r in m.responsibilities if not r.collective]
            k = max(len(leads), 1)
            self.leads.append([(r.agency, LEAD_DECAY ** n * (EXPLICIT_BOOST if r.source != "inferred" else 1.0)
                                / math.sqrt(k), r.role, r.source) for n, r in enumerate(leads)])

    def policy_term(self, word: str) -> bool:
        """A word general Chinese does not know (jieba's dictionary lacks it): 一业一查, 多头检查."""
        return self.tokenizer.general_freq(word) == 0

    def specific(self, words: set[str], spec_floor: float) -> list[tuple[float, int, list[str]]]:
        """(specificity, measure index, shared words) of the measures sharing content words, best first."""
        acc: dict[int, float] = {}
        for t in words:
            idf = self.idf.get(t)
            if idf is None:
                continue
            for i in self.postings[t]:
                acc[i] = acc.get(i, 0.0) + idf * self.words[i][t]
        # an appeal restating most of a measure's title is specific to it, however plain the title's words;
        # one everyday word (国际贸易) restates a one-word title only weakly: just enough to vote
        restated = set()
        for i, tw in enumerate(self.title_words):
            if tw and i in acc:
                common = tw & words
                cover = len(common) / len(tw)
                if cover >= TITLE_COVER:
                    strong = len(common) >= 2 or self.policy_term(next(iter(common)))
                    acc[i] = max(acc[i], spec_floor, SPEC_FULL * REL_CAP * cover if strong else 0.0)
                    restated.add(i)
        out = []
        for i, s in sorted(acc.items(), key=lambda kv: -kv[1])[:TOP_MEASURES]:
            shared = sorted((t for t in words if t in self.words[i]), key=lambda t: -self.idf[t] * self.words[i][t])
            if len(shared) < MIN_SHARED and i not in restated:
                s = 0.0  # one shared word is a coincidence unless it restates the title
            out.append((s, i, shared))
        out.sort(key=lambda x: -x[0])
        return out


class Router:
    def __init__(self, measures: Iterable[CatalogMeasure], lexicon: Lexicon, examples: Iterable[Example] = (),
                 threshold: float | None = None, *, calibration: Calibration | None = None,
                 spec_min: float = SPEC_MIN, _shared: tuple | None = None):
        """``threshold`` (on the confidence scale) overrides the calibration's auto-dispatch level."""
        self.lexicon = lexicon
        self.calibration = calibration
        self.spec_min = spec_min
        if threshold is None:
            threshold = calibration.threshold if calibration is not None else 0.35
        self.threshold = threshold
        if _shared is not None:
            self.tokenizer, self.cities = _shared
            self.generic = self.tokenizer.generic
        else:
            self.tokenizer = Tokenizer(lexicon.dictionary(), lexicon.stopwords, keep=lexicon.remit_terms())
            # generic words: the catalog's list, stop words and common words of general Chinese
            self.generic = self.tokenizer.generic = (
                lexicon.generic | frozenset(lexicon.stopwords) | self.tokenizer.common)
            by_city: dict[str, list[CatalogMeasure]] = {}
            for m in measures:
                by_city.setdefault(m.jurisdiction, []).append(m)
            self.cities: dict[str, _City] = {j: _City(ms, self.tokenizer, self.generic) for j, ms in by_city.items()}
        self._examples: dict[str, list[tuple[dict[str, float], float, str]]] = {}
        for ex in examples:
            self._add_example(ex)

    # ------------------------------------------------------------ examples
    def with_examples(self, examples: Iterable[Example]) -> Router:
        """A router sharing this one's index, with these dispatcher corrections (replacing any before)."""
        return Router((), self.lexicon, examples, self.threshold, calibration=self.calibration,
                      spec_min=self.spec_min, _shared=(self.tokenizer, self.cities))

    def _vector(self, jurisdiction: str, tokens: list[str]) -> tuple[dict[str, float], float]:
        city = self.cities.get(jurisdiction)
        idf = city.idf if city else {}
        default = math.log((len(city.measures) + 1) / 0.5) if city else 1.0
        vec = {t: (1 + math.log(c)) * idf.get(t, default) for t, c in Counter(tokens).items() if t not in self.generic}
        return vec, math.sqrt(sum(v * v for v in vec.values())) or 1.0

    def _add_example(self, ex: Example) -> None:
        if ex.jurisdiction not in self.lexicon.jurisdictions:
            return
        entry = self.lexicon.resolve(ex.jurisdiction, ex.agency)
        agency = entry.name if entry else ex.agency
        vec, norm = self._vector(ex.jurisdiction, self.tokenizer.tokens(normalize(ex.text)))
        if vec:
            self._examples.setdefault(ex.jurisdiction, []).append((vec, norm, agency))

    # ------------------------------------------------------------ routing
    def route(self, jurisdiction: str, title: str, text: str, topic: str | None = None) -> Decision:
        """Route one appeal: the lead agency, the co-agencies its remit touches, a calibrated confidence
        and an explanation naming the catalog entries, the measure (only when it is the reason) or the
        corrections behind the choice."""
        if jurisdiction not in self.lexicon.jurisdictions:
            raise RoutingInputError(f"未知的辖区：{jurisdiction!r}")
        title_n = normalize(title or "", limit=200)
        text_n = normalize(text or "")
        if not (title_n + text_n).strip():
            raise RoutingInputError("诉求标题和内容均为空，无法派单")
        title_tok, title_b, title_s = self.tokenizer.cut(title_n)
        text_tok, text_b, text_s = self.tokenizer.cut(text_n)
        full = f"{title_n} {text_n}" if title_n else text_n
        shift = len(title_n) + 1 if title_n else 0
        full_b = frozenset([*title_b, *(b + shift for b in text_b)]) if title_n else frozenset(text_b)
        full_s = frozenset([*title_s, *(b + shift for b in text_s)]) if title_n else frozenset(text_s)
        tokens = title_tok * 2 + text_tok
        scores: dict[str, float] = {}
        parts: dict[str, dict[str, float]] = {}  # agency -> {kind: score}
        matters: dict[str, dict[str, list]] = {}  # agency -> {matter: [score, [terms]]}

        def add(agency: str, kind: str, value: float) -> None:
            if value <= 0:
                return
            scores[agency] = scores.get(agency, 0.0) + value
            p = parts.setdefault(agency, {})
            p[kind] = p.get(kind, 0.0) + value

        # 1. the remit catalog, whole words only (title counts once more)
        for part, bounds, seams in ((full, full_b, full_s), (title_n, frozenset(title_b), frozenset(title_s))):
            if not part:
                continue
            for h in self.lexicon.match_remit(jurisdiction, part, bounds, seams, SEAM_WEIGHT):
                e = self.lexicon.entry(jurisdiction, h.agency)
                if e is None or e.collective:
                    continue
                v = h.weight * min(h.count, 2)
                add(h.agency, "remit", v)
                m = matters.setdefault(h.agency, {}).setdefault(h.matter, [0.0, []])
                m[0] += v
                if h.term not in m[1]:
                    m[1].append(h.term)
        # 2. plan measures, only when specific
        city = self.cities.get(jurisdiction)
        votes: dict[str, tuple[float, int, list[str], str, str]] = {}  # agency -> best (vote, i, shared, role, src)
        if city is not None and tokens:
            for spec, i, shared in city.specific(set(tokens) - self.generic, self.spec_min):
                if spec < self.spec_min:
                    break
                rel = min(spec / SPEC_FULL, REL_CAP)
                for agency, share, role, src in city.leads[i]:
                    v = W_MEASURE * rel * share
                    add(agency, "measure", v)
                    if agency not in votes or votes[agency][0] < v:
                        votes[agency] = (v, i, shared, role, src)
        # 3. agencies named in the appeal
        named: dict[str, str] = {}
        for alias, agency in self.lexicon.match_aliases(jurisdiction, full, full_b):
            e = self.lexicon.entry(jurisdiction, agency)
            if e is None or e.collective:
                continue
            add(agency, "named", W_NAMED if e.kind not in ("district", "zone") else W_NAMED * 0.4)
            named.setdefault(agency, alias)
        # 4. topic chosen by the business
        if topic:
            for k, role in enumerate(self.lexicon.topics.get(topic, ())):
                e = self.lexicon.by_role(jurisdiction, role)
                if e is not None:
                    add(e.name, "topic", W_TOPIC if k == 0 else W_TOPIC * 0.6)
        # 5. dispatcher corrections (each close one votes)
        learned: Counter = Counter()
        exs = self._examples.get(jurisdiction)
        if exs and tokens:
            qv, qn = self._vector(jurisdiction, tokens)
            sims = []
            for vec, norm, agency in exs:
                dot = sum(v * vec.get(t, 0.0) for t, v in qv.items())
                sim = dot / (qn * norm)
                if sim >= EX_MIN_SIM:
                    sims.append((sim, agency))
            sims.sort(reverse=True)
            for sim, agency in sims[:EX_NEIGHBOURS]:
                add(agency, "examples", W_EXAMPLE * sim)
                learned[agency] += 1
        return self._decide(jurisdiction, scores, parts, matters, votes, named, learned, city)

    # ------------------------------------------------------------ decision
    def _reasons(self, agency, parts, matters, votes, named, learned, city, score,
                 margin: float = 0.0) -> tuple[list[str], object]:
        """Dispatcher-readable reasons for one candidate, strongest first, and the measure cited (if any)."""
        out: list[tuple[float, str]] = []
        for matter, (v, terms) in sorted(matters.get(agency, {}).items(), key=lambda kv: -kv[1][0])[:2]:
            out.append((v, explain.say(explain.REMIT, matter=matter, terms=terms[:4], agency=agency)))
        cited = None
        vote = votes.get(agency)
        if vote is not None and (vote[0] >= CITE_SHARE * score or vote[0] > margin):
            v, i, shared, role, src = vote
            m = city.measures[i]
            pattern = explain.MEASURE["inferred" if src == "inferred" else role if role in explain.MEASURE else "sole"]
            out.append((v, explain.say(pattern, n=m.number, title=m.title, words=shared[:5], agency=agency)))
            cited = m
        if agency in named:
            out.append((parts[agency].get("named", 0.0), explain.say(explain.NAMED, name=named[agency])))
        if learned.get(agency):
            out.append((parts[agency].get("examples", 0.0), explain.say(explain.LEARNED, n=learned[agency])))
        if parts.get(agency, {}).get("topic"):
            out.append((parts[agency]["topic"], explain.TOPIC))
        out.sort(key=lambda x: -x[0])
        return [s for _v, s in out], cited

    def _decide(self, jurisdiction, scores, parts, matters, votes, named, learned, city) -> Decision:
        order = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        if not order:
            return Decision(jurisdiction, None, (), None, 0.0, True, (), explain.UNPLACED)
        cands = []
        cited_best = None
        runner_up = order[1][1] if len(order) > 1 else 0.0
        for k, (agency, s) in enumerate(order[:5]):
            margin = s - runner_up if k == 0 else float("inf")
            reasons, cited = self._reasons(agency, parts, matters, votes, named, learned, city, s, margin)
            if k == 0:
                cited_best = cited
            cands.append(Candidate(agency, round(s, 4), cited, tuple(reasons)))
        s1 = order[0][1]
        s2 = order[1][1] if len(order) > 1 else 0.0
        raw = raw_confidence(s1, s2)
        confidence = round(self.calibration.confidence(raw), 4) if self.calibration else raw
        to_dispatch = confidence < self.threshold
        best = cands[0]
        co: tuple[str, ...] = ()
        if cited_best is not None:
            # co-agencies only where the appeal touches their remit (or names them); never the whole list
            co = tuple(dict.fromkeys(
                r.agency for r in cited_best.responsibilities
                if r.agency != best.agency and not r.collective
                and (parts.get(r.agency, {}).get("remit", 0.0) >= 1.0 or r.agency in named)))[:MAX_CO]
        parts = list(best.reasons[:3]) or [explain.say(explain.HANDLES, agency=best.agency)]
        n_learned = learned.get(best.agency, 0)
        if to_dispatch:
            parts.append(explain.say(explain.BELOW, confidence=f"{confidence:.2f}", threshold=f"{self.threshold:.2f}",
                                     suggested=[c.agency for c in cands[:3]]))
        expl = explain.SEPARATOR.join(parts)
        return Decision(jurisdiction, best.agency, co, cited_best, confidence, to_dispatch, tuple(cands), expl,
                        learned=n_learned, raw_confidence=raw)


def rarity(freq: int) -> float:
    """Weight of a shared word by how rare it is in general Chinese (jieba's dictionary frequency):
    policy terms jieba does not know (一业一查, 科技创新信贷) GEN_MAX, everyday words down to GEN_MIN."""
    return max(GEN_MIN, min(GEN_MAX, GEN_TOP - GEN_SLOPE * math.log10(1 + freq)))


def raw_confidence(s1: float, s2: float) -> float:
    """Strength of the top score × its margin over the second, in [0, 1] (before calibration)."""
    if s1 <= 0:
        return 0.0
    strength = 1 - math.exp(-s1 / CONF_SCALE)
    margin = (s1 - s2) / s1
    return round(max(0.0, min(1.0, strength * (0.45 + 0.55 * margin))), 4)
