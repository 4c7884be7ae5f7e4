"""Parser for municipal business-environment action plans (营商环境行动方案).

Turns the plain text of a plan into sections (the "environments"), numbered
measures and — where the plan states them — the responsible agencies of each
measure.  Pure Python: no Flask, no database, so it can be used by importers,
CLI commands and tests alike.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "ParsedMeasure",
    "ParsedPlan",
    "ParsedResponsibility",
    "ParsedSection",
    "PlanFormatError",
    "full_width",
    "normalize_plan_text",
    "parse_plan",
    "parse_plan_bytes",
]


# --------------------------------------------------------------------------- #
# Result types
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class ParsedResponsibility:
    agency: str  # e.g. "市市场监管局", or a collective phrase "各县区人民政府"
    role: str  # "lead" | "co" | "sole"
    collective: bool  # True for collective phrases (各县区人民政府, 负有…职责的部门)


@dataclass(frozen=True)
class ParsedSection:
    number: int  # 1-based order
    marker: str  # as printed, normalised, e.g. "(一)" or "一、"
    title: str


@dataclass(frozen=True)
class ParsedMeasure:
    number: int
    section_number: int
    title: str
    body: str
    responsibilities: tuple[ParsedResponsibility, ...]


@dataclass(frozen=True)
class ParsedPlan:
    jurisdiction: str
    title: str
    issuer: str | None
    issued_on: datetime.date | None
    sections: tuple[ParsedSection, ...]
    measures: tuple[ParsedMeasure, ...]


class PlanFormatError(ValueError):
    """The plan text cannot be parsed; the message (Simplified Chinese) says why."""


# --------------------------------------------------------------------------- #
# Normalisation
# --------------------------------------------------------------------------- #
_TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN_CHARS = "a-zü" + _TONE_VOWELS
# A bracketed pinyin syllable with at least one tone mark, e.g. 區(qū).
_PINYIN_TONED = re.compile(
    rf"\((?=[{_PINYIN_CHARS}]*[{_TONE_VOWELS}])[{_PINYIN_CHARS}]{{1,7}}\)"
)
# Toneless ASCII pinyin right after a CJK character, e.g. 的(de).  Restricted to
# the shape of a pinyin syllable so that (a), (B2B), (RCEP) etc. survive.
_PINYIN_ASCII = re.compile(
    r"(?<=[\u4e00-\u9fff])\((?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?"
    r"(?:[aeiouv]|ü)[a-z]{0,4}\)"
)

# Known converter damage ("?" = a lost byte, the rest decoded one byte out of
# step as GBK).  The damage cannot be undone byte-for-byte because the pinyin
# annotator also swallowed bytes, so the fragments found in the seed plans are
# mapped explicitly (Traditional, before t2s).
_MOJIBAKE_FIXES: tuple[tuple[str, str], ...] = (
    ("?。ù思鲃?dòng)公開)", "(此件主動公開)"),
    ("?。ㄒ唬┙ㄔO(shè)", "(一)建設"),
    ("?。ㄒ唬╈柟烫嵘庋h(huán)", "(一)鞏固提升外循環"),
    ("?。ǘ┲υ鰪?qiáng)", "(二)增強"),
    ("?。ㄈ?gòu)建", "(三)構建"),
    ("燃?xì)庑⌒蜆?biāo)準", "燃氣小型標準"),
    ("償?shù)戎卮髥栴}", "償等重大問題"),
    ("共益?zhèn)鶆?wù)", "共益債務"),
    ("程序?qū)嵺`探索", "程序實踐探索"),
    ("向?qū)I(yè)", "向專業"),
)

_CN_NUMERALS = "一二三四五六七八九十"


@lru_cache(maxsize=1)
def _marker_signatures() -> dict[str, str]:
    """Mojibake signature of a line-initial "\u3000(N)" whose first byte was lost.

    GBK "\u3000(一)" is A1A1 A3A8 D2BB A3A9; losing the first byte and decoding
    in the wrong phase gives "?" + "。" + chr(A8 D2)="ㄒ" + …  The character after
    "。" identifies the numeral.
    """
    sigs: dict[str, str] = {}
    for numeral in _CN_NUMERALS:
        first = numeral.encode("gbk")[0]
        ch = bytes([0xA8, first]).decode("gbk", errors="replace")
        if ch != "\ufffd":
            sigs[ch] = numeral
    return sigs


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: only needed when text is normalised

    return opencc.OpenCC("t2s")


_FULLWIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},  # ０-９
        "(": "(",
        ")": ")",
        ".": ".",
        ",": ",",
        ";": ";",
        ":": ":",
        "\u3000": " ",
        "\xa0": " ",
        "\ufeff": "",
    }
)


def normalize_plan_text(text: str) -> str:
    """Return *text* as clean Simplified Chinese with uniform punctuation.

    Steps: repair known GBK mojibake (``?。ㄒ唬`` → ``(一)``), drop pinyin
    annotations (``區(qū)`` → ``區``), convert Traditional to Simplified with
    OpenCC ``t2s``, and map full-width digits, brackets, stops, commas and
    spaces to their ASCII forms (the seeds mostly use ASCII ``,`` and ``()``
    already, so this makes all inputs look alike).  Line structure is kept;
    trailing whitespace is removed from every line.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    for broken, fixed in _MOJIBAKE_FIXES:
        text = text.replace(broken, fixed)
    # Generic fallback for other damaged section markers: recover the marker,
    # the rest of the damaged title cannot be recovered reliably.
    sigs = _marker_signatures()
    if sigs:
        text = re.sub(
            r"(?m)^[ \u3000]*\?。([" + "".join(sigs) + r"]).",
            lambda m: f"({sigs[m.group(1)]})",
            text,
        )
    text = _PINYIN_TONED.sub("", text)
    text = _PINYIN_ASCII.sub("", text)
    text = _t2s().convert(text)
    text = text.translate(_FULLWIDTH)
    return "\n".join(line.rstrip() for line in text.split("\n"))


