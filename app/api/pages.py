"""The pages of the integrations: a user's own API tokens, the admin's Open311 client keys, and
an agency admin's webhook endpoints with their delivery logs. HTML with CSRF (unlike /api)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.services import NotFound, ServiceError, api_tokens, listing, webhooks
from app.web.access import roles_required
from app.web.actions import flash_form_errors
from app.web.i18n import gettext as _
from app.web.i18n import lazy_gettext as _l
from app.web.i18n import translate_error

bp = Blueprint("integrations", __name__)


class TokenForm(FlaskForm):
    """新建个人 API 令牌."""

    name = StringField(_l("令牌名称"), validators=[DataRequired(_l("请填写令牌名称")), Length(max=100)])
    scopes = SelectMultipleField(_l("权限范围"), choices=[(k, _l(v)) for k, v in api_tokens.SCOPES.items()],
                                 option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))
    days = IntegerField(_l("有效期（天）"), default=90, validators=[NumberRange(1, api_tokens.MAX_DAYS,
                                                                            _l("有效期应为1到366天"))])


class KeyForm(FlaskForm):
    """新建 Open311 客户端密钥."""

    name = StringField(_l("客户端系统名称"), validators=[DataRequired(_l("请填写客户端系统名称")), Length(max=100)])
    jurisdiction = StringField(_l("城市代码"), validators=[DataRequired(_l("请填写城市代码")), Length(max=20)])


class EndpointForm(FlaskForm):
    """新建推送地址."""

    url = StringField(_l("推送地址（URL）"), validators=[DataRequired(_l("请填写推送地址")), Length(max=500)])


class ButtonForm(FlaskForm):
    """A button that only needs its CSRF token."""

    active = StringField(validators=[Optional(), Length(max=10)])


# --- personal API tokens (every logged-in user, their own) -------------------------------------

@bp.route("/settings/api-tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """List my tokens; create one (shown once)."""
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        try:
            _row, created = api_tokens.create_token(current_user, form.name.data, form.scopes.data, form.days.data)
        except ServiceError as exc:
            flash(translate_error(exc), "error")
        else:
            flash(_("令牌已创建。它只显示这一次，请立即复制保存。"), "success")
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("api/tokens.html", form=form, tokens=api_tokens.tokens_of(current_user),
                           created=created, button=ButtonForm(), scopes=api_tokens.SCOPES,
                           is_live=api_tokens.is_live), (400 if form.is_submitted() and not created else 200)


@bp.route("/settings/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    if ButtonForm().validate_on_submit():
        try:
            api_tokens.revoke_token(current_user, token_id)
        except NotFound:
            abort(404)
        flash(_("令牌已撤销"), "success")
    return redirect(url_for("integrations.tokens"))


# --- Open311 client keys (admin) ---------------------------------------------------------------

@bp.route("/admin/open311-keys", methods=["GET", "POST"])
@roles_required("admin")
def keys():
    """Every Open311 client key; create one (shown once); revoke."""
    form = KeyForm()
    created = None
    if form.validate_on_submit():
        try:
            _row, created = api_tokens.create_key(form.name.data, form.jurisdiction.data.strip())
        except ServiceError as exc:
            flash(translate_error(exc), "error")
        else:
            flash(_("密钥已创建。它只显示这一次，请立即复制交给对接系统。"), "success")
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("open311/keys.html", form=form, keys=api_tokens.keys(), created=created,
                           button=ButtonForm(), cities=listing.cities()), (400 if form.is_submitted() and not created else 200)


@bp.route("/admin/open311-keys/<int:key_id>/revoke", methods=["POST"])
@roles_required("admin")
def revoke_key(key_id: int):
    if ButtonForm().validate_on_submit():
        try:
            api_tokens.revoke_key(key_id)
        except NotFound:
            abort(404)
        flash(_("密钥已撤销，该系统的调用将被拒绝"), "success")
    return redirect(url_for("integrations.keys"))


# --- webhooks (agency admin) -------------------------------------------------------------------

@bp.route("/desk/webhooks", methods=["GET", "POST"])
@roles_required("agency_admin")
def endpoints():
    """My agency's webhook endpoints; add one (its secret shown once)."""
    form = EndpointForm()
    created = None
    if form.validate_on_submit():
        try:
            created = webhooks.create_endpoint(current_user, form.url.data)
        except ServiceError as exc:
            flash(translate_error(exc), "error")
        else:
            flash(_("推送地址已添加。签名密钥只显示这一次，请立即保存。"), "success")
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("api/webhooks.html", form=form, endpoints=webhooks.endpoints_of(current_user),
                           created=created, button=ButtonForm()), (400 if form.is_submitted() and not created else 200)


@bp.route("/desk/webhooks/<int:endpoint_id>/active", methods=["POST"])
@roles_required("agency_admin")
def set_active(endpoint_id: int):
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            webhooks.set_active(current_user, endpoint_id, form.active.data == "1")
        except NotFound:
            abort(404)
        flash(_("已更新推送地址状态"), "success")
    return redirect(url_for("integrations.endpoints"))


@bp.route("/desk/webhooks/<int:endpoint_id>")
@roles_required("agency_admin")
def deliveries(endpoint_id: int):
    """The delivery log of one endpoint."""
    try:
        ep = webhooks.endpoint_of(current_user, endpoint_id)
    except NotFound:
        abort(404)
    return render_template("api/webhook_log.html", endpoint=ep, deliveries=webhooks.deliveries(current_user, ep.id))
