"""Open311 GeoReport v2 over the desk: services are the topics of a city, a service request is a
ticket filed by a client system for a business (found by its USCC, or recorded unverified when it
has no account yet), routed like any other. A client key sees only the requests it filed.

The rules below follow the frozen spec (wiki.open311.org/GeoReport_v2) and FixMyStreet's
servicerequestupdates extension; docs/api.md has the mapping tables.
"""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, select

from app.domain import Message, audience, workflow
from app.domain.topics import KINDS, TITLE_MAX, TOPICS
from app.domain.uscc import is_valid_uscc, normalize_uscc
from app.extensions import db
from app.models import Enterprise, Open311Key, Open311Request, Ticket, TicketEvent, utcnow
from app.services import N_, commit, notifications, transaction
from app.services import tickets as core

SPEC = "http://wiki.open311.org/GeoReport_v2"
DESCRIPTION_MAX = 4000
WINDOW = timedelta(days=90)
LIMIT = 1000
UNVERIFIED_NAME = N_("未注册企业")

#: Our states → the spec's two statuses.
STATUS = {s: ("closed" if s in workflow.TERMINAL_STATES else "open") for s in workflow.STATES}
#: Our states → FixMyStreet's extended statuses (servicerequestupdates).
EXTENDED_STATUS = {
    "submitted": "open", "to_dispatch": "open", "dispatched": "action_scheduled", "in_progress": "in_progress",
    "suspended": "investigating", "to_supervision": "internal_referral", "replied": "fixed", "closed": "closed",
    "withdrawn": "closed", "merged": "duplicate", "rejected": "not_councils_responsibility",
}


class Open311Error(Exception):
    """An error the spec answers as errors/error{code, description}."""

    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code = code
        self.description = description


def iso(at: datetime | None) -> str | None:
    """W3C datetime with offset (Asia/Shanghai)."""
    return at.astimezone(core.SHANGHAI).isoformat(timespec="seconds") if at is not None else None


def parse_datetime(value: str, name: str) -> datetime:
    """A W3C datetime with a zone (…Z or …+08:00); 400 otherwise."""
    try:
        at = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        at = None
    if at is None or at.tzinfo is None or not 2000 <= at.year <= 2100:
        raise Open311Error(400, f"{name} 应为带时区的 W3C 日期时间，例如 2026-01-01T00:00:00+08:00")
    return at


# --- keys ---------------------------------------------------------------------------------------

def require_key(raw: str | None, jurisdiction_id: str | None) -> Open311Key:
    """The live key, whose city matches `jurisdiction_id` when one is given; 403 otherwise."""
    from app.services import api_tokens

    key = api_tokens.key_for(raw)
    if key is None:
        raise Open311Error(403, "api_key 缺失、无效或已撤销")
    if jurisdiction_id and jurisdiction_id != key.jurisdiction:
        raise Open311Error(403, "该 api_key 不属于 jurisdiction_id 指定的城市")
    api_tokens.touch(key)
    return key


def jurisdiction(jurisdiction_id: str | None) -> str:
    """The city of a services/definition call; 400 when missing or unknown."""
    from app.models import Jurisdiction

    if not jurisdiction_id or len(jurisdiction_id) > 20 or db.session.get(Jurisdiction, jurisdiction_id) is None:
        raise Open311Error(400, "请提供有效的 jurisdiction_id（城市代码）")
    return jurisdiction_id


# --- services -----------------------------------------------------------------------------------

def services(jurisdiction_id: str) -> list[dict]:
    """GET services: one service per topic of the city."""
    jurisdiction(jurisdiction_id)
    return [{"service_code": code, "service_name": name, "description": f"企业诉求：{name}", "metadata": True,
             "type": "realtime", "keywords": "企业诉求,营商环境", "group": "企业诉求"} for code, name in TOPICS.items()]


