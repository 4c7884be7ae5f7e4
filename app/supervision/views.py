"""Supervision office pages: the overdue board, a ticket with the supervisor's actions, pending
requests, and the monthly evaluation (ranking, drill-down, trends, breakdowns, exports).
Views are thin: parse the form, call a service, flash, redirect or render."""
import csv
import io
from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.dispatch.forms import TerminateForm
from app.dispatch.views import terminate_form
from app.domain.topics import TOPICS
from app.domain.workflow import STATES, WorkflowError
from app.models import Agency
from app.services import NotFound, ServiceError, attachments, audit, dispatching, handling
from app.services import evaluation as ev
from app.services import supervision as sv
from app.services import tickets as core
from app.supervision import bp
from app.supervision.forms import (
    AgencyDecisionForm,
    ExclusionDecisionForm,
    ExtensionDecisionForm,
    FreezeForm,
    NoticeForm,
    SuspensionDecisionForm,
)
from app.web.access import roles_required
from app.web.actions import flash_form_errors, run_action
from app.web.charts import bar_chart, line_chart, ranking_chart
from app.web.i18n import gettext as _
from app.web.i18n import translate_error

REFUSED = (ServiceError, WorkflowError)
EXPORT_COLUMNS = (
    ("rank", "排名"), ("agency", "承办单位"), ("assignments", "工单数"), ("response_rate", "响应率(%)"),
    ("on_time_rate", "按时办结率(%)"), ("resolution_rate", "解决率(%)"), ("satisfaction_rate", "满意率(%)"),
    ("unjustified_returns", "无理退单"), ("reopened", "重办"), ("supervision_notices", "督办"),
    ("flagged", "挂牌督办"), ("deductions", "扣分"), ("score", "综合得分"), ("grade", "等级"),
)


def _int(name: str) -> int | None:
    try:
        return int(request.args.get(name, ""))
    except ValueError:
        return None


def _month() -> str:
    month = request.args.get("month") or request.form.get("month") or ev.current_month()
    if not ev.MONTH_RE.match(month):
        abort(404)
    return month


def _agency_choices(form_field) -> None:
    form_field.choices = [(0, _("请选择"))] + [(a.id, a.name) for a in sv.agencies_of(current_user)]


def _own_agency(agency_id: int | None) -> Agency:
    try:
        return sv.agency_of(current_user, agency_id)
    except NotFound:
        abort(404)


# --- the board ----------------------------------------------------------------------------------

@bp.route("/")
@roles_required("supervisor")
def index():
    """The overdue and escalated active assignments, grouped by agency and ladder level."""
    agency_id, level = _int("agency"), request.args.get("level") or None
    after = None
    if request.args.get("after_due") and _int("after_id"):
        try:
            after = (datetime.fromisoformat(request.args["after_due"]), _int("after_id"))
        except ValueError:
            after = None
    items = sv.board(current_user, agency_id=agency_id, level=level, after=after)
    nxt = None
    if len(items) == 100 and items[-1].assignment.resolve_due_at is not None:
        last = items[-1].assignment
        nxt = url_for(".index", agency=agency_id, level=level, after_due=last.resolve_due_at.isoformat(),
                      after_id=last.id)
    ladder = {code: sum(1 for i in items if i.level == code) for code in sv.LEVELS}
    return render_template(
        "supervision/index.html", groups=sv.group_board(items), count=len(items), agencies=sv.agencies_of(current_user),
        ladder=ladder, late=sum(1 for i in items if i.level is None),
        levels=sv.LEVELS, agency_id=agency_id, level=level, next_url=nxt,
        pending_extensions=len(sv.pending_extensions(current_user)),
        pending_exclusions=len(sv.pending_exclusions(current_user)),
        waiting=sv.waiting_decision(current_user), states=STATES,
    )


