"""The agency desk: the agency's queue and the handling actions on one ticket."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.desk import bp
from app.desk.forms import (
    ActionForm,
    AssignForm,
    BulkForm,
    ContactForm,
    NoteForm,
    QueueFilterForm,
    ReplyForm,
    SuspendForm,
    SuspensionRequestForm,
)
from app.domain.topics import TOPICS
from app.domain.workflow import OPEN_STATES
from app.models import Ticket, utcnow
from app.services import (
    NotFound,
    attachments,
    audit,
    clocks,
    handling,
    notifications,
    queues,
)
from app.services import tickets as core
from app.web.access import roles_required
from app.web.actions import run_action
from app.web.i18n import gettext as _
from app.web.i18n import translate_error

STAFF = ("clerk", "agency_admin")


@bp.route("/")
@roles_required(*STAFF)
def index():
    """The agency's queue: search, narrow to overdue or warned tickets, sort; bulk sign and assign."""
    form = QueueFilterForm(request.args)
    page = queues.agency_queue(
        current_user, state=form.state.data or None, kind=form.kind.data or None, topic=form.topic.data or None,
        mine=bool(form.mine.data), q=form.q.data, light=form.light.data or None, sort=form.sort.data or "deadline",
        after=request.args.get("after"), size=current_app.config["PAGE_SIZE"])
    items, next_after = page.items, page.next_after
    args = {k: v for k, v in request.args.items() if k != "after" and v}
    return render_template("desk/index.html", form=form, items=items, next_after=next_after,
                           args=args, bulk_form=_bulk_form())


def _staff_choices() -> list[tuple[int, str]]:
    if current_user.role == "agency_admin":
        staff = notifications.agency_users(current_user.agency_id, roles=("clerk", "agency_admin"))
    else:
        staff = [current_user]
    return [(u.id, u.display_name) for u in staff]


def _bulk_form() -> BulkForm:
    form = BulkForm()
    form.clerk_id.choices = _staff_choices()
    return form


@bp.route("/bulk", methods=["POST"])
@roles_required(*STAFF)
def bulk():
    """Sign or assign the ticked tickets of the queue, each on its own; report what was refused."""
    form = _bulk_form()
    back = request.form.get("back") or ""
    back = back if back.startswith("/desk") else url_for("desk.index")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for e in errors:
                flash(str(e), "error")
        return redirect(back)
    if form.action.data == "assign":
        if form.clerk_id.data not in dict(_staff_choices()):
            flash(_("只能分配给本单位的承办人员"), "error")
            return redirect(back)
        done, refused = handling.assign_many(current_user, form.ids.data, form.clerk_id.data)
        flash(_("已分配%(n)s件", n=len(done)), "success" if done else "info")
    else:
        done, refused = handling.sign_many(current_user, form.ids.data)
        flash(_("已签收%(n)s件", n=len(done)), "success" if done else "info")
    if refused:
        flash(_("%(n)s件未办理：%(why)s", n=len(refused),
                why=_("；").join(sorted({translate_error(e) for _id, e in refused}))), "error")
    return redirect(back)


def _visible_or_404(ticket_id: int) -> Ticket:
    try:
        return core.get_visible(current_user, ticket_id)
    except NotFound:
        abort(404)


def _assign_form(ticket: Ticket) -> AssignForm:
    form = AssignForm()
    form.clerk_id.choices = _staff_choices()
    return form


def _handling_forms(ticket: Ticket) -> dict:
    """The forms of the handling panel, for the owning agency of an open ticket."""
    contact = ContactForm()
    if not contact.contacted_on.data:
        contact.contacted_on.data = handling.contact_date_default()
    return {"sign_form": ActionForm(), "contact_form": contact, "suspend_form": SuspendForm(),
            "reply_form": ReplyForm(), "note_form": NoteForm(), "assign_form": _assign_form(ticket),
            "suspension_request_form": SuspensionRequestForm()}