_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}


def _cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\u3000" <= ch <= "\u303f" \
        or "\uff00" <= ch <= "\uffef"


def full_width(text: str) -> str:
    """*text* as Chinese is written: each half-width , ; : ? ! beside a Chinese character (or a
    full-width mark) in its full-width form, without the spaces around it; a bracket pair goes
    full-width when either bracket stands beside Chinese, so pairs stay matched. The parser works
    on ASCII marks (`normalize_plan_text`); this is for the texts people read (catalog import)."""
    chars = list(text)
    n = len(chars)

    def beside(i: int, step: int) -> str:
        j = i + step
        while 0 <= j < n and chars[j] == " ":
            j += step
        return chars[j] if 0 <= j < n else ""

    convert = set()
    opened: list[int] = []
    for i, ch in enumerate(chars):
        if ch in ",;:?!" and (_cjk(beside(i, -1)) or _cjk(beside(i, 1))):
            convert.add(i)
        elif ch == "(":
            opened.append(i)
        elif ch == ")" and opened:
            j = opened.pop()
            if _cjk(beside(j, -1)) or _cjk(beside(j, 1)) or _cjk(beside(i, -1)) or _cjk(beside(i, 1)):
                convert.update((i, j))
    out = "".join(_HALF_TO_FULL[ch] if i in convert else ch for i, ch in enumerate(chars))
    return _SPACED_MARK.sub("", out)  # a full-width mark carries its own space


_SPACED_MARK = re.compile(r" +(?=[，；：？！（）])|(?<=[，；：？！（）]) +")


