"""The GeoReport v2 routes: parse, call app.services.open311, answer in the asked format."""
from flask import request, url_for
from flask_limiter.errors import RateLimitExceeded

from app.open311 import bp
from app.open311.formats import respond
from app.services import open311 as o311
from app.services.open311 import Open311Error
from app.web import throttle
from app.web.i18n import gettext as _

FMT = "<any(json, xml):fmt>"


def _param(name: str) -> str | None:
    value = request.form.get(name) if request.method == "POST" else None
    return value if value is not None else request.args.get(name)


def _key():
    return o311.require_key(_param("api_key"), _param("jurisdiction_id"))


@bp.errorhandler(Open311Error)
def spec_error(exc: Open311Error):
    fmt = (request.view_args or {}).get("fmt", "json")
    return respond(fmt, "errors", [{"code": exc.code, "description": exc.description}], status=exc.code)


@bp.errorhandler(RateLimitExceeded)
def rate_limited(exc: RateLimitExceeded):
    """A client key over its limit: the spec's errors/error (code 429) in the asked format, Retry-After."""
    fmt = (request.view_args or {}).get("fmt", "json")
    seconds = throttle.retry_after()
    resp = respond(fmt, "errors", [{"code": 429, "description": _(
        "此密钥的请求次数已达上限（%(limit)s），请在%(s)d秒后重试。",
        limit=throttle.describe(exc.limit.limit), s=seconds)}], status=429)
    resp.headers["Retry-After"] = str(seconds)
    return resp


@bp.route(f"/discovery.{FMT}")
def discovery(fmt: str):
    """Where the endpoint is and what it speaks."""
    return respond(fmt, "discovery", {
        "changeset": "2026-12-01T00:00:00+08:00", "contact": "企业诉求直通车（12345 热线派单中心）",
        "key_service": "api_key 由系统管理员签发：flask open311 key create --name 名称 --jurisdiction 城市代码",
        "endpoints": [{"specification": o311.SPEC, "url": url_for("open311.discovery", fmt=fmt, _external=True)
                       .rsplit("/", 1)[0], "changeset": "2026-12-01T00:00:00+08:00", "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    })


@bp.route(f"/services.{FMT}")
def services(fmt: str):
    """GET services: one per topic of the city."""
    return respond(fmt, "services", o311.services(_param("jurisdiction_id")))


@bp.route(f"/services/<code>.{FMT}")
def service_definition(code: str, fmt: str):
    """GET a service definition."""
    return respond(fmt, "service_definition", o311.definition(_param("jurisdiction_id"), code))


@bp.route(f"/requests.{FMT}", methods=["GET", "POST"])
def requests(fmt: str):
    """POST a request (form-encoded, api_key) or GET requests (api_key; this client's requests)."""
    key = _key()
    if request.method == "POST":
        ticket, link = o311.file_request(key, o311.parse_request(request.form))
        return respond(fmt, "requests", [{"service_request_id": ticket.number, "token": link.token,
                                          "service_notice": f"已受理，工单号 {ticket.number}", "account_id": None}])
    return respond(fmt, "requests", [o311.as_request(t, link) for t, link in o311.find(key, request.args)])


@bp.route(f"/requests/<service_request_id>.{FMT}")
def request_one(service_request_id: str, fmt: str):
    """GET one request."""
    return respond(fmt, "requests", [o311.as_request(*o311.one(_key(), service_request_id))])


@bp.route(f"/tokens/<token>.{FMT}")
def token(token: str, fmt: str):
    """GET the service_request_id behind a token."""
    link = o311.by_token(_key(), token)
    return respond(fmt, "requests", [{"service_request_id": link.ticket.number, "token": link.token}])


@bp.route(f"/servicerequestupdates.{FMT}", methods=["GET", "POST"])
def updates(fmt: str):
    """FixMyStreet's extension: GET the updates between two dates, POST an update."""
    key = _key()
    if request.method == "POST":
        event = o311.post_update(key, request.form)
        return respond(fmt, "updates", [{"update_id": str(event.id)}])
    return respond(fmt, "updates", o311.updates(key, request.args))


@bp.route("/<path:rest>", methods=["GET", "POST"])
def unknown(rest: str):
    """Anything else under /open311/v2 answers the spec's error body (404)."""
    fmt = "xml" if rest.endswith(".xml") else "json"
    return respond(fmt, "errors", [{"code": 404, "description": f"没有这个资源：{rest[:100]}"}], status=404)
