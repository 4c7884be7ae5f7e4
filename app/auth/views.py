from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from app.auth import bp
from app.auth.forms import LoginForm, RegisterForm
from app.extensions import db
from app.models import Jurisdiction
from app.services import ServiceError, accounts, audit
from app.web.access import HOME_ENDPOINTS
from app.web.i18n import translate_error


def _home():
    return redirect(url_for(HOME_ENDPOINTS.get(current_user.role, "auth.login")))


def _safe_next(target: str | None) -> str | None:
    # Only local paths: an open redirect would let a phishing link reuse our login page.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return _home()
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return _home()
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.username.data.strip(), form.password.data)
        if user is None:
            audit.login_failed(form.username.data.strip())
            flash(_("用户名或密码错误"), "error")
        else:
            login_user(user)
            audit.login(user)
            return redirect(_safe_next(request.args.get("next")) or url_for(HOME_ENDPOINTS[user.role]))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("您已退出登录"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    cities = db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.code)).all()
    form.jurisdiction.choices = [("", _("请选择"))] + [(c.code, c.name) for c in cities]
    if form.validate_on_submit():
        try:
            user = accounts.register_enterprise(
                username=form.username.data.strip(), password=form.password.data,
                display_name=form.contact_name.data.strip(), enterprise_name=form.enterprise_name.data,
                uscc=form.uscc.data, jurisdiction=form.jurisdiction.data,
                contact_name=form.contact_name.data.strip(), phone=form.phone.data.strip(),
                email=form.email.data or None,
            )
        except ServiceError as exc:
            flash(translate_error(exc), "error")
        else:
            login_user(user)
            flash(_("注册成功,欢迎使用企业诉求直通车"), "success")
            return redirect(url_for(HOME_ENDPOINTS["enterprise"]))
    return render_template("auth/register.html", form=form)
