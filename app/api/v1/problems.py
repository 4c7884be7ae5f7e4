"""Errors of the REST API as RFC 9457 problem details (application/problem+json): a stable `type`
per kind of problem, a Chinese `title` and `detail` (English with Accept-Language: en)."""
from flask import jsonify, request

from app.domain.workflow import WorkflowError
from app.services import N_, Conflict, NotFound, ServiceError
from app.services.idempotency import IdempotencyError
from app.web.i18n import gettext as _
from app.web.i18n import translate_error

TYPE_BASE = "tag:enterprise-appeals-desk,2026:problem/"
MEDIA_TYPE = "application/problem+json"

#: code → (HTTP status, title). The codes are part of the contract: never rename one.
TYPES = {
    "unauthorized": (401, N_("未认证")),
    "forbidden": (403, N_("无权操作")),
    "scope": (403, N_("令牌权限不足")),
    "not-found": (404, N_("资源不存在")),
    "method-not-allowed": (405, N_("不支持的请求方法")),
    "unsupported-media-type": (415, N_("不支持的请求格式")),
    "invalid": (422, N_("请求内容有误")),
    "bad-request": (400, N_("请求有误")),
    "refused": (409, N_("当前状态不允许该操作")),
    "conflict": (409, N_("工单已被他人更新")),
    "idempotency-mismatch": (422, N_("幂等键冲突")),
    "idempotency-busy": (409, N_("请求正在处理中")),
    "precondition-failed": (412, N_("版本已过期")),
    "too-large": (413, N_("请求过大")),
    "rate-limited": (429, N_("请求过于频繁")),
    "server-error": (500, N_("系统错误")),
}


def problem(code: str, detail: str | None = None, status: int | None = None, **extra):
    """A problem+json response of the kind `code`."""
    default_status, title = TYPES[code]
    body = {"type": TYPE_BASE + code, "title": _(title), "status": status or default_status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body.update(extra)
    resp = jsonify(body)
    resp.status_code = body["status"]
    resp.mimetype = MEDIA_TYPE
    return resp


def from_error(exc) -> object:
    """Map a refused use case to its problem."""
    detail = translate_error(exc)
    code = getattr(exc, "code", None)
    if isinstance(exc, IdempotencyError):
        return problem("idempotency-busy" if code == "idempotency_busy" else "idempotency-mismatch", detail)
    if isinstance(exc, NotFound):
        return problem("not-found", detail)
    if isinstance(exc, Conflict):
        return problem("conflict", detail)
    if isinstance(exc, WorkflowError):
        if code in ("forbidden_role", "not_owner", "assign_forbidden"):
            return problem("forbidden", detail, error_code=code)
        return problem("refused", detail, error_code=code)
    if isinstance(exc, ServiceError):
        if code == "role":
            return problem("forbidden", detail, error_code=code)
        return problem("invalid", detail, error_code=code)
    raise exc
