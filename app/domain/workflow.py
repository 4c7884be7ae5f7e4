"""Ticket state machine of the Enterprise Appeals Desk (企业诉求直通车).

Pure Python: no Flask, no SQLAlchemy.  The service layer decides everything
that needs the database (ownership, counts, elapsed time, merge targets) and
passes the facts in ``context``; this module only decides whether an action
is allowed and which state follows.

Messages are Simplified Chinese, marked with ``N_`` for gettext extraction,
and may contain ``%(name)s`` placeholders filled from ``WorkflowError.params``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def N_(s: str) -> str:
    """Mark a string for translation extraction (translated by the web layer)."""
    return s


# --------------------------------------------------------------------------
# States, roles, vocabularies
# --------------------------------------------------------------------------

STATES: dict[str, str] = {
    "submitted": N_("已提交"),
    "to_dispatch": N_("待派单"),
    "dispatched": N_("待签收"),
    "in_progress": N_("办理中"),
    "suspended": N_("已挂起"),
    "to_supervision": N_("待督查裁决"),
    "replied": N_("已答复"),
    "closed": N_("已办结"),
    "withdrawn": N_("已撤回"),
    "merged": N_("已合并"),
    "rejected": N_("不予受理"),
}

# closed is terminal except for ``reopen``.
TERMINAL_STATES: frozenset[str] = frozenset({"closed", "withdrawn", "merged", "rejected"})
OPEN_STATES: frozenset[str] = frozenset(s for s in STATES if s not in TERMINAL_STATES)

ROLES: dict[str, str] = {
    "enterprise": N_("企业"),
    "clerk": N_("承办人"),
    "agency_admin": N_("单位管理员"),
    "dispatcher": N_("派单员"),
    "supervisor": N_("督查员"),
    "system": N_("系统"),
}

# Roles acting for the owning agency: the service passes context["is_owner"].
AGENCY_ROLES: frozenset[str] = frozenset({"clerk", "agency_admin"})

RETURN_REASONS: dict[str, str] = {
    "not_our_duty": N_("非本单位职责"),
    "incomplete": N_("信息不全无法办理"),
    "other_level": N_("应由下级/上级办理"),
    "other": N_("其他"),
}

SATISFACTION_LEVELS: dict[str, str] = {
    "very_satisfied": N_("非常满意"),
    "satisfied": N_("满意"),
    "basically_satisfied": N_("基本满意"),
    "dissatisfied": N_("不满意"),
    "very_dissatisfied": N_("非常不满意"),
}
UNSATISFIED_LEVELS: frozenset[str] = frozenset({"dissatisfied", "very_dissatisfied"})

# Guard parameters.
WORKING_HOURS_PER_DAY: float = 7.5
RETURN_WINDOW_WORKING_DAYS: float = 2        # return allowed if signed < 2 working days ago
RETURN_REASON_MIN_CHARS: int = 10
RETURNS_BEFORE_SUPERVISION: int = 3          # the 3rd return goes to_supervision
REPLY_MIN_CHARS: int = 20
REOPEN_WINDOW_DAYS: float = 7                # calendar days since the reply
REOPENS_BEFORE_SUPERVISION: int = 2          # reopen_count == 2 -> to_supervision
MAX_REOPENS: int = 3                         # reopen_count >= 3 -> refused
EXTENSION_MIN_DAYS: int = 1
EXTENSION_MAX_DAYS: int = 10
MAX_EXTENSIONS: int = 1


def working_days(hours: float, hours_per_day: float = WORKING_HOURS_PER_DAY) -> float:
    """Convert working hours to working days (default 7.5 working hours a day)."""
    return hours / hours_per_day


# --------------------------------------------------------------------------
# Transitions
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Transition:
    action: str
    source: frozenset[str]
    target: str | None          # None = stays in the same state
    roles: frozenset[str]
    label: str                  # Chinese verb


def _t(action: str, source, target: str | None, roles, label: str) -> Transition:
    return Transition(action, frozenset(source), target, frozenset(roles), label)


_AGENCY = ("clerk", "agency_admin")
_ACTIVE = ("dispatched", "in_progress", "suspended")

TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    _t("route", {"submitted"}, "dispatched", {"system"}, N_("自动派单")),
    _t("route_to_dispatch", {"submitted"}, "to_dispatch", {"system"}, N_("转派单中心")),
    _t("dispatch", {"to_dispatch"}, "dispatched", {"dispatcher"}, N_("派单")),
    _t("reject_return", {"to_dispatch"}, "dispatched", {"dispatcher"}, N_("驳回退单")),
    _t("reject", {"to_dispatch"}, "rejected", {"dispatcher"}, N_("不予受理")),
    _t("merge", {"to_dispatch", *_ACTIVE}, "merged", {"dispatcher"}, N_("合并")),
    _t("withdraw", {"submitted", "to_dispatch", "dispatched"}, "withdrawn", {"enterprise"}, N_("撤回")),
    _t("sign", {"dispatched"}, "in_progress", _AGENCY, N_("签收")),
    # target to_dispatch, or to_supervision on the 3rd return (see _guard_return)
    _t("return", {"dispatched", "in_progress"}, "to_dispatch", _AGENCY, N_("退回")),
    _t("decide", {"to_supervision"}, "dispatched", {"supervisor"}, N_("督查裁决")),
    _t("transfer", {*_ACTIVE, "to_supervision"}, "dispatched", {"supervisor"}, N_("改派")),
    _t("contact", {"in_progress"}, None, _AGENCY, N_("联系企业")),
    _t("note", OPEN_STATES, None, _AGENCY, N_("内部备注")),
    _t("assign", _ACTIVE, None, _AGENCY, N_("分配承办人")),
    _t("suspend", {"in_progress"}, "suspended", _AGENCY, N_("挂起")),
    _t("resume", {"suspended"}, "in_progress", {"enterprise", *_AGENCY}, N_("恢复办理")),
    _t("add_info", {"submitted", "to_dispatch", *_ACTIVE}, None, {"enterprise"}, N_("补充材料")),
    _t("request_extension", {"in_progress", "suspended"}, None, _AGENCY, N_("申请延期")),
    _t("decide_extension", OPEN_STATES, None, {"supervisor"}, N_("审批延期")),
    _t("reply", {"in_progress"}, "replied", _AGENCY, N_("答复")),
    _t("rate", {"replied"}, "closed", {"enterprise"}, N_("评价")),
    _t("auto_close", {"replied"}, "closed", {"system"}, N_("自动办结")),
    # target dispatched, or to_supervision on the 3rd reopen (see _guard_reopen)
    _t("reopen", {"closed"}, "dispatched", {"enterprise"}, N_("重办")),
    _t("escalate", _ACTIVE, None, {"system"}, N_("升级督办")),
    _t("issue_notice", _ACTIVE, None, {"supervisor"}, N_("下发督办单")),
)}


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------

class WorkflowError(Exception):
    """A refused action.  ``code`` is stable for programs; ``message`` is a
    Chinese gettext msgid with ``%(name)s`` placeholders filled by ``params``."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        self.code = code
        self.message = message
        self.params = params
        super().__init__(code, message, params)

    def __str__(self) -> str:
        try:
            return self.message % self.params if self.params else self.message
        except (KeyError, TypeError, ValueError):
            return self.message

    def __repr__(self) -> str:
        return f"WorkflowError({self.code!r}, {str(self)!r})"


