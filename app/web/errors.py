"""Error pages in the user's language.

Every handler first rolls the database session back: on PostgreSQL a failed statement leaves the
transaction aborted, and the error page itself (its nav queries the inbox badge) would fail too.
Values the database refuses (an id beyond its integer, a NUL character, a date it cannot hold)
are the user's bad input: a 400 after the rollback, so nothing is changed.
"""
from flask import render_template
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, StatementError

from app.extensions import db
from app.web.i18n import gettext as _


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001  (a broken connection must not hide the error page)
        db.session.remove()


def register(app) -> None:
    def page(code: int, title: str, message: str):
        _rollback()
        try:
            return render_template("errors.html", code=code, title=title, message=message), code
        except Exception:  # noqa: BLE001  (last resort: still Chinese, still no traceback)
            _rollback()
            return (f"<!doctype html><meta charset=utf-8><title>{code}</title>"
                    f"<h1>{code} · {title}</h1><p>{message}</p>"), code

    @app.errorhandler(400)
    def bad_request(e):
        return page(400, _("请求有误"), _("请求的内容不完整或格式不正确，未做任何更改。"))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return page(400, _("页面已过期"), _("表单已过期或缺少安全令牌，请刷新页面后重新提交。"))

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def bad_value(e):
        return bad_request(e)

    @app.errorhandler(StatementError)
    def statement_error(e):
        # The driver refused a bound value before the database saw it (e.g. an int beyond 64 bits).
        if isinstance(getattr(e, "orig", None), OverflowError | ValueError) or isinstance(e, DataError):
            return bad_request(e)
        return server_error(e)

    @app.errorhandler(403)
    def forbidden(e):
        return page(403, _("无权访问"), _("您的账号没有访问此页面的权限。"))

    @app.errorhandler(404)
    def not_found(e):
        return page(404, _("页面不存在"), _("您要找的页面不存在或您无权查看。"))

    @app.errorhandler(405)
    def not_allowed(e):
        return page(405, _("请求方式不允许"), _("此页面不接受这种请求方式。"))

    @app.errorhandler(413)
    def too_large(e):
        return page(413, _("文件过大"), _("上传的内容超过了允许的大小。"))

    @app.errorhandler(RateLimitExceeded)
    def too_many(e):
        from app.web import throttle

        body, code = page(429, _("尝试次数过多"), e.description)
        return body, code, {"Retry-After": str(throttle.retry_after())}

    @app.errorhandler(500)
    def server_error(e):
        return page(500, _("系统错误"), _("系统出现错误，您的操作未完成，请稍后重试。"))
