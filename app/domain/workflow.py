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

from app.domain import N_

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
    "terminated": N_("已终止办理"),
}

# closed is terminal except for ``reopen``.
TERMINAL_STATES: frozenset[str] = frozenset({"closed", "withdrawn", "merged", "rejected", "terminated"})
OPEN_STATES: frozenset[str] = frozenset(s for s in STATES if s not in TERMINAL_STATES)
#: End states of tickets that leave every agency's scores (the integrator's scoring reads this):
#: the business took the appeal back, the centre ended it, or it was never the agencies' to handle.
UNSCORED_STATES: frozenset[str] = frozenset({"withdrawn", "terminated", "merged", "rejected"})

ROLES: dict[str, str] = {
    "enterprise": N_("企业"),
    "clerk": N_("承办人"),
    "agency_admin": N_("单位管理员"),
    "dispatcher": N_("派单员"),
    "supervisor": N_("督查员"),
    "system": N_("系统"),
}

# Roles acting for an agency: the service passes context["is_owner"] (lead) or ["is_co"] (co-agency).
AGENCY_ROLES: frozenset[str] = frozenset({"clerk", "agency_admin"})

RETURN_REASONS: dict[str, str] = {
    "not_our_duty": N_("非本单位职责"),
    "incomplete": N_("信息不全无法办理"),
    "other_level": N_("应由下级/上级办理"),
    "other": N_("其他"),
}

TERMINATION_REASONS: dict[str, str] = {
    "info_refused": N_("诉求人拒绝提供办理所需信息"),
    "unlawful_explained": N_("诉求不符合法律法规或违背公序良俗，已向诉求人解释说明"),
}

SATISFACTION_LEVELS: dict[str, str] = {
    "very_satisfied": N_("非常满意"),
    "satisfied": N_("满意"),
    "basically_satisfied": N_("基本满意"),
    "dissatisfied": N_("不满意"),
    "very_dissatisfied": N_("非常不满意"),
}
UNSATISFIED_LEVELS: frozenset[str] = frozenset({"dissatisfied", "very_dissatisfied"})

#: How a rating reached the desk: the business online, or a callback (回访) recorded by the centre.
RATING_CHANNELS: dict[str, str] = {
    "online": N_("网上评价"),
    "phone": N_("电话回访"),
    "sms": N_("短信回访"),
    "visit": N_("上门回访"),
    "auto": N_("期满未评价，默认满意"),
}
CALLBACK_CHANNELS: frozenset[str] = frozenset({"phone", "sms", "visit"})

# Guard parameters (docs/workflow.md states each with its source).
RETURN_WINDOW_WORKING_DAYS: int = 2          # from dispatch, counted like every working-day limit
RETURN_REASON_MIN_CHARS: int = 10
RETURNS_BEFORE_SUPERVISION: int = 3          # the 3rd return goes to_supervision
REPLY_MIN_CHARS: int = 20
RATING_WINDOW_DAYS: int = 10                 # default; a setting per jurisdiction (sla.rating_window_days)
REOPENS_BEFORE_SUPERVISION: int = 2          # reopen_count == 2 -> to_supervision
MAX_REOPENS: int = 3                         # reopen_count >= 3 -> refused
EXTENSION_MIN_DAYS: int = 1
EXTENSION_MAX_DAYS: int = 10
MAX_EXTENSIONS: int = 1
SUSPENSIONS_WITHOUT_APPROVAL: int = 2        # the 3rd suspension needs the supervision office
SUSPENDED_WORKING_DAYS_WITHOUT_APPROVAL: int = 5  # so does one after 5 working days suspended
TERMINATION_REASON_MIN_CHARS: int = 10
OPINION_MIN_CHARS: int = 10


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
    party: str = "lead"         # agency roles act as the lead ("lead") or as a co-agency ("co")


def _t(action: str, source, target: str | None, roles, label: str, party: str = "lead") -> Transition:
    return Transition(action, frozenset(source), target, frozenset(roles), label, party)