# --------------------------------------------------------------------------
# Guards
# --------------------------------------------------------------------------

def _text(ctx: Mapping[str, Any], key: str) -> str:
    value = ctx.get(key)
    return value.strip() if isinstance(value, str) else ""


def _number(ctx: Mapping[str, Any], key: str) -> float:
    value = ctx.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise WorkflowError(
            "missing_context", N_("缺少必要的办理信息：%(key)s"), key=key)
    return value


def _signed_working_days_ago(ctx: Mapping[str, Any]) -> float:
    if "signed_working_days_ago" not in ctx and "signed_working_hours_ago" in ctx:
        hours = _number(ctx, "signed_working_hours_ago")
        per_day = ctx.get("working_hours_per_day", WORKING_HOURS_PER_DAY)
        return working_days(hours, per_day)
    return _number(ctx, "signed_working_days_ago")


def _guard_reject(state, role, ctx):
    if not _text(ctx, "reason"):
        raise WorkflowError("reason_required", N_("不予受理必须填写理由"))
    return None


def _guard_return(state, role, ctx):
    if ctx.get("reason_category") not in RETURN_REASONS:
        raise WorkflowError(
            "invalid_return_reason",
            N_("请选择退回原因：非本单位职责、信息不全无法办理、应由下级/上级办理或其他"))
    if len(_text(ctx, "reason")) < RETURN_REASON_MIN_CHARS:
        raise WorkflowError(
            "return_reason_too_short", N_("退回说明不能少于%(min)s个字"),
            min=RETURN_REASON_MIN_CHARS)
    if state == "in_progress":  # signed
        if _signed_working_days_ago(ctx) >= RETURN_WINDOW_WORKING_DAYS:
            raise WorkflowError(
                "return_too_late", N_("签收已满%(days)s个工作日，不能再退回"),
                days=RETURN_WINDOW_WORKING_DAYS)
    if _number(ctx, "return_count") >= RETURNS_BEFORE_SUPERVISION:
        return "to_supervision"
    return None


def _guard_assign(state, role, ctx):
    if role == "clerk" and not ctx.get("assignee_is_self"):
        raise WorkflowError(
            "assign_forbidden", N_("承办人只能将诉求分配给自己"))
    return None


