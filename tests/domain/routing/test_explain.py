"""The router's explanations are sentences of fixed patterns (app.domain.routing.explain) that the web
layer reads back to show them in the reader's language: every part the real router writes must read
back as one of its patterns, with the parameters it was written with."""
import json
from pathlib import Path

from app.domain.routing import explain

HERE = Path(__file__).parent


def _cases():
    for name in ("cases.jsonl", "business_cases.jsonl"):
        for line in (HERE / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield json.loads(line)


def test_every_part_the_router_writes_reads_back(router):
    seen = set()
    for case in _cases():
        d = router.route(case["jurisdiction"], case.get("title", ""), case["text"], "tax")
        texts = [d.explanation] + [r for c in d.candidates for r in c.reasons]
        for text in texts:
            parts = explain.read(text)
            leftover = [p for p in parts if isinstance(p, str)]
            assert leftover == [], (case["id"], text)
            seen |= {p[0] for p in parts}
    # the cases exercise the common patterns, not only one
    assert {explain.REMIT, explain.TOPIC, explain.BELOW, explain.MEASURE["lead"]} <= seen, seen


def test_a_part_reads_back_into_its_pattern_and_parameters():
    # written by hand, as docs/routing.md gives them
    text = ("职责清单「工伤认定与工伤保险」：工伤认定、工伤 → 市人力资源社会保障局；"
            "方案第1条「实行企业开办精准服务」：共同词 企业开办、精准（市市场监管局负责（据职责推断））；"
            "来信点名「税务局」")
    assert explain.read(text) == [
        (explain.REMIT, {"matter": "工伤认定与工伤保险", "terms": ["工伤认定", "工伤"], "agency": "市人力资源社会保障局"}),
        (explain.MEASURE["inferred"], {"n": "1", "title": "实行企业开办精准服务", "words": ["企业开办", "精准"],
                                       "agency": "市市场监管局"}),
        (explain.NAMED, {"name": "税务局"}),
    ]
    assert explain.read("派单员备注：请加急") == ["派单员备注：请加急"]  # not the router's: as it is


def test_say_writes_what_docs_routing_md_shows():
    assert (explain.say(explain.BELOW, confidence="0.61", threshold="0.95", suggested=["A", "B", "C"])
            == "置信度 0.61 低于自动派单线 0.95，转派单中心人工派单，建议：A、B、C")
    assert explain.say(explain.LEARNED, n=3) == "依据派单纠错样例 3 条"