# --------------------------------------------------------------------------- #
# Line classification
# --------------------------------------------------------------------------- #
_TOP_HEADING = re.compile(r"^([一二三四五六七八九十]{1,3})、\s*(.+)$")
_SUB_HEADING = re.compile(r"^\(([一二三四五六七八九十]{1,3})\)\s*(.+)$")
_MEASURE = re.compile(r"^(\d{1,3})\s*[.、]\s*(?!\d)(.+)$")
# Top-level parts that frame the plan rather than hold its measures; numbered
# items inside them (e.g. "1.指导思想") must not be counted as measures.
_NON_MEASURE_PARTS = re.compile(
    r"^(总体要求|总体目标|指导思想|基本原则|主要目标|工作目标|目标任务|"
    r"保障措施|工作要求|组织实施|实施保障|组织保障|工作保障)。?$"
)
# Closing lines after the last measure ("本方案自发布之日起施行…") are not part
# of that measure.
_CLOSING_LINE = re.compile(
    r"^(本(方案|意见|通知|措施|办法|计划|细则)|公开方式|稿件来源|附件|抄送|\(此件)"
)


@dataclass
class _Container:
    marker: str
    title: str
    section_number: int | None = None


@dataclass
class _MeasureDraft:
    number: int
    container: _Container
    paragraphs: list[str]


# --------------------------------------------------------------------------- #
# Responsibilities
# --------------------------------------------------------------------------- #
_RESP_BRACKET = re.compile(r"\(([^()]*(?:\([^()]*\)[^()]*)*)\)\s*[。.;]?\s*$")
_ROLE_SUFFIX = re.compile(
    r"(按职责分工负责|按职责分工|分工负责|共同负责|分别负责|配合|参与|负责|牵头)$"
)
_AGENCY_END = "局委办院室部中心公司队会行厅署关所站社府联"


def _is_collective(agency: str) -> bool:
    """Collective phrases name a class of bodies rather than one agency."""
    return (
        agency.startswith(("各", "负有", "涉及", "相关", "有关", "其他"))
        or "有关" in agency
        or "相关" in agency
        or agency.endswith(("的部门", "的单位", "等部门", "等单位"))
    )


def _split_agencies(text: str) -> list[str]:
    """Split "A、B、C等涉及…单位" into ["A", "B", "C", "涉及…单位"]."""
    out: list[str] = []
    for part in re.split(r"[、,;/]", text):
        part = part.strip(" 和及与")
        if not part:
            continue
        # "市自然资源局等涉及工程建设项目审批单位": the 等 joins a named agency
        # and a collective phrase; keep both.
        m = re.match(rf"^(.+?[{_AGENCY_END}])等(.*)$", part)
        if m:
            out.append(m.group(1))
            if m.group(2):
                out.append(m.group(2))
            continue
        out.append(part)
    return out


def _parse_responsibilities(inner: str) -> tuple[ParsedResponsibility, ...]:
    """Parse the text inside a responsibility bracket.

    "A牵头,B、C按职责分工负责" → A lead, B/C co.  Without a lead clause every
    named body is "sole" (the plan makes each fully responsible for its part).
    """
    clauses = [c.strip() for c in re.split(r"[,;。]", inner) if c.strip()]
    parsed: list[tuple[str, list[str]]] = []
    for clause in clauses:
        clause = re.sub(r"^(牵头单位|责任单位|配合单位)[::]", "", clause)
        m = _ROLE_SUFFIX.search(clause)
        kind = m.group(1) if m else "负责"
        names = clause[: m.start()] if m else clause
        parsed.append(("lead" if kind == "牵头" else "other", _split_agencies(names)))
    has_lead = any(kind == "lead" for kind, _ in parsed)
    result: list[ParsedResponsibility] = []
    seen: set[tuple[str, str]] = set()
    for kind, names in parsed:
        role = "lead" if kind == "lead" else ("co" if has_lead else "sole")
        for name in names:
            if (name, role) in seen:
                continue
            seen.add((name, role))
            result.append(ParsedResponsibility(name, role, _is_collective(name)))
    return tuple(result)


