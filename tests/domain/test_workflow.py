"""The state machine against docs/workflow.md.

The table below is written by hand from docs/workflow.md ("Who may do what, in which state"). It is
NOT imported from app.domain.workflow: a rule changed in the code and not in the document (or the
other way round) fails here. Every (action, state, role) combination is checked, and each window and
limit is checked at its boundary.
"""
import re

import pytest

from app.domain.workflow import WorkflowError, check

CJK = re.compile(r"[\u4e00-\u9fff]")
HALF_WIDTH_IN_CHINESE = re.compile(r"[\u4e00-\u9fff][,:;?!()]|[,:;?!()][\u4e00-\u9fff]")

ALL_STATES = ("submitted", "to_dispatch", "dispatched", "in_progress", "suspended", "to_supervision",
              "replied", "closed", "withdrawn", "merged", "rejected", "terminated")
ALL_ROLES = ("enterprise", "clerk", "agency_admin", "dispatcher", "supervisor", "system")
ACTIVE = {"dispatched", "in_progress", "suspended"}
ENDS = {"closed", "withdrawn", "merged", "rejected", "terminated"}
OPEN = set(ALL_STATES) - ENDS
AGENCY = {"clerk", "agency_admin"}

# action: (from states, roles, target or None for "same state") — docs/workflow.md, copied by hand.
TABLE = {
    "route": ({"submitted"}, {"system"}, "dispatched"),
    "route_to_dispatch": ({"submitted"}, {"system"}, "to_dispatch"),
    "dispatch": ({"to_dispatch"}, {"dispatcher"}, "dispatched"),
    "reject_return": ({"to_dispatch"}, {"dispatcher"}, "dispatched"),
    "reject": ({"to_dispatch"}, {"dispatcher"}, "rejected"),
    "merge": ({"to_dispatch"} | ACTIVE, {"dispatcher"}, "merged"),
    "terminate": ({"to_dispatch", "to_supervision"} | ACTIVE, {"dispatcher", "supervisor"}, "terminated"),
    "withdraw": ({"submitted", "to_dispatch"} | ACTIVE, {"enterprise"}, "withdrawn"),
    "sign": ({"dispatched"}, AGENCY, "in_progress"),
    "return": ({"dispatched", "in_progress"}, AGENCY, "to_dispatch"),
    "decide": ({"to_supervision"}, {"supervisor"}, "dispatched"),
    "transfer": (ACTIVE | {"to_supervision"}, {"supervisor"}, "dispatched"),
    "contact": ({"in_progress"}, AGENCY, None),
    "note": (OPEN, AGENCY, None),
    "assign": (ACTIVE, AGENCY, None),
    "co_sign": (ACTIVE, AGENCY, None),
    "co_opinion": (ACTIVE, AGENCY, None),
    "suspend": ({"in_progress"}, AGENCY, "suspended"),
    "request_suspension": ({"in_progress"}, AGENCY, None),
    "decide_suspension": ({"in_progress"}, {"supervisor"}, "suspended"),
    "resume": ({"suspended"}, {"enterprise", "system"} | AGENCY, "in_progress"),  # system: at the cap
    "add_info": ({"submitted", "to_dispatch"} | ACTIVE, {"enterprise"}, None),
    "request_extension": ({"in_progress", "suspended"}, AGENCY, None),
    "decide_extension": (OPEN, {"supervisor"}, None),
    "reply": ({"in_progress"}, AGENCY, "replied"),
    "rate": ({"replied"}, {"enterprise"}, "closed"),
    "callback": ({"replied"}, {"dispatcher"}, "closed"),
    "auto_close": ({"replied"}, {"system"}, "closed"),
    "reopen": ({"closed"}, {"enterprise"}, "dispatched"),
    "escalate": (ACTIVE, {"system"}, None),
    "issue_notice": (ACTIVE, {"supervisor"}, None),
}
CO_ACTIONS = {"co_sign", "co_opinion"}

