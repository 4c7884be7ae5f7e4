from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.models.accounts import ROLE_LABELS
from app.web.fields import SelectField
from app.web.i18n import lazy_gettext as _l


class CorrectionForm(FlaskForm):
    agency_id = SelectField(_l("承办单位"), coerce=int, validators=[DataRequired(_l("请选择承办单位"))])
    role = SelectField(_l("职责"), choices=[("lead", _l("牵头")), ("co", _l("协办")), ("sole", _l("负责")),
                                            ("remove", _l("移除"))])
    note = StringField(_l("说明"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("保存更正"))


class AccountFilterForm(FlaskForm):
    """GET filters of the accounts list (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("用户名或姓名"), validators=[Optional(), Length(max=64)])
    role = SelectField(_l("角色"), choices=[("", _l("全部角色"))] + [(k, _l(v)) for k, v in ROLE_LABELS.items()],
                       validators=[Optional()])


class AccountActiveForm(FlaskForm):
    """停用 / 启用 one account: `active` is "1" to enable, "0" to disable."""

    active = HiddenField(validators=[AnyOf(["0", "1"], message=_l("请求无效，请刷新页面后重试。"))])
