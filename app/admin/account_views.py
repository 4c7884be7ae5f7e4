"""Accounts as the site admin manages them: find one, disable it (its sessions end at once on every
host) or enable it again. Creating staff accounts stays a command (`flask users create`)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms import AccountActiveForm, AccountFilterForm
from app.services import NotFound, ServiceError, accounts
from app.web.access import roles_required
from app.web.actions import flash_form_errors
from app.web.i18n import gettext as _
from app.web.i18n import translate_error


@bp.route("/accounts")
@roles_required("admin")
def accounts_index():
    """Every account, newest first, found by user name or display name and role."""
    form = AccountFilterForm(request.args)
    q = form.q.data if form.validate() else None
    rows, next_before = accounts.accounts_page(current_user, q=q, role=form.role.data or None,
                                               before_id=request.args.get("before", type=int))
    args = {k: v for k, v in request.args.items() if k != "before" and v}
    return render_template("admin/accounts.html", form=form, rows=rows, next_before=next_before, args=args,
                           button=AccountActiveForm())


@bp.route("/accounts/<int:user_id>/active", methods=["POST"])
@roles_required("admin")
def account_active(user_id: int):
    """停用 or 启用 an account, then back to the list as it was."""
    form = AccountActiveForm()
    back = request.form.get("back") or ""
    back = back if back.startswith("/admin/accounts") else url_for("admin.accounts_index")
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    try:
        user = accounts.set_active(user_id, form.active.data == "1", actor=current_user)
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(translate_error(exc), "error")
    else:
        flash(_("已启用账号%(u)s", u=user.username) if user.active
              else _("已停用账号%(u)s，其所有会话已结束", u=user.username), "success")
    return redirect(back)
