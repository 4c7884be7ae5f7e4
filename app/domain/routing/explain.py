"""The router's reasons and explanations: Chinese sentences of fixed patterns, each a message of the
catalogue, stored as text (a ticket's routing summary, the note of its 派单 event). `read` takes such
a text apart again into its patterns and parameters, so that the web layer shows it in the reader's
language; names, titles and terms stay as written."""
import re

from app.domain import N_

REMIT = N_("职责清单「%(matter)s」：%(terms)s → %(agency)s")
#: A cited measure, by the role the plan gives the agency (or one inferred from its remit).
MEASURE = {
    "lead": N_("方案第%(n)s条「%(title)s」：共同词 %(words)s（%(agency)s牵头）"),
    "sole": N_("方案第%(n)s条「%(title)s」：共同词 %(words)s（%(agency)s负责）"),
    "co": N_("方案第%(n)s条「%(title)s」：共同词 %(words)s（%(agency)s配合）"),
    "inferred": N_("方案第%(n)s条「%(title)s」：共同词 %(words)s（%(agency)s负责（据职责推断））"),
}
NAMED = N_("来信点名「%(name)s」")
LEARNED = N_("依据派单纠错样例 %(n)s 条")
TOPIC = N_("企业所选诉求类别")
HANDLES = N_("由%(agency)s办理")
BELOW = N_("置信度 %(confidence)s 低于自动派单线 %(threshold)s，转派单中心人工派单，建议：%(suggested)s")
UNPLACED = N_("未识别出诉求涉及的职责事项，转派单中心人工派单")

PATTERNS = (REMIT, *MEASURE.values(), NAMED, LEARNED, TOPIC, HANDLES, BELOW, UNPLACED)
SEPARATOR = "；"   # between the parts of an explanation
LIST = "、"        # between the items of a list parameter
LISTS = frozenset({"terms", "words", "suggested"})


def say(pattern: str, **params) -> str:
    """One part in Chinese: `pattern` filled, a list parameter joined with 、."""
    return pattern % {k: LIST.join(v) if k in LISTS else v for k, v in params.items()}


def _regex(pattern: str) -> re.Pattern:
    pieces = re.split(r"%\((\w+)\)s", pattern)  # literal, name, literal, name, …, literal
    body = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(pieces))
    return re.compile(f"^{body}$")


_READERS = tuple((p, _regex(p)) for p in PATTERNS)


def read(text: str) -> list[tuple[str, dict] | str]:
    """The parts of an explanation (or one reason): (pattern, parameters) for each part the router
    writes, the part's own text for any other (a note of an older version stays as it was)."""
    out = []
    for part in text.split(SEPARATOR):
        for pattern, regex in _READERS:
            m = regex.match(part)
            if m:
                out.append((pattern, {k: v.split(LIST) if k in LISTS else v for k, v in m.groupdict().items()}))
                break
        else:
            out.append(part)
    return out
