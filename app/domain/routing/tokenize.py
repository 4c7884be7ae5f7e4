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
        freq = self._tk.FREQ
        self.common = frozenset(w for w, f in freq.items() if f >= common_freq and len(w) >= 2) - set(keep)
        # the general-language frequency of the words about to be added (add_word overwrites it)
        self._general = {w: freq.get(w, 0) for w in words}
        for w in words:
            w = w.strip()
            if len(w) >= 2 and " " not in w:
                self._tk.add_word(w, freq=max(2000, 300 * len(w)))
        self.stopwords = frozenset(stopwords)
        self._keep = frozenset(keep)

    def general_freq(self, word: str) -> int:
        """How often ``word`` occurs in jieba's general dictionary (0 for policy terms it does not know)."""
        f = self._general.get(word)
        return self._tk.FREQ.get(word, 0) if f is None else f

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

    def cut(self, text: str) -> tuple[list[str], list[int], list[int]]:
        """Content tokens (as ``tokens``), the offsets of every word boundary, and the *seams*: offsets
        inside a compound jieba keeps whole that splits into two dictionary words of two characters or
        more (体育运动 = 体育 + 运动; not 人行道 = 人行 + 道), all from one segmentation."""
        out = []
        bounds = [0]
        seams = []
        pos = 0
        stop = self.stopwords
        freq = self._tk.FREQ
        keep = self._keep
        for t in self._tk.lcut(text, HMM=False):
            n = len(t)
            if n >= 4 and t not in keep:
                seams.extend(pos + k for k in range(2, n - 1) if freq.get(t[:k]) and freq.get(t[k:]))
            pos += n
            bounds.append(pos)
            if n < 2 or t in stop or not _KEEP.search(t):
                continue
            out.append(t.lower())
        return out, bounds, seams
