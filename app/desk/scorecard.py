"""Desk routes: an agency's own scorecard (its line of the monthly evaluation) and its own tickets
behind each number. Other agencies' figures are never shown here."""
from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user

from app.desk import bp
from app.domain.workflow import STATES
from app.services import evaluation as ev
from app.web.access import roles_required
from app.web.i18n import gettext as _


def _month() -> str:
    month = request.args.get("month") or ev.current_month()
    if not ev.MONTH_RE.match(month):
        abort(404)
    return month


def _jurisdiction() -> str:
    if current_user.agency is None:
        abort(403)
    return current_user.agency.jurisdiction


@bp.route("/scorecard")
@roles_required("clerk", "agency_admin")
def scorecard():
    """The agency's own line of the month and its 12-month trend."""
    month = _month()
    j = _jurisdiction()
    rows = ev.report(j, month)
    row = next((r for r in rows if r.get("agency_id") == current_user.agency_id), None)
    ranked = sum(1 for r in rows if r.get("rank") is not None)
    points = ev.trend(j, month, current_user.agency_id)
    from app.web.charts import line_chart

    chart = line_chart(_("三率趋势（%）"), [p["month"][2:] for p in points], {
        _("响应率"): [p.get("response_rate") for p in points],
        _("解决率"): [p.get("resolution_rate") for p in points],
        _("满意率"): [p.get("satisfaction_rate") for p in points],
    })
    return render_template("desk/scorecard.html", month=month, row=row, ranked=ranked, points=points,
                           chart=chart, months=ev.previous_months(ev.current_month(), 12)[::-1],
                           frozen=ev.is_frozen(j, month))


@bp.route("/scorecard/tickets")
@roles_required("clerk", "agency_admin")
def scorecard_tickets():
    """The agency's own tickets behind one number of its scorecard."""
    month, metric = _month(), request.args.get("metric", "assignments")
    if metric not in ev.METRICS:
        abort(404)
    before = request.args.get("before", type=int)
    rows = ev.drill(_jurisdiction(), month, current_user.agency_id, metric, before_id=before)
    nxt = url_for(".scorecard_tickets", month=month, metric=metric, before=rows[-1].id) if len(rows) == 50 else None
    from app.supervision.views import metric_labels

    return render_template("desk/scorecard_tickets.html", month=month, metric=metric, tickets=rows,
                           next_url=nxt, states=STATES, label=metric_labels()[metric],
                           url_endpoints=current_app.view_functions)
