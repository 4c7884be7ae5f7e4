"""Route JSON lines: {"id","jurisdiction","title","text"[, "topic"]} in, one JSON line out each."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from .models import Decision, RoutingInputError


def decision_to_dict(item_id, d: Decision) -> dict:
    m = d.measure
    return {
        "id": item_id,
        "agency": d.agency,
        "co_agencies": list(d.co_agencies),
        "measure": ({"plan": m.plan_title, "number": m.number, "title": m.title} if m is not None else None),
        "confidence": d.confidence,
        "to_dispatch": d.to_dispatch,
        "candidates": [{"agency": c.agency, "score": c.score} for c in d.candidates],
        "explanation": d.explanation,
    }


def _error(item_id, message: str) -> str:
    return json.dumps({"id": item_id, "error": message}, ensure_ascii=False)


def route_lines(lines: Iterable[str], router) -> Iterator[str]:
    """One output line per non-blank input line; a bad line yields {"id", "error"} and the rest go on."""
    for line in lines:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            yield _error(None, "该行不是合法的 JSON")
            continue
        if not isinstance(item, dict):
            yield _error(None, "该行应为 JSON 对象")
            continue
        item_id = item.get("id")
        if isinstance(item_id, (dict, list)):
            item_id = None
        missing = [k for k in ("jurisdiction", "text") if not isinstance(item.get(k), str)]
        if missing:
            yield _error(item_id, f"缺少字段或类型错误:{'、'.join(missing)}")
            continue
        title = item.get("title") or ""
        topic = item.get("topic") if isinstance(item.get("topic"), str) else None
        if not isinstance(title, str):
            yield _error(item_id, "title 字段应为字符串")
            continue
        if not item["text"].strip():
            yield _error(item_id, "诉求内容为空")
            continue
        try:
            d = router.route(item["jurisdiction"], title, item["text"], topic)
        except RoutingInputError as exc:
            yield _error(item_id, str(exc))
            continue
        except Exception:  # noqa: BLE001 — never let one line stop the batch
            yield _error(item_id, "该诉求无法自动派单,请人工处理")
            continue
        yield json.dumps(decision_to_dict(item_id, d), ensure_ascii=False)
