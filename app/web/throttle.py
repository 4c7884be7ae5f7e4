"""Rate limits (Flask-Limiter), in one table so docs/security.md can list them.

Counts live in RATELIMIT_STORAGE_URI: memory:// (one process) by default, redis://… in production
so every worker and host counts together. Behind a reverse proxy the client address must reach
the app (`PROXY_FIX_X_FOR`, see docs/security.md), or every client shares one address.
"""
import math
import time

from flask import request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.extensions import limiter
from app.web.i18n import gettext as _

LOGIN_FAILURES = "5 per 15 minutes"


def _login_name() -> str:
    # Failures count per user name (case-folded), whoever sends them: the lockout.
    return "login:" + (request.form.get("username") or "").strip().lower()[:64]


def _user_or_address() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def _credential() -> str:
    # The JSON API counts per token and Open311 per client key (a hash: the secret is never a key).
    import hashlib

    secret = request.headers.get("Authorization", "") or request.values.get("api_key", "")
    return "cred:" + hashlib.sha256(secret.encode()).hexdigest()[:32] if secret else get_remote_address()


def _failed(response) -> bool:
    # A successful login redirects; a refused one shows the form again.
    return response.status_code != 302


# endpoint → [(limit, key function, deduct_when)]
LIMITS = {
    "auth.login": [(LOGIN_FAILURES, _login_name, _failed), ("30 per minute", get_remote_address, None)],
    "auth.register": [("10 per hour", get_remote_address, None)],
    "auth.join": [("10 per hour", get_remote_address, None)],
    "auth.change_password": [("10 per hour", _user_or_address, None)],
    "portal.new_ticket": [("20 per hour", _user_or_address, None)],
    # uploads
    "portal.add_info": [("30 per hour", _user_or_address, None)],
    "portal.answer": [("30 per hour", _user_or_address, None)],
    "desk.reply": [("60 per hour", _user_or_address, None)],
    # other systems: per API token or Open311 key
    "api.v1.file_ticket": [("120 per hour", _credential, None)],
    "api.v1.act": [("600 per hour", _credential, None)],
    "open311.requests": [("120 per hour", _credential, None)],
    "open311.updates": [("600 per hour", _credential, None)],
}


def init_app(app) -> None:
    """Wrap each limited view (POST requests only) once the blueprints are registered."""
    limiter.init_app(app)
    for endpoint, limits in LIMITS.items():
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        for limit, key, deduct in limits:
            view = limiter.limit(limit, key_func=key, deduct_when=deduct, methods=["POST"],
                                 error_message=_message)(view)
        app.view_functions[endpoint] = view


def retry_after() -> int:
    """Seconds until the limit this request hit lets the next one through (the Retry-After header)."""
    current = limiter.current_limit
    if current is None:  # pragma: no cover - only asked after a limit was hit
        return 60
    return max(1, math.ceil(current.window.reset_time - time.time()))


def describe(item) -> str:
    """A limit as people say it: 每小时120次 / 120 per hour, 每15分钟5次 (a limits.RateLimitItem)."""
    name, m = item.GRANULARITY.name, item.multiples
    if m == 1:
        unit = {"second": _("秒"), "minute": _("分钟"), "hour": _("小时"), "day": _("天")}.get(name, name)
    else:
        unit = {"second": _("%(m)d秒", m=m), "minute": _("%(m)d分钟", m=m), "hour": _("%(m)d小时", m=m),
                "day": _("%(m)d天", m=m)}.get(name, f"{m} {name}")
    return _("每%(unit)s%(n)d次", unit=unit, n=item.amount)


def _message() -> str:
    if request.endpoint == "auth.login":
        return _("登录尝试次数过多，该账号已暂时锁定，请15分钟后再试。")
    return _("操作过于频繁，请稍后再试。")
