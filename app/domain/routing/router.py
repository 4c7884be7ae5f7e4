"""The router: which agency handles an appeal, with the plan measure that makes it responsible.

Scoring per candidate agency (all in "remit-term units"):
  measure   W_MEASURE × Σ over the 5 best BM25 measures of the city: relative score × share of the agency
  remit     Σ weights of the lexicon's remit terms found in the appeal (title counted twice)
  named     W_NAMED when the appeal names the agency (税务局, 供电公司 …)
  topic     W_TOPIC for the roles mapped to the topic the business picked
  examples  W_EXAMPLE × similarity of the nearest dispatcher corrections of the same city
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from .index import BM25Index, measure_tokens
from .infer import remit_scores
from .lexicon import Lexicon
from .models import Candidate, CatalogMeasure, Decision, Example, RoutingInputError
from .normalize import normalize
from .tokenize import Tokenizer

W_MEASURE = 4.0
W_NAMED = 3.0
W_TOPIC = 1.5
W_EXAMPLE = 8.0
W_TITLE = 4.0  # the appeal restates a measure's title
EXPLICIT_BOOST = 1.3  # the plan itself names the agency
BM25_FLOOR = 12.0  # a best-measure BM25 below this counts only proportionally
TOP_MEASURES = 5
EX_NEIGHBOURS = 5
EX_MIN_SIM = 0.25
CONF_SCALE = 5.0
ROLE_SHARE = {"lead": 1.0, "sole": 1.0, "co": 0.25}
ROLE_WORD = {"lead": "牵头", "sole": "负责", "co": "配合"}


class _City:
    def __init__(self, measures: list[CatalogMeasure], index: BM25Index, title_tokens: list[frozenset]):
        self.measures = measures
        self.index = index
        self.title_tokens = title_tokens
        # measure index -> [(agency, share, role, source)]
        self.shares: list[list[tuple[str, float, str, str]]] = []
        for m in measures:
            leads = [r for r in m.responsibilities if r.role in ("lead", "sole") and not r.collective]
            cos = [r for r in m.responsibilities if r.role == "co" and not r.collective]
            if not leads:
                leads, cos = cos, []
            row = []
            n = max(len(leads), 1)
            for r in leads:
                boost = EXPLICIT_BOOST if r.source != "inferred" else 1.0
                row.append((r.agency, boost / math.sqrt(n), r.role, r.source))
            for r in cos:
                row.append((r.agency, ROLE_SHARE["co"], r.role, r.source))
            self.shares.append(row)


class Router:
    def __init__(self, measures: Iterable[CatalogMeasure], lexicon: Lexicon, examples: Iterable[Example] = (),
                 threshold: float = 0.35, *, _shared: tuple | None = None):
        self.lexicon = lexicon
        self.threshold = threshold
        if _shared is not None:
            self.tokenizer, self.cities = _shared
        else:
            self.tokenizer = Tokenizer(lexicon.all_terms(), lexicon.stopwords)
            by_city: dict[str, list[CatalogMeasure]] = {}
            for m in measures:
                by_city.setdefault(m.jurisdiction, []).append(m)
            self.cities: dict[str, _City] = {}
            for j, ms in by_city.items():
                docs = [measure_tokens(self.tokenizer, normalize(m.title), normalize(m.body, 20000)) for m in ms]
                titles = [frozenset(self.tokenizer.tokens(normalize(m.title))) for m in ms]
                self.cities[j] = _City(ms, BM25Index(docs), titles)
        self._examples: dict[str, list[tuple[dict[str, float], float, str]]] = {}
        for ex in examples:
            self._add_example(ex)

    # ------------------------------------------------------------ examples
    def with_examples(self, examples: Iterable[Example]) -> Router:
        """A router sharing this one's index, with these dispatcher corrections (replacing any before)."""
        return Router((), self.lexicon, examples, self.threshold, _shared=(self.tokenizer, self.cities))

    def _vector(self, jurisdiction: str, tokens: list[str]) -> tuple[dict[str, float], float]:
        city = self.cities.get(jurisdiction)
        idf = city.index.idf if city else {}
        default = math.log(1 + (city.index.n + 0.5) / 0.5) if city else 1.0
        vec = {t: c * idf.get(t, default) for t, c in Counter(tokens).items()}
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
        if jurisdiction not in self.lexicon.jurisdictions:
            raise RoutingInputError(f"未知的辖区:{jurisdiction!r}")
        title_n = normalize(title or "", limit=200)
        text_n = normalize(text or "")
        if not (title_n + text_n).strip():
            raise RoutingInputError("诉求标题和内容均为空,无法派单")
        full = f"{title_n} {text_n}".strip()
        tokens = self.tokenizer.tokens(title_n) * 2 + self.tokenizer.tokens(text_n)
        scores: dict[str, float] = {}
        reasons: dict[str, list[str]] = {}

        def add(agency: str, value: float, why: str | None) -> None:
            if value <= 0:
                return
            scores[agency] = scores.get(agency, 0.0) + value
            if why:
                reasons.setdefault(agency, []).append(why)

        # 1. measures (BM25)
        city = self.cities.get(jurisdiction)
        ranked: list[tuple[int, float]] = []
        if city is not None and tokens:
            raw = city.index.scores(tokens)
            ranked = sorted(raw.items(), key=lambda kv: -kv[1])[:TOP_MEASURES]
            if ranked:
                denom = max(ranked[0][1], BM25_FLOOR)
                qset = set(tokens)
                for i, s in ranked:
                    rel = s / denom
                    tt = city.title_tokens[i]
                    cover = len(tt & qset) / len(tt) if tt else 0.0
                    if cover >= 0.5:
                        rel += W_TITLE / W_MEASURE * cover * cover
                    for agency, share, _role, _src in city.shares[i]:
                        add(agency, W_MEASURE * rel * share, f"措施第{city.measures[i].number}条")
        # 2. remit terms (title counts twice)
        for part, w in ((full, 1.0), (title_n, 1.0)):
            if not part:
                continue
            for agency, (score, by_term) in remit_scores(part, jurisdiction, self.lexicon, count_cap=2).items():
                e = self.lexicon.entry(jurisdiction, agency)
                if e is None or e.collective:
                    continue
                top_terms = "、".join(t for t, _ in sorted(by_term.items(), key=lambda kv: -kv[1])[:3])
                add(agency, score * w, f"职责词:{top_terms}" if w == 1.0 and part is full else None)
        # 3. agencies named in the appeal
        for alias, agency in self.lexicon.match_aliases(jurisdiction, full):
            e = self.lexicon.entry(jurisdiction, agency)
            weight = W_NAMED if e is not None and e.kind not in ("district", "zone") else W_NAMED * 0.4
            add(agency, weight, f"点名:{alias}")
        # 4. topic chosen by the business
        if topic:
            for k, role in enumerate(self.lexicon.topics.get(topic, ())):
                e = self.lexicon.by_role(jurisdiction, role)
                if e is not None:
                    add(e.name, W_TOPIC if k == 0 else W_TOPIC * 0.6,
                        f"主题:{self.lexicon.topic_labels.get(topic, topic)}")
        # 5. dispatcher corrections (nearest neighbours)
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
                add(agency, W_EXAMPLE * sim, "派单纠错样例")

        return self._decide(jurisdiction, scores, reasons, ranked, city)

    def _decide(self, jurisdiction, scores, reasons, ranked, city) -> Decision:
        order = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        cands = []
        for agency, s in order[:5]:
            m = self._measure_for(agency, ranked, city)
            cands.append(Candidate(agency, round(s, 4), m, tuple(dict.fromkeys(reasons.get(agency, ())))[:6]))
        if not order:
            return Decision(jurisdiction, None, (), None, 0.0, True, (),
                            "未识别出诉求涉及的职责事项,转派单中心人工派单")
        s1 = order[0][1]
        s2 = order[1][1] if len(order) > 1 else 0.0
        strength = 1 - math.exp(-s1 / CONF_SCALE)
        margin = (s1 - s2) / s1 if s1 > 0 else 0.0
        confidence = round(max(0.0, min(1.0, strength * (0.45 + 0.55 * margin))), 4)
        best = cands[0]
        to_dispatch = confidence < self.threshold
        co = ()
        role_word = "负责(据职责推断)"
        if best.measure is not None:
            for r in best.measure.responsibilities:
                if r.agency == best.agency:
                    role_word = ROLE_WORD.get(r.role, "负责") if r.source != "inferred" else "负责(据职责推断)"
                    break
            co = tuple(dict.fromkeys(r.agency for r in best.measure.responsibilities
                                     if r.role in ("co", "sole") and r.agency != best.agency and r.source != "inferred"))
            expl = (f"匹配《{best.measure.plan_title}》第{best.measure.number}条“{best.measure.title}”,"
                    f"{best.agency}{role_word}")
        else:
            terms = [r for r in best.reasons if r.startswith(("职责词", "点名", "主题", "派单"))]
            expl = f"未匹配到方案措施,依据{';'.join(terms[:2]) or '职责'}由{best.agency}办理"
        if to_dispatch:
            expl += f";置信度{confidence:.2f}低于{self.threshold:.2f},转派单中心人工派单"
        return Decision(jurisdiction, best.agency, co, best.measure, confidence, to_dispatch, tuple(cands), expl)

    @staticmethod
    def _measure_for(agency: str, ranked, city) -> CatalogMeasure | None:
        if city is None:
            return None
        best = None
        for i, s in ranked:
            for a, share, _role, _src in city.shares[i]:
                if a == agency:
                    val = s * share
                    if best is None or val > best[0]:
                        best = (val, i)
        return city.measures[best[1]] if best else None
