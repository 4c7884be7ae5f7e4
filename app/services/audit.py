"""The audit log: who read which ticket, downloaded which file, exported what, logged in (or
failed to), changed an account, verified a business, changed the catalog, the working calendar or
an SLA policy. Append-only; read by the supervision office
(its city) and the admin (everything). docs/security.md, "Audit", lists what is recorded.

`record` adds an entry to the caller's transaction (an account change and its entry commit
together); `log` records and commits at once, for acts that change nothing else (a read, a
download, an export, a login).
"""
from flask import has_request_context, request
from sqlalchemy import insert, select

from app.extensions import db
from app.models import AuditEntry, User, utcnow
from app.services import N_, ServiceError, commit
from app.services.paging import newest_first

ACTIONS = {
    "ticket_read": N_("查看工单"),
    "download": N_("下载附件"),
    "export": N_("导出数据"),
    "login": N_("登录成功"),
    "login_failed": N_("登录失败"),
    "account_change": N_("账号变更"),
    "verification": N_("企业核验"),
    "catalog_change": N_("目录变更"),
    "calendar_change": N_("工作日历变更"),
    "sla_change": N_("时限策略变更"),
}
# What changed (details["change"]), as the log shows it.
CHANGES = {
    "register": N_("企业注册"),
    "create": N_("创建账号"),
    "disable": N_("停用账号"),
    "enable": N_("启用账号"),
    "password": N_("修改密码"),
    "invite": N_("生成邀请码"),
    "join": N_("凭邀请码加入"),
    "licence": N_("上传营业执照"),
    "confirm": N_("核验通过"),
    "reject": N_("核验不通过"),
    "add_day": N_("设置节假日或调休"),
    "remove_day": N_("删除节假日或调休"),
    "mark_year": N_("标记年份已录入"),
    "hours": N_("修改工作时间"),
    "notice": N_("录入国务院节假日通知"),
    "policy": N_("修改时限策略"),
}
READERS = ("supervisor", "admin")
_INSERT_ROW = insert(AuditEntry.__table__)


def _ip() -> str | None:
    return (request.remote_addr or None) if has_request_context() else None


def _values(action: str, actor: User | None = None, *, jurisdiction: str | None = None,
            target_type: str | None = None, target_id: int | None = None, ticket_id: int | None = None,
            success: bool = True, username: str | None = None, details: dict | None = None) -> dict:
    """The columns of an audit entry (see `record`)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if jurisdiction is None and actor is not None:
        jurisdiction = actor.scope_jurisdiction
    username = username or (actor.username if actor is not None else None) or None
    return {"at": utcnow(), "actor_id": actor.id if actor is not None else None,
            "actor_role": actor.role if actor is not None else None, "username": username[:64] if username else None,
            "jurisdiction": jurisdiction, "action": action, "target_type": target_type, "target_id": target_id,
            "ticket_id": ticket_id, "success": success, "ip": _ip(), "details": details or {}}


def record(action: str, actor: User | None = None, **kwargs) -> AuditEntry:
    """Append an audit entry to the current transaction (no commit).

    `jurisdiction` says which city's supervision office reads it; by default the actor's city.
    """
    entry = AuditEntry(**_values(action, actor, **kwargs))
    db.session.add(entry)
    return entry


def log(action: str, actor: User | None = None, **kwargs) -> AuditEntry:
    """Record an entry and commit it (for an act that writes nothing else)."""
    entry = record(action, actor, **kwargs)
    commit()
    return entry


def ticket_read(user: User, ticket) -> None:
    """A staff member opened a ticket's page (the business reading its own is not audited).

    Called once the page is built, so the commit ends the request's only transaction."""
    if user.role != "enterprise":
        # One row and nothing else to write: a Core INSERT built once, past the unit of work (a third
        # of the CPU of an ORM insert built per call).
        db.session.execute(_INSERT_ROW, _values(
            "ticket_read", user, jurisdiction=ticket.jurisdiction, target_type="ticket", target_id=ticket.id,
            ticket_id=ticket.id))
        commit()


def entries(reader: User, *, before_id: int | None = None, size: int = 50,
            action: str | None = None) -> tuple[list[AuditEntry], int | None]:
    """One page of the log, newest first: the supervisor's city, or everything for the admin."""
    if reader is None or reader.role not in READERS:
        raise ServiceError(N_("只有督查员和系统管理员可以查看审计日志"), code="role")
    query = select(AuditEntry)
    if reader.role == "supervisor":
        query = query.where(AuditEntry.jurisdiction == reader.jurisdiction)
    if action in ACTIONS:
        query = query.where(AuditEntry.action == action)
    return newest_first(query, AuditEntry.id, before_id, size)


def login(user: User) -> None:
    """A successful login."""
    log("login", user, target_type="user", target_id=user.id)


def login_failed(username: str) -> None:
    """A refused login: the username as typed; the city of that account if it exists, so its
    supervision office sees attempts on its staff (unknown names: the admin only)."""
    known = db.session.scalar(select(User).where(User.username == username)) if username else None
    log("login_failed", None, username=username or None, success=False,
        jurisdiction=known.scope_jurisdiction if known is not None else None,
        target_type="user" if known is not None else None, target_id=known.id if known is not None else None)