@bp.route("/tickets/<int:ticket_id>")
@roles_required("supervisor")
def ticket(ticket_id: int):
    """A ticket as the supervisor sees it: timeline, escalations, notices, requests, actions."""
    try:
        t = sv.ticket_for(current_user, ticket_id)
    except ServiceError:
        abort(404)
    decide_form, transfer_form = AgencyDecisionForm(prefix="decide"), AgencyDecisionForm(prefix="transfer")
    _agency_choices(decide_form.agency_id)
    _agency_choices(transfer_form.agency_id)
    extensions, exclusions = sv.requests_of(t)
    events = core.visible_events(current_user, t)
    page = render_template(
        "supervision/ticket.html", ticket=t, states=STATES, levels=sv.LEVELS, notice_form=NoticeForm(),
        decide_form=decide_form, transfer_form=transfer_form, extensions=extensions, exclusions=exclusions,
        extension_form=ExtensionDecisionForm(), exclusion_form=ExclusionDecisionForm(),
        escalations=sv.escalations(t), notices=sv.notices(t), categories=sv.EXCLUSION_CATEGORIES,
        topics=TOPICS, events=events, files=attachments.visible(current_user, t, events),
        tform=terminate_form(t),
        suspensions=[r for r in handling.pending_suspension_requests(current_user) if r.ticket_id == t.id],
    )
    # Audited once the page is built: the read and its record are one transaction (one connection,
    # no commit in the middle of the page's reads).
    audit.ticket_read(current_user, t)
    return page


def _back(ticket_id: int):
    return redirect(url_for(".ticket", ticket_id=ticket_id))


def _refused(exc) -> None:
    flash(translate_error(exc), "error")


@bp.route("/tickets/<int:ticket_id>/notice", methods=["POST"])
@roles_required("supervisor")
def issue_notice(ticket_id: int):
    """下发督办单."""
    form = NoticeForm()
    return run_action(form, lambda: sv.issue_notice(current_user, ticket_id, form.note.data, form.days.data),
                      _("督办单已下发"), url_for(".ticket", ticket_id=ticket_id))


@bp.route("/tickets/<int:ticket_id>/decide", methods=["POST"])
@roles_required("supervisor")
def decide(ticket_id: int):
    """督查裁决 of a ticket in to_supervision."""
    form = AgencyDecisionForm(prefix="decide")
    _agency_choices(form.agency_id)
    return run_action(form, lambda: sv.decide_ticket(current_user, ticket_id, form.agency_id.data, form.note.data),
                      _("已裁决并派单"), url_for(".ticket", ticket_id=ticket_id))


@bp.route("/tickets/<int:ticket_id>/transfer", methods=["POST"])
@roles_required("supervisor")
def transfer(ticket_id: int):
    """改派 to another agency."""
    form = AgencyDecisionForm(prefix="transfer")
    _agency_choices(form.agency_id)
    return run_action(form, lambda: sv.transfer(current_user, ticket_id, form.agency_id.data, form.note.data),
                      _("已改派"), url_for(".ticket", ticket_id=ticket_id))


@bp.route("/requests")
@roles_required("supervisor")
def requests_list():
    """Pending extension and exclusion requests, and tickets waiting for a decision."""
    return render_template(
        "supervision/requests.html", extensions=sv.pending_extensions(current_user),
        exclusions=sv.pending_exclusions(current_user), waiting=sv.waiting_decision(current_user),
        extension_form=ExtensionDecisionForm(), exclusion_form=ExclusionDecisionForm(),
        categories=sv.EXCLUSION_CATEGORIES, states=STATES,
        suspensions=handling.pending_suspension_requests(current_user),
    )


def _after_decision(ticket_id: int | None):
    target = request.form.get("next")
    if target == "requests" or ticket_id is None:
        return redirect(url_for(".requests_list"))
    return _back(ticket_id)


@bp.route("/extensions/<int:request_id>", methods=["POST"])
@roles_required("supervisor")
def decide_extension(request_id: int):
    """Grant or refuse an extension request."""
    form = ExtensionDecisionForm()
    ticket_id = request.form.get("ticket_id", type=int)
    if not form.validate_on_submit():
        flash(_("延期天数必须是1至10之间的整数"), "error")
        return _after_decision(ticket_id)
    try:
        sv.decide_extension(current_user, request_id, grant=form.decision.data != "refuse",
                            days=form.days.data, note=form.note.data)
    except REFUSED as exc:
        _refused(exc)
    else:
        flash(_("延期申请已审批"), "success")
    return _after_decision(ticket_id)


