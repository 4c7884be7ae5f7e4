"""Accounts: business self-registration and staff creation."""
from sqlalchemy import select

from app.domain.uscc import USCCError, normalize_uscc, validate_uscc
from app.extensions import db
from app.models import ROLES, Agency, Enterprise, Jurisdiction, User
from app.services import N_, ServiceError, audit, commit

MIN_PASSWORD = 8


def _check_new_user(username: str, password: str) -> None:
    if not username or len(username) > 64:
        raise ServiceError(N_("用户名不能为空且不超过64个字符"), code="username")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ServiceError(N_("用户名“%(u)s”已被使用"), code="duplicate_username", u=username)
    if len(password) < MIN_PASSWORD:
        raise ServiceError(N_("密码至少需要%(n)d个字符"), code="password", n=MIN_PASSWORD)


def register_enterprise(
    *, username: str, password: str, display_name: str, enterprise_name: str, uscc: str,
    jurisdiction: str, contact_name: str | None = None, phone: str | None = None,
    email: str | None = None,
) -> User:
    """Create a business and its first user. Refuses a bad or already registered USCC."""
    code = normalize_uscc(uscc)
    try:
        validate_uscc(code)
    except USCCError as exc:
        raise ServiceError(exc.message, code="uscc") from exc
    if db.session.get(Jurisdiction, jurisdiction) is None:
        raise ServiceError(N_("请选择企业所在城市"), code="jurisdiction")
    if db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == code)) is not None:
        raise ServiceError(
            N_("统一社会信用代码%(c)s已注册。如需为同一企业增加账号,请联系该企业已有账号或管理员。"),
            code="duplicate_uscc", c=code,
        )
    _check_new_user(username, password)
    if not enterprise_name.strip():
        raise ServiceError(N_("请填写企业名称"), code="enterprise_name")
    enterprise = Enterprise(
        uscc=code, name=enterprise_name.strip(), jurisdiction=jurisdiction,
        contact_name=contact_name, phone=phone,
    )
    user = User(
        username=username, display_name=display_name or enterprise_name, role="enterprise",
        enterprise=enterprise, phone=phone, email=email,
    )
    user.set_password(password)
    db.session.add_all([enterprise, user])
    db.session.flush()
    audit.record("account_change", user, target_type="user", target_id=user.id,
                 details={"change": "register", "role": "enterprise"})
    commit()
    return user


def create_staff(
    *, username: str, password: str, role: str, display_name: str | None = None,
    agency_name: str | None = None, jurisdiction: str | None = None, email: str | None = None,
) -> User:
    """Create a staff account (clerk, agency_admin, dispatcher, supervisor, admin)."""
    if role not in ROLES or role == "enterprise":
        raise ServiceError(N_("未知的角色:%(r)s"), code="role", r=role)
    agency = None
    if role in ("clerk", "agency_admin"):
        if not agency_name:
            raise ServiceError(N_("承办人员必须指定所属承办单位"), code="agency")
        query = select(Agency).where(Agency.name == agency_name)
        if jurisdiction:
            query = query.where(Agency.jurisdiction == jurisdiction)
        matches = db.session.scalars(query).all()
        if len(matches) != 1:
            raise ServiceError(
                N_("找不到唯一的承办单位“%(a)s”,请同时指定城市"), code="agency", a=agency_name
            )
        agency = matches[0]
        jurisdiction = None
    elif role in ("dispatcher", "supervisor"):
        if db.session.get(Jurisdiction, jurisdiction or "") is None:
            raise ServiceError(N_("派单员和督查人员必须指定城市"), code="jurisdiction")
    _check_new_user(username, password)
    user = User(
        username=username, display_name=display_name or username, role=role,
        agency=agency, jurisdiction=jurisdiction, email=email,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("account_change", None, jurisdiction=user.scope_jurisdiction, target_type="user",
                 target_id=user.id, username=username, details={"change": "create", "role": role})
    commit()
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not user.check_password(password):
        return None
    return user