@bp.route("/tickets/<int:ticket_id>")
@roles_required(*STAFF)
def ticket(ticket_id: int):
    """One ticket as the agency sees it, with the handling actions."""
    t = _visible_or_404(ticket_id)
    mine = [a for a in t.assignments if a.agency_id == current_user.agency_id]
    current = next((a for a in reversed(mine) if a.active), mine[-1] if mine else None)
    is_owner = core.is_owner(current_user, t)
    events = core.visible_events(current_user, t)
    page = render_template(
        "desk/ticket.html", t=t, ticket=t, events=events,
        limited=core.access(current_user, t) != core.FULL,
        files=attachments.visible(current_user, t, events), assignment=current,
        status=clocks.status(current, utcnow()) if current is not None and current.active else None,
        is_owner=is_owner, show_phone=handling.may_see_phone(current_user, t),
        suspension=handling.open_suspension(t) if core.access(current_user, t) == core.FULL else None,
        routing=t.routing or {}, topics=TOPICS,
        pending_co=handling.pending_co_opinions(t), order=handling.open_order(t),
        filed_on=t.created_at.astimezone(core.SHANGHAI).date(), today=handling.contact_date_default(),
        # Most tickets a clerk opens are closed or another agency's: no handling form to build.
        **(_handling_forms(t) if is_owner and t.state in OPEN_STATES else {}),
    )
    # Audited once the page is built: the read and its record are one transaction (one connection,
    # no commit in the middle of the page's reads).
    audit.ticket_read(current_user, t)
    return page


def _act(ticket_id: int, form, call, done: str):
    """Validate the form, call the service, flash the outcome, back to the ticket page."""
    _visible_or_404(ticket_id)
    return run_action(form, lambda: call(form), done, url_for("desk.ticket", ticket_id=ticket_id))


@bp.route("/tickets/<int:ticket_id>/sign", methods=["POST"])
@roles_required(*STAFF)
def sign(ticket_id: int):
    return _act(ticket_id, ActionForm(), lambda f: handling.sign(current_user, ticket_id), _("已签收"))


@bp.route("/tickets/<int:ticket_id>/contact", methods=["POST"])
@roles_required(*STAFF)
def contact(ticket_id: int):
    return _act(ticket_id, ContactForm(), lambda f: handling.record_contact(
        current_user, ticket_id, contacted_on=f.contacted_on.data, way=f.way.data, summary=f.summary.data),
        _("联系记录已保存"))


@bp.route("/tickets/<int:ticket_id>/suspend", methods=["POST"])
@roles_required(*STAFF)
def suspend(ticket_id: int):
    return _act(ticket_id, SuspendForm(), lambda f: handling.suspend(current_user, ticket_id, f.question.data),
                _("工单已挂起，已通知企业补充信息"))


@bp.route("/tickets/<int:ticket_id>/suspension-request", methods=["POST"])
@roles_required(*STAFF)
def request_suspension(ticket_id: int):
    """Past the suspension cap: ask the supervision office to approve one more suspension."""
    return _act(ticket_id, SuspensionRequestForm(), lambda f: handling.request_suspension(
        current_user, ticket_id, f.question.data, f.reason.data), _("挂起申请已提交，等待督查室审批"))


@bp.route("/tickets/<int:ticket_id>/reply", methods=["POST"])
@roles_required(*STAFF)
def reply(ticket_id: int):
    return _act(ticket_id, ReplyForm(), lambda f: handling.reply(
        current_user, ticket_id, f.answer.data, request.files.getlist(f.files.name),
        override_reason=f.override_reason.data), _("答复已提交"))


@bp.route("/tickets/<int:ticket_id>/note", methods=["POST"])
@roles_required(*STAFF)
def note(ticket_id: int):
    return _act(ticket_id, NoteForm(), lambda f: handling.note(current_user, ticket_id, f.text.data),
                _("备注已保存"))


@bp.route("/tickets/<int:ticket_id>/assign", methods=["POST"])
@roles_required(*STAFF)
def assign(ticket_id: int):
    t = _visible_or_404(ticket_id)
    return _act(ticket_id, _assign_form(t), lambda f: handling.assign(current_user, ticket_id, f.clerk_id.data),
                _("已分配承办人"))