# A context that satisfies every rule of docs/workflow.md for the action (the happy path).
ANSWER = "经核实，贵公司反映的问题已协调相关部门处理完毕，特此答复。"
VALID = {
    "reject_return": {"returned_signed": False},
    "reject": {"reason": "不属于政务服务范围"},
    "terminate": {"reason_category": "info_refused", "reason": "企业拒绝提供营业执照等必要材料"},
    "return": {"reason_category": "not_our_duty", "reason": "该事项属于市场监管部门职责范围",
               "working_days_since_dispatch": 0, "return_count": 1},
    "assign": {"assignee_is_self": True},
    "co_sign": {"co_signed": False},
    "co_opinion": {"co_signed": True, "co_opinion_submitted": False, "opinion": "本局意见：企业无欠税记录。"},
    "suspend": {"question": "请补充营业执照复印件", "suspension_count": 0, "suspended_working_days": 0},
    "request_suspension": {"question": "请补充营业执照复印件", "suspension_count": 2,
                           "suspended_working_days": 1, "suspension_pending": False},
    "decide_suspension": {"approve": True, "suspension_pending": True},
    "request_extension": {"extensions_granted": 0, "days": 5},
    "decide_extension": {"grant": True, "days": 3, "requested_days": 3},
    "reply": {"answer": ANSWER, "pending_co_opinions": 0},
    "rate": {"resolved": True, "satisfaction": "satisfied", "days_since_reply": 3, "rating_window_days": 10},
    "callback": {"channel": "phone", "resolved": True, "satisfaction": "satisfied", "days_since_reply": 3,
                 "rating_window_days": 10},
    "auto_close": {"days_since_reply": 10.5, "rating_window_days": 10},
    "reopen": {"last_rating_unsatisfied": True, "days_since_reply": 3, "rating_window_days": 10,
               "reopen_count": 0},
}


def ctx_for(action, role, **extra):
    ctx = dict(VALID.get(action, {}))
    if role in AGENCY:
        ctx["is_co" if action in CO_ACTIONS else "is_owner"] = True
    ctx.update(extra)
    return ctx


def refused(action, state, role, ctx, code=None):
    with pytest.raises(WorkflowError) as info:
        check(action, state, role, ctx)
    err = info.value
    if code is not None:
        assert err.code == code, (action, state, role, err.code, str(err))
    text = str(err)
    assert CJK.search(text) and "%(" not in text, text
    assert not HALF_WIDTH_IN_CHINESE.search(text), f"half-width punctuation in {text!r}"
    return err


def ok(action, state, role, **extra):
    return check(action, state, role, ctx_for(action, role, **extra))


# ------------------------------------------------------------------- the whole table

@pytest.mark.parametrize("action", sorted(TABLE))
def test_every_state_and_role(action):
    sources, roles, target = TABLE[action]
    for state in ALL_STATES:
        for role in ALL_ROLES:
            ctx = ctx_for(action, role)
            if state in sources and role in roles:
                assert check(action, state, role, ctx) == (target or state), (action, state, role)
            elif state in sources:
                refused(action, state, role, ctx, "forbidden_role")
            elif role in roles:
                refused(action, state, role, ctx, "invalid_state")
            else:
                refused(action, state, role, ctx)


def test_no_action_beyond_the_document():
    from app.domain.workflow import TRANSITIONS

    # Every action the machine knows is in the document's table, and the other way round.
    assert set(TRANSITIONS) == set(TABLE)
    refused("fly", "submitted", "system", {}, "unknown_action")
    refused("sign", "limbo", "clerk", {"is_owner": True}, "unknown_state")


def test_end_states_allow_nothing_but_a_reopen():
    for state in ENDS:
        for action, (sources, _roles, _t) in TABLE.items():
            if state in sources:
                assert (state, action) == ("closed", "reopen")


@pytest.mark.parametrize("action", sorted(a for a, (_s, roles, _t) in TABLE.items() if roles & AGENCY))
def test_agency_staff_act_only_for_their_own_part(action):
    sources, _roles, _t = TABLE[action]
    state = sorted(sources)[0]
    for role in AGENCY:
        ctx = ctx_for(action, role)
        ctx.pop("is_owner", None)
        ctx.pop("is_co", None)
        if action in CO_ACTIONS:
            refused(action, state, role, ctx, "not_co")
            refused(action, state, role, dict(ctx, is_owner=True), "not_co")  # the lead is not a co
        else:
            refused(action, state, role, ctx, "not_owner")
            refused(action, state, role, dict(ctx, is_co=True), "not_owner")  # a co is not the lead


# ------------------------------------------------------------------- return (退单)

@pytest.mark.parametrize("state", ["dispatched", "in_progress"])
def test_return_window_is_two_working_days_from_dispatch_signed_or_not(state):
    assert ok("return", state, "clerk", working_days_since_dispatch=0) == "to_dispatch"
    assert ok("return", state, "clerk", working_days_since_dispatch=1) == "to_dispatch"
    refused("return", state, "clerk", ctx_for("return", "clerk", working_days_since_dispatch=2), "return_too_late")
    refused("return", state, "clerk", ctx_for("return", "clerk", working_days_since_dispatch=9), "return_too_late")