_AGENCY = ("clerk", "agency_admin")
_ACTIVE = ("dispatched", "in_progress", "suspended")
_STAFF_DECIDE = ("dispatcher", "supervisor")

TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    _t("route", {"submitted"}, "dispatched", {"system"}, N_("自动派单")),
    _t("route_to_dispatch", {"submitted"}, "to_dispatch", {"system"}, N_("转派单中心")),
    _t("dispatch", {"to_dispatch"}, "dispatched", {"dispatcher"}, N_("派单")),
    # target dispatched, or in_progress when the returned assignment had been signed
    _t("reject_return", {"to_dispatch"}, "dispatched", {"dispatcher"}, N_("驳回退单")),
    _t("reject", {"to_dispatch"}, "rejected", {"dispatcher"}, N_("不予受理")),
    _t("merge", {"to_dispatch", *_ACTIVE}, "merged", {"dispatcher"}, N_("合并")),
    _t("terminate", {"to_dispatch", "to_supervision", *_ACTIVE}, "terminated", _STAFF_DECIDE,
       N_("终止办理")),
    _t("withdraw", {"submitted", "to_dispatch", *_ACTIVE}, "withdrawn", {"enterprise"}, N_("撤回")),
    _t("sign", {"dispatched"}, "in_progress", _AGENCY, N_("签收")),
    # target to_dispatch, or to_supervision on the 3rd return (see _guard_return)
    _t("return", {"dispatched", "in_progress"}, "to_dispatch", _AGENCY, N_("退回")),
    _t("decide", {"to_supervision"}, "dispatched", {"supervisor"}, N_("督查裁决")),
    _t("transfer", {*_ACTIVE, "to_supervision"}, "dispatched", {"supervisor"}, N_("改派")),
    _t("contact", {"in_progress"}, None, _AGENCY, N_("联系企业")),
    _t("note", OPEN_STATES, None, _AGENCY, N_("内部备注")),
    _t("assign", _ACTIVE, None, _AGENCY, N_("分配承办人")),
    _t("co_sign", _ACTIVE, None, _AGENCY, N_("签收协办"), party="co"),
    _t("co_opinion", _ACTIVE, None, _AGENCY, N_("提交协办意见"), party="co"),
    _t("suspend", {"in_progress"}, "suspended", _AGENCY, N_("挂起")),
    _t("request_suspension", {"in_progress"}, None, _AGENCY, N_("申请挂起")),
    # target suspended when approved, stays in_progress when refused (see _guard_decide_suspension)
    _t("decide_suspension", {"in_progress"}, "suspended", {"supervisor"}, N_("审批挂起")),
    # system: a suspension that reached the cap unanswered (services.handling.end_capped_suspensions)
    _t("resume", {"suspended"}, "in_progress", {"enterprise", *_AGENCY, "system"}, N_("恢复办理")),
    _t("add_info", {"submitted", "to_dispatch", *_ACTIVE}, None, {"enterprise"}, N_("补充材料")),
    _t("request_extension", {"in_progress", "suspended"}, None, _AGENCY, N_("申请延期")),
    _t("decide_extension", OPEN_STATES, None, {"supervisor"}, N_("审批延期")),
    _t("reply", {"in_progress"}, "replied", _AGENCY, N_("答复")),
    _t("rate", {"replied"}, "closed", {"enterprise"}, N_("评价")),
    _t("callback", {"replied"}, "closed", {"dispatcher"}, N_("回访")),
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


def _flag(ctx: Mapping[str, Any], key: str) -> bool:
    value = ctx.get(key)
    if not isinstance(value, bool):
        raise WorkflowError(
            "missing_context", N_("缺少必要的办理信息：%(key)s"), key=key)
    return value


def _guard_reject(state, role, ctx):
    if not _text(ctx, "reason"):
        raise WorkflowError("reason_required", N_("不予受理必须填写理由"))
    return None


