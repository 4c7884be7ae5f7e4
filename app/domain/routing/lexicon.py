"""The agency lexicon (data/agencies.json) as frozen dataclasses.

One role (税务，市场监管 …) is described once: label, remit terms, aliases and each city's local name.
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


@dataclass(frozen=True)
class RemitHit:
    """A remit-catalog term found as a whole word: which agency, which catalog entry, how often."""
    term: str
    agency: str
    matter: str
    weight: float
    count: int


class Lexicon:
    def __init__(self, data: dict, catalog: dict | None = None):
        self._validate(data)
        self.data = data
        self.catalog = catalog or {"roles": {}, "generic": []}
        validate_catalog(self.catalog, set(data["roles"]))
        self.generic: frozenset[str] = frozenset(self.catalog.get("generic", ()))
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
        self._build_remit()

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path, catalogs: Iterable[str | Path] | None = None) -> Lexicon:
        """Load ``agencies.json``; the remit catalog is ``remit_catalog.json`` beside it unless
        ``catalogs`` names the files (later files add entries to earlier ones)."""
        path = Path(path)
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if catalogs is None:
            default = path.with_name(CATALOG_FILE)
            catalogs = [default] if default.exists() else []
        return cls(data, merge_catalogs(load_catalog_file(p) for p in catalogs))

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

    def _build_remit(self) -> None:
        """Per city: remit-catalog term -> [(agency, weight, matter)]; a term shared by n agencies
        weighs 1/n^0.7 for each. Districts share the catalog's ``district`` role."""
        self._remit: dict[str, dict[str, list[tuple[str, float, str]]]] = {}
        self._remit_heads: dict[str, dict[str, list[str]]] = {}
        self.remit_sources: dict[str, str] = {}
        croles = self.catalog.get("roles", {})
        for key, r in croles.items():
            self.remit_sources[key] = r.get("source", "")
        for j, entries in self._by_city.items():
            rows: list[tuple[str, str, str]] = []  # (term, agency, matter)
            for e in entries:
                if e.collective:
                    continue
                key = "district" if e.kind == "district" else e.role
                for item in croles.get(key, {}).get("entries", ()):
                    for t in item["terms"]:
                        t = normalize(t)
                        if len(t) >= 2 and t not in self.generic:
                            rows.append((t, e.name, item["matter"]))
            share: dict[str, set[str]] = {}
            for t, a, _m in rows:
                share.setdefault(t, set()).add(a)
            table: dict[str, list[tuple[str, float, str]]] = {}
            for t, a, m in rows:
                lst = table.setdefault(t, [])
                if all(x != a for x, _w, _m in lst):
                    lst.append((a, min(len(t), 6) / 2.0 / len(share[t]) ** 0.7, m))
            heads: dict[str, list[str]] = {}
            for t in sorted(table, key=len, reverse=True):
                heads.setdefault(t[:2], []).append(t)
            self._remit[j] = table
            self._remit_heads[j] = heads

    def remit_terms(self) -> set[str]:
        """Every term of the remit catalog."""
        return {t for table in self._remit.values() for t in table}

    def dictionary(self) -> set[str]:
        """The router's word list: remit-catalog terms, agency names and aliases, policy terms, and the
        plans' vocabulary (``remit`` of agencies.json: 一业一查 …) except compounds that contain a catalog
        term (高新技术企业认定 would swallow 高新技术企业)."""
        catalog = self.remit_terms()
        out: set[str] = set(self.policy_terms) | catalog
        for entries in self._by_city.values():
            for e in entries:
                out.update((e.name, *e.aliases))
                out.update(t for t in (*e.remit, *e.remit_weak)
                           if t not in catalog and not any(c in t for c in _parts(t, catalog)))
        return out

    def remit_entries(self, jurisdiction: str, agency: str) -> list[str]:
        """The catalog matters (事项) of one agency, in catalog order."""
        out: dict[str, None] = {}
        for hits in self._remit.get(jurisdiction, {}).values():
            for a, _w, m in hits:
                if a == agency:
                    out[m] = None
        return list(out)

    def match_remit(self, jurisdiction: str, text: str, bounds: frozenset[int] | None = None,
                    seams: frozenset[int] = frozenset(), seam_weight: float = 0.5) -> list[RemitHit]:
        """Remit-catalog terms found in ``text`` as whole words: an occurrence counts only when it
        starts and ends on a word boundary of ``bounds`` (offsets from the tokenizer), so 人行 is not
        found in 人行道; a term inside a longer accepted term does not count again. An occurrence that
        starts or ends on a *seam* (体育 in 体育运动: the compound splits into two words) counts
        ``seam_weight`` of a whole-word one, and only where no whole-word term overlaps it."""
        heads = self._remit_heads.get(jurisdiction)
        if not heads or not text:
            return []
        found: list[tuple[int, int, str, bool]] = []
        get = heads.get
        for i in range(len(text) - 1):
            cands = get(text[i:i + 2])
            if not cands:
                continue
            start_ok = bounds is None or i in bounds
            if not start_ok and i not in seams:
                continue
            for term in cands:
                end = i + len(term)
                end_ok = bounds is None or end in bounds
                if (end_ok or end in seams) and text.startswith(term, i):
                    found.append((i, end, term, start_ok and end_ok))
        if not found:
            return []
        # whole-word occurrences first, then the longest
        found.sort(key=lambda x: (not x[3], x[0] - x[1], x[0]))
        accepted: list[tuple[int, int]] = []
        counts: dict[tuple[str, bool], int] = {}
        for start, end, term, whole in found:
            if any(s < end and start < e for s, e in accepted):
                continue
            accepted.append((start, end))
            counts[term, whole] = counts.get((term, whole), 0) + 1
        table = self._remit[jurisdiction]
        return [RemitHit(t, a, m, w if whole else w * seam_weight, n)
                for (t, whole), n in counts.items() for a, w, m in table[t]]

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

    def match_aliases(self, jurisdiction: str, text: str,
                      bounds: frozenset[int] | None = None) -> list[tuple[str, str]]:
        """(alias, agency name) for agencies named in ``text`` (as whole words when ``bounds`` is given)."""
        out: list[tuple[str, str]] = []
        covered: list[tuple[int, int]] = []
        for alias, name in self._alias_terms.get(jurisdiction, ()):
            start = text.find(alias)
            while start >= 0:
                end = start + len(alias)
                if bounds is not None and not (start in bounds and end in bounds):
                    start = text.find(alias, start + 1)
                    continue
                if not any(s < end and start < e for s, e in covered):
                    covered.append((start, end))
                    out.append((alias, name))
                    break
                start = text.find(alias, start + 1)
        return out