def test_return_reason_and_third_return():
    for category in ("not_our_duty", "incomplete", "other_level", "other"):
        assert ok("return", "dispatched", "clerk", reason_category=category) == "to_dispatch"
    refused("return", "dispatched", "clerk", ctx_for("return", "clerk", reason_category="lazy"),
            "invalid_return_reason")
    refused("return", "dispatched", "clerk", ctx_for("return", "clerk", reason="一二三四五六七八九"),
            "return_reason_too_short")
    assert ok("return", "dispatched", "clerk", reason="一二三四五六七八九十") == "to_dispatch"
    assert ok("return", "dispatched", "clerk", return_count=2) == "to_dispatch"
    assert ok("return", "dispatched", "clerk", return_count=3) == "to_supervision"


def test_rejected_return_keeps_a_signature():
    assert ok("reject_return", "to_dispatch", "dispatcher", returned_signed=False) == "dispatched"
    assert ok("reject_return", "to_dispatch", "dispatcher", returned_signed=True) == "in_progress"


# ------------------------------------------------------------------- termination

def test_termination_reasons():
    for category in ("info_refused", "unlawful_explained"):
        assert ok("terminate", "in_progress", "supervisor", reason_category=category) == "terminated"
    refused("terminate", "in_progress", "dispatcher", ctx_for("terminate", "dispatcher", reason_category="tired"),
            "invalid_termination_reason")
    refused("terminate", "in_progress", "dispatcher", ctx_for("terminate", "dispatcher", reason="一二三四五六七八九"),
            "termination_reason_too_short")
    assert ok("terminate", "in_progress", "dispatcher", reason="一二三四五六七八九十") == "terminated"


# ------------------------------------------------------------------- co-handling

def test_co_sign_once_then_one_opinion():
    refused("co_sign", "in_progress", "clerk", ctx_for("co_sign", "clerk", co_signed=True), "co_already_signed")
    refused("co_opinion", "in_progress", "clerk", ctx_for("co_opinion", "clerk", co_signed=False), "co_not_signed")
    refused("co_opinion", "in_progress", "clerk", ctx_for("co_opinion", "clerk", co_opinion_submitted=True),
            "co_opinion_submitted")
    refused("co_opinion", "in_progress", "clerk", ctx_for("co_opinion", "clerk", opinion="一二三四五六七八九"),
            "opinion_too_short")
    assert ok("co_opinion", "in_progress", "clerk", opinion="一二三四五六七八九十") == "in_progress"


def test_reply_waits_for_co_opinions_unless_a_reason_is_given():
    refused("reply", "in_progress", "clerk", ctx_for("reply", "clerk", pending_co_opinions=1), "co_opinions_pending")
    assert ok("reply", "in_progress", "clerk", pending_co_opinions=1, override_reason="企业急需") == "replied"
    refused("reply", "in_progress", "clerk", ctx_for("reply", "clerk", answer="一" * 19), "reply_too_short")
    assert ok("reply", "in_progress", "clerk", answer="一" * 20) == "replied"


# ------------------------------------------------------------------- suspension cap

def test_suspension_cap_two_times_or_five_working_days():
    assert ok("suspend", "in_progress", "clerk", suspension_count=1) == "suspended"
    refused("suspend", "in_progress", "clerk", ctx_for("suspend", "clerk", suspension_count=2),
            "suspension_needs_approval")
    assert ok("suspend", "in_progress", "clerk", suspended_working_days=4.9) == "suspended"
    refused("suspend", "in_progress", "clerk", ctx_for("suspend", "clerk", suspended_working_days=5),
            "suspension_needs_approval")
    refused("suspend", "in_progress", "clerk", ctx_for("suspend", "clerk", question=" "), "question_required")


def test_suspension_beyond_the_cap_is_asked_and_decided():
    refused("request_suspension", "in_progress", "clerk",
            ctx_for("request_suspension", "clerk", suspension_count=1, suspended_working_days=1),
            "suspension_approval_not_needed")
    assert ok("request_suspension", "in_progress", "clerk", suspension_count=0,
              suspended_working_days=5) == "in_progress"
    refused("request_suspension", "in_progress", "clerk",
            ctx_for("request_suspension", "clerk", suspension_pending=True), "suspension_pending")
    assert ok("decide_suspension", "in_progress", "supervisor", approve=True) == "suspended"
    assert ok("decide_suspension", "in_progress", "supervisor", approve=False) == "in_progress"
    refused("decide_suspension", "in_progress", "supervisor",
            ctx_for("decide_suspension", "supervisor", suspension_pending=False), "no_suspension_request")


# ------------------------------------------------------------------- extension

