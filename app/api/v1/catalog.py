"""The catalog (cities, plans, measures, agencies, topics), the routing preview an operator's
screen needs, and the supervision office's month scorecards and overdue list."""
import re
from datetime import datetime

from flask import g, jsonify, request, url_for

from app.api.v1 import bp
from app.api.v1.auth import scope
from app.api.v1.problems import problem
from app.api.v1.serialize import agency
from app.api.v1.tickets import _body
from app.domain.routing.models import RoutingInputError
from app.domain.topics import DESCRIPTION_MAX, KINDS, TITLE_MAX, TOPICS
from app.services import ServiceError, dispatching, evaluation, listing, routing
from app.services import supervision as sv
from app.services.webhooks import iso
from app.web.i18n import gettext as _
from app.web.labels import routing_in_language

CODE = re.compile(r"^[a-z]{1,20}$")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _city(code: str | None):
    if not code or not CODE.match(code):
        return None
    return next((c for c in listing.cities() if c.code == code), None)


@bp.get("/catalog/cities")
def cities():
    """Every city the desk serves."""
    return jsonify(items=[{"code": c.code, "name": c.name, "name_en": c.name_en, "prefix": c.prefix}
                          for c in listing.cities()])


@bp.get("/catalog/topics")
def topics():
    """The appeal kinds (诉求类型) and topics (诉求主题) a business picks from."""
    return jsonify(kinds=[{"code": k, "name": v} for k, v in KINDS.items()],
                   topics=[{"code": k, "name": v} for k, v in TOPICS.items()])


@bp.get("/catalog/cities/<code>/agencies")
def agencies(code: str):
    """The agencies of a city that handle tickets (optionally `q` in the name or an alias)."""
    city = _city(code)
    if city is None:
        return problem("not-found", _("城市不存在"))
    q = (request.args.get("q") or "")[:50]
    return jsonify(items=[agency(a) for a in dispatching.agencies_of(city.code, q)])


@bp.get("/catalog/cities/<code>/plan")
def plan(code: str):
    """The city's action plan (营商环境方案)."""
    city = _city(code)
    p = listing.plan_of(city.code) if city else None
    if p is None:
        return problem("not-found", _("该城市没有已导入的方案"))
    return jsonify(jurisdiction=city.code, title=p.title, issuer=p.issuer,
                   issued_on=p.issued_on.isoformat() if p.issued_on else None, imported_at=iso(p.imported_at),
                   measures=url_for("api.v1.measures", code=city.code))


@bp.get("/catalog/cities/<code>/measures")
def measures(code: str):
    """The plan's measures with their responsible agencies, in number order (keyset: `after`)."""
    city = _city(code)
    if city is None:
        return problem("not-found", _("城市不存在"))
    after = request.args.get("after", type=int)
    limit = request.args.get("limit", 50, type=int)
    if (after is not None and not 0 <= after <= 10**6) or not 1 <= limit <= 200:
        return problem("invalid", _("after 应为非负整数，limit 应为1到200。"))
    rows, nxt = listing.measures(city.code, after, limit)
    items = [{"number": m.number, "title": m.title, "body": m.body,
              "responsibilities": [{"agency": r.agency.name, "role": r.role, "source": r.source}
                                   for r in m.responsibilities]} for m in rows]
    return jsonify(items=items, next=url_for("api.v1.measures", code=city.code, after=nxt, limit=limit)
                   if nxt is not None else None)


ROUTING_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["description"],
    "properties": {"jurisdiction": {"type": "string", "pattern": "^[a-z]{1,20}$"},
                   "title": {"type": "string", "maxLength": TITLE_MAX},
                   "description": {"type": "string", "minLength": 1, "maxLength": DESCRIPTION_MAX},
                   "topic": {"type": ["string", "null"], "enum": [*TOPICS, None]}},
}


@bp.post("/routing/preview")
@scope("desk:act")
def routing_preview():
    """Text in, the router's candidates with their reasons out; nothing is filed or stored."""
    body, error = _body(ROUTING_SCHEMA)
    if error:
        return error
    code = body.get("jurisdiction") or g.api_user.scope_jurisdiction
    if _city(code) is None:
        return problem("invalid", _("请指定有效的城市代码（jurisdiction）。"), field="jurisdiction")
    try:
        decision = routing.decide(code, body.get("title") or "", body["description"], body.get("topic"))
    except RoutingInputError as exc:
        return problem("invalid", str(exc))
    return jsonify(dict(routing_in_language(routing.decision_summary(decision)), jurisdiction=code))


def _supervisor():
    if g.api_user.role != "supervisor":
        return problem("forbidden", _("只有督查人员可以查看考评与督查数据。"))
    return None


@bp.get("/supervision/scorecards")
@scope("evaluation:read")
def scorecards():
    """The month's agency ranking of the supervisor's city (`month=YYYY-MM`, default this month)."""
    refused = _supervisor()
    if refused:
        return refused
    month = request.args.get("month") or evaluation.current_month()
    if not MONTH.match(month) or not 2000 <= int(month[:4]) <= 2100:
        return problem("invalid", _("month 应为 YYYY-MM 格式的月份。"), field="month")
    try:
        rows = evaluation.report(g.api_user.jurisdiction, month)
    except ServiceError as exc:
        return problem("invalid", str(exc))
    return jsonify(jurisdiction=g.api_user.jurisdiction, month=month, items=rows)


@bp.get("/supervision/overdue")
@scope("evaluation:read")
def overdue():
    """Overdue or escalated assignments of the supervisor's city, by resolve deadline."""
    refused = _supervisor()
    if refused:
        return refused
    items = sv.board(g.api_user, limit=200)
    now = datetime.now().astimezone()
    return jsonify(as_of=iso(now), items=[{
        "ticket": {"id": i.ticket.id, "number": i.ticket.number, "title": i.ticket.title, "state": i.ticket.state},
        "agency": agency(i.agency), "role": i.assignment.role, "escalation_level": i.level,
        "overdue": i.overdue, "overdue_working_days": i.overdue_days,
        "resolve_due_at": iso(i.assignment.resolve_due_at), "sign_due_at": iso(i.assignment.sign_due_at),
    } for i in items])
