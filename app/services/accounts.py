"""Accounts: business self-registration, invitations, verification, staff creation, passwords
and the end of sessions."""
import hashlib
import re
import secrets
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from app.domain import Message
from app.domain.uscc import USCCError, normalize_uscc, validate_uscc
from app.extensions import db
from app.models import ROLES, Agency, Enterprise, EnterpriseInvitation, EnterpriseLicence, Jurisdiction, User
from app.models.types import utcnow
from app.services import N_, NotFound, ServiceError, attachments, audit, commit, notifications, transaction
from app.services.paging import newest_first

MIN_PASSWORD = 8
MAX_PASSWORD = 128
INVITATION_DAYS = 7
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


@cache
def _common_passwords() -> frozenset[str]:
    path = current_app.config["DATA_DIR"] / "common_passwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def check_password_policy(password: str, username: str = "") -> None:
    """Refuse a weak password (docs/security.md): 8–128 characters, at least two of letters, digits
    and other characters, not a common password, not containing the user name."""
    if len(password) < MIN_PASSWORD:
        raise ServiceError(N_("密码至少需要%(n)d个字符"), code="password", n=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise ServiceError(N_("密码不能超过%(n)d个字符"), code="password", n=MAX_PASSWORD)
    lowered = password.lower()
    if lowered in _common_passwords() or lowered.rstrip("0123456789!.") in _common_passwords():
        raise ServiceError(N_("该密码过于常见，容易被猜中，请换一个"), code="password")
    if username and len(username) >= 3 and username.lower() in lowered:
        raise ServiceError(N_("密码不能包含用户名"), code="password")
    classes = (any(c.isalpha() for c in password) + any(c.isdigit() for c in password)
               + any(not c.isalnum() for c in password))
    if classes < 2 or len(set(password)) < 4:
        raise ServiceError(N_("密码须包含字母、数字、符号中的至少两类，且不能是简单重复"), code="password")


def check_email(email: str | None) -> str | None:
    """The e-mail address stripped, None when empty; ServiceError when it is not an address."""
    email = (email or "").strip()
    if not email:
        return None
    if len(email) > 200 or not EMAIL_RE.match(email):
        raise ServiceError(N_("电子邮箱格式不正确"), code="email")
    return email


def _check_new_user(username: str, password: str) -> None:
    if not username or len(username) > 64:
        raise ServiceError(N_("用户名不能为空且不超过64个字符"), code="username")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ServiceError(N_("用户名“%(u)s”已被使用"), code="duplicate_username", u=username)
    check_password_policy(password, username)


def register_enterprise(
    *, username: str, password: str, display_name: str, enterprise_name: str, uscc: str,
    jurisdiction: str, contact_name: str | None = None, phone: str | None = None,
    email: str | None = None, licence=None,
) -> User:
    """Create a business, unverified until staff of its city check it, and its first user, with
    its licence (营业执照) when one is given. Refuses a bad or already registered USCC (a second
    person joins by invitation) and a licence that is not an image or PDF: nothing is created."""
    email = check_email(email)
    checked_licence = _check_licence(licence)
    code = normalize_uscc(uscc)
    try:
        validate_uscc(code)
    except USCCError as exc:
        raise ServiceError(exc.message, code="uscc") from exc
    if db.session.get(Jurisdiction, jurisdiction) is None:
        raise ServiceError(N_("请选择企业所在城市"), code="jurisdiction")
    if db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == code)) is not None:
        raise ServiceError(
            N_("该统一社会信用代码不能再注册新企业。同一企业的第二个账号请由已有账号发出邀请码后通过“凭邀请码加入”注册；如认为被他人冒用，请联系所在城市的服务中心核实。"),
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
    if checked_licence is not None:
        _add_licence(enterprise, user, checked_licence)
    commit()
    return user


def create_staff(
    *, username: str, password: str, role: str, display_name: str | None = None,
    agency_name: str | None = None, jurisdiction: str | None = None, email: str | None = None,
) -> User:
    """Create a staff account (clerk, agency_admin, dispatcher, supervisor, admin)."""
    email = check_email(email)
    if role not in ROLES or role == "enterprise":
        raise ServiceError(N_("未知的角色：%(r)s"), code="role", r=role)
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
                N_("找不到唯一的承办单位“%(a)s”，请同时指定城市"), code="agency", a=agency_name
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


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None. An unknown name costs a hash too, so the
    answer's timing does not tell which names exist."""
    user = db.session.scalar(select(User).where(User.username == username)) if len(username) <= 64 else None
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def _end_sessions(user_id: int) -> None:
    # A bulk UPDATE: two revocations at once both count, and no stale ORM value is written back.
    db.session.execute(update(User).where(User.id == user_id)
                       .values(session_generation=User.session_generation + 1))


@transaction
def end_sessions(user: User) -> None:
    """End every session of `user` on every host (logout)."""
    _end_sessions(user.id)
    commit()
    db.session.refresh(user)


@transaction
def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; ends the user's other sessions."""
    if not user.check_password(current or ""):
        raise ServiceError(N_("当前密码不正确"), code="current_password")
    check_password_policy(new, user.username)
    user.set_password(new)
    _end_sessions(user.id)
    audit.record("account_change", user, target_type="user", target_id=user.id, details={"change": "password"})
    commit()
    db.session.refresh(user)


@transaction
@transaction
def set_active(user_id: int, active: bool, actor: User | None = None) -> User:
    """Enable or disable an account; either way its existing sessions end. `actor` is the site
    admin acting on /admin/accounts (None: the `flask users` command); an admin cannot disable
    their own account, which would leave the site without the one who could enable it again."""
    if actor is not None and actor.role != "admin":
        raise ServiceError(N_("只有系统管理员可以停用或启用账号"), code="role")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(N_("用户不存在"))
    if actor is not None and user.id == actor.id and not active:
        raise ServiceError(N_("不能停用自己的账号"), code="self")
    if user.active == active:
        return user
    user.active = active
    _end_sessions(user.id)
    audit.record("account_change", actor, jurisdiction=user.scope_jurisdiction, target_type="user",
                 target_id=user.id, username=user.username,
                 details={"change": "enable" if active else "disable"})
    commit()
    db.session.refresh(user)
    return user


def accounts_page(actor: User, *, q: str | None = None, role: str | None = None, before_id: int | None = None,
                  size: int = 50) -> tuple[list[User], int | None]:
    """The site admin's list of accounts, newest first, paginated by id: those whose user name or
    display name contains `q`, of one role if `role` is one of ROLES."""
    if actor is None or actor.role != "admin":
        raise ServiceError(N_("只有系统管理员可以管理账号"), code="role")
    query = select(User).options(joinedload(User.agency), joinedload(User.enterprise))
    words = (q or "").strip()[:64]
    if words:
        like = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(User.username.ilike(like, escape="\\"), User.display_name.ilike(like, escape="\\")))
    if role in ROLES:
        query = query.where(User.role == role)
    return newest_first(query, User.id, before_id, size)