@bp.route("/exclusions/<int:request_id>", methods=["POST"])
@roles_required("supervisor")
def decide_exclusion(request_id: int):
    """Grant or refuse an exclusion request."""
    form = ExclusionDecisionForm()
    ticket_id = request.form.get("ticket_id", type=int)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _after_decision(ticket_id)
    try:
        sv.decide_exclusion(current_user, request_id, grant=form.decision.data != "refuse", note=form.note.data)
    except REFUSED as exc:
        _refused(exc)
    else:
        flash(_("核减申请已审批"), "success")
    return _after_decision(ticket_id)


@bp.route("/suspensions/<int:request_id>", methods=["POST"])
@roles_required("supervisor")
def decide_suspension(request_id: int):
    """Approve or refuse a suspension beyond the cap."""
    form = SuspensionDecisionForm()
    ticket_id = request.form.get("ticket_id", type=int)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _after_decision(ticket_id)
    try:
        handling.decide_suspension(current_user, request_id, approve=form.decision.data != "refuse",
                                   note=form.note.data)
    except REFUSED as exc:
        _refused(exc)
    else:
        flash(_("挂起申请已审批"), "success")
    return _after_decision(ticket_id)


@bp.route("/tickets/<int:ticket_id>/terminate", methods=["POST"])
@roles_required("supervisor")
def terminate(ticket_id: int):
    """终止办理 by the supervision office."""
    form = TerminateForm()
    try:
        t = sv.ticket_for(current_user, ticket_id)
    except ServiceError:
        abort(404)
    return run_action(form, lambda: dispatching.terminate(
        t, current_user, form.category.data, form.reason.data, version=form.version_value()),
        _("已终止办理，已告知企业终止理由"), url_for(".ticket", ticket_id=ticket_id))


# --- evaluation ---------------------------------------------------------------------------------

@bp.route("/evaluation")
@roles_required("supervisor")
def evaluation():
    """The month's ranking with each rate; every number opens the tickets behind it."""
    month = _month()
    rows = ev.report(current_user.jurisdiction, month)
    period = ev.get_period(current_user.jurisdiction, month)
    chart = ranking_chart(_("综合得分排名"), [(r["agency"], r["score"]) for r in rows if r.get("score") is not None])
    return render_template(
        "supervision/evaluation.html", month=month, rows=rows, period=period, chart=chart,
        months=ev.previous_months(ev.current_month(), 12)[::-1], freeze_form=FreezeForm(month=month),
        can_freeze=month < ev.current_month() and not (period and period.frozen_at),
        changes=ev.changes(current_user.jurisdiction, 20),
    )


@bp.route("/evaluation/freeze", methods=["POST"])
@roles_required("supervisor")
def freeze():
    """Freeze a finished month: its scorecards become stored rows."""
    form = FreezeForm()
    month = form.month.data or ""
    if form.validate_on_submit():
        try:
            ev.freeze(current_user.jurisdiction, month, current_user)
        except REFUSED as exc:
            _refused(exc)
        else:
            flash(_("%(m)s 考核结果已冻结", m=month), "success")
    return redirect(url_for(".evaluation", month=month if ev.MONTH_RE.match(month) else None))


@bp.route("/evaluation/drill")
@roles_required("supervisor")
def drill():
    """The tickets behind one number of the report (paginated by id)."""
    month, metric = _month(), request.args.get("metric", "assignments")
    agency = _own_agency(_int("agency"))
    if metric not in ev.METRICS:
        abort(404)
    before = _int("before")
    rows = ev.drill(current_user.jurisdiction, month, agency.id, metric, before_id=before)
    nxt = url_for(".drill", month=month, agency=agency.id, metric=metric, before=rows[-1].id) if len(rows) == 50 else None
    return render_template("supervision/drill.html", month=month, agency=agency, metric=metric,
                           tickets=rows, next_url=nxt, states=STATES, metric_labels=metric_labels())


def metric_labels() -> dict:
    """Chinese names of the drill-down metrics."""
    return {
        "assignments": _("全部工单"), "not_responded": _("未按时响应"), "late": _("超期办结或超期未结"),
        "ratings": _("全部评价"), "unresolved": _("评价未解决"), "dissatisfied": _("评价不满意"),
        "unjustified_returns": _("无理退单"), "reopened": _("被重办"), "supervise": _("督办"),
        "flag": _("挂牌督办"),
    }


