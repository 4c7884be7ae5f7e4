"""The agency lexicon (data/agencies.json) as frozen dataclasses.

One role (税务, 市场监管 …) is described once: label, remit terms, aliases and each city's local name.
Per-city extras add districts, zones, utilities and collective phrases.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .normalize import normalize


class LexiconError(ValueError):
    pass


@dataclass(frozen=True)
class AgencyEntry:
    name: str
    role: str
    aliases: tuple[str, ...] = ()
    remit: tuple[str, ...] = ()
    kind: str = "department"
    collective: bool = False
    remit_weak: tuple[str, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class TermHit:
    term: str
    agency: str
    weight: float


class Lexicon:
    def __init__(self, data: dict):
        self._validate(data)
        self.data = data
        self.jurisdictions: tuple[str, ...] = tuple(data["cities"])
        self.city_names = {j: c.get("name", j) for j, c in data["cities"].items()}
        self.stopwords: tuple[str, ...] = tuple(data.get("stopwords", ()))
        self.policy_terms: tuple[str, ...] = tuple(data.get("policy_terms", ()))
        self.topics: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in data.get("topics", {}).items()}
        self.topic_labels: dict[str, str] = dict(data.get("topic_labels", {}))
        roles = data["roles"]
        self._by_city: dict[str, list[AgencyEntry]] = {}
        self._role_of: dict[str, dict[str, AgencyEntry]] = {}
        for j in self.jurisdictions:
            entries: dict[str, AgencyEntry] = {}
            for key, r in roles.items():
                name = (r.get("names") or {}).get(j)
                if not name or name in entries:
                    continue
                other = [n for c, n in r["names"].items() if n and c != j]
                aliases = tuple(dict.fromkeys([*r.get("aliases", ()), *other]))
                entries[name] = AgencyEntry(
                    name=name, role=key, aliases=aliases, remit=tuple(r.get("remit", ())),
                    kind=r.get("kind", "department"), collective=False,
                    remit_weak=tuple(r.get("remit_weak", ())), label=r.get("label", key))
            for x in data["cities"][j].get("extras", ()):
                if x["name"] in entries:
                    continue
                entries[x["name"]] = AgencyEntry(
                    name=x["name"], role=x.get("role", x.get("kind", "extra")), aliases=tuple(x.get("aliases", ())),
                    remit=tuple(x.get("remit", ())), kind=x.get("kind", "extra"),
                    collective=bool(x.get("collective", False)), label=x.get("label", x["name"]))
            self._by_city[j] = list(entries.values())
            self._role_of[j] = {e.role: e for e in entries.values() if e.kind not in ("district", "collective")}
        self._build_terms()

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path) -> Lexicon:
        with open(path, encoding="utf-8") as fh:
            return cls(json.load(fh))

    @staticmethod
    def _validate(data: dict) -> None:
        if not isinstance(data, dict) or "roles" not in data or "cities" not in data:
            raise LexiconError("词库缺少 roles 或 cities")
        cities = set(data["cities"])
        for key, r in data["roles"].items():
            if not r.get("names"):
                raise LexiconError(f"职能 {key} 没有各市名称")
            unknown = set(r["names"]) - cities
            if unknown:
                raise LexiconError(f"职能 {key} 含未知城市 {sorted(unknown)}")
            if not isinstance(r.get("remit", []), list):
                raise LexiconError(f"职能 {key} 的 remit 应为列表")
        for topic, rl in data.get("topics", {}).items():
            for role in rl:
                if role not in data["roles"]:
                    raise LexiconError(f"主题 {topic} 指向未知职能 {role}")

    def _build_terms(self) -> None:
        """Per city: term -> [(agency, weight)], weights split among agencies sharing a term."""
        self._terms: dict[str, list[tuple[str, list[tuple[str, float]]]]] = {}
        self._alias_terms: dict[str, list[tuple[str, str]]] = {}
        self._term_table: dict[str, dict[str, list[tuple[str, float]]]] = {}
        self._heads: dict[str, dict[str, list[str]]] = {}
        for j, entries in self._by_city.items():
            share: dict[str, set[str]] = {}
            for e in entries:
                for t in (*e.remit, *e.remit_weak):
                    share.setdefault(t, set()).add(e.name)
            table: dict[str, list[tuple[str, float]]] = {}
            for e in entries:
                for weak, terms in ((False, e.remit), (True, e.remit_weak)):
                    for t in terms:
                        w = min(len(t), 6) / 2.0
                        if len(t) <= 1:
                            w = 0.3
                        w /= len(share[t]) ** 0.7
                        if weak:
                            w *= 0.35
                        lst = table.setdefault(t, [])
                        if all(a != e.name for a, _ in lst):
                            lst.append((e.name, w))
            self._terms[j] = sorted(table.items(), key=lambda kv: -len(kv[0]))
            self._term_table[j] = table
            heads: dict[str, list[str]] = {}
            for t in sorted(table, key=len, reverse=True):
                if len(t) >= 2:
                    heads.setdefault(t[:2], []).append(t)
            self._heads[j] = heads
            aliases: dict[str, str] = {}
            for e in entries:
                if e.collective:
                    continue
                for a in (e.name, *e.aliases):
                    if len(a) >= 2:
                        aliases.setdefault(a, e.name)
            # a city's own names win over other cities' names for the same string
            for e in entries:
                aliases[e.name] = e.name
            self._alias_terms[j] = sorted(aliases.items(), key=lambda kv: -len(kv[0]))

    # ------------------------------------------------------------------ queries
    def agencies(self, jurisdiction: str) -> list[AgencyEntry]:
        return list(self._by_city.get(jurisdiction, ()))

    def entry(self, jurisdiction: str, name: str) -> AgencyEntry | None:
        for e in self._by_city.get(jurisdiction, ()):
            if e.name == name:
                return e
        return None

    def by_role(self, jurisdiction: str, role: str) -> AgencyEntry | None:
        return self._role_of.get(jurisdiction, {}).get(role)

    def all_terms(self) -> set[str]:
        out: set[str] = set(self.policy_terms)
        for _j, entries in self._by_city.items():
            for e in entries:
                out.update((e.name, *e.aliases, *e.remit, *e.remit_weak))
        return out

    def resolve(self, jurisdiction: str, mention: str) -> AgencyEntry | None:
        """Map a mention (本市名称, 别名, 他市同职能名称, 带市名前缀的全称) to this city's entry."""
        entries = self._by_city.get(jurisdiction)
        if not entries or not mention:
            return None
        m = normalize(mention).replace(" ", "")
        m = re.sub(r"^等", "", m)
        city = self.city_names.get(jurisdiction, "")
        candidates = [m]
        if city and m.startswith(city):
            candidates.append("市" + m[len(city):])
            candidates.append(m[len(city):])
        if "等" in m:
            candidates.append(m.split("等", 1)[0])
        for c in candidates:
            for e in entries:
                if c == e.name:
                    return e
        for c in candidates:
            for e in entries:
                if c in e.aliases and not e.collective:
                    return e
            for e in entries:
                if e.collective and (c in e.aliases or c.endswith(e.name)):
                    return e
        for alias, name in self._alias_terms[jurisdiction]:
            if len(alias) >= 3 and alias in m:
                return self.entry(jurisdiction, name)
        return None

    # ------------------------------------------------------------------ matching
    def match_terms(self, jurisdiction: str, text: str) -> list[TermHit]:
        """Remit terms found in ``text``; a term lying inside a longer hit does not count again.

        Each hit carries ``count``: its number of uncovered occurrences."""
        return [h for h, _n in self.match_terms_counted(jurisdiction, text)]

    def match_terms_counted(self, jurisdiction: str, text: str) -> list[tuple[TermHit, int]]:
        heads = self._heads.get(jurisdiction)
        if not heads or not text:
            return []
        found: list[tuple[int, int, str]] = []
        get = heads.get
        for i in range(len(text) - 1):
            cands = get(text[i:i + 2])
            if cands:
                for term in cands:
                    if text.startswith(term, i):
                        found.append((i, i + len(term), term))
        if not found:
            return []
        found.sort(key=lambda x: (x[0] - x[1], x[0]))  # longest first
        accepted: list[tuple[int, int]] = []
        counts: dict[str, int] = {}
        for start, end, term in found:
            if any(s <= start and end <= e for s, e in accepted):
                continue
            accepted.append((start, end))
            counts[term] = counts.get(term, 0) + 1
        table = self._term_table[jurisdiction]
        return [(TermHit(t, a, w), n) for t, n in counts.items() for a, w in table[t]]

    def match_aliases(self, jurisdiction: str, text: str) -> list[tuple[str, str]]:
        """(alias, agency name) for agencies named in ``text``."""
        out: list[tuple[str, str]] = []
        covered: list[tuple[int, int]] = []
        for alias, name in self._alias_terms.get(jurisdiction, ()):
            start = text.find(alias)
            while start >= 0:
                end = start + len(alias)
                if not any(s < end and start < e for s, e in covered):
                    covered.append((start, end))
                    out.append((alias, name))
                    break
                start = text.find(alias, start + 1)
        return out


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    if path is None:
        path = Path(__file__).resolve().parents[3] / "data" / "agencies.json"
    return Lexicon.load(path)


def agencies_named(entries: Iterable[AgencyEntry]) -> list[str]:
    return [e.name for e in entries]
