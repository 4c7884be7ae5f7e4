"""Admin routes: the working calendar (holidays, 调休 workdays, entered years, working hours)."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.admin import bp
from app.services import ServiceError, listing
from app.services import calendar as cal_service
from app.web.access import roles_required
from app.web.fields import SelectField
from app.web.i18n import gettext as _
from app.web.i18n import lazy_gettext as _l
from app.web.i18n import translate_error


class DayForm(FlaskForm):
    day = StringField(_l("日期（YYYY-MM-DD）"), validators=[DataRequired(_l("请填写日期")), Length(max=10)])
    kind = SelectField(_l("类型"), choices=[("holiday", _l("节假日（周一至周五放假）")),
                                            ("workday", _l("调休上班（周末上班）"))])
    name = StringField(_l("名称"), validators=[Optional(), Length(max=50)])
    submit = SubmitField(_l("添加"))


class RemoveForm(FlaskForm):
    day = HiddenField()


class YearForm(FlaskForm):
    year = IntegerField(_l("年份"), validators=[DataRequired(_l("请填写年份")), NumberRange(2000, 2100)])
    submit = SubmitField(_l("标记为已录入"))


class HoursForm(FlaskForm):
    jurisdiction = SelectField(_l("城市"))
    periods = StringField(_l("工作时间"), validators=[DataRequired(_l("请填写工作时间")), Length(max=200)],
                          description=_l("例如 09:00-12:00, 13:30-17:30"))
    submit = SubmitField(_l("保存"))


class NoticeForm(FlaskForm):
    text = TextAreaField(_l("通知全文"), validators=[DataRequired(_l("请粘贴通知全文")), Length(max=20000)],
                         render_kw={"rows": 12},
                         description=_l("粘贴国务院办公厅关于某年部分节假日安排的通知全文，先预览，确认后保存"))
    confirm = HiddenField()
    submit = SubmitField(_l("预览"))


@bp.app_template_global()
def calendar_warning() -> int | None:
    """The coming year while it is still provisional, from 1 November (admin and supervision pages)."""
    return cal_service.next_year_missing()


def _first_error(form) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return _("表单内容不正确")


def _hours_form() -> HoursForm:
    form = HoursForm(prefix="hours")
    form.jurisdiction.choices = [(j.code, j.name) for j in listing.cities()]
    return form


def _page(year: int | None = None, notice_form: NoticeForm | None = None, preview=None, status: int = 200):
    today = cal_service.local_today()
    year = year or today.year
    if not 2000 <= year <= 2100:
        year = today.year
    hours_form = _hours_form()
    hours = [(j_code, j_name, cal_service.periods_of(j_code)) for j_code, j_name in hours_form.jurisdiction.choices]
    return render_template(
        "admin/calendar.html", year=year, days=cal_service.exceptions_of(year),
        entered=cal_service.year_entered(year), provisional=cal_service.provisional_years(today),
        entry=cal_service.year_entry(year),
        day_form=DayForm(prefix="day"), year_form=YearForm(prefix="year", year=year),
        remove_form=RemoveForm(prefix="rm"), hours_form=hours_form, hours=hours,
        notice_form=notice_form or NoticeForm(prefix="notice"), preview=preview,
    ), status


@bp.route("/calendar")
@roles_required("admin")
def calendar():
    return _page(request.args.get("year", type=int))


@bp.route("/calendar/notice", methods=["POST"])
@roles_required("admin")
def calendar_notice():
    """Paste a notice: the first submit shows what was read (nothing saved); confirming saves it."""
    form = NoticeForm(prefix="notice")
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return _page(notice_form=form, status=400)
    try:
        if form.confirm.data == "1":
            result = cal_service.import_notice(form.text.data, current_user)
        else:
            notice = cal_service.read_notice(form.text.data)
    except ServiceError as exc:
        flash(translate_error(exc), "error")
        return _page(notice_form=form, status=400)
    if form.confirm.data == "1":
        flash(_("%(y)s 年的节假日安排已录入：%(h)s 个工作日放假，%(w)s 个调休上班日，%(t)s 张工单的办理时限已重新计算",
                y=result["year"], h=result["holidays"], w=result["workdays"], t=result["tickets"]), "success")
        return redirect(url_for("admin.calendar", year=result["year"]))
    return _page(notice.year, notice_form=form, preview=notice)


@bp.route("/calendar/days", methods=["POST"])
@roles_required("admin")
def calendar_add_day():
    form = DayForm(prefix="day")
    year = request.args.get("year", type=int)
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return redirect(url_for("admin.calendar", year=year))
    try:
        row = cal_service.add_day(form.day.data, form.kind.data == "workday", form.name.data, current_user)
    except ServiceError as exc:
        flash(translate_error(exc), "error")
        return redirect(url_for("admin.calendar", year=year))
    flash(_("已保存 %(d)s", d=row.day.isoformat()), "success")
    return redirect(url_for("admin.calendar", year=row.day.year))


@bp.route("/calendar/days/remove", methods=["POST"])
@roles_required("admin")
def calendar_remove_day():
    form = RemoveForm(prefix="rm")
    year = request.args.get("year", type=int)
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return redirect(url_for("admin.calendar", year=year))
    try:
        cal_service.remove_day(form.day.data, current_user)
    except ServiceError as exc:
        flash(translate_error(exc), "error")
    else:
        flash(_("已删除 %(d)s", d=form.day.data), "success")
    return redirect(url_for("admin.calendar", year=year))


@bp.route("/calendar/years", methods=["POST"])
@roles_required("admin")
def calendar_mark_year():
    form = YearForm(prefix="year")
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return redirect(url_for("admin.calendar"))
    try:
        cal_service.mark_year_entered(form.year.data, current_user)
    except ServiceError as exc:
        flash(translate_error(exc), "error")
        return redirect(url_for("admin.calendar"))
    flash(_("%(y)s 年的节假日安排已标记为录入", y=form.year.data), "success")
    return redirect(url_for("admin.calendar", year=form.year.data))


@bp.route("/calendar/hours", methods=["POST"])
@roles_required("admin")
def calendar_hours():
    form = _hours_form()
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return redirect(url_for("admin.calendar"))
    try:
        cal_service.set_working_hours(form.jurisdiction.data, form.periods.data, current_user)
    except ServiceError as exc:
        flash(translate_error(exc), "error")
    else:
        flash(_("工作时间已保存"), "success")
    return redirect(url_for("admin.calendar"))