CATALOG_FILE = "remit_catalog.json"


def _parts(term: str, vocab: set[str]) -> list[str]:
    """The proper substrings of ``term`` (two characters or more) that are in ``vocab``."""
    n = len(term)
    return [term[i:j] for i in range(n) for j in range(i + 2, n + 1) if (j - i) < n and term[i:j] in vocab]


def load_catalog_file(path: str | Path) -> dict:
    """Read one remit-catalog JSON file; raises LexiconError with a Chinese message if it is malformed."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise LexiconError(f"无法读取派单目录 {path}:{exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("roles"), dict):
        raise LexiconError(f"派单目录 {path} 缺少 roles")
    return data


def merge_catalogs(catalogs: Iterable[dict]) -> dict:
    """Later catalogs (a centre's local additions) add entries and generic words to earlier ones;
    an entry with the same matter as an earlier one replaces its terms."""
    out: dict = {"roles": {}, "generic": []}
    for c in catalogs:
        out["generic"] = list(dict.fromkeys([*out["generic"], *c.get("generic", ())]))
        for key, r in c.get("roles", {}).items():
            role = out["roles"].setdefault(key, {"source": "", "entries": []})
            if r.get("source"):
                role["source"] = "；".join(x for x in (role["source"], r["source"]) if x)
            by_matter = {e["matter"]: i for i, e in enumerate(role["entries"])}
            for e in r.get("entries", ()):
                e = {**e, "source": e.get("source") or r.get("source", "")}
                if e["matter"] in by_matter:
                    role["entries"][by_matter[e["matter"]]] = e
                else:
                    by_matter[e["matter"]] = len(role["entries"])
                    role["entries"].append(e)
    return out


def validate_catalog(catalog: dict, roles: set[str]) -> None:
    """Every role known (or ``district``), every entry a matter with a list of terms, every role a source."""
    for key, r in catalog.get("roles", {}).items():
        if key not in roles and key != "district":
            raise LexiconError(f"派单目录含未知职能 {key}")
        if not isinstance(r, dict) or not isinstance(r.get("entries"), list):
            raise LexiconError(f"派单目录职能 {key} 缺少 entries 列表")
        if not (r.get("source") or all(e.get("source") for e in r["entries"] if isinstance(e, dict))):
            raise LexiconError(f"派单目录职能 {key} 未注明依据(source)")
        for e in r["entries"]:
            if not isinstance(e, dict) or not isinstance(e.get("matter"), str) or not e["matter"].strip():
                raise LexiconError(f"派单目录职能 {key} 有事项缺少 matter")
            terms = e.get("terms")
            if not isinstance(terms, list) or not terms or not all(isinstance(t, str) and t.strip() for t in terms):
                raise LexiconError(f"派单目录「{e['matter']}」的 terms 应为非空字符串列表")


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    if path is None:
        path = Path(__file__).resolve().parents[3] / "data" / "agencies.json"
    return Lexicon.load(path)


def agencies_named(entries: Iterable[AgencyEntry]) -> list[str]:
    return [e.name for e in entries]
