"""The business portal: my tickets, file an appeal, follow one, add information, rate, reopen."""
import secrets

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.domain import workflow
from app.domain.workflow import WorkflowError
from app.models import Ticket
from app.portal import bp
from app.portal.forms import (
    AddInfoForm,
    AnswerForm,
    AppealForm,
    RateForm,
    ReopenForm,
    WithdrawForm,
)
from app.services import NotFound, ServiceError, attachments, dispatching, handling, idempotency, listing
from app.services import sla as sla_service
from app.services import tickets as core
from app.web.access import roles_required
from app.web.actions import run_action
from app.web.i18n import gettext as _
from app.web.i18n import translate_error


@bp.route("/")
@roles_required("enterprise")
def index():
    """My enterprise's tickets, newest first, paginated by id."""
    rows, next_before = listing.enterprise_tickets(current_user, request.args.get("before", type=int),
                                                   current_app.config["PAGE_SIZE"])
    return render_template("portal/index.html", tickets=rows, states=workflow.STATES,
                           next_before=next_before)


def _appeal_fields(form) -> tuple:
    return (form.kind.data, form.topic.data, form.title.data, form.description.data)


@bp.route("/tickets/new", methods=["GET", "POST"])
@roles_required("enterprise")
def new_ticket():
    """File an appeal."""
    form = AppealForm()
    if request.method == "GET" and current_user.enterprise is not None:
        form.contact_phone.data = current_user.enterprise.phone
    similar = []
    valid = form.validate_on_submit()  # once: validating checks the CSRF token and every field
    if valid:
        try:
            replay = idempotency.replay_of(f"user:{current_user.id}", form.idempotency_key.data,
                                           idempotency.fingerprint("portal.new_ticket", *_appeal_fields(form)))
        except ServiceError as exc:
            flash(translate_error(exc), "error")
            return render_template("portal/new.html", form=form, similar=similar)
        if replay is not None:  # the same form sent again (a double click): show what the first one filed
            return redirect(url_for("portal.ticket", ticket_id=replay.ticket_id))
    if valid and form.seen_similar.data != "1":
        # Show the business its own similar open tickets before it files the same thing twice.
        similar = dispatching.similar_open_tickets(current_user.enterprise_id, form.title.data,
                                                   form.description.data)
        if similar:
            form.seen_similar.data = "1"
            flash(_("您有相似的诉求尚未办结。如仍需提交，请重新选择附件后再次点击“提交诉求”。"), "warning")
    if valid and not similar:
        try:
            ticket, replay = idempotency.file_once(
                f"user:{current_user.id}", form.idempotency_key.data or secrets.token_urlsafe(16),
                idempotency.fingerprint("portal.new_ticket", *_appeal_fields(form)),
                lambda also: core.file_ticket(
                    current_user, kind=form.kind.data, topic=form.topic.data, title=form.title.data,
                    description=form.description.data, district=form.district.data, urgent=form.urgent.data,
                    public=form.public.data, contact_phone=(form.contact_phone.data or "").strip() or None,
                    files=request.files.getlist(form.files.name), also=also,
                ))
        except (ServiceError, WorkflowError) as exc:
            flash(translate_error(exc), "error")
        else:
            if replay is not None:  # the same form sent again: show the ticket the first one filed
                return redirect(url_for("portal.ticket", ticket_id=replay.ticket_id))
            flash(_("诉求已提交，工单号 %(n)s", n=ticket.number), "success")
            return redirect(url_for("portal.ticket", ticket_id=ticket.id))
    return render_template("portal/new.html", form=form, similar=similar)


def _visible_or_404(ticket_id: int) -> Ticket:
    try:
        return core.get_visible(current_user, ticket_id)
    except NotFound:
        abort(404)


@bp.route("/tickets/<int:ticket_id>")
@roles_required("enterprise")
def ticket(ticket_id: int):
    """One ticket: its number, timeline, reply and the actions open to the business."""
    t = _visible_or_404(ticket_id)
    last = t.ratings[-1] if t.ratings else None
    lead = core.lead_assignment(t) or next((a for a in reversed(t.assignments) if a.role == "lead"), None)
    events = core.visible_events(current_user, t)
    return render_template(
        "portal/ticket.html", t=t, events=events, lead=lead,
        files=attachments.visible(current_user, t, events), suspension=handling.open_suspension(t),
        info_form=AddInfoForm(), answer_form=AnswerForm(), withdraw_form=WithdrawForm(),
        rate_form=RateForm(), reopen_form=ReopenForm(), last_rating=last,
        can_reopen=t.state == "closed" and handling.is_unsatisfied(last),
        rating_window=sla_service.rating_window_days(t.jurisdiction),
        can_add_info=t.state in workflow.TRANSITIONS["add_info"].source,
        can_withdraw=t.state in workflow.TRANSITIONS["withdraw"].source,
    )


def _act(ticket_id: int, form, call, done: str):
    """Run one action: validate the form, call the service, flash, back to the ticket."""
    _visible_or_404(ticket_id)
    return run_action(form, lambda: call(form), done, url_for("portal.ticket", ticket_id=ticket_id))


@bp.route("/tickets/<int:ticket_id>/info", methods=["POST"])
@roles_required("enterprise")
def add_info(ticket_id: int):
    return _act(ticket_id, AddInfoForm(), lambda f: handling.add_info(
        current_user, ticket_id, f.text.data, request.files.getlist(f.files.name)), _("补充材料已提交"))


@bp.route("/tickets/<int:ticket_id>/answer", methods=["POST"])
@roles_required("enterprise")
def answer(ticket_id: int):
    return _act(ticket_id, AnswerForm(), lambda f: handling.resume(
        current_user, ticket_id, f.answer.data, request.files.getlist(f.files.name)), _("答复已提交，恢复办理"))


@bp.route("/tickets/<int:ticket_id>/withdraw", methods=["POST"])
@roles_required("enterprise")
def withdraw(ticket_id: int):
    return _act(ticket_id, WithdrawForm(), lambda f: handling.withdraw(
        current_user, ticket_id, f.reason.data), _("诉求已撤回"))


@bp.route("/tickets/<int:ticket_id>/rate", methods=["POST"])
@roles_required("enterprise")
def rate(ticket_id: int):
    return _act(ticket_id, RateForm(), lambda f: handling.rate(
        current_user, ticket_id, resolved=f.resolved.data == "yes", satisfaction=f.satisfaction.data,
        comment=f.comment.data), _("感谢您的评价"))


@bp.route("/tickets/<int:ticket_id>/reopen", methods=["POST"])
@roles_required("enterprise")
def reopen(ticket_id: int):
    return _act(ticket_id, ReopenForm(), lambda f: handling.reopen(
        current_user, ticket_id, f.reason.data), _("已申请重办"))
