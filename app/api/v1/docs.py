"""The OpenAPI 3.1 document of v1 (built from the same tables the views use) and its offline viewer."""
from flask import jsonify, render_template

from app.api.v1 import bp
from app.api.v1.catalog import ROUTING_SCHEMA
from app.api.v1.problems import MEDIA_TYPE, TYPE_BASE, TYPES
from app.api.v1.tickets import ACTIONS, FILE_SCHEMA, ID_MAX
from app.domain import workflow
from app.domain.topics import KINDS, TOPICS
from app.services.api_tokens import SCOPES

TIME = {"type": ["string", "null"], "format": "date-time"}
NULLABLE_STR = {"type": ["string", "null"]}
AGENCY = {"type": ["object", "null"], "required": ["id", "name"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "jurisdiction": {"type": "string"},
    "kind": {"type": "string"}}}
TICKET_SUMMARY = {
    "type": "object",
    "required": ["id", "number", "state", "kind", "topic", "title", "created_at", "version", "self"],
    "properties": {
        "id": {"type": "integer"}, "number": {"type": "string"}, "jurisdiction": {"type": "string"},
        "state": {"type": "string", "enum": list(workflow.STATES)}, "state_label": {"type": "string"},
        "kind": {"type": "string", "enum": list(KINDS)}, "topic": {"type": "string", "enum": list(TOPICS)},
        "title": {"type": "string"}, "urgent": {"type": "boolean"}, "lead_agency": AGENCY,
        "created_at": {"type": "string", "format": "date-time"}, "updated_at": TIME,
        "version": {"type": "integer"}, "self": {"type": "string"},
    },
}
TICKET = {"allOf": [{"$ref": "#/components/schemas/TicketSummary"}, {"type": "object", "properties": {
    "description": {"type": "string"}, "district": NULLABLE_STR, "public": {"type": "boolean"},
    "enterprise": {"type": "object", "properties": {"name": {"type": "string"}, "uscc": {"type": "string"}}},
    "contact_name": NULLABLE_STR, "contact_phone": NULLABLE_STR, "reply": NULLABLE_STR,
    "replied_at": TIME, "closed_at": TIME, "resolve_due_at": TIME,
    "assignments": {"type": "array", "items": {"type": "object"}},
    "ratings": {"type": "array", "items": {"type": "object"}},
    "routing": {"type": ["object", "null"]},
}}]}
EVENT = {"type": "object", "required": ["id", "action", "created_at"], "properties": {
    "id": {"type": "integer"}, "action": {"type": "string"}, "from_state": NULLABLE_STR, "to_state": NULLABLE_STR,
    "actor_role": {"type": "string"}, "agency": AGENCY, "note": NULLABLE_STR, "internal": {"type": "boolean"},
    "created_at": {"type": "string", "format": "date-time"}}}
PROBLEM = {"type": "object", "required": ["type", "title", "status"], "properties": {
    "type": {"type": "string", "enum": [TYPE_BASE + c for c in TYPES]}, "title": {"type": "string"},
    "status": {"type": "integer"}, "detail": {"type": "string"}, "instance": {"type": "string"}}}


def _problems(*codes) -> dict:
    out = {}
    for code in codes:
        status = str(TYPES[code][0])
        out[status] = {"description": TYPES[code][1],
                       "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    return out


def _limited() -> dict:
    """The 429 of a per-token limit (app.web.throttle): a problem with Retry-After."""
    out = _problems("rate-limited")
    out["429"]["headers"] = {"Retry-After": {"description": "多少秒后可以再试", "schema": {"type": "integer"}}}
    return out


def _json(schema: dict, description: str = "成功", headers: dict | None = None) -> dict:
    out = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        out["headers"] = headers
    return out


def _list_of(ref: str) -> dict:
    return {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}},
        "next": NULLABLE_STR}}