def definition(jurisdiction_id: str, code: str) -> dict:
    """GET services/{code}: the attributes of a service (the same for every topic)."""
    jurisdiction(jurisdiction_id)
    if code not in TOPICS:
        raise Open311Error(404, f"服务 {code} 不存在")
    return {"service_code": code, "attributes": [
        {"variable": True, "code": "uscc", "datatype": "string", "required": True,
         "datatype_description": "18位统一社会信用代码", "order": 1, "description": "企业的统一社会信用代码"},
        {"variable": True, "code": "company_name", "datatype": "string", "required": False,
         "datatype_description": "", "order": 2, "description": "企业名称（企业尚未注册时必填）"},
        {"variable": True, "code": "kind", "datatype": "singlevaluelist", "required": False,
         "datatype_description": "", "order": 3, "description": "诉求类型（默认投诉）",
         "values": [{"key": k, "name": v} for k, v in KINDS.items()]},
        {"variable": True, "code": "urgent", "datatype": "singlevaluelist", "required": False,
         "datatype_description": "", "order": 4, "description": "是否紧急",
         "values": [{"key": "false", "name": "否"}, {"key": "true", "name": "是"}]},
    ]}


# --- POST requests ------------------------------------------------------------------------------

@dataclass
class NewRequest:
    """The parsed form of a POST requests call."""

    service_code: str
    description: str
    attributes: dict
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    address_id: str | None = None
    email: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    media_url: str | None = None


def _clip(value: str | None, n: int) -> str | None:
    value = (value or "").strip()
    if "\x00" in value:
        raise Open311Error(400, "参数中不能包含空字符")
    return value[:n] or None


