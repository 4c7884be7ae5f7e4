"""Forms of the dispatch centre. They only parse; the rules live in app.services.dispatching."""
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.web.fields import SelectField
from app.web.i18n import lazy_gettext as _l


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _Versioned(FlaskForm):
    # The ticket version the page showed: a stale page is refused with a clear conflict.
    version = HiddenField()

    def version_value(self):
        return _int_or_none(self.version.data)


class DispatchForm(_Versioned):
    lead = SelectField(_l("主办单位"), coerce=_int_or_none, validate_choice=False,
                       validators=[DataRequired(_l("请选择主办单位"))])
    co = SelectMultipleField(_l("协办单位（可多选）"), coerce=int, validate_choice=False,
                             validators=[Optional()])
    note = TextAreaField(_l("派单说明（选填，承办单位可见）"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("派单"))


class MergeForm(_Versioned):
    target = StringField(_l("合并到工单号"), validators=[DataRequired(_l("请填写要合并到的工单号")), Length(max=40)],
                         description=_l("例如 LY20261121-000001；本工单将作为重复件关闭"))
    note = TextAreaField(_l("合并说明（选填）"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("合并为重复件"))


class RejectForm(_Versioned):
    reason = TextAreaField(_l("不予受理理由（企业可见）"), validators=[Optional(), Length(max=2000)],
                           description=_l("例如：属于诉讼程序，请通过法院渠道"))
    submit = SubmitField(_l("不予受理"))


class RejectReturnForm(_Versioned):
    note = TextAreaField(_l("驳回说明（选填，退单单位可见）"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("驳回退单，退回原单位"))


class AgencyFilterForm(FlaskForm):
    """GET filter of the agency lists (server-side, no script)."""

    class Meta:
        csrf = False

    q = StringField(_l("按名称或简称筛选单位"), validators=[Optional(), Length(max=50)])
    submit = SubmitField(_l("筛选"))


class TerminateForm(_Versioned):
    """终止办理 (the dispatch centre's and the supervision office's)."""

    category = SelectField(_l("终止原因"), validate_choice=False)
    reason = TextAreaField(_l("终止说明（企业可见，不少于10个字）"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("终止办理"))


class CallbackForm(_Versioned):
    """回访: the business's verdict gathered by phone, SMS or a visit."""

    channel = SelectField(_l("回访方式"), validate_choice=False)
    resolved = SelectField(_l("问题是否解决"), choices=[("yes", _l("已解决")), ("no", _l("未解决"))],
                           validate_choice=False)
    satisfaction = SelectField(_l("满意度"), validate_choice=False)
    comment = TextAreaField(_l("企业意见（不满意时必填）"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("记录回访结果"))


class RejectLicenceForm(FlaskForm):
    """Why a business's licence was not accepted (the business reads it)."""

    reason = TextAreaField(_l("不通过的原因（企业可见）"), validators=[Length(max=500)])
