"""jieba tokenisation with a private Tokenizer and a user dictionary built from the catalog."""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_KEEP = re.compile(r"[\u4e00-\u9fff]|[A-Za-z0-9]{2,}")


class Tokenizer:
    """Wraps a private ``jieba.Tokenizer`` so the global one is never touched."""

    def __init__(self, words: Iterable[str] = (), stopwords: Iterable[str] = (), common_freq: int = 2000,
                 keep: Iterable[str] = ()):
        """``common_freq``: words at least this frequent in jieba's general dictionary (作为, 重要, 生产 …)
        and not in ``keep`` are ``common``: the router gives them no weight when matching measures."""
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tk = jieba.Tokenizer()
        self._tk.initialize()
        words = set(words)
        self.common = frozenset(w for w, f in self._tk.FREQ.items() if f >= common_freq and len(w) >= 2) - set(keep)
        for w in words:
            w = w.strip()
            if len(w) >= 2 and " " not in w:
                self._tk.add_word(w, freq=max(2000, 300 * len(w)))
        self.stopwords = frozenset(stopwords)

    def tokens(self, text: str) -> list[str]:
        """Content tokens: at least two characters, no stop words, no punctuation."""
        out = []
        for t in self._tk.lcut(text, HMM=False):
            if len(t) < 2 or t in self.stopwords or not _KEEP.search(t):
                continue
            out.append(t.lower())
        return out

    def raw(self, text: str) -> list[str]:
        return self._tk.lcut(text, HMM=False)

    def cut(self, text: str) -> tuple[list[str], list[int]]:
        """Content tokens (as ``tokens``) and the offsets of every word boundary, from one segmentation."""
        out = []
        bounds = [0]
        pos = 0
        stop = self.stopwords
        for t in self._tk.lcut(text, HMM=False):
            pos += len(t)
            bounds.append(pos)
            if len(t) < 2 or t in stop or not _KEEP.search(t):
                continue
            out.append(t.lower())
        return out, bounds
