from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from app.web.fields import SelectField
from app.web.i18n import lazy_gettext as _l

# The policy itself (common passwords, user name, character classes) is checked by the service.
PASSWORD_FIELD = [DataRequired(_l("请设置密码")), Length(min=8, max=128, message=_l("密码长度为8到128个字符"))]
USERNAME_FIELD = [DataRequired(_l("请填写用户名")),
                  Length(min=3, max=64, message=_l("用户名长度为3到64个字符")),
                  Regexp(r"^[A-Za-z0-9_.\-]+$", message=_l("用户名只能包含字母、数字、下划线、点和短横线"))]
PHONE_FIELD = [DataRequired(_l("请填写联系电话")), Length(max=20),
               Regexp(r"^[0-9\-+ ]{7,20}$", message=_l("联系电话格式不正确"))]
EMAIL_FIELD = [Optional(), Length(max=200),
               Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("电子邮箱格式不正确"))]


LICENCE_HELP = _l("图片（JPG、PNG）或PDF，10MB以内，供所在城市的服务中心核对企业名称和统一社会信用代码")


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")), Length(max=128)])
    submit = SubmitField(_l("登录"))


class RegisterForm(FlaskForm):
    enterprise_name = StringField(
        _l("企业名称"), validators=[DataRequired(_l("请填写企业名称")), Length(max=200)]
    )
    uscc = StringField(
        _l("统一社会信用代码"),
        validators=[DataRequired(_l("请填写统一社会信用代码")), Length(max=40)],
        description=_l("18位，由营业执照上获取"),
    )
    jurisdiction = SelectField(_l("所在城市"), validators=[DataRequired(_l("请选择企业所在城市"))])
    contact_name = StringField(_l("联系人"), validators=[DataRequired(_l("请填写联系人")), Length(max=50)])
    phone = StringField(_l("联系电话"), validators=PHONE_FIELD)
    email = EmailField(_l("电子邮箱"), validators=EMAIL_FIELD)
    username = StringField(_l("用户名"), validators=USERNAME_FIELD)
    password = PasswordField(_l("密码"), validators=PASSWORD_FIELD,
                             description=_l("至少8个字符，含字母、数字、符号中的两类，不能是常见密码或包含用户名"))
    confirm = PasswordField(
        _l("确认密码"), validators=[Length(max=128), EqualTo("password", message=_l("两次输入的密码不一致"))]
    )
    licence = FileField(_l("营业执照（可稍后上传）"), description=LICENCE_HELP)
    submit = SubmitField(_l("注册"))


class LicenceForm(FlaskForm):
    """A business uploads its licence for the check (after registering, or again after a rejection)."""

    licence = FileField(_l("营业执照"), description=LICENCE_HELP)
    submit = SubmitField(_l("上传"))


class JoinForm(FlaskForm):
    """A second person of an existing business registers with the invitation code of its account."""

    code = StringField(_l("邀请码"), validators=[DataRequired(_l("请填写邀请码")), Length(max=32)])
    contact_name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名")), Length(max=50)])
    phone = StringField(_l("联系电话"), validators=PHONE_FIELD)
    email = EmailField(_l("电子邮箱"), validators=EMAIL_FIELD)
    username = StringField(_l("用户名"), validators=USERNAME_FIELD)
    password = PasswordField(_l("密码"), validators=PASSWORD_FIELD)
    confirm = PasswordField(
        _l("确认密码"), validators=[Length(max=128), EqualTo("password", message=_l("两次输入的密码不一致"))]
    )
    submit = SubmitField(_l("注册并加入企业"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码")), Length(max=128)])
    password = PasswordField(_l("新密码"), validators=PASSWORD_FIELD)
    confirm = PasswordField(
        _l("确认新密码"), validators=[Length(max=128), EqualTo("password", message=_l("两次输入的密码不一致"))]
    )
    submit = SubmitField(_l("修改密码"))
