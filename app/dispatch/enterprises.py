"""The dispatch centre confirms self-registered businesses of its city against their licence
(营业执照): until then their tickets say "企业未核验"."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app.dispatch import bp
from app.dispatch.forms import RejectLicenceForm
from app.services import NotFound, ServiceError, accounts
from app.web.access import roles_required
from app.web.i18n import gettext as _
from app.web.i18n import translate_error


@bp.route("/enterprises")
@roles_required("dispatcher")
def enterprises():
    """Businesses of my city waiting for a check."""
    return render_template("dispatch/enterprises.html", rows=accounts.unverified_of(current_user),
                           form=FlaskForm(), reject_form=RejectLicenceForm())


@bp.route("/enterprises/<int:enterprise_id>/verify", methods=["POST"])
@roles_required("dispatcher")
def verify_enterprise(enterprise_id: int):
    """Confirm one business after checking its licence."""
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            e = accounts.verify_enterprise(current_user, enterprise_id)
        except NotFound:
            abort(404)
        except ServiceError as exc:
            flash(translate_error(exc), "error")
        else:
            flash(_("已确认企业“%(name)s”与营业执照一致。", name=e.name), "success")
    return redirect(url_for("dispatch.enterprises"))


@bp.route("/enterprises/<int:enterprise_id>/reject", methods=["POST"])
@roles_required("dispatcher")
def reject_enterprise(enterprise_id: int):
    """The licence does not match the business (or cannot be read): it is told why."""
    form = RejectLicenceForm()
    if not form.validate_on_submit():
        flash(_("原因不能超过%(n)d个字符", n=accounts.MAX_REASON) if form.reason.errors
              else _("表单已过期或缺少安全令牌，请刷新页面后重新提交。"), "error")
        return redirect(url_for("dispatch.enterprises"))
    try:
        e = accounts.reject_licence(current_user, enterprise_id, form.reason.data)
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(translate_error(exc), "error")
    else:
        flash(_("已退回企业“%(name)s”的营业执照，企业将看到原因。", name=e.enterprise.name), "success")
    return redirect(url_for("dispatch.enterprises"))
