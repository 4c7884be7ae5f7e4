import re

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.auth import bp, sessions
from app.auth.forms import JoinForm, LicenceForm, LoginForm, PasswordForm, RegisterForm
from app.services import ServiceError, accounts, audit, listing
from app.web.access import HOME_ENDPOINTS, roles_required
from app.web.i18n import gettext as _
from app.web.i18n import translate_error

# A local path and query only: no scheme, no host, no control or white-space characters (browsers
# drop tabs and newlines, turning "/\t/evil.example" into "//evil.example"), no backslash.
_LOCAL_PATH = re.compile(r"^/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$")


def _home():
    return redirect(url_for(HOME_ENDPOINTS.get(current_user.role, "auth.login")))


def _safe_next(target: str | None) -> str | None:
    # Only local paths: an open redirect would let a phishing link reuse our login page.
    if target and len(target) <= 2000 and _LOCAL_PATH.match(target) and "%2f" not in target[:3].lower():
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
            sessions.start(user)
            audit.login(user)
            return redirect(_safe_next(request.args.get("next")) or url_for(HOME_ENDPOINTS[user.role]))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    accounts.end_sessions(current_user)
    sessions.end()
    flash(_("您已退出登录"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    cities = listing.cities()
    form.jurisdiction.choices = [("", _("请选择"))] + [(c.code, c.name) for c in cities]
    if form.validate_on_submit():
        try:
            user = accounts.register_enterprise(
                username=form.username.data.strip(), password=form.password.data,
                display_name=form.contact_name.data.strip(), enterprise_name=form.enterprise_name.data,
                uscc=form.uscc.data, jurisdiction=form.jurisdiction.data,
                contact_name=form.contact_name.data.strip(), phone=form.phone.data.strip(),
                email=form.email.data or None, licence=form.licence.data,
            )
        except ServiceError as exc:
            flash(translate_error(exc), "error")
        else:
            sessions.start(user)
            flash(_("注册成功，欢迎使用企业诉求直通车。贵企业的信息将由所在城市的服务中心对照营业执照核验；"
                    "核验前也可以提交诉求，诉求上会注明“企业未核验”。"), "success")
            return redirect(url_for(HOME_ENDPOINTS["enterprise"]))
    return render_template("auth/register.html", form=form)


@bp.route("/register/join", methods=["GET", "POST"])
def join():
    """A second person of a registered business joins it with an invitation code."""
    form = JoinForm()
    if form.validate_on_submit():
        try:
            user = accounts.join_enterprise(
                code=form.code.data, username=form.username.data.strip(), password=form.password.data,
                display_name=form.contact_name.data.strip(), phone=form.phone.data.strip(),
                email=form.email.data or None)
        except ServiceError as exc:
            flash(translate_error(exc), "error")
        else:
            sessions.start(user)
            flash(_("注册成功，您已加入%(name)s。", name=user.enterprise.name), "success")
            return redirect(url_for(HOME_ENDPOINTS["enterprise"]))
    return render_template("auth/join.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Any logged-in user changes their password; their other sessions end."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.password.data)
        except ServiceError as exc:
            flash(translate_error(exc), "error")
        else:
            sessions.start(current_user._get_current_object())
            flash(_("密码已修改，其他设备上的登录已全部退出。"), "success")
            return _home()
    return render_template("auth/password.html", form=form)


@bp.route("/account/invitations", methods=["GET", "POST"])
@roles_required("enterprise")
def invitations():
    """A business's account makes a one-time code for a colleague to join the same business."""
    form, code = FlaskForm(), None
    if form.validate_on_submit():
        try:
            code = accounts.invite(current_user)
        except ServiceError as exc:
            flash(translate_error(exc), "error")
    return render_template("auth/invitations.html", form=form, code=code, days=accounts.INVITATION_DAYS)


@bp.route("/account/licence", methods=["GET", "POST"])
@roles_required("enterprise")
def licence():
    """The business's verification: its licence, the dispatcher's decision, a new upload."""
    form = LicenceForm()
    if form.validate_on_submit():
        try:
            accounts.upload_licence(current_user, form.licence.data)
        except ServiceError as exc:
            flash(translate_error(exc), "error")
        else:
            flash(_("营业执照已上传，等待所在城市的服务中心核验。"), "success")
            return redirect(url_for("auth.licence"))
    enterprise = current_user.enterprise
    return render_template("auth/licence.html", form=form, enterprise=enterprise,
                           licence=accounts.latest_licence(enterprise.id))