def _guard_reject_return(state, role, ctx):
    # The agency's own assignment comes back with its clocks: signed stays signed.
    return "in_progress" if _flag(ctx, "returned_signed") else None


def _guard_terminate(state, role, ctx):
    if ctx.get("reason_category") not in TERMINATION_REASONS:
        raise WorkflowError(
            "invalid_termination_reason",
            N_("请选择终止办理的原因：诉求人拒绝提供办理所需信息，或诉求不符合法律法规且已解释说明"))
    if len(_text(ctx, "reason")) < TERMINATION_REASON_MIN_CHARS:
        raise WorkflowError(
            "termination_reason_too_short", N_("终止办理的说明不能少于%(min)s个字"),
            min=TERMINATION_REASON_MIN_CHARS)
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
    # Signed or not, the window runs from the dispatch (whole working days, 次日起算).
    if _number(ctx, "working_days_since_dispatch") >= RETURN_WINDOW_WORKING_DAYS:
        raise WorkflowError(
            "return_too_late", N_("派单已满%(days)s个工作日，不能再退回"),
            days=RETURN_WINDOW_WORKING_DAYS)
    if _number(ctx, "return_count") >= RETURNS_BEFORE_SUPERVISION:
        return "to_supervision"
    return None


def _guard_assign(state, role, ctx):
    if role == "clerk" and not ctx.get("assignee_is_self"):
        raise WorkflowError(
            "assign_forbidden", N_("承办人只能将诉求分配给自己"))
    return None


def _guard_co_sign(state, role, ctx):
    if _flag(ctx, "co_signed"):
        raise WorkflowError("co_already_signed", N_("本单位已签收该协办工单"))
    return None


def _guard_co_opinion(state, role, ctx):
    if not _flag(ctx, "co_signed"):
        raise WorkflowError("co_not_signed", N_("请先签收协办工单，再提交协办意见"))
    if _flag(ctx, "co_opinion_submitted"):
        raise WorkflowError("co_opinion_submitted", N_("本单位已提交过协办意见"))
    if len(_text(ctx, "opinion")) < OPINION_MIN_CHARS:
        raise WorkflowError(
            "opinion_too_short", N_("协办意见不能少于%(min)s个字"), min=OPINION_MIN_CHARS)
    return None


def _suspension_capped(ctx) -> bool:
    return (_number(ctx, "suspension_count") >= SUSPENSIONS_WITHOUT_APPROVAL
            or _number(ctx, "suspended_working_days") >= SUSPENDED_WORKING_DAYS_WITHOUT_APPROVAL)


def _guard_suspend(state, role, ctx):
    if not _text(ctx, "question"):
        raise WorkflowError("question_required", N_("挂起必须填写需要企业补充说明的问题"))
    if _suspension_capped(ctx):
        raise WorkflowError(
            "suspension_needs_approval",
            N_("该诉求已挂起%(count)s次或累计挂起满%(days)s个工作日，再次挂起须报督查室审批"),
            count=SUSPENSIONS_WITHOUT_APPROVAL, days=SUSPENDED_WORKING_DAYS_WITHOUT_APPROVAL)
    return None


def _guard_request_suspension(state, role, ctx):
    if not _text(ctx, "question"):
        raise WorkflowError("question_required", N_("挂起必须填写需要企业补充说明的问题"))
    if not _suspension_capped(ctx):
        raise WorkflowError("suspension_approval_not_needed", N_("本次挂起无需审批，请直接挂起"))
    if _flag(ctx, "suspension_pending"):
        raise WorkflowError("suspension_pending", N_("已有待审批的挂起申请"))
    return None


def _guard_decide_suspension(state, role, ctx):
    if not _flag(ctx, "suspension_pending"):
        raise WorkflowError("no_suspension_request", N_("该诉求没有待审批的挂起申请"))
    return None if _flag(ctx, "approve") else "in_progress"


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


