"""Forms of the agency desk (handling actions)."""
from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    MultipleFileField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.domain.topics import KINDS, TOPICS
from app.domain.workflow import STATES
from app.services.handling import CONTACT_WAYS
from app.web.fields import SelectField
from app.web.i18n import lazy_gettext as _l

WAYS = [(code, _l(label)) for code, label in CONTACT_WAYS.items()]


class ActionForm(FlaskForm):
    """A button with only its CSRF token (sign)."""

    submit = SubmitField(_l("签收"))


def _sane_date(form, field):
    # Year 1 and the like are typing slips; the service refuses dates after today.
    if field.data is not None and field.data < date(2000, 1, 1):
        raise ValidationError(_l("联系日期不正确"))


class ContactForm(FlaskForm):
    contacted_on = DateField(_l("联系日期"), validators=[DataRequired(_l("请填写联系日期")), _sane_date])
    way = SelectField(_l("联系方式"), choices=WAYS, validators=[DataRequired(_l("请选择联系方式"))])
    summary = TextAreaField(_l("联系情况"), validators=[DataRequired(_l("请填写联系情况")), Length(max=2000)])
    submit = SubmitField(_l("保存联系记录"))


class SuspendForm(FlaskForm):
    question = TextAreaField(_l("需要企业补充的问题"),
                             validators=[DataRequired(_l("挂起必须填写需要企业补充说明的问题")), Length(max=2000)])
    submit = SubmitField(_l("挂起并询问企业"))


class ReplyForm(FlaskForm):
    answer = TextAreaField(_l("答复内容"), validators=[DataRequired(_l("请填写答复内容")), Length(max=10000)],
                           description=_l("不少于20个字"))
    override_reason = StringField(_l("直接答复理由"), validators=[Optional(), Length(max=500)],
                                  description=_l("协办单位尚未提交意见时必须填写"))
    files = MultipleFileField(_l("附件"))
    submit = SubmitField(_l("提交答复"))


class NoteForm(FlaskForm):
    text = TextAreaField(_l("内部备注"), validators=[DataRequired(_l("请填写备注内容")), Length(max=5000)])
    submit = SubmitField(_l("保存备注"))


class AssignForm(FlaskForm):
    clerk_id = SelectField(_l("承办人"), coerce=int, validators=[DataRequired(_l("请选择承办人"))])
    submit = SubmitField(_l("分配"))


class QueueFilterForm(FlaskForm):
    """GET filters of the queue (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    state = SelectField(_l("状态"), choices=[("", _l("全部"))] + [(k, _l(v)) for k, v in STATES.items()],
                        validators=[Optional()])
    kind = SelectField(_l("类型"), choices=[("", _l("全部"))] + [(k, _l(v)) for k, v in KINDS.items()],
                       validators=[Optional()])
    topic = SelectField(_l("主题"), choices=[("", _l("全部"))] + [(k, _l(v)) for k, v in TOPICS.items()],
                        validators=[Optional()])
    mine = SelectField(_l("范围"), choices=[("", _l("本单位")), ("1", _l("分配给我的"))], validators=[Optional()])
    q = StringField(_l("搜索"), validators=[Optional(), Length(max=100)],
                    description=_l("工单号、企业名称或诉求内容中的词"))
    light = SelectField(_l("时限"), choices=[("", _l("全部")), ("overdue", _l("已超期")), ("warning", _l("临近时限"))],
                        validators=[Optional()])
    sort = SelectField(_l("排序"), choices=[("deadline", _l("办结时限最近")), ("filed", _l("最新提交")),
                                           ("updated", _l("最近更新"))], validators=[Optional()])


class BulkForm(FlaskForm):
    """Bulk sign or assign from the queue: the ticket ids ticked, the action and the clerk."""

    ids = SelectMultipleField(_l("工单"), coerce=int, choices=[], validate_choice=False,
                              validators=[DataRequired(_l("请先勾选工单"))])
    action = SelectField(_l("批量操作"), choices=[("sign", _l("批量签收")), ("assign", _l("批量分配"))],
                         validators=[DataRequired()])
    clerk_id = SelectField(_l("承办人"), coerce=int, validators=[Optional()], validate_choice=False, choices=[])
    submit = SubmitField(_l("执行"))


class SuspensionRequestForm(FlaskForm):
    """申请挂起: past the cap (2 times or 5 working days) the supervision office approves."""

    question = TextAreaField(_l("需要企业补充的问题"), validators=[Length(max=2000)])
    reason = TextAreaField(_l("需要再次挂起的理由（督查室审批）"), validators=[Length(max=2000)])
    submit = SubmitField(_l("申请挂起"))
