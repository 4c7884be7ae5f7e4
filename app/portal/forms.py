"""Forms of the business portal."""
import secrets

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from app.domain.topics import (
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    KINDS,
    SATISFACTION,
    TITLE_MAX,
    TOPICS,
)
from app.web.fields import SelectField
from app.web.i18n import lazy_gettext as _l


class AppealForm(FlaskForm):
    """提交诉求."""

    kind = SelectField(_l("诉求类型"), choices=[("", _l("请选择"))] + [(k, _l(v)) for k, v in KINDS.items()],
                       validators=[DataRequired(_l("请选择诉求类型"))])
    topic = SelectField(_l("诉求主题"), choices=[("", _l("请选择"))] + [(k, _l(v)) for k, v in TOPICS.items()],
                        validators=[DataRequired(_l("请选择诉求主题"))])
    title = StringField(_l("标题"), validators=[DataRequired(_l("请填写诉求标题")), Length(max=TITLE_MAX)])
    description = TextAreaField(
        _l("诉求内容"),
        validators=[DataRequired(_l("请填写诉求内容")),
                    Length(min=DESCRIPTION_MIN, max=DESCRIPTION_MAX,
                           message=_l("诉求内容应为10到5000个字"))],
        description=_l("请写明时间、地点、涉及部门和您的诉求，10到5000字"))
    district = StringField(_l("所在区县"), validators=[Optional(), Length(max=100)])
    urgent = BooleanField(_l("紧急"))
    public = BooleanField(_l("同意公开（隐去企业信息）"))
    contact_phone = StringField(
        _l("联系电话"), validators=[Optional(), Length(max=20),
                                   Regexp(r"^[0-9\-+ ]{7,20}$", message=_l("联系电话格式不正确"))])
    files = MultipleFileField(_l("附件"), description=_l("最多5个，每个不超过10MB；PDF、JPG、PNG、DOCX、XLSX"))
    # Set once the business has seen its similar open tickets and still wants to file.
    seen_similar = HiddenField(default="")
    # One token per rendered form: a double click (or a resent POST) files once (app.services.idempotency).
    idempotency_key = HiddenField(default=lambda: secrets.token_urlsafe(16))
    submit = SubmitField(_l("提交诉求"))


class AddInfoForm(FlaskForm):
    """补充材料."""

    text = TextAreaField(_l("补充内容"), validators=[Optional(), Length(max=5000)])
    files = MultipleFileField(_l("附件"))
    submit = SubmitField(_l("提交补充"))


class AnswerForm(FlaskForm):
    """Answer the agency's question of a suspension."""

    answer = TextAreaField(_l("您的答复"), validators=[DataRequired(_l("请填写对问题的答复")), Length(max=5000)])
    files = MultipleFileField(_l("附件"))
    submit = SubmitField(_l("提交答复"))


class WithdrawForm(FlaskForm):
    """撤回."""

    reason = StringField(_l("撤回原因"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("撤回诉求"))


class RateForm(FlaskForm):
    """回访评价."""

    resolved = RadioField(_l("问题是否解决"), choices=[("yes", _l("已解决")), ("no", _l("未解决"))],
                          validators=[InputRequired(_l("请选择问题是否已解决"))])
    satisfaction = RadioField(_l("满意度"), choices=[(k, _l(v)) for k, v in SATISFACTION.items()],
                              validators=[InputRequired(_l("请选择满意度"))])
    comment = TextAreaField(_l("意见"), validators=[Optional(), Length(max=2000)],
                            description=_l("不满意时必须填写"))
    submit = SubmitField(_l("提交评价"))


class ReopenForm(FlaskForm):
    """重办."""

    reason = TextAreaField(_l("重办理由"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("申请重办"))
