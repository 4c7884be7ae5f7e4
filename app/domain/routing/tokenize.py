"""jieba tokenisation with a private Tokenizer and a user dictionary built from the catalog."""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_KEEP = re.compile(r"[\u4e00-\u9fff]|[A-Za-z0-9]{2,}")


class Tokenizer:
    """Wraps a private ``jieba.Tokenizer`` so the global one is never touched."""

    def __init__(self, words: Iterable[str] = (), stopwords: Iterable[str] = ()):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tk = jieba.Tokenizer()
        self._tk.initialize()
        for w in set(words):
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
