"""Desk routes of shared handling: a co-agency signs its part and submits its opinion (协办: the
state machine's `co_sign` and `co_opinion` transitions, through app.services.dispatching), and the
lead agency returns a misrouted ticket (退单). The panel `desk/_dispatch_actions.html`
(included by the desk ticket page) gets its facts from the `dispatch_panel` template global."""
from flask import abort, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from app.desk import bp
from app.domain import workflow
from app.services import ServiceError, dispatching, tickets
from app.web.access import roles_required
from app.web.actions import run_action
from app.web.fields import SelectField
from app.web.i18n import gettext as _
from app.web.i18n import lazy_gettext as _l

AGENCY_STAFF = ("clerk", "agency_admin")


def _int_or_none(value):
    try:
        return int(value) or None
    except (TypeError, ValueError):
        return None


class ReturnForm(FlaskForm):
    """退单: parsed here, judged by the service (reason category, length, time window)."""

    category = SelectField(_l("退回原因"), choices=[(k, v) for k, v in workflow.RETURN_REASONS.items()],
                           validate_choice=False)
    reason = TextAreaField(_l("退回说明（不少于10个字）"), validators=[Length(max=2000, message=_l("内容过长，最多%(max)d个字"))])
    suggested = SelectField(_l("建议派给（选填）"), coerce=_int_or_none, validate_choice=False,
                            validators=[Optional()])


class OpinionForm(FlaskForm):
    opinion = TextAreaField(_l("协办意见（不少于10个字）"), validators=[Length(max=5000, message=_l("内容过长，最多%(max)d个字"))])


class EmptyForm(FlaskForm):
    """A button that only needs its CSRF token."""


@bp.app_template_global("dispatch_panel")
def dispatch_panel(ticket, user) -> dict:
    """What the shared-handling panel shows `user` on `ticket`: the return form for the lead,
    the sign/opinion forms for a co-agency, the co opinions (and how many pend) for the lead."""
    is_lead = tickets.is_owner(user, ticket)
    co = dispatching.co_assignment(ticket, user)
    can_return = dispatching.can_return(ticket, user)
    return {
        "is_lead": is_lead,
        "co": co,
        "co_list": dispatching.co_assignments(ticket) if is_lead else [],
        "pending": dispatching.pending_co_opinions(ticket),
        "can_return": can_return,
        "return_reasons": workflow.RETURN_REASONS,
        # the return form's "suggest an agency" list; the form shows only while the lead may return
        "agencies": dispatching.agencies_of(ticket.jurisdiction) if is_lead and can_return else [],
        # the states in which the state machine lets a co-agency act (docs/workflow.md)
        "active": ticket.state in workflow.TRANSITIONS["co_opinion"].source,
    }


def _visible(ticket_id: int):
    try:
        return tickets.get_visible(current_user, ticket_id)
    except ServiceError:
        abort(404)


def _run(ticket_id: int, form, call, done: str):
    t = _visible(ticket_id)
    return run_action(form, lambda: call(t), done, url_for("desk.ticket", ticket_id=t.id))


@bp.route("/co/<int:ticket_id>/sign", methods=["POST"])
@roles_required(*AGENCY_STAFF)
def co_sign(ticket_id: int):
    return _run(ticket_id, EmptyForm(), lambda t: dispatching.sign_co(t, current_user), _("已签收协办"))


@bp.route("/co/<int:ticket_id>/opinion", methods=["POST"])
@roles_required(*AGENCY_STAFF)
def co_opinion(ticket_id: int):
    form = OpinionForm()
    return _run(ticket_id, form, lambda t: dispatching.submit_opinion(t, current_user, form.opinion.data),
                _("协办意见已提交，已通知主办单位"))


@bp.route("/return/<int:ticket_id>", methods=["POST"])
@roles_required(*AGENCY_STAFF)
def return_ticket(ticket_id: int):
    form = ReturnForm()
    return _run(ticket_id, form, lambda t: dispatching.return_ticket(
        t, current_user, form.category.data, form.reason.data, form.suggested.data), _("已退单，等待派单中心裁决"))