def _split_responsibility(text: str) -> tuple[str, tuple[ParsedResponsibility, ...]]:
    """Detach a trailing "(…牵头/负责)" bracket from a measure paragraph."""
    m = _RESP_BRACKET.search(text)
    if not m or not re.search(r"牵头|负责", m.group(1)) or len(m.group(1)) > 300:
        return text, ()
    tail = text[m.end(1) + 1 :].strip()  # keeps "。" that followed the bracket
    return text[: m.start()].rstrip() + tail, _parse_responsibilities(m.group(1))


# --------------------------------------------------------------------------- #
# Title / issuer / date
# --------------------------------------------------------------------------- #
_QUOTED_TITLE = re.compile(r"《([^《》]{4,120})》")
_PLAN_WORDS = ("方案", "意见", "计划", "措施", "办法", "细则", "规划")
_ISSUER_LINE = re.compile(
    r"^[\u4e00-\u9fff()、]{2,60}(人民政府|办公室|办公厅|委员会)(\(代章\))?$"
)
_ISSUER_INLINE = re.compile(
    r"([^,。:;《》]{2,80}?(?:人民政府|办公室|办公厅|委员会))印发《"
)
_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_CN_DATE = re.compile(r"^([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日$")
_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}


def _cn_int(s: str) -> int:
    """二十二 → 22, 十 → 10, 四 → 4 (small numbers only)."""
    if "十" in s:
        tens, _, units = s.partition("十")
        return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[units] if units else 0)
    return _CN_DIGIT[s]


def _find_title(preamble: list[str]) -> str | None:
    # A 《…》 title introduced by 印发/现将 or followed by 已经/并/印发给 is the
    # plan itself; other 《…》 in the preamble are cited laws (岳阳: 根据《…》).
    text = "\n".join(preamble)
    for m in _QUOTED_TITLE.finditer(text):
        before = text[max(0, m.start() - 8) : m.start()]
        after = text[m.end() : m.end() + 6]
        introduced = re.search(r"印发|现将|转发", before) or re.match(r"(已经|并|印发给|,现)", after)
        if introduced and any(w in m.group(1) for w in _PLAN_WORDS):
            return m.group(1)
    # Otherwise a standalone heading line (possibly wrapped over two lines).
    for i, line in enumerate(preamble):
        if line.startswith(("图解", "解读", "附件")) or len(line) > 80 or "," in line:
            continue
        if line.endswith(_PLAN_WORDS):
            if i > 0 and len(preamble[i - 1]) < 40 and not preamble[i - 1].endswith(("。", ":", ")")) \
                    and not _DATE.match(preamble[i - 1]) and not _ISSUER_LINE.match(preamble[i - 1]):
                return preamble[i - 1] + line
            return line
    return None


def _find_issuer(preamble: list[str]) -> str | None:
    for line in preamble:
        if _ISSUER_LINE.match(line) and not line.startswith("各"):
            return re.sub(r"\(代章\)$", "", line)
    for line in preamble:
        m = _ISSUER_INLINE.search(line)
        if m:
            return re.sub(r"^(近日|日前|近期)", "", m.group(1)).lstrip(",")
    return None


def _find_date(preamble: list[str]) -> datetime.date | None:
    for line in preamble:
        try:
            if m := _DATE.match(line):
                return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if m := _CN_DATE.match(line):
                year = int("".join(str(_CN_DIGIT[c]) for c in m.group(1)))
                return datetime.date(year, _cn_int(m.group(2)), _cn_int(m.group(3)))
        except ValueError:  # e.g. 2024年2月30日: not a date, keep looking
            continue
    return None


