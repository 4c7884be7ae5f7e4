"""Tickets: file (as a business), list, read, timeline, and every handling and dispatch-centre
action — each through the same service the pages call. The ACTIONS table is also what the
OpenAPI document describes, so the contract and the code cannot drift apart."""
from dataclasses import dataclass, field
from datetime import date

import jsonschema
from flask import g, jsonify, request, url_for

from app.api.v1 import bp
from app.api.v1 import serialize as ser
from app.api.v1.auth import check_if_match, etag_of, idempotent, scope
from app.api.v1.problems import problem
from app.domain import workflow
from app.domain.topics import DESCRIPTION_MAX, KINDS, SATISFACTION, TITLE_MAX, TOPICS
from app.services import NotFound, dispatching, handling, listing
from app.services import supervision as sv
from app.services import tickets as core
from app.web.i18n import gettext as _

ID_MAX = 2**31 - 1
TEXT = {"type": "string", "maxLength": 5000}
OPT_TEXT = {"type": ["string", "null"], "maxLength": 5000}
AGENCY_ID = {"type": "integer", "minimum": 1, "maximum": ID_MAX}


@dataclass(frozen=True)
class Action:
    """One handling action: who (business or staff), its body schema, the service it calls."""

    name: str
    summary: str
    who: str  # business | staff | both
    call: object  # (user, ticket, body) -> None
    properties: dict = field(default_factory=dict)
    required: tuple = ()

    @property
    def schema(self) -> dict:
        return {"type": "object", "properties": self.properties, "required": list(self.required),
                "additionalProperties": False}


def _files():
    return request.files.getlist("files")


def _contact(u, t, b):
    handling.record_contact(u, t.id, contacted_on=date.fromisoformat(b["contacted_on"]), way=b["way"],
                            summary=b["summary"])


def _decide_return(u, t, b):
    if b["decision"] == "reject":
        dispatching.reject_return(t, u, b.get("note"), version=t.version)
    else:
        dispatching.dispatch(t, b.get("lead_agency_id") or 0, b.get("co_agency_ids") or [], u, b.get("note"),
                             version=t.version)


