"""Personal API tokens (REST API v1) and Open311 client keys: made random, shown once, stored as
their SHA-256 only, revocable. The token decides who the caller is; what the caller may see and
do is decided by the same role and need-to-know rules as the pages (app.services.tickets)."""
import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import ApiToken, Jurisdiction, Open311Key, User, utcnow
from app.services import N_, NotFound, ServiceError, transaction

TOKEN_PREFIX = "eadk_"  # 企业诉求直通车 API token; lets secret scanners recognise a leaked token
KEY_PREFIX = "o311_"
SCOPES = {
    "tickets:read": N_("查看工单"),
    "tickets:write": N_("提交诉求及企业操作"),
    "desk:act": N_("承办、派单等工作人员操作"),
    "evaluation:read": N_("查看考评与督查数据"),
}
MAX_DAYS = 366
NAME_MAX = 100


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _text(value: str | None) -> str:
    return (value or "").strip()


@transaction
def create_token(user: User, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    """Make a token for `user`; returns the row and the token itself (never stored, shown once)."""
    name = _text(name)
    if not name or len(name) > NAME_MAX:
        raise ServiceError(N_("请填写令牌名称（不超过%(n)d个字）"), code="name", n=NAME_MAX)
    scopes = list(dict.fromkeys(scopes or ()))
    if not scopes or any(s not in SCOPES for s in scopes):
        raise ServiceError(N_("请至少选择一项有效的权限范围"), code="scopes")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ServiceError(N_("有效期应为1到%(n)d天"), code="days", n=MAX_DAYS)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=raw[:12], token_hash=_digest(raw), scopes=scopes,
                     expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    db.session.commit()
    return token, raw


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones included, marked)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


@transaction
def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (others' are not found)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(N_("令牌不存在"))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    return token


def authenticate(raw: str | None, now: datetime | None = None) -> ApiToken | None:
    """The live token for `raw` (not revoked, not expired, its user active), or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(raw)))
    now = now or utcnow()
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.active:
        return None
    return token


def touch(token) -> None:
    """Record when a token or key was last used (at most once a minute, to spare the writes)."""
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        db.session.commit()


def is_live(token: ApiToken, now: datetime | None = None) -> bool:
    """Neither revoked nor expired."""
    return token.revoked_at is None and token.expires_at > (now or utcnow())


# --- Open311 keys -------------------------------------------------------------------------------

@transaction
def create_key(name: str, jurisdiction: str) -> tuple[Open311Key, str]:
    """A new api_key for an Open311 client system of one city; returns the row and the key."""
    name = _text(name)
    if not name or len(name) > NAME_MAX:
        raise ServiceError(N_("请填写客户端系统名称（不超过%(n)d个字）"), code="name", n=NAME_MAX)
    if db.session.get(Jurisdiction, jurisdiction or "") is None:
        raise ServiceError(N_("城市“%(j)s”不存在"), code="jurisdiction", j=jurisdiction)
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = Open311Key(name=name, jurisdiction=jurisdiction, prefix=raw[:12], key_hash=_digest(raw))
    db.session.add(key)
    db.session.commit()
    return key, raw


def keys() -> list[Open311Key]:
    """Every Open311 key, newest first."""
    return list(db.session.scalars(select(Open311Key).order_by(Open311Key.id.desc())))


@transaction
def revoke_key(key_id: int) -> Open311Key:
    """Revoke an Open311 key: the client system's calls get 403 from now on."""
    key = db.session.get(Open311Key, key_id)
    if key is None:
        raise NotFound(N_("密钥不存在"))
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        db.session.commit()
    return key


def key_for(raw: str | None) -> Open311Key | None:
    """The live Open311 key for `raw`, or None."""
    if not raw or len(raw) > 200:
        return None
    key = db.session.scalar(select(Open311Key).where(Open311Key.key_hash == _digest(raw)))
    if key is None or key.revoked_at is not None:
        return None
    return key