# --- verification and invitations ----------------------------------------------------------------

LICENCE_KINDS = ("pdf", "jpg", "png")
MAX_REASON = 500


def unverified_of(actor: User) -> list[tuple[Enterprise, EnterpriseLicence | None]]:
    """Businesses of the dispatcher's city still waiting for a check, each with its latest licence
    (None: not uploaded; the operator checks it another way). Two queries whatever the number."""
    rows = list(db.session.scalars(
        select(Enterprise).where(Enterprise.jurisdiction == actor.scope_jurisdiction,
                                 Enterprise.verified_at.is_(None)).order_by(Enterprise.id)))
    latest = _latest_licences([e.id for e in rows])
    return [(e, latest.get(e.id)) for e in rows]


def _latest_licences(enterprise_ids: list[int]) -> dict[int, EnterpriseLicence]:
    latest = {}
    if enterprise_ids:
        for lic in db.session.scalars(select(EnterpriseLicence).where(
                EnterpriseLicence.enterprise_id.in_(enterprise_ids)).order_by(EnterpriseLicence.id)):
            latest[lic.enterprise_id] = lic
    return latest


def latest_licence(enterprise_id: int) -> EnterpriseLicence | None:
    """The business's latest licence and the decision on it, if it uploaded one."""
    return _latest_licences([enterprise_id]).get(enterprise_id)


def _check_licence(file) -> tuple[str, bytes, str] | None:
    # Checked by content like every upload (app.services.attachments); only an image or a PDF.
    checked = attachments.validate([file] if file is not None else [])
    if not checked:
        return None
    if len(checked) > 1 or checked[0][2] not in LICENCE_KINDS:
        raise ServiceError(N_("营业执照只能是图片（JPG、PNG）或PDF文件"), code="licence_type")
    return checked[0]


def _add_licence(enterprise: Enterprise, user: User, checked: tuple[str, bytes, str]) -> EnterpriseLicence:
    name, data, kind = checked
    licence = EnterpriseLicence(
        enterprise=enterprise, uploaded_by_id=user.id, uploaded_at=utcnow(), original_name=name,
        stored_name=attachments.store(data), mime=attachments.ALLOWED[kind][1], size=len(data),
        sha256=hashlib.sha256(data).hexdigest())
    db.session.add(licence)
    db.session.flush()
    audit.record("verification", user, jurisdiction=enterprise.jurisdiction, target_type="licence",
                 target_id=licence.id, details={"change": "licence", "name": name})
    return licence


@transaction
def upload_licence(actor: User, file) -> EnterpriseLicence:
    """A business's account uploads its licence for the check (again after a rejection)."""
    if actor.role != "enterprise" or actor.enterprise is None:
        raise ServiceError(N_("只有企业账号可以上传营业执照"), code="role")
    if actor.enterprise.verified_at is not None:
        raise ServiceError(N_("贵企业已核验，无需再上传营业执照"), code="already_verified")
    checked = _check_licence(file)
    if checked is None:
        raise ServiceError(N_("请选择营业执照文件"), code="licence_missing")
    licence = _add_licence(actor.enterprise, actor, checked)
    commit()
    return licence


