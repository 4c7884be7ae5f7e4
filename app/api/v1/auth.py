"""Authentication of every v1 request (Bearer personal token), scopes, idempotency of POSTs,
the ETag/If-Match version check, and the error handlers that answer problem+json."""
import hashlib
from functools import wraps

from flask import g, jsonify, make_response, request
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from app.api.v1 import bp
from app.api.v1.problems import from_error, problem
from app.domain.workflow import WorkflowError
from app.services import ServiceError, api_tokens, idempotency
from app.web import throttle
from app.web.i18n import gettext as _

PUBLIC = {"api.v1.openapi", "api.v1.docs", "api.v1.not_found"}


def bearer() -> str | None:
    """The token of an `Authorization: Bearer …` header."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC:
        return None
    token = api_tokens.authenticate(bearer())
    if token is None:
        resp = problem("unauthorized", _("请在 Authorization 头中提供有效的 Bearer 令牌（未撤销、未过期）。"))
        resp.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return resp
    api_tokens.touch(token)
    g.api_token = token
    g.api_user = token.user
    return None


def scope(name: str):
    """Allow the view only to tokens carrying the scope `name` (403 problem otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if name not in (g.api_token.scopes or []):
                return problem("scope", _("该令牌没有“%(s)s”权限。", s=name), required_scope=name)
            return view(*args, **kwargs)

        wrapped.required_scope = name
        return wrapped

    return decorator


def _request_fingerprint() -> str:
    files = []
    for name, f in sorted(request.files.items(multi=True), key=lambda kv: kv[0]):
        data = f.stream.read()
        f.stream.seek(0)
        files.append((name, f.filename, hashlib.sha256(data).hexdigest()))
    body = request.get_json(silent=True) if request.is_json else sorted(request.form.items(multi=True))
    return idempotency.fingerprint(request.method, request.path, body, files)


def idempotent(view):
    """POSTs with an `Idempotency-Key` header run once per token owner and key; a repeat gets
    the stored answer (with `Idempotent-Replayed: true`)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        holder = {}

        def call(record):
            holder["record"] = record
            return make_response(view(*args, **kwargs))

        try:
            resp, replay = idempotency.run(f"user:{g.api_user.id}", key, _request_fingerprint(), call)
        except (ServiceError, WorkflowError) as exc:
            return from_error(exc)
        if replay is not None:
            out = jsonify(replay.response)
            out.status_code = replay.status or 200
            out.headers["Idempotent-Replayed"] = "true"
            if replay.response and replay.response.get("self"):
                out.headers["Location"] = replay.response["self"]
            return out
        record = holder.get("record")
        if record is not None:
            if 200 <= resp.status_code < 300 and resp.is_json:
                idempotency.finish(record, resp.status_code, resp.get_json())
            else:
                idempotency.discard(record)
        return resp

    return wrapped


def etag_of(ticket) -> str:
    """The ETag of a ticket's representation: its optimistic-locking version."""
    return f'"t{ticket.id}-v{ticket.version}"'


def check_if_match(ticket):
    """None when `If-Match` is absent or names the current version; a 412 problem otherwise."""
    wanted = request.headers.get("If-Match")
    if wanted is None or wanted.strip() == "*":
        return None
    tags = [t.strip().removeprefix("W/") for t in wanted.split(",")]
    if etag_of(ticket) in tags:
        return None
    return problem("precondition-failed",
                   _("工单已被他人更新（当前版本 %(v)s），您的操作未执行。请重新获取工单后再试。", v=etag_of(ticket)),
                   current_etag=etag_of(ticket))


@bp.errorhandler(HTTPException)
def http_error(exc):
    code = {400: "bad-request", 404: "not-found", 405: "method-not-allowed", 413: "too-large",
            415: "unsupported-media-type", 429: "rate-limited", 403: "forbidden", 401: "unauthorized"}.get(
        exc.code, "bad-request")
    return problem(code, exc.description if code == "rate-limited" else None, status=exc.code)


@bp.errorhandler(RateLimitExceeded)
def rate_limited(exc):
    """A per-token limit hit: 429 problem+json with Retry-After (the app's HTML 429 page is for people)."""
    seconds = throttle.retry_after()
    resp = problem("rate-limited", _("此令牌的调用次数已达上限（%(limit)s），请在%(s)d秒后重试。",
                                     limit=throttle.describe(exc.limit.limit), s=seconds), retry_after=seconds)
    resp.headers["Retry-After"] = str(seconds)
    return resp


@bp.errorhandler(ServiceError)
@bp.errorhandler(WorkflowError)
def refused(exc):
    return from_error(exc)


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(rest):
    """Unknown paths under /api/v1 answer problem+json too."""
    return problem("not-found", _("没有这个接口：/api/v1/%(p)s", p=rest))
