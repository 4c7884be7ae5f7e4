import re

import pytest

from app.domain import workflow as wf
from app.domain.workflow import (
    OPEN_STATES,
    STATES,
    TERMINAL_STATES,
    TRANSITIONS,
    WorkflowError,
    allowed_actions,
    check,
)

CJK = re.compile(r"[\u4e00-\u9fff]")

# A context satisfying every guard of each action (for the given role/state).
VALID = {
    "reject": {"reason": "不属于政务服务范围"},
    "return": {"reason_category": "not_our_duty", "reason": "该事项属于市场监管部门职责范围",
               "signed_working_days_ago": 0.5, "return_count": 1},
    "assign": {"assignee_is_self": True},
    "suspend": {"question": "请补充营业执照复印件"},
    "request_extension": {"extensions_granted": 0, "days": 5},
    "reply": {"answer": "经核实，贵公司反映的问题已协调相关部门处理完毕，特此答复。",
              "pending_co_opinions": 0},
    "rate": {"resolved": True, "satisfaction": "satisfied"},
    "reopen": {"last_rating_unsatisfied": True, "days_since_reply": 3.0, "reopen_count": 0},
}
AGENCY = {"clerk", "agency_admin"}


def ctx_for(action, role, **extra):
    ctx = dict(VALID.get(action, {}))
    if role in AGENCY:
        ctx["is_owner"] = True
    ctx.update(extra)
    return ctx


def expect_error(code, action, state, role, ctx):
    with pytest.raises(WorkflowError) as info:
        check(action, state, role, ctx)
    err = info.value
    assert err.code == code
    assert CJK.search(err.message), err.message
    text = str(err)
    assert CJK.search(text) and "%(" not in text
    return err


CASES = [(a, s, r) for a, t in TRANSITIONS.items()
         for s in sorted(t.source) for r in sorted(t.roles)]


# ---------------------------------------------------------------- structure

def test_states_and_sets():
    assert list(STATES)[0] == "submitted"
    assert len(STATES) == 11
    assert all(CJK.search(label) for label in STATES.values())
    assert TERMINAL_STATES == {"closed", "withdrawn", "merged", "rejected"}
    assert OPEN_STATES == set(STATES) - TERMINAL_STATES
    assert "to_supervision" in OPEN_STATES and "replied" in OPEN_STATES


def test_transition_table_consistent():
    for action, t in TRANSITIONS.items():
        assert t.action == action
        assert t.source and t.source <= set(STATES)
        assert t.target is None or t.target in STATES
        assert t.roles <= set(wf.ROLES)
        assert CJK.search(t.label)


def test_n_is_identity():
    assert wf.N_("签收") == "签收"


# ---------------------------------------------------------------- accepted

@pytest.mark.parametrize("action,state,role", CASES)
def test_transition_accepted(action, state, role):
    t = TRANSITIONS[action]
    expected = state if t.target is None else t.target
    assert check(action, state, role, ctx_for(action, role)) == expected


@pytest.mark.parametrize("action,target", [
    ("route", "dispatched"), ("route_to_dispatch", "to_dispatch"),
    ("sign", "in_progress"), ("return", "to_dispatch"), ("reply", "replied"),
    ("rate", "closed"), ("reopen", "dispatched"), ("merge", "merged"),
    ("reject", "rejected"), ("withdraw", "withdrawn"), ("decide", "dispatched"),
    ("transfer", "dispatched"), ("suspend", "suspended"), ("resume", "in_progress"),
    ("auto_close", "closed"),
])
def test_targets(action, target):
    assert TRANSITIONS[action].target == target


@pytest.mark.parametrize("action", ["contact", "note", "assign", "add_info",
                                    "request_extension", "decide_extension",
                                    "escalate", "issue_notice"])
def test_same_state_actions(action):
    assert TRANSITIONS[action].target is None


# ---------------------------------------------------------------- refusals

@pytest.mark.parametrize("action,state", [
    (a, s) for a, t in TRANSITIONS.items() for s in STATES if s not in t.source])
def test_wrong_state(action, state):
    role = sorted(TRANSITIONS[action].roles)[0]
    err = expect_error("invalid_state", action, state, role, ctx_for(action, role))
    assert STATES[state] in str(err)
    assert TRANSITIONS[action].label in str(err)


@pytest.mark.parametrize("action,role", [
    (a, r) for a, t in TRANSITIONS.items() for r in wf.ROLES if r not in t.roles])
def test_wrong_role(action, role):
    state = sorted(TRANSITIONS[action].source)[0]
    err = expect_error("forbidden_role", action, state, role, ctx_for(action, role))
    assert wf.ROLES[role] in str(err)