def parse_request(form) -> NewRequest:
    """Check a POST requests form as the spec says; 400 with the reason otherwise."""
    code = form.get("service_code") or ""
    if code not in TOPICS:
        raise Open311Error(400 if not code else 404, "service_code 缺失或不存在" if not code else f"服务 {code} 不存在")
    description = (form.get("description") or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(400, f"description 不能超过 {DESCRIPTION_MAX} 个字符")
    lat, long = form.get("lat"), form.get("long")
    req = NewRequest(service_code=code, description=_clip(description, DESCRIPTION_MAX) or "",
                     attributes={k[10:-1]: v for k, v in form.items() if k.startswith("attribute[") and k.endswith("]")})
    if lat or long:
        try:
            req.lat, req.long = float(lat), float(long)
        except (TypeError, ValueError):
            raise Open311Error(400, "lat 与 long 应同时提供且为数字") from None
        if not (-90 <= req.lat <= 90 and -180 <= req.long <= 180):
            raise Open311Error(400, "lat/long 超出 WGS84 坐标范围")
    req.address_string = _clip(form.get("address_string"), 300)
    req.address_id = _clip(form.get("address_id"), 100)
    if req.lat is None and not req.address_string and not req.address_id:
        raise Open311Error(400, "请提供位置：lat 与 long、address_string 或 address_id")
    for name, n in (("email", 200), ("device_id", 100), ("account_id", 100), ("first_name", 50),
                    ("last_name", 50), ("phone", 20), ("media_url", 500)):
        setattr(req, name, _clip(form.get(name), n))
    return req


def _title(description: str) -> str:
    # FixMyStreet sends "title: …\n\ndetail: …"; others a plain text whose first line serves.
    for line in description.splitlines():
        line = line.strip()
        if line.lower().startswith("title:"):
            line = line[6:].strip()
        if line:
            return line[:TITLE_MAX]
    return ""


def _enterprise(key: Open311Key, req: NewRequest) -> Enterprise:
    raw = req.attributes.get("uscc") or ""
    uscc = normalize_uscc(raw) if raw else ""
    if not uscc or not is_valid_uscc(uscc):
        raise Open311Error(400, "attribute[uscc] 缺失或不是有效的统一社会信用代码（校验位不符）")
    found = db.session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    if found is not None:
        if found.jurisdiction != key.jurisdiction:
            raise Open311Error(400, "该企业不属于此 api_key 所在的城市")
        return found
    name = _clip(req.attributes.get("company_name"), 200)
    if not name:
        raise Open311Error(400, "该企业尚未注册，请在 attribute[company_name] 中提供企业名称")
    contact = " ".join(p for p in (req.first_name, req.last_name) if p) or None
    # No account yet: the row is recorded unverified (Enterprise.verified_at stays empty).
    enterprise = Enterprise(uscc=uscc, name=name, jurisdiction=key.jurisdiction, contact_name=contact,
                            phone=req.phone, address=req.address_string)
    db.session.add(enterprise)
    db.session.flush()
    return enterprise


@transaction
def file_request(key: Open311Key, req: NewRequest) -> tuple[Ticket, Open311Request]:
    """POST requests: file the appeal for the business, routed like any other; one transaction."""
    from app.services import ServiceError
    from app.web.i18n import translate_error

    kind = req.attributes.get("kind") or "complaint"
    if kind not in KINDS:
        raise Open311Error(400, "attribute[kind] 应为 " + "、".join(KINDS))
    urgent = (req.attributes.get("urgent") or "false").lower()
    if urgent not in ("true", "false"):
        raise Open311Error(400, "attribute[urgent] 应为 true 或 false")
    enterprise = _enterprise(key, req)
    link = Open311Request(key_id=key.id, token=secrets.token_hex(16), lat=req.lat, long=req.long,
                          address_string=req.address_string, address_id=req.address_id, email=req.email,
                          device_id=req.device_id, account_id=req.account_id, media_url=req.media_url)

    def also(ticket):
        link.ticket = ticket
        db.session.add(link)

    contact = " ".join(p for p in (req.first_name, req.last_name) if p) or None
    try:
        ticket = core.file_for(enterprise, None, kind=kind, topic=req.service_code, title=_title(req.description),
                               description=req.description, district=None, urgent=urgent == "true",
                               contact_name=contact, contact_phone=req.phone,
                               channel={"via": "open311", "client": key.name, "key_id": key.id}, also=also)
    except ServiceError as exc:
        raise Open311Error(400, translate_error(exc)) from exc
    return ticket, link


# --- GET requests -------------------------------------------------------------------------------

def _rows(key: Open311Key, cond, limit: int = LIMIT):
    return db.session.execute(
        select(Ticket, Open311Request).join(Open311Request, Open311Request.ticket_id == Ticket.id)
        .where(Open311Request.key_id == key.id, cond).order_by(Ticket.id.desc()).limit(limit)).all()


def find(key: Open311Key, args) -> list[tuple[Ticket, Open311Request]]:
    """GET requests: by service_request_id (a comma list, overriding the rest), else by
    service_code, status and a requested_datetime window of at most 90 days (default the last 90)."""
    ids = [i.strip() for i in (args.get("service_request_id") or "").split(",") if i.strip()]
    if ids:
        return _rows(key, Ticket.number.in_(ids[:LIMIT]))
    now = utcnow()
    end = parse_datetime(args["end_date"], "end_date") if args.get("end_date") else None
    start = parse_datetime(args["start_date"], "start_date") if args.get("start_date") else None
    if start is None and end is None:
        end, start = now, now - WINDOW
    elif start is None:
        start = end - WINDOW
    elif end is None:
        end = min(start + WINDOW, now) if start < now else start + WINDOW
    if end < start:
        raise Open311Error(400, "end_date 不能早于 start_date")
    if end - start > WINDOW:
        raise Open311Error(400, "start_date 与 end_date 的间隔不能超过90天")
    cond = and_(Ticket.created_at >= start, Ticket.created_at <= end)
    codes = [c.strip() for c in (args.get("service_code") or "").split(",") if c.strip()]
    if codes:
        cond = and_(cond, Ticket.topic.in_(codes))
    statuses = [s.strip().lower() for s in (args.get("status") or "").split(",") if s.strip()]
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, "status 只能为 open 或 closed")
    if statuses and len(set(statuses)) == 1:
        states = [s for s, st in STATUS.items() if st == statuses[0]]
        cond = and_(cond, Ticket.state.in_(states))
    return _rows(key, cond)


def one(key: Open311Key, number: str) -> tuple[Ticket, Open311Request]:
    """GET requests/{id}: one request this key filed; 404 otherwise."""
    rows = _rows(key, Ticket.number == number, 1) if len(number) <= 24 else []
    if not rows:
        raise Open311Error(404, f"服务请求 {number} 不存在")
    return rows[0]


