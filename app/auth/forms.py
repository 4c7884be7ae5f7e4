from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名"))])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码"))])
    submit = SubmitField(_l("登录"))


class RegisterForm(FlaskForm):
    enterprise_name = StringField(
        _l("企业名称"), validators=[DataRequired(_l("请填写企业名称")), Length(max=200)]
    )
    uscc = StringField(
        _l("统一社会信用代码"),
        validators=[DataRequired(_l("请填写统一社会信用代码")), Length(max=40)],
        description=_l("18位,由营业执照上获取"),
    )
    jurisdiction = SelectField(_l("所在城市"), validators=[DataRequired(_l("请选择企业所在城市"))])
    contact_name = StringField(_l("联系人"), validators=[DataRequired(_l("请填写联系人")), Length(max=50)])
    phone = StringField(
        _l("联系电话"),
        validators=[DataRequired(_l("请填写联系电话")),
                    Regexp(r"^[0-9\-+ ]{7,20}$", message=_l("联系电话格式不正确"))],
    )
    email = EmailField(_l("电子邮箱"), validators=[Optional(), Length(max=200)])
    username = StringField(
        _l("用户名"),
        validators=[DataRequired(_l("请填写用户名")), Length(min=3, max=64, message=_l("用户名长度为3到64个字符")),
                    Regexp(r"^[A-Za-z0-9_.\-]+$", message=_l("用户名只能包含字母、数字、下划线、点和短横线"))],
    )
    password = PasswordField(
        _l("密码"), validators=[DataRequired(_l("请设置密码")), Length(min=8, message=_l("密码至少需要8个字符"))]
    )
    confirm = PasswordField(
        _l("确认密码"), validators=[EqualTo("password", message=_l("两次输入的密码不一致"))]
    )
    submit = SubmitField(_l("注册"))
