"""The audience of every event type, against a table written by hand from docs/security.md
("Audience of events") — not derived from app.domain.audience.RULES."""
import pytest

from app.domain import audience

B, A, C, S = "business", "agency", "centre", "supervision"

# event type: (who sees that it happened, who reads its text, only the agency it concerns)
TABLE = {
    "file": ("BACS", "BACS", False),
    "add_info": ("BACS", "BACS", False),
    "withdraw": ("BACS", "BACS", False),
    "rate": ("BACS", "BACS", False),
    "reopen": ("BACS", "BACS", False),
    "resume": ("BACS", "BACS", False),
    "reject": ("BACS", "BACS", False),
    "suspend": ("BACS", "BACS", False),
    "reply": ("BACS", "BACS", False),
    "sign": ("BACS", "BACS", False),
    "auto_close": ("BACS", "BACS", False),
    "callback": ("BACS", "BACS", False),
    "deadline_recalculated": ("BACS", "BACS", False),
    "terminate": ("BACS", "BACS", False),
    "route": ("BACS", "ACS", False),
    "route_to_dispatch": ("BACS", "ACS", False),
    "dispatch": ("BACS", "ACS", False),
    "transfer": ("BACS", "ACS", False),
    "decide": ("BACS", "ACS", False),
    "merge": ("BACS", "ACS", False),
    "merged_in": ("BACS", "ACS", False),
    "contact": ("BACS", "ACS", False),
    "return": ("ACS", "ACS", False),
    "reject_return": ("ACS", "ACS", False),
    "request_extension": ("ACS", "ACS", False),
    "decide_extension": ("ACS", "ACS", False),
    "request_suspension": ("ACS", "ACS", False),
    "decide_suspension": ("ACS", "ACS", False),
    "escalate": ("ACS", "ACS", False),
    "co_sign": ("ACS", "ACS", False),
    "co_opinion": ("ACS", "ACS", False),
    "issue_notice": ("ACS", "ACS", True),
    "note": ("ACS", "ACS", True),
    "assign": ("ACS", "ACS", True),
    "request_exclusion": ("ACS", "ACS", True),
    "decide_exclusion": ("ACS", "ACS", True),
}
LETTERS = {"B": B, "A": A, "C": C, "S": S}


def _set(letters):
    return {LETTERS[ch] for ch in letters}


@pytest.mark.parametrize("action", sorted(TABLE))
@pytest.mark.parametrize("who", [B, A, C, S])
def test_each_event_type_reaches_exactly_its_audience(action, who):
    sees, reads, own = TABLE[action]
    assert audience.sees_event(action, who) == (who in _set(sees))
    assert audience.reads_text(action, who) == (who in _set(reads))
    # another agency than the one the event concerns
    other_agency_sees = who == A and who in _set(sees) and not own
    if who == A:
        assert audience.sees_event(action, A, concerns_viewer=False) == other_agency_sees


def test_the_business_reads_no_staff_text():
    # the list: return reason, dispatcher's note, extension reasons, the 督办单, exclusions
    for action in ("return", "dispatch", "request_extension", "decide_extension", "issue_notice",
                   "decide_exclusion", "request_exclusion", "note", "co_opinion"):
        assert not audience.reads_text(action, B), action


@pytest.mark.parametrize("action", ["calendar_move", "some_future_step", "", "x" * 40])
def test_an_unclassified_type_is_for_staff_only(action):
    assert not audience.sees_event(action, B)
    assert all(audience.sees_event(action, who) for who in (A, C, S))


def test_every_classified_type_is_in_the_hand_written_table():
    # a type added to the rules without a line in docs/security.md and this table fails here
    assert set(audience.RULES) == set(TABLE)


def test_roles_and_notifications():
    assert [audience.of_role(r) for r in ("enterprise", "clerk", "agency_admin", "dispatcher",
                                          "supervisor", "admin", None)] == [B, A, A, C, S, None, None]
    assert audience.may_notify("replied", B) and audience.may_notify("merged", B)
    for kind in ("extension_decided", "supervision_notice", "returned", "exclusion_decided", "new_kind"):
        assert not audience.may_notify(kind, B), kind
        assert audience.may_notify(kind, A) or kind == "new_kind" and audience.may_notify(kind, S)
    assert not audience.may_notify("replied", None)  # the admin is in no audience


def test_account_notices_reach_the_business_only():
    # docs/security.md, "The inbox": a licence decision is the business's own matter
    for kind in ("licence_rejected", "enterprise_verified"):
        assert audience.may_notify(kind, B), kind
        for other in (A, C, S, None):
            assert not audience.may_notify(kind, other), (kind, other)
