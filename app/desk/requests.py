"""Desk routes: the lead agency asks the supervision office for an extension (延期, 1–10 working
days) or an exclusion (不合理诉求核减). The ticket page includes templates/desk/_request_actions.html."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from app.desk import bp
from app.domain.workflow import WorkflowError
from app.services import NotFound, ServiceError
from app.services import supervision as sv
from app.services import tickets as core
from app.web.access import roles_required
from app.web.fields import SelectField
from app.web.i18n import gettext as _
from app.web.i18n import lazy_gettext as _l
from app.web.i18n import translate_error


class ExtensionRequestForm(FlaskForm):
    """延期申请."""

    days = IntegerField(_l("延期天数（工作日）"), validators=[Optional()], description=_l("1至10个工作日"))
    reason = TextAreaField(_l("延期理由"), validators=[Length(max=2000, message=_l("内容过长，最多%(max)d个字"))])
    submit = SubmitField(_l("申请延期"))


class ExclusionRequestForm(FlaskForm):
    """核减申请."""

    category = SelectField(_l("核减类别"), validators=[Optional()])
    reason = TextAreaField(_l("核减理由"), description=_l("不少于10个字"), validators=[Length(max=2000, message=_l("内容过长，最多%(max)d个字"))])
    submit = SubmitField(_l("申请核减"))


def _categories(form: ExclusionRequestForm) -> None:
    form.category.choices = [("", _("请选择"))] + [(k, _(v)) for k, v in sv.EXCLUSION_CATEGORIES.items()]


def _ticket_page(ticket_id: int):
    return redirect(url_for("desk.ticket", ticket_id=ticket_id))


def _visible(ticket_id: int):
    try:
        return core.get_visible(current_user, ticket_id)
    except NotFound:
        abort(404)


@bp.app_template_global()
def request_status(ticket) -> dict:
    """Facts for the request partial: the ticket's requests and whether this user may ask."""
    extensions, exclusions = sv.requests_of(ticket, agency_id=getattr(current_user, "agency_id", None))
    owner = core.is_owner(current_user, ticket) if current_user.is_authenticated else False
    return {
        "extensions": extensions, "exclusions": exclusions, "categories": sv.EXCLUSION_CATEGORIES,
        "may_extend": owner and ticket.state in ("in_progress", "suspended")
        and not any(r.state in ("pending", "granted") for r in extensions),
        "may_exclude": current_user.is_authenticated and sv.may_request_exclusion(current_user, ticket)
        and not any(r.state == "pending" for r in exclusions),
    }


@bp.route("/tickets/<int:ticket_id>/extension", methods=["GET", "POST"])
@roles_required("clerk", "agency_admin")
def request_extension(ticket_id: int):
    """Ask for more time; refusals are shown in Chinese and nothing is stored."""
    ticket = _visible(ticket_id)
    form = ExtensionRequestForm()
    if form.validate_on_submit():
        try:
            sv.request_extension(current_user, ticket_id, form.days.data, form.reason.data)
        except (ServiceError, WorkflowError) as exc:
            flash(translate_error(exc), "error")
        else:
            flash(_("延期申请已提交，等待督查室审批"), "success")
            return _ticket_page(ticket_id)
    elif form.is_submitted():
        flash(_("延期天数必须在1至10天之间"), "error")
    return render_template("desk/request_extension.html", ticket=ticket, form=form,
                           status=request_status(ticket)), (400 if form.is_submitted() else 200)


@bp.route("/tickets/<int:ticket_id>/exclusion", methods=["GET", "POST"])
@roles_required("clerk", "agency_admin")
def request_exclusion(ticket_id: int):
    """Ask that an unreasonable appeal leave the agency's scores."""
    ticket = _visible(ticket_id)
    form = ExclusionRequestForm()
    _categories(form)
    if form.validate_on_submit():
        try:
            sv.request_exclusion(current_user, ticket_id, form.category.data, form.reason.data)
        except (ServiceError, WorkflowError) as exc:
            flash(translate_error(exc), "error")
        else:
            flash(_("核减申请已提交，等待督查室审批"), "success")
            return _ticket_page(ticket_id)
    elif form.is_submitted():
        flash(_("请选择核减类别"), "error")
    return render_template("desk/request_exclusion.html", ticket=ticket, form=form,
                           status=request_status(ticket)), (400 if form.is_submitted() else 200)
