"""Forms of the supervision office. Rules (ranges, lengths) are checked by the services, which
answer in Chinese; the forms parse and carry the CSRF token."""
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from app.web.fields import SelectField
from app.web.i18n import lazy_gettext as _l


class NoticeForm(FlaskForm):
    """下发督办单."""

    note = TextAreaField(_l("督办意见"), validators=[Length(max=2000, message=_l("内容过长，最多%(max)d个字"))])
    days = IntegerField(_l("办结期限（工作日）"), default=3, validators=[Optional()],
                        description=_l("自今日起的工作日数，1至30"))
    submit = SubmitField(_l("下发督办单"))


class AgencyDecisionForm(FlaskForm):
    """督查裁决 or 改派: an agency and a reason."""

    agency_id = SelectField(_l("承办单位"), coerce=int, validators=[Optional()])
    note = TextAreaField(_l("理由"), validators=[Length(max=2000, message=_l("内容过长，最多%(max)d个字"))])
    submit = SubmitField(_l("提交"))


class ExtensionDecisionForm(FlaskForm):
    """审批延期."""

    decision = RadioField(_l("审批结果"), choices=[("grant", _l("批准")), ("refuse", _l("不批准"))],
                          default="grant", validators=[Optional()])
    days = IntegerField(_l("批准延期（工作日）"), validators=[Optional()], description=_l("1至10个工作日"))
    note = TextAreaField(_l("审批意见"), validators=[Length(max=2000, message=_l("内容过长，最多%(max)d个字"))])
    submit = SubmitField(_l("提交审批"))


class ExclusionDecisionForm(FlaskForm):
    """审批核减."""

    decision = RadioField(_l("审批结果"), choices=[("grant", _l("同意核减")), ("refuse", _l("不同意"))],
                          default="grant", validators=[Optional()])
    note = TextAreaField(_l("审批意见"), validators=[Length(max=2000, message=_l("内容过长，最多%(max)d个字"))])
    submit = SubmitField(_l("提交审批"))


class FreezeForm(FlaskForm):
    """冻结月度考核结果."""

    month = HiddenField()
    submit = SubmitField(_l("冻结本月考核结果"))


class SuspensionDecisionForm(FlaskForm):
    """审批挂起 (a suspension beyond the cap)."""

    decision = RadioField(_l("审批结果"), choices=[("approve", _l("同意挂起")), ("refuse", _l("不同意"))],
                          default="approve", validators=[Optional()])
    note = TextAreaField(_l("审批意见"), validators=[Length(max=2000)])
    submit = SubmitField(_l("提交审批"))