def test_unknown_action_and_state():
    expect_error("unknown_action", "fly", "submitted", "system", {})
    expect_error("unknown_state", "sign", "lost", "clerk", {"is_owner": True})


@pytest.mark.parametrize("role", sorted(AGENCY))
def test_agency_must_own_ticket(role):
    expect_error("not_owner", "sign", "dispatched", role, {})
    expect_error("not_owner", "sign", "dispatched", role, {"is_owner": False})
    assert check("sign", "dispatched", role, {"is_owner": True}) == "in_progress"


def test_context_none_ok_for_unguarded():
    assert check("route", "submitted", "system") == "dispatched"
    assert check("withdraw", "dispatched", "enterprise", None) == "withdrawn"


# ---------------------------------------------------------------- guards

def test_reject_needs_reason():
    expect_error("reason_required", "reject", "to_dispatch", "dispatcher", {"reason": "  "})


def test_return_invalid_category():
    expect_error("invalid_return_reason", "return", "dispatched", "clerk",
                 ctx_for("return", "clerk", reason_category="lazy"))


def test_return_reason_too_short():
    err = expect_error("return_reason_too_short", "return", "dispatched", "clerk",
                       ctx_for("return", "clerk", reason="不归我们管"))
    assert err.params["min"] == 10


@pytest.mark.parametrize("days", [2, 2.0, 3.5])
def test_return_after_two_working_days(days):
    expect_error("return_too_late", "return", "in_progress", "clerk",
                 ctx_for("return", "clerk", signed_working_days_ago=days))


def test_return_just_before_two_working_days():
    assert check("return", "in_progress", "clerk",
                 ctx_for("return", "clerk", signed_working_days_ago=1.99)) == "to_dispatch"


def test_return_unsigned_ignores_time():
    ctx = ctx_for("return", "clerk")
    del ctx["signed_working_days_ago"]
    assert check("return", "dispatched", "clerk", ctx) == "to_dispatch"


def test_return_signed_needs_time():
    ctx = ctx_for("return", "clerk")
    del ctx["signed_working_days_ago"]
    expect_error("missing_context", "return", "in_progress", "clerk", ctx)


def test_return_working_hours_fallback():
    ctx = ctx_for("return", "clerk")
    del ctx["signed_working_days_ago"]
    assert check("return", "in_progress", "clerk",
                 dict(ctx, signed_working_hours_ago=14.9)) == "to_dispatch"
    expect_error("return_too_late", "return", "in_progress", "clerk",
                 dict(ctx, signed_working_hours_ago=15))
    assert check("return", "in_progress", "clerk",
                 dict(ctx, signed_working_hours_ago=15, working_hours_per_day=8)) == "to_dispatch"
    assert wf.working_days(15) == 2


@pytest.mark.parametrize("count,target", [(1, "to_dispatch"), (2, "to_dispatch"),
                                          (3, "to_supervision")])
def test_third_return_goes_to_supervision(count, target):
    assert check("return", "in_progress", "agency_admin",
                 ctx_for("return", "agency_admin", return_count=count)) == target


def test_clerk_assigns_only_self():
    expect_error("assign_forbidden", "assign", "in_progress", "clerk",
                 ctx_for("assign", "clerk", assignee_is_self=False))
    assert check("assign", "in_progress", "agency_admin",
                 {"is_owner": True}) == "in_progress"


def test_suspend_needs_question():
    expect_error("question_required", "suspend", "in_progress", "clerk",
                 ctx_for("suspend", "clerk", question=""))


def test_reply_too_short():
    expect_error("reply_too_short", "reply", "in_progress", "clerk",
                 ctx_for("reply", "clerk", answer="已处理。"))


def test_reply_blocked_by_pending_co_opinions():
    err = expect_error("co_opinions_pending", "reply", "in_progress", "clerk",
                       ctx_for("reply", "clerk", pending_co_opinions=2))
    assert "2" in str(err)
    expect_error("co_opinions_pending", "reply", "in_progress", "clerk",
                 ctx_for("reply", "clerk", pending_co_opinions=1, override_reason="  "))


def test_reply_with_override_reason():
    assert check("reply", "in_progress", "clerk",
                 ctx_for("reply", "clerk", pending_co_opinions=2,
                         override_reason="协办单位逾期未反馈")) == "replied"


@pytest.mark.parametrize("level", ["dissatisfied", "very_dissatisfied"])
def test_rate_dissatisfied_needs_comment(level):
    expect_error("comment_required", "rate", "replied", "enterprise",
                 ctx_for("rate", "enterprise", satisfaction=level, comment=" "))
    assert check("rate", "replied", "enterprise",
                 ctx_for("rate", "enterprise", satisfaction=level,
                         comment="问题没有解决")) == "closed"


