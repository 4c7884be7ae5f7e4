"""Text normalisation: HTML/script removal, full-width → half-width, Traditional → Simplified, length cap."""
from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

MAX_CHARS = 5000

_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"<[^>]{0,500}>")
_WS = re.compile(r"\s+")
# pinyin annotations left by broken converters: 區(qū)
_PINYIN = re.compile(r"\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,8}\)")


@lru_cache(maxsize=1)
def _converter():
    import opencc

    try:
        return opencc.OpenCC("t2s")
    except Exception:  # noqa: BLE001  # pragma: no cover - older opencc wants the .json name
        return opencc.OpenCC("t2s.json")


def t2s(text: str) -> str:
    return _converter().convert(text) if text else text


def normalize(text: str | None, limit: int = MAX_CHARS) -> str:
    """Return clean Simplified Chinese text, at most ``limit`` characters."""
    if not text:
        return ""
    text = str(text)[: limit * 4]  # bound the work on huge inputs before regexes run
    if "<" in text:
        text = _SCRIPT.sub(" ", text)
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text)
    text = _PINYIN.sub("", text)
    text = _WS.sub(" ", text).strip()
    text = text[:limit]
    return t2s(text)