def by_token(key: Open311Key, token: str) -> Open311Request:
    """GET tokens/{token}."""
    link = db.session.scalar(select(Open311Request).where(Open311Request.token == token[:40],
                                                          Open311Request.key_id == key.id))
    if link is None:
        raise Open311Error(404, f"token {token[:40]} 不存在")
    return link


def as_request(ticket: Ticket, link: Open311Request) -> dict:
    """A service request as the spec lists its fields (order kept for the XML)."""
    lead = core.lead_assignment(ticket)
    return {
        "service_request_id": ticket.number, "status": STATUS.get(ticket.state, "open"),
        "status_notes": ticket.reply, "service_name": TOPICS.get(ticket.topic, ticket.topic),
        "service_code": ticket.topic, "description": ticket.description,
        "agency_responsible": ticket.lead_agency.name if ticket.lead_agency else None, "service_notice": None,
        "requested_datetime": iso(ticket.created_at), "updated_datetime": iso(ticket.updated_at),
        "expected_datetime": iso(lead.resolve_due_at) if lead is not None else None,
        "address": link.address_string, "address_id": link.address_id, "zipcode": None,
        "lat": link.lat, "long": link.long, "media_url": link.media_url,
    }


# --- servicerequestupdates (FixMyStreet's extension) ----------------------------------------------

def updates(key: Open311Key, args) -> list[dict]:
    """GET servicerequestupdates: the business-visible events of this key's requests between
    start_date and end_date (at most 90 days; default the last 90)."""
    now = utcnow()
    start = parse_datetime(args["start_date"], "start_date") if args.get("start_date") else now - WINDOW
    end = parse_datetime(args["end_date"], "end_date") if args.get("end_date") else now
    if end < start or end - start > WINDOW:
        raise Open311Error(400, "start_date 与 end_date 的间隔应在0到90天之间")
    rows = db.session.execute(
        select(TicketEvent, Ticket).join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .join(Open311Request, Open311Request.ticket_id == Ticket.id)
        .where(Open311Request.key_id == key.id, TicketEvent.internal.is_(False),
               TicketEvent.created_at >= start, TicketEvent.created_at <= end)
        .order_by(TicketEvent.id).limit(LIMIT)).all()
    # the business's view of each event: its audience (app.domain.audience), text only where it reads it
    return [{"update_id": str(e.id), "service_request_id": t.number,
             "status": EXTENDED_STATUS.get(e.to_state or t.state, "open"),
             "updated_datetime": iso(e.created_at),
             "description": (e.note or "") if audience.reads_text(e.action, audience.BUSINESS) else "",
             "media_url": ""}
            for e, t in rows if audience.sees_event(e.action, audience.BUSINESS)]


@transaction
def post_update(key: Open311Key, form) -> TicketEvent:
    """POST servicerequestupdates: the client adds the business's comment to its request; it
    reaches the agency as added information. Only while the ticket accepts information."""
    number = (form.get("service_request_id") or "").strip()
    if not number:
        raise Open311Error(400, "service_request_id 缺失")
    ticket, _link = one(key, number)
    text = _clip(form.get("description"), DESCRIPTION_MAX)
    if not text:
        raise Open311Error(400, "description 缺失")
    if ticket.state not in workflow.TRANSITIONS["add_info"].source:
        raise Open311Error(400, f"该诉求当前状态（{workflow.STATES.get(ticket.state, ticket.state)}）不接受补充")
    when = parse_datetime(form["updated_datetime"], "updated_datetime") if form.get("updated_datetime") else None
    event = core.record(ticket, "add_info", None, note=text, details={
        "channel": {"via": "open311", "client": key.name, "key_id": key.id},
        "update_id_ext": _clip(form.get("update_id") or form.get("update_id_ext"), 100),
        "status_ext": _clip(form.get("status"), 40), "updated_datetime_ext": iso(when),
        "media_url": _clip(form.get("media_url"), 500)})
    notifications.notify([notifications.to_agency(a.agency_id) for a in core.active_assignments(ticket)],
                         ticket, "info_added", Message(N_("工单 %(n)s 企业补充了材料"), n=ticket.number))
    commit()
    return event
