"""Tests for app.domain.sla: deadlines, pauses, lights and the escalation ladder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.calendar import default_calendar
from app.domain.sla import (
    KINDS,
    LADDER,
    LEVEL_LABELS,
    Clock,
    Limit,
    SlaPolicy,
    check_ladder,
    closed_pauses,
    deadline,
    default_policy,
    due_levels,
    light,
    next_check_at,
    order_trigger_at,
    time_left,
    trigger_at,
)

SH = ZoneInfo("Asia/Shanghai")
UTC = UTC
CAL = default_calendar()
US = timedelta(microseconds=1)
H = timedelta(hours=1)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


WD = lambda n: Limit(n, "working_days")  # noqa: E731


# ------------------------------------------------------------------ policies
def test_default_policies_per_kind():
    expected_resolve = {"consultation": 3, "help": 7, "suggestion": 7, "complaint": 15, "report": 15}
    assert set(KINDS) == set(expected_resolve)
    for kind, days in expected_resolve.items():
        policy = default_policy(kind, urgent=False)
        assert policy == SlaPolicy(
            sign=Limit(2, "working_hours"),
            contact=Limit(1, "working_days"),
            resolve=Limit(days, "working_days"),
            reopen_resolve=Limit(5, "working_days"),
            max_extension_days=10,
            warn_ratio=0.75,
        )


def test_default_policies_urgent():
    for kind in KINDS:
        policy = default_policy(kind, urgent=True)
        assert policy.sign == Limit(30, "calendar_minutes")
        assert policy.contact == Limit(2, "calendar_hours")
        assert policy.resolve == Limit(24, "calendar_hours")
        assert policy.reopen_resolve == Limit(5, "working_days")
        assert not policy.resolve.working and policy.reopen_resolve.working


def test_unknown_kind_and_bad_limits():
    with pytest.raises(ValueError):
        default_policy("praise", urgent=False)
    with pytest.raises(ValueError):
        Limit(1, "fortnights")
    with pytest.raises(ValueError):
        Limit(1.5, "working_days")
    with pytest.raises(ValueError):
        Limit(-1, "working_hours")


def test_limit_due_and_allowed():
    start = sh(2025, 9, 30, 16, 30)
    assert Limit(2, "working_hours").due(CAL, start) == sh(2025, 10, 9, 10, 0)
    assert Limit(30, "calendar_minutes").due(CAL, start) == sh(2025, 9, 30, 17, 0)
    assert Limit(2, "calendar_hours").due(CAL, start) == sh(2025, 9, 30, 18, 30)
    assert Limit(1, "working_days").allowed(CAL, sh(2025, 9, 30, 10, 0)) == 13 * H
    assert Limit(24, "calendar_hours").allowed(CAL, start) == 24 * H
    assert Limit(15, "working_days").label() == "15个工作日"


# ----------------------------------------------------------------- deadlines
def test_deadline_without_pauses_across_national_day():
    start = sh(2025, 9, 30, 10, 0)
    due = deadline(CAL, default_policy("complaint", False).resolve, start)
    assert due == sh(2025, 10, 28, 17, 30)
    assert due.tzinfo is UTC
    assert deadline(CAL, default_policy("complaint", False).sign, sh(2025, 9, 30, 16, 30)) == sh(2025, 10, 9, 10, 0)
    assert deadline(CAL, default_policy("help", False).contact, start) == sh(2025, 10, 9, 17, 30)


def test_deadline_one_pause_inside_working_hours():
    start = sh(2025, 10, 9, 10, 0)
    assert deadline(CAL, WD(3), start) == sh(2025, 10, 13, 17, 30)
    # 10:00-12:00 and 13:30-14:00 on Friday: 2.5 working hours
    pause = (sh(2025, 10, 10, 10, 0), sh(2025, 10, 10, 14, 0))
    assert deadline(CAL, WD(3), start, [pause]) == sh(2025, 10, 14, 11, 30)


def test_deadline_pause_spanning_a_weekend():
    start = sh(2025, 10, 17, 10, 0)  # Friday
    assert deadline(CAL, WD(7), start) == sh(2025, 10, 28, 17, 30)
    # Fri 16:00 -> Mon 10:00: 1.5 h + 1 h of working time; the weekend is free
    pause = (sh(2025, 10, 17, 16, 0), sh(2025, 10, 20, 10, 0))
    assert deadline(CAL, WD(7), start, [pause]) == sh(2025, 10, 29, 11, 30)


def test_deadline_two_pauses_in_any_order():
    start = sh(2025, 10, 9, 10, 0)
    a = (sh(2025, 10, 10, 10, 0), sh(2025, 10, 10, 14, 0))  # 2.5 h
    b = (sh(2025, 10, 11, 16, 0), sh(2025, 10, 13, 10, 0))  # worked Saturday -> Monday: 2.5 h
    expected = sh(2025, 10, 14, 15, 30)  # 10-13 17:30 + 5 working hours
    assert deadline(CAL, WD(3), start, [a, b]) == expected
    assert deadline(CAL, WD(3), start, [b, a]) == expected
    # overlapping duplicates are merged, not counted twice
    assert deadline(CAL, WD(3), start, [a, b, a]) == expected


def test_only_pauses_beginning_before_the_pushed_deadline_count():
    start = sh(2025, 10, 9, 10, 0)
    a = (sh(2025, 10, 10, 10, 0), sh(2025, 10, 10, 14, 0))  # pushes to 10-14 11:30
    late = (sh(2025, 10, 14, 9, 30), sh(2025, 10, 14, 10, 30))  # after nominal due, before pushed due
    assert deadline(CAL, WD(3), start, [a, late]) == sh(2025, 10, 14, 14, 0)
    at_due = (sh(2025, 10, 14, 11, 30), sh(2025, 10, 14, 15, 0))  # begins exactly at the deadline
    assert deadline(CAL, WD(3), start, [a, at_due]) == sh(2025, 10, 14, 11, 30)
    after = (sh(2025, 10, 15, 9, 0), sh(2025, 10, 16, 9, 0))
    assert deadline(CAL, WD(3), start, [a, after]) == sh(2025, 10, 14, 11, 30)


def test_pause_before_start_and_outside_hours():
    start = sh(2025, 10, 9, 10, 0)
    before = (sh(2025, 10, 8, 10, 0), sh(2025, 10, 9, 11, 0))  # only 10:00-11:00 counts
    assert deadline(CAL, WD(3), start, [before]) == sh(2025, 10, 14, 10, 0)
    night = (sh(2025, 10, 9, 18, 0), sh(2025, 10, 10, 9, 0))  # no working time inside
    assert deadline(CAL, WD(3), start, [night]) == sh(2025, 10, 13, 17, 30)


def test_open_pause_stops_the_clock():
    start = sh(2025, 10, 9, 10, 0)
    open_pause = (sh(2025, 10, 10, 10, 0), None)
    assert deadline(CAL, WD(3), start, [open_pause]) is None
    # an open pause that begins after the deadline changes nothing
    assert deadline(CAL, WD(3), start, [(sh(2025, 10, 14, 9, 0), None)]) == sh(2025, 10, 13, 17, 30)

    clock = Clock.for_limit(CAL, WD(3), start, [open_pause])
    assert clock.due == sh(2025, 10, 13, 17, 30)  # deadline of the closed pauses
    assert clock.paused and clock.deadline is None
    assert closed_pauses([open_pause]) == []
    # frozen at the pause: 6 h on 10-09 + 1 h on 10-10 used of a 27 h budget
    assert clock.time_left(CAL, sh(2025, 10, 20, 10, 0)) == 20 * H
    assert clock.time_left(CAL, sh(2025, 10, 10, 9, 30)) == 20 * H + timedelta(minutes=30)
    assert clock.light(CAL, sh(2025, 10, 20, 10, 0)) == "green"
    assert clock.next_check_at(CAL, sh(2025, 10, 20, 10, 0), set()) is None
    assert clock.due_levels(CAL, sh(2025, 10, 20, 10, 0)) == []


def test_extension_of_ten_working_days():
    start = sh(2025, 9, 30, 10, 0)
    resolve = default_policy("complaint", False).resolve
    assert deadline(CAL, resolve, start, extension_days=10) == sh(2025, 11, 11, 17, 30)
    assert deadline(CAL, resolve, start, extension_days=10) == deadline(CAL, WD(25), start)
    pause = (sh(2025, 10, 10, 10, 0), sh(2025, 10, 10, 14, 0))
    assert deadline(CAL, resolve, start, [pause], extension_days=10) == sh(2025, 11, 12, 11, 30)


def test_reopen_limit():
    policy = default_policy("consultation", urgent=False)
    assert policy.reopen_resolve == Limit(5, "working_days")
    # reopened on the last workday before National Day: 10-09, 10, 11 (Sat), 13, 14
    assert deadline(CAL, policy.reopen_resolve, sh(2025, 9, 30, 16, 0)) == sh(2025, 10, 14, 17, 30)


def test_urgent_calendar_clock_ignores_holidays_and_pauses_in_calendar_time():
    resolve = default_policy("help", urgent=True).resolve
    start = sh(2025, 10, 1, 10, 0)  # National Day itself
    assert deadline(CAL, resolve, start) == sh(2025, 10, 2, 10, 0)
    pause = (sh(2025, 10, 1, 20, 0), sh(2025, 10, 1, 22, 0))
    assert deadline(CAL, resolve, start, [pause]) == sh(2025, 10, 2, 12, 0)


# -------------------------------------------------------------------- lights
def test_light_boundaries_working_hours():
    start, due = sh(2025, 10, 20, 10, 0), sh(2025, 10, 20, 12, 0)  # 2 working hours
    assert light(CAL, sh(2025, 10, 20, 11, 29), start, due) == "green"
    assert light(CAL, sh(2025, 10, 20, 11, 30), start, due) == "yellow"  # 75 % of 2 h
    assert light(CAL, due, start, due) == "yellow"
    assert light(CAL, due + US, start, due) == "red"
    assert time_left(CAL, sh(2025, 10, 20, 11, 0), due) == H
    assert time_left(CAL, sh(2025, 10, 20, 14, 0), due) == -timedelta(minutes=30)  # lunch is free


def test_light_with_a_pause():
    start = sh(2025, 10, 20, 9, 0)
    pause = (sh(2025, 10, 20, 9, 30), sh(2025, 10, 20, 10, 30))
    due = deadline(CAL, Limit(2, "working_hours"), start, [pause])
    assert due == sh(2025, 10, 20, 12, 0)
    # 1.5 h of the 2 h used at 11:30 (the paused hour does not count)
    assert light(CAL, sh(2025, 10, 20, 11, 29), start, due, [pause]) == "green"
    assert light(CAL, sh(2025, 10, 20, 11, 30), start, due, [pause]) == "yellow"
    assert trigger_at(CAL, "remind", start, due, [pause]) == sh(2025, 10, 20, 11, 30)
    assert time_left(CAL, sh(2025, 10, 20, 10, 0), due, [pause]) == timedelta(hours=1, minutes=30)


def test_light_calendar_clock():
    start = sh(2025, 10, 1, 10, 0)
    due = sh(2025, 10, 2, 10, 0)
    assert light(CAL, sh(2025, 10, 2, 3, 59), start, due, working=False) == "green"
    assert light(CAL, sh(2025, 10, 2, 4, 0), start, due, working=False) == "yellow"
    assert light(CAL, due + US, start, due, working=False) == "red"
    assert time_left(CAL, sh(2025, 10, 2, 9, 0), due, working=False) == H
    # measured in working time the same clock would have no budget at all
    assert light(CAL, sh(2025, 10, 1, 11, 0), start, due) == "yellow"


# --------------------------------------------------------------------- ladder
# Consultation (3 working days) filed Thursday 2025-09-25 09:00:
# 09-26 (1), Sunday 09-28 worked (2), 09-29 (3) -> due 09-29 17:30.
# Budget 4 x 7 h = 28 h; 75 % = 21 h -> 09-28 17:30.
# Overdue +3 working days: 09-30, 10-09, 10-10 -> 10-10 17:30;
# +5: 10-11 (worked Saturday), 10-13 -> 10-13 17:30.
L_START = sh(2025, 9, 25, 9, 0)
L_DUE = sh(2025, 9, 29, 17, 30)


def test_ladder_identifiers_and_labels():
    # 催办 → 督办 → 挂牌督办 → 约谈 → 通报 (docs/workflow.md): 通报 is a level of its own.
    assert LADDER == ("remind", "supervise", "flag", "interview", "notice")
    assert LEVEL_LABELS == {"remind": "催办", "supervise": "督办", "flag": "挂牌督办", "interview": "约谈",
                            "notice": "通报"}


def test_ladder_trigger_instants_across_national_day():
    assert deadline(CAL, WD(3), L_START) == L_DUE
    assert trigger_at(CAL, "remind", L_START, L_DUE) == sh(2025, 9, 28, 17, 30)
    assert trigger_at(CAL, "supervise", L_START, L_DUE) == L_DUE + US
    assert trigger_at(CAL, "flag", L_START, L_DUE) == sh(2025, 10, 10, 17, 30)
    assert trigger_at(CAL, "interview", L_START, L_DUE) == sh(2025, 10, 13, 17, 30)
    # +10 working days: 09-30, 10-09, 10-10, 10-11, 10-13, 10-14, 10-15, 10-16, 10-17, 10-20.
    assert trigger_at(CAL, "notice", L_START, L_DUE) == sh(2025, 10, 20, 17, 30)
    with pytest.raises(ValueError):
        trigger_at(CAL, "shout", L_START, L_DUE)


@pytest.mark.parametrize(
    ("now", "levels", "colour"),
    [
        (sh(2025, 9, 28, 17, 29), [], "green"),
        (sh(2025, 9, 28, 17, 30), ["remind"], "yellow"),
        (sh(2025, 9, 29, 17, 30), ["remind"], "yellow"),
        (sh(2025, 9, 29, 17, 30) + US, ["remind", "supervise"], "red"),
        (sh(2025, 10, 5, 12, 0), ["remind", "supervise"], "red"),
        (sh(2025, 10, 10, 17, 29), ["remind", "supervise"], "red"),
        (sh(2025, 10, 10, 17, 30), ["remind", "supervise", "flag"], "red"),
        (sh(2025, 10, 13, 17, 29), ["remind", "supervise", "flag"], "red"),
        (sh(2025, 10, 13, 17, 30), ["remind", "supervise", "flag", "interview"], "red"),
        (sh(2025, 10, 20, 17, 29), ["remind", "supervise", "flag", "interview"], "red"),
        (sh(2025, 10, 20, 17, 30), ["remind", "supervise", "flag", "interview", "notice"], "red"),
    ],
)
def test_due_levels_and_light_at_each_step(now, levels, colour):
    assert due_levels(CAL, now, L_START, L_DUE) == levels
    assert light(CAL, now, L_START, L_DUE) == colour


def test_overdue_counts():
    assert time_left(CAL, sh(2025, 10, 10, 17, 30), L_DUE) == -21 * H
    assert CAL.working_days_between(L_DUE, sh(2025, 10, 10, 17, 30)) == 3


def test_next_check_at_walks_the_ladder():
    now = L_START
    assert next_check_at(CAL, now, L_START, L_DUE, set()) == sh(2025, 9, 28, 17, 30)
    assert next_check_at(CAL, now, L_START, L_DUE, {"remind"}) == L_DUE + US
    assert next_check_at(CAL, now, L_START, L_DUE, {"remind", "supervise"}) == sh(2025, 10, 10, 17, 30)
    assert next_check_at(CAL, now, L_START, L_DUE, {"remind", "supervise", "flag"}) == sh(2025, 10, 13, 17, 30)
    assert next_check_at(CAL, now, L_START, L_DUE, set(LADDER)) is None
    with pytest.raises(ValueError):
        next_check_at(CAL, now, L_START, L_DUE, {"nag"})


def test_scheduler_loop_fires_each_level_once():
    fired: list[str] = []
    now = L_START
    while (check := next_check_at(CAL, now, L_START, L_DUE, set(fired))) is not None:
        now = check
        fired += [lvl for lvl in due_levels(CAL, now, L_START, L_DUE) if lvl not in fired]
    assert fired == list(LADDER)
    assert now == sh(2025, 10, 20, 17, 30)  # the last level, 通报


def test_ladder_with_pauses():
    pause = (sh(2025, 9, 29, 9, 0), sh(2025, 9, 29, 17, 30))  # the whole last day, 7 h
    due = deadline(CAL, WD(3), L_START, [pause])
    assert due == sh(2025, 9, 30, 17, 30)
    assert trigger_at(CAL, "remind", L_START, due, [pause]) == sh(2025, 9, 28, 17, 30)  # before the pause
    assert trigger_at(CAL, "flag", L_START, due, [pause]) == sh(2025, 10, 11, 17, 30)
    # an open pause after the remind instant: remind stays due, nothing else will come
    open_pause = (sh(2025, 9, 29, 9, 0), None)
    assert due_levels(CAL, sh(2025, 10, 20, 9, 0), L_START, L_DUE, [open_pause]) == ["remind"]
    assert next_check_at(CAL, sh(2025, 10, 20, 9, 0), L_START, L_DUE, {"remind"}, [open_pause]) is None
    assert light(CAL, sh(2025, 10, 20, 9, 0), L_START, L_DUE, [open_pause]) == "yellow"
    # an open pause before the remind instant: nothing at all
    early = (sh(2025, 9, 26, 9, 0), None)
    assert trigger_at(CAL, "remind", L_START, L_DUE, [early]) is None
    assert next_check_at(CAL, sh(2025, 10, 20, 9, 0), L_START, L_DUE, set(), [early]) is None
    # a pause that begins after the deadline does not stop the ladder
    late = (sh(2025, 10, 9, 9, 0), None)
    assert due_levels(CAL, sh(2025, 10, 20, 17, 30), L_START, L_DUE, [late]) == list(LADDER)


def test_clock_wrapper_matches_functions():
    clock = Clock.for_limit(CAL, WD(3), L_START)
    assert clock.due == L_DUE and not clock.paused and clock.deadline == L_DUE
    assert clock.working
    assert clock.trigger_at(CAL, "flag") == sh(2025, 10, 10, 17, 30)
    assert clock.due_levels(CAL, sh(2025, 10, 10, 17, 30)) == ["remind", "supervise", "flag"]
    assert clock.next_check_at(CAL, L_START, {"remind"}) == L_DUE + US
    assert clock.light(CAL, sh(2025, 9, 28, 17, 30)) == "yellow"
    urgent = Clock.for_limit(CAL, Limit(24, "calendar_hours"), sh(2025, 10, 1, 10, 0))
    assert not urgent.working
    assert urgent.trigger_at(CAL, "remind") == sh(2025, 10, 2, 4, 0)
    assert urgent.trigger_at(CAL, "flag") == sh(2025, 10, 11, 17, 30)  # overdue levels count working days


def test_a_missed_supervision_order_climbs_from_flag():
    # A 督办单 due 2025-09-29 17:30: 挂牌督办 right after, 约谈 +3 and 通报 +5 working days
    # (09-30, 10-09, 10-10 | 10-11 worked Saturday, 10-13).
    assert order_trigger_at(CAL, "flag", L_DUE) == L_DUE + US
    assert order_trigger_at(CAL, "interview", L_DUE) == sh(2025, 10, 10, 17, 30)
    assert order_trigger_at(CAL, "notice", L_DUE) == sh(2025, 10, 13, 17, 30)
    with pytest.raises(ValueError):
        order_trigger_at(CAL, "remind", L_DUE)


@pytest.mark.parametrize("ladder", [{"flag": 3, "interview": 3, "notice": 10}, {"flag": 0, "interview": 5, "notice": 10},
                                    {"flag": 3, "interview": 5}, {"flag": 3, "interview": 5, "notice": 61},
                                    {"flag": 2.5, "interview": 5, "notice": 10}, {"flag": 6, "interview": 5, "notice": 10}])
def test_a_ladder_must_rise_in_whole_working_days(ladder):
    with pytest.raises(ValueError):
        check_ladder(ladder)
    with pytest.raises(ValueError):
        SlaPolicy(WD(1), WD(1), WD(3), WD(5), overdue_after=ladder)


def test_an_edited_ladder_moves_the_overdue_steps():
    # deadline Tuesday 2025-10-28 17:30; the close of the 1st workday after it is Wednesday 17:30
    due, start = sh(2025, 10, 28, 17, 30), sh(2025, 10, 20, 9, 0)
    short = {"flag": 1, "interview": 2, "notice": 4}
    assert trigger_at(CAL, "flag", start, due, overdue_after=short) == sh(2025, 10, 29, 17, 30)
    assert trigger_at(CAL, "notice", start, due, overdue_after=short) == sh(2025, 11, 3, 17, 30)
    assert trigger_at(CAL, "flag", start, due) == sh(2025, 10, 31, 17, 30)
