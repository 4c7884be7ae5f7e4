"""The SLA policies an administrator sees and sets on /admin/sla: per city × kind × urgency,
the sign/contact/resolve/reopen limits, the warning ratio (催办) and the escalation ladder's
timings (挂牌督办, 约谈, 通报: working days past the deadline); per city, the rating window
(Setting `sla.rating_window_days`) after which an unrated reply closes by itself. Every change is
recorded (SlaPolicyChange: who, when, before, after) and listed on the page.

The sweep reads the edited values (clocks.policy_of): a changed ladder applies to running
clocks at the next sweep; changed limits to clocks started afterwards."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy import update as sql_update

from app.domain import sla
from app.extensions import db
from app.models import Assignment, Jurisdiction, Setting, SlaPolicy, SlaPolicyChange, Ticket, User, utcnow
from app.services import N_, ServiceError, audit, clocks, commit, transaction
from app.services import sla as sla_service

CLOCKS = ("sign", "contact", "resolve", "reopen_resolve")
#: The ladder steps an administrator times (督办 is the deadline itself; 催办 the warning ratio).
LADDER_STEPS = ("flag", "interview", "notice")
WARN_MIN, WARN_MAX = 0.5, 0.95
RATING_WINDOW_MAX = 60


@dataclass
class PolicyRow:
    """The effective policy of one kind × urgency in a city, and whether the city overrides the default."""

    kind: str
    urgent: bool
    policy: sla.SlaPolicy
    overridden: bool


def _as_dict(policy: sla.SlaPolicy, rating_window_days: int) -> dict:
    return {"limits": {c: {"amount": getattr(policy, c).amount, "unit": getattr(policy, c).unit} for c in CLOCKS},
            "warn_ratio": policy.warn_ratio, "ladder": dict(policy.overdue_after),
            "rating_window_days": rating_window_days}


def overview(jurisdiction: str) -> list[PolicyRow]:
    """Every kind × urgency of a city with its effective limits."""
    overridden = {(r.kind, r.urgent) for r in db.session.scalars(
        select(SlaPolicy).where(SlaPolicy.jurisdiction == jurisdiction))}
    return [PolicyRow(kind, urgent, clocks.policy_of(jurisdiction, kind, urgent), (kind, urgent) in overridden)
            for kind in sla.KINDS for urgent in (False, True)]


def rating_window(jurisdiction: str) -> int:
    """The city's rating window in calendar days: a reply nobody rated closes by itself after it."""
    return sla_service.rating_window_days(jurisdiction)


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@transaction
def update(user: User, jurisdiction: str, kind: str, urgent: bool, *, limits: dict[str, tuple[float, str]],
           warn_ratio: float, ladder: dict[str, int] | None = None, rating_window_days: int | None = None,
           note: str | None = None) -> SlaPolicyChange:
    """Set a city × kind × urgency's limits, warning ratio and ladder timings, and the city's rating
    window (None: unchanged); record the change (before, after). New limits apply to clocks started
    afterwards; a new ladder to running clocks too, from the next sweep on."""
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
    current = clocks.policy_of(jurisdiction, kind, urgent)
    window_before = sla_service.rating_window_days(jurisdiction)
    ladder = dict(current.overdue_after) if ladder is None else dict(ladder)
    if set(ladder) != set(LADDER_STEPS) or not all(_whole(v) and 1 <= v <= sla.LADDER_MAX_DAYS
                                                   for v in ladder.values()):
        raise ServiceError(N_("督办阶梯的时点应为1至%(n)d个工作日的整数"), code="ladder", n=sla.LADDER_MAX_DAYS)
    if not ladder["flag"] < ladder["interview"] < ladder["notice"]:
        raise ServiceError(N_("督办阶梯须逐级递增：约谈晚于挂牌督办，通报晚于约谈"), code="ladder_order")
    window = window_before if rating_window_days is None else rating_window_days
    if not _whole(window) or not 1 <= window <= RATING_WINDOW_MAX:
        raise ServiceError(N_("评价期限应为1至%(n)d天的整数"), code="rating_window", n=RATING_WINDOW_MAX)
    before = _as_dict(current, window_before)
    new = sla.SlaPolicy(**built, warn_ratio=float(warn_ratio), overdue_after=ladder)
    after = _as_dict(new, window)
    if after == before:
        raise ServiceError(N_("时限策略没有变化"), code="unchanged")
    row = db.session.scalar(select(SlaPolicy).where(
        SlaPolicy.jurisdiction == jurisdiction, SlaPolicy.kind == kind, SlaPolicy.urgent.is_(bool(urgent))))
    if row is None:
        row = SlaPolicy(jurisdiction=jurisdiction, kind=kind, urgent=bool(urgent))
        db.session.add(row)
    row.limits = after["limits"]
    row.warn_ratio = after["warn_ratio"]
    row.ladder = None if after["ladder"] == sla.OVERDUE_AFTER else after["ladder"]
    if after["ladder"] != before["ladder"]:
        _recheck(jurisdiction, kind, bool(urgent))
    if window != window_before:
        _set_rating_window(jurisdiction, window)
    change = SlaPolicyChange(jurisdiction=jurisdiction, kind=kind, urgent=bool(urgent), before=before,
                             after=after, actor_id=user.id, note=(note or "").strip() or None)
    db.session.add(change)
    db.session.flush()
    audit.record("sla_change", user, jurisdiction=jurisdiction, target_type="sla_policy", target_id=change.id,
                 details={"change": "policy", "kind": kind, "urgent": bool(urgent)})
    commit()
    return change


def _recheck(jurisdiction: str, kind: str, urgent: bool) -> None:
    """Running clocks of the city × kind × urgency are looked at by the next sweep, which stores
    their next check from the new ladder (a step brought forward is not missed)."""
    now = utcnow()
    tickets = select(Ticket.id).where(Ticket.jurisdiction == jurisdiction, Ticket.kind == kind,
                                      Ticket.urgent.is_(urgent))
    db.session.execute(sql_update(Assignment).where(Assignment.next_check_at > now,
                                                    Assignment.ticket_id.in_(tickets))
                       .values(next_check_at=now).execution_options(synchronize_session=False))


def _set_rating_window(jurisdiction: str, days: int) -> None:
    row = db.session.get(Setting, (sla_service.RATING_WINDOW_DAYS, jurisdiction))
    if row is None:
        row = Setting(key=sla_service.RATING_WINDOW_DAYS, jurisdiction=jurisdiction)
        db.session.add(row)
    row.value = {"value": days}


def changes(jurisdiction: str, limit: int = 50) -> list[SlaPolicyChange]:
    """The latest recorded changes of a city's policies, newest first."""
    return list(db.session.scalars(select(SlaPolicyChange).where(SlaPolicyChange.jurisdiction == jurisdiction)
                                   .order_by(SlaPolicyChange.id.desc()).limit(limit)))
