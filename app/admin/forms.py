from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from app.web.fields import SelectField
from app.web.i18n import lazy_gettext as _l


class CorrectionForm(FlaskForm):
    agency_id = SelectField(_l("承办单位"), coerce=int, validators=[DataRequired(_l("请选择承办单位"))])
    role = SelectField(_l("职责"), choices=[("lead", _l("牵头")), ("co", _l("协办")), ("sole", _l("负责")),
                                            ("remove", _l("移除"))])
    note = StringField(_l("说明"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("保存更正"))