ACTIONS = {a.name: a for a in (
    Action("sign", "签收", "staff", lambda u, t, b: handling.sign(u, t.id)),
    Action("contact", "记录联系企业", "staff", _contact,
           {"contacted_on": {"type": "string", "format": "date"},
            "way": {"type": "string", "enum": list(handling.CONTACT_WAYS)}, "summary": TEXT},
           ("contacted_on", "way", "summary")),
    Action("suspend", "挂起（请企业补充信息）", "staff", lambda u, t, b: handling.suspend(u, t.id, b["question"]),
           {"question": TEXT}, ("question",)),
    Action("resume", "恢复办理（企业答复补充问题）", "both",
           lambda u, t, b: handling.resume(u, t.id, b.get("answer") or "", _files()), {"answer": OPT_TEXT}),
    Action("reply", "答复企业", "staff",
           lambda u, t, b: handling.reply(u, t.id, b["answer"], _files(),
                                         override_reason=b.get("override_reason")),
           {"answer": TEXT, "override_reason": OPT_TEXT}, ("answer",)),
    Action("return", "退单", "staff",
           lambda u, t, b: dispatching.return_ticket(t, u, b["category"], b["reason"], b.get("suggested_agency_id"),
                                                     version=t.version),
           {"category": {"type": "string", "enum": list(workflow.RETURN_REASONS)}, "reason": TEXT,
            "suggested_agency_id": {"type": ["integer", "null"], "minimum": 1, "maximum": ID_MAX}},
           ("category", "reason")),
    Action("request-extension", "申请延期", "staff",
           lambda u, t, b: sv.request_extension(u, t.id, b["days"], b["reason"]),
           {"days": {"type": "integer", "minimum": 1, "maximum": 10}, "reason": TEXT}, ("days", "reason")),
    Action("co-sign", "协办签收", "staff", lambda u, t, b: dispatching.sign_co(t, u)),
    Action("opinion", "提交协办意见", "staff", lambda u, t, b: dispatching.submit_opinion(t, u, b["opinion"]),
           {"opinion": TEXT}, ("opinion",)),
    Action("rate", "回访评价", "business",
           lambda u, t, b: handling.rate(u, t.id, resolved=b["resolved"], satisfaction=b["satisfaction"],
                                         comment=b.get("comment")),
           {"resolved": {"type": "boolean"}, "satisfaction": {"type": "string", "enum": list(SATISFACTION)},
            "comment": OPT_TEXT}, ("resolved", "satisfaction")),
    Action("reopen", "申请重办", "business", lambda u, t, b: handling.reopen(u, t.id, b.get("reason")),
           {"reason": OPT_TEXT}),
    Action("add-info", "补充材料", "business", lambda u, t, b: handling.add_info(u, t.id, b.get("text") or "", _files()),
           {"text": TEXT}, ("text",)),
    Action("withdraw", "撤回诉求", "business", lambda u, t, b: handling.withdraw(u, t.id, b.get("reason")),
           {"reason": OPT_TEXT}),
    Action("dispatch", "派单（可含协办单位）", "staff",
           lambda u, t, b: dispatching.dispatch(t, b["lead_agency_id"], b.get("co_agency_ids") or [], u,
                                                b.get("note"), version=t.version),
           {"lead_agency_id": AGENCY_ID, "co_agency_ids": {"type": "array", "items": AGENCY_ID, "maxItems": 10},
            "note": OPT_TEXT}, ("lead_agency_id",)),
    Action("decide-return", "裁决退单（accept 改派他单位 / reject 驳回退单）", "staff", _decide_return,
           {"decision": {"type": "string", "enum": ["accept", "reject"]}, "lead_agency_id": AGENCY_ID,
            "co_agency_ids": {"type": "array", "items": AGENCY_ID, "maxItems": 10}, "note": OPT_TEXT},
           ("decision",)),
)}

FILE_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "required": ["kind", "topic", "title", "description"],
    "properties": {
        "kind": {"type": "string", "enum": list(KINDS)}, "topic": {"type": "string", "enum": list(TOPICS)},
        "title": {"type": "string", "maxLength": TITLE_MAX}, "description": {"type": "string", "maxLength": DESCRIPTION_MAX},
        "district": {"type": ["string", "null"], "maxLength": 100}, "urgent": {"type": "boolean"},
        "public": {"type": "boolean"},
        "contact_phone": {"type": ["string", "null"], "pattern": "^[0-9\\-+ ]{7,20}$"},
    },
}


# The roles with ticket pages; the admin has none (it gets 403 there), so none here either.
TICKET_ROLES = ("enterprise", "clerk", "agency_admin", "dispatcher", "supervisor")


def _visible(ticket_id: int):
    if ticket_id > ID_MAX or g.api_user.role not in TICKET_ROLES:
        return None
    try:
        return core.get_visible(g.api_user, ticket_id)
    except NotFound:
        return None


def _not_found():
    return problem("not-found", _("工单不存在或您无权查看"))


def _body(schema: dict):
    """(body, None) when the JSON (or form) body matches `schema`; (None, problem) otherwise."""
    if request.is_json:
        body = request.get_json(silent=True)
        if body is None:
            return None, problem("bad-request", _("请求体不是有效的 JSON。"))
    elif request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        body = {k: v for k, v in request.form.items()}
        for k in ("urgent", "public", "resolved"):
            if k in body:
                body[k] = body[k].lower() in ("1", "true", "yes", "on")
    elif not request.get_data():
        body = {}
    else:
        return None, problem("unsupported-media-type", _("请以 application/json 或 multipart/form-data 提交。"))
    try:
        jsonschema.validate(body, schema, format_checker=jsonschema.FormatChecker())
    except jsonschema.ValidationError as exc:
        where = ".".join(str(p) for p in exc.absolute_path) or "body"
        return None, problem("invalid", _("字段 %(f)s 不符合要求：%(m)s", f=where, m=exc.message), field=where)
    if any("\x00" in v for v in body.values() if isinstance(v, str)):
        return None, problem("invalid", _("内容中不能包含空字符。"))
    return body, None