ETAG = {"ETag": {"description": "工单版本，修改时放在 If-Match 中", "schema": {"type": "string"}}}
TICKET_ID = {"name": "ticket_id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 1, "maximum": ID_MAX}}
CITY = {"name": "code", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[a-z]{1,20}$"}}
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "description": "重试同一请求时使用同一个键，保证只执行一次", "schema": {"type": "string", "maxLength": 100}}
IF_MATCH = {"name": "If-Match", "in": "header", "required": False,
            "description": "上次读取时的 ETag；版本已变时返回 412", "schema": {"type": "string"}}
AUTH = [{"bearer": []}]
OBJ = {"type": "object"}


def _op(summary: str, responses: dict, *, params=(), body=None, security=True, scope=None) -> dict:
    op = {"summary": summary, "responses": responses, "parameters": list(params)}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if security:
        op["security"] = AUTH
        responses.update(_problems("unauthorized"))
    if scope:
        op["x-required-scope"] = scope
        responses.update(_problems("scope"))
    return op


def document() -> dict:
    """The OpenAPI 3.1 document."""
    paths = {
        "/tickets": {
            "get": _op("我可见的工单列表（最新在前，键集分页）", {"200": _json(_list_of("TicketSummary")),
                                                   **_problems("invalid")}, scope="tickets:read", params=[
                {"name": "state", "in": "query", "schema": {"type": "string", "enum": list(workflow.STATES)}},
                {"name": "kind", "in": "query", "schema": {"type": "string", "enum": list(KINDS)}},
                {"name": "topic", "in": "query", "schema": {"type": "string", "enum": list(TOPICS)}},
                {"name": "before", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": ID_MAX}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}]),
            "post": _op("企业提交诉求（JSON，或 multipart/form-data 附带 files）",
                        {"201": _json({"$ref": "#/components/schemas/Ticket"}, "已提交", ETAG),
                         **_problems("invalid", "forbidden", "bad-request", "unsupported-media-type",
                                     "idempotency-mismatch", "idempotency-busy"), **_limited()},
                        params=[IDEMPOTENCY], body=FILE_SCHEMA, scope="tickets:write"),
        },
        "/tickets/{ticket_id}": {"get": _op(
            "工单详情", {"200": _json({"$ref": "#/components/schemas/Ticket"}, headers=ETAG),
                     "304": {"description": "未变化（If-None-Match）"}, **_problems("not-found")},
            params=[TICKET_ID], scope="tickets:read")},
        "/tickets/{ticket_id}/events": {"get": _op(
            "工单办理过程（调用者可见的事件）", {"200": _json(_list_of("Event")), **_problems("not-found")},
            params=[TICKET_ID], scope="tickets:read")},
        "/catalog/cities": {"get": _op("城市列表", {"200": _json({"type": "object"})})},
        "/catalog/topics": {"get": _op("诉求类型与主题", {"200": _json({"type": "object"})})},
        "/catalog/cities/{code}/agencies": {"get": _op(
            "城市的承办单位", {"200": _json({"type": "object"}), **_problems("not-found")},
            params=[CITY, {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 50}}])},
        "/catalog/cities/{code}/plan": {"get": _op(
            "城市的营商环境方案", {"200": _json(OBJ), **_problems("not-found")}, params=[CITY])},
        "/catalog/cities/{code}/measures": {"get": _op(
            "方案措施及责任单位（按编号，键集分页）", {"200": _json(OBJ), **_problems("not-found", "invalid")},
            params=[CITY, {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0,
                                                                      "maximum": 10**6}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}}])},
        "/routing/preview": {"post": _op(
            "派单预览：输入诉求文本，返回候选单位及理由（不建单）",
            {"200": _json({"type": "object", "required": ["candidates", "explanation"], "properties": {
                "agency": NULLABLE_STR, "co_agencies": {"type": "array", "items": {"type": "string"}},
                "confidence": {"type": "number"}, "to_dispatch": {"type": "boolean"},
                "explanation": NULLABLE_STR, "candidates": {"type": "array", "items": {"type": "object"}}}}),
             **_problems("invalid", "bad-request", "unsupported-media-type")},
            body=ROUTING_SCHEMA, scope="desk:act")},
        "/supervision/scorecards": {"get": _op(
            "月度考评排名（督查人员）", {"200": _json(OBJ), **_problems("invalid", "forbidden")},
            params=[{"name": "month", "in": "query", "schema": {"type": "string", "pattern": "^\\d{4}-\\d{2}$"}}],
            scope="evaluation:read")},
        "/supervision/overdue": {"get": _op(
            "超期与督办清单（督查人员）", {"200": _json(OBJ), **_problems("forbidden")}, scope="evaluation:read")},
    }
    for action in ACTIONS.values():
        paths[f"/tickets/{{ticket_id}}/{action.name}"] = {"post": _op(
            action.summary + ("（企业）" if action.who == "business" else "（工作人员）" if action.who == "staff" else ""),
            {"200": _json({"$ref": "#/components/schemas/Ticket"}, "已执行，返回最新工单", ETAG),
             **_problems("not-found", "invalid", "refused", "forbidden", "conflict", "precondition-failed",
                         "bad-request", "unsupported-media-type", "idempotency-mismatch", "idempotency-busy"),
             **_limited()},
            params=[TICKET_ID, IF_MATCH, IDEMPOTENCY], body=action.schema,
            scope="tickets:write" if action.who == "business" else "desk:act")}
    return {
        "openapi": "3.1.0",
        "info": {"title": "企业诉求直通车 API", "version": "1.0.0",
                 "description": "个人 API 令牌（Bearer）；权限与页面一致；错误为 application/problem+json；"
                                "时间为带时区偏移的 ISO 8601；默认中文，请求头 Accept-Language: en 时错误信息、"
                                "状态名称和派单依据为英文（Vary: Accept-Language）。令牌范围：" + "、".join(SCOPES)},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"TicketSummary": TICKET_SUMMARY, "Ticket": TICKET, "Event": EVENT, "Problem": PROBLEM},
        },
        "paths": paths,
    }


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(document())


@bp.get("/docs")
def docs():
    """The document in the vendored Swagger UI (works offline)."""
    return render_template("api/docs.html")