def test_extension_one_to_ten_days_once_granted_at_most_as_asked():
    for days in (1, 10):
        assert ok("request_extension", "in_progress", "clerk", days=days) == "in_progress"
    for days in (0, 11, 2.5, True, None):
        refused("request_extension", "in_progress", "clerk", ctx_for("request_extension", "clerk", days=days),
                "invalid_extension_days")
    refused("request_extension", "in_progress", "clerk", ctx_for("request_extension", "clerk", extensions_granted=1),
            "extension_already_granted")
    assert ok("decide_extension", "in_progress", "supervisor", days=2, requested_days=3) == "in_progress"
    assert ok("decide_extension", "in_progress", "supervisor", days=3, requested_days=3) == "in_progress"
    refused("decide_extension", "in_progress", "supervisor",
            ctx_for("decide_extension", "supervisor", days=4, requested_days=3), "extension_beyond_request")
    assert ok("decide_extension", "in_progress", "supervisor", grant=False, days=None) == "in_progress"


# ------------------------------------------------------------------- the one rating window

def test_rating_window_ten_days_inclusive():
    assert ok("rate", "replied", "enterprise", days_since_reply=10) == "closed"
    refused("rate", "replied", "enterprise", ctx_for("rate", "enterprise", days_since_reply=10.0001),
            "rating_too_late")
    assert ok("callback", "replied", "dispatcher", days_since_reply=10) == "closed"
    refused("callback", "replied", "dispatcher", ctx_for("callback", "dispatcher", days_since_reply=11),
            "rating_too_late")
    refused("auto_close", "replied", "system", ctx_for("auto_close", "system", days_since_reply=10),
            "rating_window_open")
    assert ok("auto_close", "replied", "system", days_since_reply=10.0001) == "closed"
    # the window is the jurisdiction's setting, not a constant
    assert ok("rate", "replied", "enterprise", days_since_reply=12, rating_window_days=15) == "closed"
    assert ok("auto_close", "replied", "system", days_since_reply=6, rating_window_days=5) == "closed"


def test_dissatisfied_rating_within_the_window_can_reopen():
    assert ok("reopen", "closed", "enterprise", days_since_reply=8) == "dispatched"
    assert ok("reopen", "closed", "enterprise", days_since_reply=10) == "dispatched"
    refused("reopen", "closed", "enterprise", ctx_for("reopen", "enterprise", days_since_reply=10.0001),
            "reopen_too_late")
    refused("reopen", "closed", "enterprise", ctx_for("reopen", "enterprise", last_rating_unsatisfied=False),
            "reopen_not_allowed")
    assert ok("reopen", "closed", "enterprise", reopen_count=1) == "dispatched"
    assert ok("reopen", "closed", "enterprise", reopen_count=2) == "to_supervision"
    refused("reopen", "closed", "enterprise", ctx_for("reopen", "enterprise", reopen_count=3), "reopen_limit")


def test_rating_needs_a_verdict_and_a_comment_when_dissatisfied():
    for level in ("very_satisfied", "satisfied", "basically_satisfied"):
        assert ok("rate", "replied", "enterprise", satisfaction=level) == "closed"
    for level in ("dissatisfied", "very_dissatisfied"):
        refused("rate", "replied", "enterprise", ctx_for("rate", "enterprise", satisfaction=level),
                "comment_required")
        assert ok("rate", "replied", "enterprise", satisfaction=level, comment="没有解决") == "closed"
    refused("rate", "replied", "enterprise", ctx_for("rate", "enterprise", satisfaction="meh"), "invalid_satisfaction")
    refused("rate", "replied", "enterprise", ctx_for("rate", "enterprise", resolved="yes"), "invalid_resolved")


def test_callback_channels():
    for channel in ("phone", "sms", "visit"):
        assert ok("callback", "replied", "dispatcher", channel=channel) == "closed"
    for channel in ("online", "auto", "fax", None):
        refused("callback", "replied", "dispatcher", ctx_for("callback", "dispatcher", channel=channel),
                "invalid_channel")


# ------------------------------------------------------------------- other guards

def test_assign_a_clerk_only_to_himself():
    refused("assign", "in_progress", "clerk", ctx_for("assign", "clerk", assignee_is_self=False), "assign_forbidden")
    assert ok("assign", "in_progress", "agency_admin", assignee_is_self=False) == "in_progress"


def test_reject_needs_a_reason():
    refused("reject", "to_dispatch", "dispatcher", {"reason": "  "}, "reason_required")


def test_missing_facts_are_refused_not_guessed():
    refused("return", "dispatched", "clerk", ctx_for("return", "clerk", working_days_since_dispatch=None),
            "missing_context")
    refused("rate", "replied", "enterprise", ctx_for("rate", "enterprise", rating_window_days=None),
            "missing_context")
    refused("reject_return", "to_dispatch", "dispatcher", {}, "missing_context")
