"""Text similarity for spotting duplicate appeals (重复件). Pure Python: no Flask, no database.

Character bigrams need no dictionary and work for Chinese and for mixed text alike,
which is all a "did you already file this?" hint needs.
"""
from __future__ import annotations

import re

from app.domain.routing.normalize import normalize

#: PostgreSQL scores the title and this many leading characters of the description with
#: pg_trgm trigrams (candidates found by the title's GIN index, migration 0009).
DUP_TEXT_CHARS = 200

# Letters, digits and CJK ideographs count; punctuation and spaces do not.
_KEEP = re.compile(r"[0-9a-z\u4e00-\u9fff]+")


def bigrams(text: str | None) -> frozenset[str]:
    """The set of character bigrams of the normalised text (single characters for 1-char runs)."""
    out: set[str] = set()
    for run in _KEEP.findall(normalize(text or "", limit=2000).lower()):
        if len(run) == 1:
            out.add(run)
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    return frozenset(out)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b|, 0 for two empty sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def similarity(title_a: str, text_a: str, title_b: str, text_b: str) -> float:
    """How alike two appeals are (0..1): the better of title-to-title and whole-text Jaccard."""
    titles = jaccard(bigrams(title_a), bigrams(title_b))
    whole = jaccard(bigrams(f"{title_a} {text_a}"), bigrams(f"{title_b} {text_b}"))
    return max(titles, whole)