@bp.route("/evaluation/trend")
@roles_required("supervisor")
def trend():
    """Trend charts of the last 12 months: the whole city, or one agency."""
    month = _month()
    agency_id = _int("agency")
    agency = _own_agency(agency_id) if agency_id else None
    points = ev.trend(current_user.jurisdiction, month, agency.id if agency else None)
    labels = [p["month"][2:] for p in points]
    rates = line_chart(_("三率趋势（%）"), labels, {
        _("响应率"): [p.get("response_rate") for p in points],
        _("解决率"): [p.get("resolution_rate") for p in points],
        _("满意率"): [p.get("satisfaction_rate") for p in points],
    })
    score = line_chart(_("综合得分"), labels, {_("综合得分"): [p.get("score") for p in points]})
    volume = bar_chart(_("工单量与督办"), labels, {
        _("工单数"): [p.get("assignments") for p in points],
        _("督办"): [p.get("supervision_notices") for p in points],
    })
    return render_template("supervision/trend.html", month=month, agency=agency, points=points,
                           charts=[rates, score, volume], agencies=sv.agencies_of(current_user))


@bp.route("/evaluation/breakdown")
@roles_required("supervisor")
def breakdown():
    """Appeals and dissatisfaction of the month by topic and by plan measure."""
    month = _month()
    topics = ev.breakdown(current_user.jurisdiction, month, "topic")
    measures = ev.breakdown(current_user.jurisdiction, month, "measure")
    chart = bar_chart(_("各主题诉求量与不满意数"), [_(TOPICS.get(t["topic"], t["topic"])) for t in topics[:12]], {
        _("诉求量"): [t["tickets"] for t in topics[:12]], _("不满意"): [t["dissatisfied"] for t in topics[:12]],
    })
    return render_template("supervision/breakdown.html", month=month, topics=topics, measures=measures,
                           topic_names=TOPICS, chart=chart)


@bp.route("/evaluation/breakdown/tickets")
@roles_required("supervisor")
def breakdown_tickets():
    """The tickets of one topic or one measure in the month."""
    month = _month()
    topic, measure_id, before = request.args.get("topic") or None, _int("measure"), _int("before")
    rows = ev.breakdown_tickets(current_user.jurisdiction, month, topic=topic, measure_id=measure_id,
                                before_id=before)
    nxt = (url_for(".breakdown_tickets", month=month, topic=topic, measure=measure_id, before=rows[-1].id)
           if len(rows) == 50 else None)
    label = TOPICS.get(topic, topic) if topic else _("措施 #%(n)s", n=measure_id)
    return render_template("supervision/drill.html", month=month, agency=None, metric=None, label=label,
                           tickets=rows, next_url=nxt, states=STATES, metric_labels=metric_labels())


def _export_rows(month: str) -> list[list]:
    return [[row.get(k) if row.get(k) is not None else "" for k, _label in EXPORT_COLUMNS]
            for row in ev.report(current_user.jurisdiction, month)]


@bp.route("/evaluation/export.csv")
@roles_required("supervisor")
def export_csv():
    """The ranking as CSV, UTF-8 with a BOM so that Excel reads the Chinese."""
    month = _month()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_(label) for _k, label in EXPORT_COLUMNS])
    writer.writerows(_export_rows(month))
    audit.log("export", current_user, target_type="evaluation", details={"month": month, "format": "csv"})
    data = "\ufeff" + out.getvalue()
    return Response(data.encode("utf-8"), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=evaluation-{current_user.jurisdiction}-{month}.csv"})


@bp.route("/evaluation/export.xlsx")
@roles_required("supervisor")
def export_xlsx():
    """The ranking as an Excel workbook (openpyxl)."""
    from openpyxl import Workbook

    month = _month()
    wb = Workbook()
    ws = wb.active
    ws.title = month
    ws.append([_(label) for _k, label in EXPORT_COLUMNS])
    for row in _export_rows(month):
        ws.append(row)
    audit.log("export", current_user, target_type="evaluation", details={"month": month, "format": "xlsx"})
    ws.column_dimensions["B"].width = 28
    buf = io.BytesIO()
    wb.save(buf)
    return Response(buf.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition":
                             f"attachment; filename=evaluation-{current_user.jurisdiction}-{month}.xlsx"})
