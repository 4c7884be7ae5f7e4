"""/admin/sla: the SLA policy of each city × kind × urgency (admin only), with its change log."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.admin import bp
from app.domain import sla
from app.domain.topics import KINDS
from app.services import ServiceError, listing, sla_policies
from app.web.access import roles_required
from app.web.fields import SelectField
from app.web.i18n import gettext as _
from app.web.i18n import lazy_gettext as _l
from app.web.i18n import translate_error

UNIT_LABELS = {"working_hours": _l("工作小时"), "working_days": _l("工作日"),
               "calendar_minutes": _l("分钟（自然时间）"), "calendar_hours": _l("小时（自然时间）")}
CLOCK_LABELS = {"sign": _l("签收"), "contact": _l("联系企业"), "resolve": _l("办结"), "reopen_resolve": _l("重办办结")}
STEP_LABELS = {"flag": _l("挂牌督办"), "interview": _l("约谈"), "notice": _l("通报")}


def _amount(label):
    return FloatField(label, validators=[InputRequired(_l("请填写时限")), NumberRange(min=0.01, max=1000,
                                                                              message=_l("时限应在%(min)s至%(max)s之间"))])


def _step(label):
    return IntegerField(label, validators=[InputRequired(_l("请填写督办阶梯的每一级")),
                                           NumberRange(min=1, max=sla.LADDER_MAX_DAYS,
                                                       message=_l("督办阶梯的时点应为%(min)s至%(max)s个工作日"))],
                        description=_l("超期工作日"))


def _unit():
    return SelectField(_l("单位"), choices=list(UNIT_LABELS.items()))


class PolicyForm(FlaskForm):
    sign_amount, sign_unit = _amount(_l("签收时限")), _unit()
    contact_amount, contact_unit = _amount(_l("联系企业时限")), _unit()
    resolve_amount, resolve_unit = _amount(_l("办结时限")), _unit()
    reopen_resolve_amount, reopen_resolve_unit = _amount(_l("重办办结时限")), _unit()
    warn_pct = IntegerField(_l("预警比例（%）"), validators=[InputRequired(_l("请填写预警比例")),
                                                         NumberRange(min=50, max=95, message=_l("预警比例应在%(min)s%%至%(max)s%%之间"))],
                            description=_l("时限用去这一比例时亮黄灯并催办"))
    flag_days = _step(_l("挂牌督办：超期工作日"))
    interview_days = _step(_l("约谈：超期工作日"))
    notice_days = _step(_l("通报：超期工作日"))
    rating_window_days = IntegerField(_l("评价期限（天，全市各类诉求）"), validators=[
        InputRequired(_l("请填写评价期限")),
        NumberRange(min=1, max=sla_policies.RATING_WINDOW_MAX, message=_l("评价期限应为%(min)s至%(max)s天"))],
        description=_l("答复后在此期限内未评价的，系统自动办结"))
    note = StringField(_l("修改说明"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("保存时限策略"))


def _city() -> str:
    codes = [c.code for c in listing.cities()]
    city = request.args.get("city") or ("liaoyuan" if "liaoyuan" in codes else (codes[0] if codes else ""))
    if city not in codes:
        abort(404)
    return city


@bp.route("/sla")
@roles_required("admin")
def sla_index():
    """Every kind × urgency of one city with its limits, the ladder's timings and the change log."""
    city = _city()
    return render_template("admin/sla.html", city=city, cities=listing.cities(),
                           rows=sla_policies.overview(city), rating_window=sla_policies.rating_window(city),
                           changes=sla_policies.changes(city), kinds=KINDS, clock_labels=CLOCK_LABELS,
                           step_labels=STEP_LABELS, unit_labels=UNIT_LABELS)


@bp.route("/sla/<city>/<kind>/<int:urgent>", methods=["GET", "POST"])
@roles_required("admin")
def sla_edit(city: str, kind: str, urgent: int):
    """Edit one policy; a refused change shows why and changes nothing."""
    if city not in [c.code for c in listing.cities()] or kind not in sla.KINDS or urgent not in (0, 1):
        abort(404)
    current = next(r for r in sla_policies.overview(city) if r.kind == kind and r.urgent == bool(urgent))
    form = PolicyForm()
    if request.method == "GET":
        for name in sla_policies.CLOCKS:
            limit = getattr(current.policy, name)
            getattr(form, f"{name}_amount").data = limit.amount
            getattr(form, f"{name}_unit").data = limit.unit
        form.warn_pct.data = round(current.policy.warn_ratio * 100)
        for step in sla_policies.LADDER_STEPS:
            getattr(form, f"{step}_days").data = current.policy.overdue_after[step]
        form.rating_window_days.data = sla_policies.rating_window(city)
    if form.validate_on_submit():
        limits = {n: (getattr(form, f"{n}_amount").data, getattr(form, f"{n}_unit").data) for n in sla_policies.CLOCKS}
        ladder = {step: getattr(form, f"{step}_days").data for step in sla_policies.LADDER_STEPS}
        try:
            sla_policies.update(current_user, city, kind, bool(urgent), limits=limits,
                                warn_ratio=form.warn_pct.data / 100, ladder=ladder,
                                rating_window_days=form.rating_window_days.data, note=form.note.data)
        except ServiceError as exc:
            flash(translate_error(exc), "error")
        else:
            flash(_("时限策略已保存：新的时限适用于此后开始计时的工单，督办阶梯自下一次巡检起生效"), "success")
            return redirect(url_for("admin.sla_index", city=city))
    return render_template("admin/sla_edit.html", form=form, city=city, kind=kind, urgent=bool(urgent),
                           kinds=KINDS, clock_labels=CLOCK_LABELS, step_labels=STEP_LABELS)