def ticket_response(t, status: int = 200):
    resp = jsonify(ser.ticket(t, g.api_user))
    resp.status_code = status
    resp.headers["ETag"] = etag_of(t)
    if status == 201:
        resp.headers["Location"] = url_for("api.v1.get_ticket", ticket_id=t.id)
    return resp


@bp.post("/tickets")
@scope("tickets:write")
@idempotent
def file_ticket():
    """A business files an appeal (JSON, or multipart/form-data with `files`)."""
    body, error = _body(FILE_SCHEMA)
    if error:
        return error
    t = core.file_ticket(g.api_user, kind=body["kind"], topic=body["topic"], title=body["title"],
                         description=body["description"], district=body.get("district"),
                         urgent=body.get("urgent", False), public=body.get("public", False),
                         contact_phone=body.get("contact_phone"), files=request.files.getlist("files"))
    return ticket_response(t, 201)


@bp.get("/tickets")
@scope("tickets:read")
def list_tickets():
    """The tickets the caller may see, newest first; `next` is the URL of the next page."""
    args = request.args
    before = args.get("before", type=int)
    limit = args.get("limit", 20, type=int)
    if (before is not None and not 1 <= before <= ID_MAX) or not 1 <= limit <= listing.PAGE_MAX:
        return problem("invalid", _("before 应为正整数，limit 应为1到100。"))
    for name, allowed in (("state", workflow.STATES), ("kind", KINDS), ("topic", TOPICS)):
        if args.get(name) and args[name] not in allowed:
            return problem("invalid", _("参数 %(n)s 的取值无效。", n=name), field=name)
    rows, next_before = listing.visible_tickets(g.api_user, state=args.get("state"), kind=args.get("kind"),
                                                topic=args.get("topic"), before_id=before, size=limit)
    keep = {k: v for k, v in args.items() if k in ("state", "kind", "topic", "limit")}
    nxt = url_for("api.v1.list_tickets", before=next_before, **keep) if next_before else None
    return jsonify(items=[ser.ticket_summary(t) for t in rows], next=nxt)


@bp.get("/tickets/<int:ticket_id>")
@scope("tickets:read")
def get_ticket(ticket_id: int):
    """One ticket, with its ETag (the version to send back in If-Match)."""
    t = _visible(ticket_id)
    if t is None:
        return _not_found()
    if request.headers.get("If-None-Match") == etag_of(t):
        resp = jsonify()
        resp.status_code = 304
        resp.headers["ETag"] = etag_of(t)
        return resp
    return ticket_response(t)


@bp.get("/tickets/<int:ticket_id>/events")
@scope("tickets:read")
def ticket_events(ticket_id: int):
    """The timeline as the caller may see it."""
    t = _visible(ticket_id)
    if t is None:
        return _not_found()
    return jsonify(items=[ser.event(e) for e in core.visible_events(g.api_user, t)])


@bp.post("/tickets/<int:ticket_id>/<action>")
@idempotent
def act(ticket_id: int, action: str):
    """Run one handling or dispatch action; answers the ticket after it (with its new ETag)."""
    spec = ACTIONS.get(action)
    if spec is None:
        return problem("not-found", _("没有这个操作：%(a)s", a=action))
    needed = "tickets:write" if g.api_user.role == "enterprise" else "desk:act"
    if needed not in (g.api_token.scopes or []):
        return problem("scope", _("该令牌没有“%(s)s”权限。", s=needed), required_scope=needed)
    t = _visible(ticket_id)
    if t is None:
        return _not_found()
    stale = check_if_match(t)
    if stale is not None:
        return stale
    body, error = _body(spec.schema)
    if error:
        return error
    spec.call(g.api_user, t, body)
    return ticket_response(core.get_visible(g.api_user, ticket_id))