def _guard_suspend(state, role, ctx):
    if not _text(ctx, "question"):
        raise WorkflowError("question_required", N_("挂起必须填写需要企业补充说明的问题"))
    return None


def _guard_request_extension(state, role, ctx):
    if _number(ctx, "extensions_granted") >= MAX_EXTENSIONS:
        raise WorkflowError("extension_already_granted", N_("该诉求已延期过一次，不能再次申请延期"))
    days = ctx.get("days")
    if (isinstance(days, bool) or not isinstance(days, int)
            or not EXTENSION_MIN_DAYS <= days <= EXTENSION_MAX_DAYS):
        raise WorkflowError(
            "invalid_extension_days", N_("延期天数必须在%(min)s至%(max)s天之间"),
            min=EXTENSION_MIN_DAYS, max=EXTENSION_MAX_DAYS)
    return None


def _guard_reply(state, role, ctx):
    if len(_text(ctx, "answer")) < REPLY_MIN_CHARS:
        raise WorkflowError(
            "reply_too_short", N_("答复内容不能少于%(min)s个字"), min=REPLY_MIN_CHARS)
    pending = ctx.get("pending_co_opinions", 0) or 0
    if pending > 0 and not _text(ctx, "override_reason"):
        raise WorkflowError(
            "co_opinions_pending",
            N_("还有%(count)s个协办单位未提交意见，请等待或填写直接答复的理由"),
            count=pending)
    return None


def _guard_rate(state, role, ctx):
    if not isinstance(ctx.get("resolved"), bool):
        raise WorkflowError("invalid_resolved", N_("请选择问题是否已解决"))
    satisfaction = ctx.get("satisfaction")
    if satisfaction not in SATISFACTION_LEVELS:
        raise WorkflowError(
            "invalid_satisfaction",
            N_("请选择满意度：非常满意、满意、基本满意、不满意或非常不满意"))
    if satisfaction in UNSATISFIED_LEVELS and not _text(ctx, "comment"):
        raise WorkflowError("comment_required", N_("评价为不满意时必须填写意见"))
    return None


def _guard_reopen(state, role, ctx):
    if not ctx.get("last_rating_unsatisfied"):
        raise WorkflowError(
            "reopen_not_allowed", N_("只有评价为不满意或问题未解决的诉求才能申请重办"))
    if _number(ctx, "days_since_reply") > REOPEN_WINDOW_DAYS:
        raise WorkflowError(
            "reopen_too_late", N_("答复已超过%(days)s天，不能再申请重办"),
            days=REOPEN_WINDOW_DAYS)
    count = _number(ctx, "reopen_count")
    if count >= MAX_REOPENS:
        raise WorkflowError(
            "reopen_limit", N_("该诉求已重办%(count)s次，不能再申请重办"), count=int(count))
    if count >= REOPENS_BEFORE_SUPERVISION:
        return "to_supervision"
    return None


_GUARDS = {
    "reject": _guard_reject,
    "return": _guard_return,
    "assign": _guard_assign,
    "suspend": _guard_suspend,
    "request_extension": _guard_request_extension,
    "reply": _guard_reply,
    "rate": _guard_rate,
    "reopen": _guard_reopen,
}


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------

def check(action: str, state: str, role: str,
          context: Mapping[str, Any] | None = None) -> str:
    """Return the state after `action`, or raise WorkflowError with a clear
    reason (unknown action, not allowed in this state, not allowed for this
    role, not the owning agency, each failed guard)."""
    ctx: Mapping[str, Any] = context or {}
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise WorkflowError("unknown_action", N_("未知的操作：%(action)s"), action=action)
    if state not in STATES:
        raise WorkflowError("unknown_state", N_("未知的诉求状态：%(state)s"), state=state)
    if state not in transition.source:
        raise WorkflowError(
            "invalid_state", N_("诉求当前状态为「%(state)s」，不能执行「%(action)s」"),
            state=STATES[state], action=transition.label)
    if role not in transition.roles:
        raise WorkflowError(
            "forbidden_role", N_("「%(role)s」无权执行「%(action)s」"),
            role=ROLES.get(role, role), action=transition.label)
    if role in AGENCY_ROLES and not ctx.get("is_owner"):
        raise WorkflowError(
            "not_owner", N_("只有承办单位才能执行「%(action)s」"), action=transition.label)
    guard = _GUARDS.get(action)
    override = guard(state, role, ctx) if guard else None
    if override is not None:
        return override
    return state if transition.target is None else transition.target


def allowed_actions(state: str, role: str) -> list[str]:
    """Actions a role may attempt in a state (for showing buttons); guards and
    ownership are not evaluated here."""
    return [a for a, t in TRANSITIONS.items() if state in t.source and role in t.roles]