# --------------------------------------------------------------------------- #
# Main entry points
# --------------------------------------------------------------------------- #
def parse_plan(text: str, jurisdiction: str, fallback_title: str | None = None) -> ParsedPlan:
    """Parse the text of an action plan into a :class:`ParsedPlan`.

    *text* may be raw (it is passed through :func:`normalize_plan_text`).
    Measures are lines "N." numbered consecutively from 1; a measure runs until
    the next measure, heading or closing line.  A measure belongs to the
    innermost heading above it ("(一)…" if present, else "二、…"); only headings
    that hold measures become sections.  *fallback_title* is used when the text
    names no title.  Raises :class:`PlanFormatError` if nothing usable is found.
    """
    if not text or not text.strip():
        raise PlanFormatError("方案文本为空")
    lines = [ln.strip() for ln in normalize_plan_text(text).split("\n")]
    lines = [ln for ln in lines if ln]

    preamble: list[str] = []
    seen_top_heading = False
    top: _Container | None = None
    sub: _Container | None = None
    in_excluded_part = False
    drafts: list[_MeasureDraft] = []
    current: _MeasureDraft | None = None

    for line in lines:
        if m := _TOP_HEADING.match(line):
            seen_top_heading = True
            top = _Container(f"{m.group(1)}、", m.group(2).rstrip("。"))
            sub = None
            current = None
            in_excluded_part = bool(_NON_MEASURE_PARTS.match(m.group(2)))
            continue
        if not seen_top_heading:
            preamble.append(line)
        if m := _SUB_HEADING.match(line):
            # "(一)强化组织领导。各地…" in 保障措施 is a heading plus prose; only
            # the part before the first 。 is the title.
            title = m.group(2).split("。", 1)[0]
            sub = _Container(f"({m.group(1)})", title)
            current = None
            continue
        if (m := _MEASURE.match(line)) and not in_excluded_part:
            number = int(m.group(1))
            container = sub or top
            expected = len(drafts) + 1
            restarts = number == 1 and container is not None and not any(
                d.container is container for d in drafts
            )
            if number == expected or (restarts and drafts):
                if container is None:
                    container = top = _Container("", fallback_title or "正文")
                current = _MeasureDraft(expected, container, [m.group(2).strip()])
                drafts.append(current)
                continue
            # Otherwise a numbered sub-item of the current measure: fall through.
        if current is not None:
            if _CLOSING_LINE.match(line):
                current = None
            else:
                current.paragraphs.append(line)

    if not drafts:
        raise PlanFormatError("未找到任何编号措施(应为“1.”“2.”……开头的段落)")

    sections: list[ParsedSection] = []
    measures: list[ParsedMeasure] = []
    for draft in drafts:
        c = draft.container
        if c.section_number is None:
            c.section_number = len(sections) + 1
            sections.append(ParsedSection(c.section_number, c.marker, c.title))
        paragraphs = list(draft.paragraphs)
        # The responsibility bracket closes the measure, i.e. its last paragraph.
        paragraphs[-1], responsibilities = _split_responsibility(paragraphs[-1])
        body = "\n".join(p for p in paragraphs if p)
        title = body.split("。", 1)[0].split("\n", 1)[0].strip()
        measures.append(
            ParsedMeasure(draft.number, c.section_number, title, body, responsibilities)
        )

    title = _find_title(preamble) or fallback_title
    if not title:
        raise PlanFormatError("未找到方案标题,且未提供备用标题")
    return ParsedPlan(
        jurisdiction=jurisdiction,
        title=title,
        issuer=_find_issuer(preamble),
        issued_on=_find_date(preamble),
        sections=tuple(sections),
        measures=tuple(measures),
    )


def parse_plan_bytes(
    data: bytes, jurisdiction: str, fallback_title: str | None = None
) -> ParsedPlan:
    """Decode UTF-8 bytes (BOM optional) and parse them with :func:`parse_plan`.

    Raises :class:`PlanFormatError` with a Chinese message when the bytes are
    empty or not valid UTF-8.
    """
    if not data or not data.strip():
        raise PlanFormatError("方案文件为空")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanFormatError(
            f"方案文件不是有效的 UTF-8 编码文本(第 {exc.start} 字节处无法解码),请另存为 UTF-8 后重新上传"
        ) from exc
    return parse_plan(text, jurisdiction, fallback_title=fallback_title)