def licence_for_download(user: User, licence_id: int):
    """The licence and its file, for the business's own accounts and its city's dispatcher and
    supervision office; NotFound for everyone else (whether or not it exists)."""
    licence = db.session.get(EnterpriseLicence, licence_id)
    enterprise = licence.enterprise if licence is not None else None
    allowed = enterprise is not None and (
        (user.role == "enterprise" and user.enterprise_id == enterprise.id)
        or (user.role in ("dispatcher", "supervisor") and user.scope_jurisdiction == enterprise.jurisdiction))
    path = attachments.stored_path(licence.stored_name) if allowed else None
    if path is None:
        raise NotFound(N_("文件不存在或您无权查看"))
    audit.log("download", user, jurisdiction=enterprise.jurisdiction, target_type="licence",
              target_id=licence.id, details={"name": licence.original_name})
    return licence, path


def _enterprise_of_city(actor: User, enterprise_id: int) -> Enterprise:
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or actor.role != "dispatcher" or enterprise.jurisdiction != actor.scope_jurisdiction:
        raise NotFound(N_("企业不存在或不属于您所在的城市"))
    if enterprise.verified_at is not None:
        raise ServiceError(N_("该企业已经核验过了"), code="already_verified")
    return enterprise


@transaction
def reject_licence(actor: User, enterprise_id: int, reason: str) -> EnterpriseLicence:
    """The dispatcher finds the business's latest licence does not match it (or cannot be read):
    the business reads the reason and uploads again; it stays unverified."""
    enterprise = _enterprise_of_city(actor, enterprise_id)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(N_("请填写不通过的原因"), code="reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(N_("原因不能超过%(n)d个字符"), code="reason", n=MAX_REASON)
    licence = latest_licence(enterprise.id)
    if licence is None or licence.decision is not None:
        raise ServiceError(N_("该企业没有待核验的营业执照"), code="no_licence")
    licence.decision, licence.reason = "rejected", reason
    licence.decided_by_id, licence.decided_at = actor.id, utcnow()
    audit.record("verification", actor, jurisdiction=enterprise.jurisdiction, target_type="enterprise",
                 target_id=enterprise.id, details={"change": "reject", "name": enterprise.name, "reason": reason})
    notifications.notify([notifications.to_enterprise(enterprise.id)], None, "licence_rejected",
                         Message(N_("营业执照未通过核验：%(r)s。请在“营业执照”页面重新上传。"), r=reason))
    commit()
    return licence


@transaction
def verify_enterprise(actor: User, enterprise_id: int) -> Enterprise:
    """Mark a business of the actor's city as checked against its licence (营业执照): the one it
    uploaded, if it is waiting, is confirmed; without one the operator checked it another way."""
    enterprise = _enterprise_of_city(actor, enterprise_id)
    enterprise.verified_at = utcnow()
    enterprise.verified_by_id = actor.id
    licence = latest_licence(enterprise.id)
    if licence is not None and licence.decision is None:
        licence.decision, licence.decided_by_id, licence.decided_at = "confirmed", actor.id, enterprise.verified_at
    audit.record("verification", actor, jurisdiction=enterprise.jurisdiction, target_type="enterprise",
                 target_id=enterprise.id, details={"change": "confirm", "name": enterprise.name})
    notifications.notify([notifications.to_enterprise(enterprise.id)], None, "enterprise_verified",
                         Message(N_("%(name)s已通过派单中心核验。"), name=enterprise.name))
    commit()
    return enterprise


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode("utf-8")).hexdigest()


@transaction
def invite(actor: User) -> str:
    """A one-time invitation code (valid INVITATION_DAYS) for a colleague to join the actor's business."""
    if actor.role != "enterprise" or actor.enterprise_id is None:
        raise ServiceError(N_("只有企业账号可以邀请同事"), code="role")
    code = secrets.token_hex(6).upper()
    invitation = EnterpriseInvitation(
        enterprise_id=actor.enterprise_id, code_hash=_code_hash(code), created_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS))
    db.session.add(invitation)
    db.session.flush()
    audit.record("account_change", actor, target_type="invitation", target_id=invitation.id,
                 details={"change": "invite"})
    commit()
    return code


@transaction
def join_enterprise(*, code: str, username: str, password: str, display_name: str,
                    phone: str | None = None, email: str | None = None) -> User:
    """Create a second user of an existing business from a valid, unused invitation code."""
    email = check_email(email)
    invitation = db.session.scalar(
        select(EnterpriseInvitation).where(EnterpriseInvitation.code_hash == _code_hash(code or ""))
        .with_for_update())
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= utcnow():
        raise ServiceError(N_("邀请码无效、已使用或已过期"), code="invitation")
    _check_new_user(username, password)
    user = User(username=username, display_name=display_name or username, role="enterprise",
                enterprise_id=invitation.enterprise_id, phone=phone, email=email)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    invitation.used_at, invitation.used_by_id = utcnow(), user.id
    audit.record("account_change", user, target_type="invitation", target_id=invitation.id,
                 details={"change": "join"})
    commit()
    return user
