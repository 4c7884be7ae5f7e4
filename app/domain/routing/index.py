"""BM25 over measures (title weighted), one posting table per jurisdiction."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

K1 = 1.4
B = 0.6
TITLE_REPEAT = 3


class BM25Index:
    def __init__(self, docs: Sequence[list[str]]):
        self.n = len(docs)
        self.lengths = [len(d) for d in docs]
        self.avgdl = (sum(self.lengths) / self.n) if self.n else 1.0
        df: Counter = Counter()
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, d in enumerate(docs):
            tf = Counter(d)
            for t, c in tf.items():
                self.postings.setdefault(t, []).append((i, c))
            df.update(tf.keys())
        self.idf = {t: math.log(1 + (self.n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, query: list[str]) -> dict[int, float]:
        out: dict[int, float] = {}
        for t, qtf in Counter(query).items():
            post = self.postings.get(t)
            if not post:
                continue
            idf = self.idf[t]
            for i, tf in post:
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * self.lengths[i] / self.avgdl))
                out[i] = out.get(i, 0.0) + idf * norm * min(qtf, 2)
        return out


def measure_tokens(tokenizer, title: str, body: str) -> list[str]:
    return tokenizer.tokens(title) * TITLE_REPEAT + tokenizer.tokens(body)