def _guard_decide_extension(state, role, ctx):
    if not _flag(ctx, "grant"):
        return None
    days = ctx.get("days")
    if (isinstance(days, bool) or not isinstance(days, int)
            or not EXTENSION_MIN_DAYS <= days <= EXTENSION_MAX_DAYS):
        raise WorkflowError(
            "invalid_extension_days", N_("延期天数必须在%(min)s至%(max)s天之间"),
            min=EXTENSION_MIN_DAYS, max=EXTENSION_MAX_DAYS)
    if days > _number(ctx, "requested_days"):
        raise WorkflowError(
            "extension_beyond_request", N_("批准的延期天数不能超过申请的%(days)s个工作日"),
            days=int(ctx["requested_days"]))
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


def _in_rating_window(ctx) -> bool:
    return _number(ctx, "days_since_reply") <= _number(ctx, "rating_window_days")


def _guard_rate(state, role, ctx):
    if not _in_rating_window(ctx):
        raise WorkflowError(
            "rating_too_late", N_("答复已超过%(days)s天，评价期限已过"),
            days=int(ctx["rating_window_days"]))
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


def _guard_callback(state, role, ctx):
    if ctx.get("channel") not in CALLBACK_CHANNELS:
        raise WorkflowError("invalid_channel", N_("请选择回访方式：电话、短信或上门"))
    return _guard_rate(state, role, ctx)


def _guard_auto_close(state, role, ctx):
    if _in_rating_window(ctx):
        raise WorkflowError(
            "rating_window_open", N_("评价期限（%(days)s天）未满，不能自动办结"),
            days=int(ctx["rating_window_days"]))
    return None


def _guard_reopen(state, role, ctx):
    if not ctx.get("last_rating_unsatisfied"):
        raise WorkflowError(
            "reopen_not_allowed", N_("只有评价为不满意或问题未解决的诉求才能申请重办"))
    if not _in_rating_window(ctx):
        raise WorkflowError(
            "reopen_too_late", N_("答复已超过%(days)s天，不能再申请重办"),
            days=int(ctx["rating_window_days"]))
    count = _number(ctx, "reopen_count")
    if count >= MAX_REOPENS:
        raise WorkflowError(
            "reopen_limit", N_("该诉求已重办%(count)s次，不能再申请重办"), count=int(count))
    if count >= REOPENS_BEFORE_SUPERVISION:
        return "to_supervision"
    return None


_GUARDS = {
    "reject": _guard_reject,
    "reject_return": _guard_reject_return,
    "terminate": _guard_terminate,
    "return": _guard_return,
    "assign": _guard_assign,
    "co_sign": _guard_co_sign,
    "co_opinion": _guard_co_opinion,
    "suspend": _guard_suspend,
    "request_suspension": _guard_request_suspension,
    "decide_suspension": _guard_decide_suspension,
    "request_extension": _guard_request_extension,
    "decide_extension": _guard_decide_extension,
    "reply": _guard_reply,
    "rate": _guard_rate,
    "callback": _guard_callback,
    "auto_close": _guard_auto_close,
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
    if role in AGENCY_ROLES and transition.party == "lead" and not ctx.get("is_owner"):
        raise WorkflowError(
            "not_owner", N_("只有承办单位才能执行「%(action)s」"), action=transition.label)
    if role in AGENCY_ROLES and transition.party == "co" and not ctx.get("is_co"):
        raise WorkflowError(
            "not_co", N_("只有协办单位才能执行「%(action)s」"), action=transition.label)
    guard = _GUARDS.get(action)
    override = guard(state, role, ctx) if guard else None
    if override is not None:
        return override
    return state if transition.target is None else transition.target


def allowed_actions(state: str, role: str) -> list[str]:
    """Actions a role may attempt in a state (for showing buttons); guards and
    ownership are not evaluated here."""
    return [a for a, t in TRANSITIONS.items() if state in t.source and role in t.roles]
