"""Dispatch centre pages: the queue of what waits for a person, one ticket with the router's
reasoning, and the actions dispatch / merge / reject / reject a return. Views are thin."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.dispatch import bp
from app.dispatch.forms import (
    AgencyFilterForm,
    CallbackForm,
    DispatchForm,
    MergeForm,
    RejectForm,
    RejectReturnForm,
    TerminateForm,
)
from app.domain import workflow
from app.domain.topics import KINDS, TOPICS
from app.domain.workflow import WorkflowError
from app.services import N_, ServiceError, audit, dispatching, tickets
from app.web.access import roles_required
from app.web.i18n import gettext as _
from app.web.i18n import translate_error

REASON_LABELS = {"low_confidence": N_("路由置信度低"), "returned": N_("承办单位退单")}


def _ticket(ticket_id: int):
    try:
        return tickets.get_visible(current_user, ticket_id)
    except ServiceError:
        abort(404)


def _choices(agencies, blank=True):
    out = [("", _("请选择"))] if blank else []
    return out + [(a.id, a.name) for a in agencies]


def terminate_form(ticket) -> TerminateForm:
    """The termination form with its Chinese reason labels (also used by the supervision office)."""
    form = TerminateForm(version=ticket.version)
    form.category.choices = [("", _("请选择"))] + [(k, _(v)) for k, v in workflow.TERMINATION_REASONS.items()]
    return form


def callback_form(ticket) -> CallbackForm:
    form = CallbackForm(version=ticket.version)
    form.channel.choices = [(k, _(workflow.RATING_CHANNELS[k])) for k in ("phone", "sms", "visit")]
    form.satisfaction.choices = [(k, _(v)) for k, v in workflow.SATISFACTION_LEVELS.items()]
    return form


def _flash_form_errors(form) -> None:
    for field in form:
        for err in field.errors:
            flash(f"{field.label.text}:{err}", "error")


@bp.route("/")
@roles_required("dispatcher")
def index():
    """The queue: tickets of the dispatcher's city in state to_dispatch, newest first."""
    reason = request.args.get("reason") or None
    if reason not in (None, *REASON_LABELS):
        reason = None
    before = request.args.get("before", type=int)
    page, next_before = dispatching.queue(current_user.jurisdiction, before_id=before, reason=reason)
    return render_template("dispatch/index.html", page=page, next_before=next_before, reason=reason,
                           reasons=REASON_LABELS)


@bp.route("/tickets/<int:ticket_id>")
@roles_required("dispatcher")
def ticket(ticket_id: int):
    """One ticket with the router's candidates, its returns, similar tickets and the actions."""
    t = _ticket(ticket_id)
    filt = AgencyFilterForm(request.args)
    q = (filt.q.data or "").strip()
    agencies = dispatching.agencies_of(t.jurisdiction, q)
    routing = t.routing or {}
    by_name = {a.name: a.id for a in dispatching.agencies_of(t.jurisdiction)}
    dform = DispatchForm(version=t.version)
    dform.lead.choices = _choices(agencies)
    dform.co.choices = _choices(agencies, blank=False)
    ret = dispatching.pending_return(t)
    # Start from the router's proposal (or the returning agency's suggestion).
    suggested = ret.suggested_agency.name if ret is not None and ret.suggested_agency else routing.get("agency")
    if ret is not None and suggested == ret.agency.name:
        suggested = None
    if suggested in by_name:
        dform.lead.data = by_name[suggested]
    dform.co.data = [by_name[n] for n in routing.get("co_agencies", []) if n in by_name]
    page = render_template(
        "dispatch/ticket.html", ticket=t, routing=routing, filt=filt, q=q, dform=dform,
        mform=MergeForm(version=t.version), rform=RejectForm(version=t.version),
        rrform=RejectReturnForm(version=t.version), pending_return=ret,
        tform=terminate_form(t), cbform=callback_form(t),
        returns=dispatching.returns_of(t), reasons=REASON_LABELS,
        return_reasons=workflow.RETURN_REASONS, states=workflow.STATES,
        similar=dispatching.similar_open_tickets(t.enterprise_id, t.title, t.description, exclude_id=t.id),
        by_name=by_name, kinds=KINDS, topics=TOPICS,
    )
    # Audited once the page is built: the read and its record are one transaction (one connection,
    # no commit in the middle of the page's reads).
    audit.ticket_read(current_user, t)
    return page


def _act(ticket_id: int, form, call, done: str):
    """Validate the form, run the service call, flash the outcome, go back to the right page."""
    t = _ticket(ticket_id)
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return redirect(url_for("dispatch.ticket", ticket_id=t.id))
    try:
        call(t)
    except (ServiceError, WorkflowError) as exc:
        flash(translate_error(exc), "error")
        return redirect(url_for("dispatch.ticket", ticket_id=t.id))
    flash(done, "success")
    return redirect(url_for("dispatch.index"))


@bp.route("/tickets/<int:ticket_id>/dispatch", methods=["POST"])
@roles_required("dispatcher")
def dispatch(ticket_id: int):
    form = DispatchForm()
    return _act(ticket_id, form, lambda t: dispatching.dispatch(
        t, form.lead.data, form.co.data or [], current_user, form.note.data, version=form.version_value()),
        _("已派单"))


@bp.route("/tickets/<int:ticket_id>/merge", methods=["POST"])
@roles_required("dispatcher")
def merge(ticket_id: int):
    form = MergeForm()
    return _act(ticket_id, form, lambda t: dispatching.merge(
        t, dispatching.find_ticket(t.jurisdiction, form.target.data), current_user, form.note.data,
        version=form.version_value()), _("已合并为重复件"))


@bp.route("/tickets/<int:ticket_id>/reject", methods=["POST"])
@roles_required("dispatcher")
def reject(ticket_id: int):
    form = RejectForm()
    return _act(ticket_id, form, lambda t: dispatching.reject(
        t, form.reason.data, current_user, version=form.version_value()), _("已不予受理"))


@bp.route("/tickets/<int:ticket_id>/reject-return", methods=["POST"])
@roles_required("dispatcher")
def reject_return(ticket_id: int):
    form = RejectReturnForm()
    return _act(ticket_id, form, lambda t: dispatching.reject_return(
        t, current_user, form.note.data, version=form.version_value()), _("已驳回退单，工单退回原承办单位"))


@bp.route("/tickets/<int:ticket_id>/terminate", methods=["POST"])
@roles_required("dispatcher")
def terminate(ticket_id: int):
    """终止办理: the business refused needed information, or the demand is unlawful and was explained."""
    form = TerminateForm()
    return _act(ticket_id, form, lambda t: dispatching.terminate(
        t, current_user, form.category.data, form.reason.data, version=form.version_value()),
        _("已终止办理，已告知企业终止理由"))


@bp.route("/tickets/<int:ticket_id>/callback", methods=["POST"])
@roles_required("dispatcher")
def callback(ticket_id: int):
    """回访: record the business's verdict gathered off-line; it counts as the business's rating."""
    form = CallbackForm()
    return _act(ticket_id, form, lambda t: dispatching.callback(
        t, current_user, channel=form.channel.data, resolved=form.resolved.data == "yes",
        satisfaction=form.satisfaction.data, comment=form.comment.data, version=form.version_value()),
        _("回访结果已记录"))
