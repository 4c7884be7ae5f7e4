"""Error pages in the user's language."""
from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError


def register(app) -> None:
    def page(code: int, title: str, message: str):
        return render_template("errors.html", code=code, title=title, message=message), code

    @app.errorhandler(400)
    def bad_request(e):
        return page(400, _("请求有误"), _("请求的内容不完整或格式不正确。"))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return page(400, _("页面已过期"), _("表单已过期或缺少安全令牌,请刷新页面后重新提交。"))

    @app.errorhandler(403)
    def forbidden(e):
        return page(403, _("无权访问"), _("您的账号没有访问此页面的权限。"))

    @app.errorhandler(404)
    def not_found(e):
        return page(404, _("页面不存在"), _("您要找的页面不存在或您无权查看。"))

    @app.errorhandler(413)
    def too_large(e):
        return page(413, _("文件过大"), _("上传的内容超过了允许的大小。"))

    @app.errorhandler(500)
    def server_error(e):
        return page(500, _("系统错误"), _("系统出现错误,您的操作未完成,请稍后重试。"))