@pytest.mark.parametrize("level", sorted(wf.SATISFACTION_LEVELS))
def test_rate_all_levels(level):
    ctx = ctx_for("rate", "enterprise", satisfaction=level, resolved=False, comment="说明")
    assert check("rate", "replied", "enterprise", ctx) == "closed"


@pytest.mark.parametrize("level", ["great", None, ""])
def test_rate_invalid_satisfaction(level):
    expect_error("invalid_satisfaction", "rate", "replied", "enterprise",
                 ctx_for("rate", "enterprise", satisfaction=level))


@pytest.mark.parametrize("resolved", [None, "yes", 1])
def test_rate_invalid_resolved(resolved):
    expect_error("invalid_resolved", "rate", "replied", "enterprise",
                 ctx_for("rate", "enterprise", resolved=resolved))


def test_reopen_after_seven_days():
    expect_error("reopen_too_late", "reopen", "closed", "enterprise",
                 ctx_for("reopen", "enterprise", days_since_reply=7.01))
    assert check("reopen", "closed", "enterprise",
                 ctx_for("reopen", "enterprise", days_since_reply=7)) == "dispatched"


def test_reopen_when_satisfied():
    expect_error("reopen_not_allowed", "reopen", "closed", "enterprise",
                 ctx_for("reopen", "enterprise", last_rating_unsatisfied=False))


@pytest.mark.parametrize("count,target", [(0, "dispatched"), (1, "dispatched"),
                                          (2, "to_supervision")])
def test_third_reopen_goes_to_supervision(count, target):
    assert check("reopen", "closed", "enterprise",
                 ctx_for("reopen", "enterprise", reopen_count=count)) == target


def test_third_reopen_still_needs_window():
    expect_error("reopen_too_late", "reopen", "closed", "enterprise",
                 ctx_for("reopen", "enterprise", reopen_count=2, days_since_reply=8))


def test_fourth_reopen_refused():
    expect_error("reopen_limit", "reopen", "closed", "enterprise",
                 ctx_for("reopen", "enterprise", reopen_count=3))


def test_extension_twice():
    expect_error("extension_already_granted", "request_extension", "in_progress", "clerk",
                 ctx_for("request_extension", "clerk", extensions_granted=1))


@pytest.mark.parametrize("days", [0, 11, -1, 2.5, True, "5", None])
def test_extension_invalid_days(days):
    expect_error("invalid_extension_days", "request_extension", "suspended", "clerk",
                 ctx_for("request_extension", "clerk", days=days))


@pytest.mark.parametrize("days", [1, 10])
def test_extension_bounds(days):
    assert check("request_extension", "in_progress", "clerk",
                 ctx_for("request_extension", "clerk", days=days)) == "in_progress"


# ---------------------------------------------------------------- terminal

@pytest.mark.parametrize("state", sorted(TERMINAL_STATES))
def test_terminal_states_allow_nothing_but_reopen(state):
    possible = {a for a, t in TRANSITIONS.items() if state in t.source}
    assert possible == ({"reopen"} if state == "closed" else set())
    for role in wf.ROLES:
        expected = ["reopen"] if (state, role) == ("closed", "enterprise") else []
        assert allowed_actions(state, role) == expected


# ---------------------------------------------------------------- allowed_actions

def test_allowed_actions_examples():
    assert allowed_actions("submitted", "system") == ["route", "route_to_dispatch"]
    assert allowed_actions("submitted", "enterprise") == ["withdraw", "add_info"]
    assert set(allowed_actions("to_dispatch", "dispatcher")) == {
        "dispatch", "reject_return", "reject", "merge"}
    assert set(allowed_actions("dispatched", "clerk")) == {"sign", "return", "note", "assign"}
    assert set(allowed_actions("in_progress", "agency_admin")) == {
        "return", "contact", "note", "assign", "suspend", "request_extension", "reply"}
    assert set(allowed_actions("suspended", "enterprise")) == {"resume", "add_info"}
    assert set(allowed_actions("in_progress", "supervisor")) == {
        "transfer", "decide_extension", "issue_notice"}
    assert set(allowed_actions("to_supervision", "supervisor")) == {
        "decide", "transfer", "decide_extension"}
    assert allowed_actions("replied", "enterprise") == ["rate"]
    assert allowed_actions("replied", "system") == ["auto_close"]
    assert allowed_actions("nowhere", "system") == []
    assert allowed_actions("in_progress", "nobody") == []
