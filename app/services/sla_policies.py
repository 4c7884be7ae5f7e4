"""The SLA policies an administrator sees and sets on /admin/sla: per city × kind × urgency,
the sign/contact/resolve/reopen limits and the warning ratio; every change is recorded
(SlaPolicyChange) with its before and after. The ladder's timings and the auto-close delay are
shown beside them as they stand (constants of app.domain.sla and app.services.sla)."""
from dataclasses import dataclass

from sqlalchemy import select

from app.domain import sla
from app.extensions import db
from app.models import Jurisdiction, SlaPolicy, SlaPolicyChange, User
from app.services import N_, ServiceError, audit, clocks, commit, transaction
from app.services import sla as sla_service

CLOCKS = ("sign", "contact", "resolve", "reopen_resolve")
WARN_MIN, WARN_MAX = 0.5, 0.95


@dataclass
class PolicyRow:
    """The effective policy of one kind × urgency in a city, and whether the city overrides the default."""

    kind: str
    urgent: bool
    policy: sla.SlaPolicy
    overridden: bool


def _as_dict(policy: sla.SlaPolicy) -> dict:
    return {"limits": {c: {"amount": getattr(policy, c).amount, "unit": getattr(policy, c).unit} for c in CLOCKS},
            "warn_ratio": policy.warn_ratio}


def overview(jurisdiction: str) -> list[PolicyRow]:
    """Every kind × urgency of a city with its effective limits."""
    overridden = {(r.kind, r.urgent) for r in db.session.scalars(
        select(SlaPolicy).where(SlaPolicy.jurisdiction == jurisdiction))}
    return [PolicyRow(kind, urgent, clocks.policy_of(jurisdiction, kind, urgent), (kind, urgent) in overridden)
            for kind in sla.KINDS for urgent in (False, True)]


def ladder(jurisdiction: str) -> dict:
    """When each step of the escalation ladder fires (as the sweep applies it everywhere), and the
    city's rating window, after which a reply nobody rated is closed automatically."""
    return {"remind": "warn_ratio", "supervise": 0, "flag": sla.OVERDUE_AFTER["flag"],
            "interview": sla.OVERDUE_AFTER["interview"], "notice": sla.OVERDUE_AFTER["notice"],
            "auto_close_days": sla_service.rating_window_days(jurisdiction)}


@transaction
def update(user: User, jurisdiction: str, kind: str, urgent: bool, *, limits: dict[str, tuple[float, str]],
           warn_ratio: float, note: str | None = None) -> SlaPolicyChange:
    """Set a city × kind × urgency's limits and warning ratio; record the change (before, after).
    New limits apply to clocks started afterwards; running clocks keep their deadlines."""
    if user.role != "admin":
        raise ServiceError(N_("只有系统管理员可以修改时限策略"), code="role")
    if db.session.get(Jurisdiction, jurisdiction) is None:
        raise ServiceError(N_("城市不存在"), code="jurisdiction")
    if kind not in sla.KINDS:
        raise ServiceError(N_("诉求类型无效"), code="kind")
    if not isinstance(warn_ratio, (int, float)) or not WARN_MIN <= warn_ratio <= WARN_MAX:
        raise ServiceError(N_("预警比例应在%(lo)s%%至%(hi)s%%之间"), code="warn_ratio",
                           lo=int(WARN_MIN * 100), hi=int(WARN_MAX * 100))
    built = {}
    for name in CLOCKS:
        amount, unit = limits.get(name, (None, None))
        if amount is None or unit not in sla.UNITS:
            raise ServiceError(N_("请填写每一项时限"), code="limit")
        try:
            built[name] = sla.Limit(amount, unit)
        except ValueError as exc:
            raise ServiceError(N_("时限无效：按工作日计的时限须为整数且不为负"), code="limit") from exc
        if built[name].amount <= 0:
            raise ServiceError(N_("时限必须大于零"), code="limit")
    before = _as_dict(clocks.policy_of(jurisdiction, kind, urgent))
    new = sla.SlaPolicy(**built, warn_ratio=float(warn_ratio))
    after = _as_dict(new)
    if after == before:
        raise ServiceError(N_("时限策略没有变化"), code="unchanged")
    row = db.session.scalar(select(SlaPolicy).where(
        SlaPolicy.jurisdiction == jurisdiction, SlaPolicy.kind == kind, SlaPolicy.urgent.is_(bool(urgent))))
    if row is None:
        row = SlaPolicy(jurisdiction=jurisdiction, kind=kind, urgent=bool(urgent))
        db.session.add(row)
    row.limits = after["limits"]
    row.warn_ratio = after["warn_ratio"]
    change = SlaPolicyChange(jurisdiction=jurisdiction, kind=kind, urgent=bool(urgent), before=before,
                             after=after, actor_id=user.id, note=(note or "").strip() or None)
    db.session.add(change)
    db.session.flush()
    audit.record("sla_change", user, jurisdiction=jurisdiction, target_type="sla_policy", target_id=change.id,
                 details={"change": "policy", "kind": kind, "urgent": bool(urgent)})
    commit()
    return change


def changes(jurisdiction: str, limit: int = 50) -> list[SlaPolicyChange]:
    """The latest recorded changes of a city's policies, newest first."""
    return list(db.session.scalars(select(SlaPolicyChange).where(SlaPolicyChange.jurisdiction == jurisdiction)
                                   .order_by(SlaPolicyChange.id.desc()).limit(limit)))
