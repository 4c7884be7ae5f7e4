"""Tests for app.domain.calendar: the Chinese working calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.calendar import (
    WorkingCalendar,
    chinese_calendar_exceptions,
    default_calendar,
    hours_to_timedelta,
)

SH = ZoneInfo("Asia/Shanghai")
UTC = UTC
CAL = default_calendar()


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def assert_utc(t: datetime, expected: datetime) -> None:
    assert t.tzinfo is UTC
    assert t == expected


# ---------------------------------------------------------------- the data
def test_national_day_2025_schedule():
    assert CAL.is_workday(date(2025, 9, 28))  # Sunday, worked (调休)
    assert CAL.is_workday(date(2025, 9, 30))
    for day in range(1, 9):
        assert not CAL.is_workday(date(2025, 10, day)), day
    assert CAL.is_workday(date(2025, 10, 9))
    assert CAL.is_workday(date(2025, 10, 10))
    assert CAL.is_workday(date(2025, 10, 11))  # Saturday, worked
    assert not CAL.is_workday(date(2025, 10, 12))  # ordinary Sunday
    assert not CAL.is_workday(date(2025, 10, 18))  # ordinary Saturday


def test_spring_festival_2026_as_published_in_the_package():
    # The real 2026 dates, as shipped by chinese_calendar 1.11.0.
    feb_holidays = sorted(d for d in chinese_calendar.holidays if (d.year, d.month) == (2026, 2))
    assert feb_holidays == [date(2026, 2, day) for day in range(15, 24)]
    feb_workdays = sorted(d for d in chinese_calendar.workdays if (d.year, d.month) == (2026, 2))
    assert feb_workdays == [date(2026, 2, 14), date(2026, 2, 28)]

    exceptions, _ = chinese_calendar_exceptions()
    feb = {d: v for d, v in exceptions.items() if (d.year, d.month) == (2026, 2)}
    assert feb == {
        date(2026, 2, 14): True,  # Saturday worked
        date(2026, 2, 16): False,
        date(2026, 2, 17): False,  # 除夕 is the 16th, 初一 the 17th
        date(2026, 2, 18): False,
        date(2026, 2, 19): False,
        date(2026, 2, 20): False,
        date(2026, 2, 23): False,  # Monday off
        date(2026, 2, 28): True,  # Saturday worked
    }
    assert [d.day for d in (date(2026, 2, 1) + timedelta(n) for n in range(28)) if CAL.is_workday(d)] == [
        2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14, 24, 25, 26, 27, 28,
    ]


def test_exceptions_only_list_departures_from_monday_to_friday():
    exceptions, years = chinese_calendar_exceptions()
    for d, worked in exceptions.items():
        assert worked == (d.weekday() >= 5)
    assert date(2025, 10, 4) not in exceptions  # Saturday inside the holiday: off anyway
    assert exceptions[date(2025, 10, 1)] is False
    assert exceptions[date(2025, 9, 28)] is True
    assert min(years) == 2004 and max(years) == 2026
    assert years == frozenset(range(2004, 2027))


def test_coverage_and_provisional_years():
    assert CAL.is_covered(2025) and CAL.is_covered(2026)
    assert not CAL.is_covered(2027)
    assert CAL.is_provisional(2027) and not CAL.is_provisional(2026)
    # Outside the covered years: the statutory holidays by law, no 调休 (see tests/domain/test_notice.py).
    assert not CAL.is_workday(date(2027, 1, 1))  # 元旦, a Friday
    assert CAL.is_workday(date(2027, 1, 4))
    assert not CAL.is_workday(date(2027, 1, 2))


def test_default_calendar_is_cached_and_has_seven_hour_days():
    assert default_calendar() is CAL
    assert CAL.daily_working_time == timedelta(hours=7)


# --------------------------------------------------------------- deadlines
def test_two_working_hours_across_national_day():
    assert_utc(CAL.add_working_hours(sh(2025, 9, 30, 16, 30), 2), utc(2025, 10, 9, 2, 0))
    assert CAL.add_working_hours(sh(2025, 9, 30, 16, 30), 2).astimezone(SH) == sh(2025, 10, 9, 10, 0)


def test_one_working_day_across_national_day_ends_at_close():
    assert_utc(CAL.add_working_days(sh(2025, 9, 30, 10, 0), 1), utc(2025, 10, 9, 9, 30))  # 17:30 Shanghai


def test_start_day_never_counts_even_at_opening():
    assert CAL.add_working_days(sh(2025, 10, 9, 9, 0), 1) == sh(2025, 10, 10, 17, 30)
    assert CAL.add_working_days(sh(2025, 10, 9, 0, 0), 1) == sh(2025, 10, 10, 17, 30)


def test_working_days_starting_on_a_holiday():
    assert CAL.add_working_days(sh(2025, 10, 3, 15, 0), 1) == sh(2025, 10, 9, 17, 30)
    # 10-09, 10-10, then Saturday 10-11 is worked
    assert CAL.add_working_days(sh(2025, 10, 3, 15, 0), 3) == sh(2025, 10, 11, 17, 30)
    assert CAL.add_working_days(sh(2025, 10, 3, 15, 0), 4) == sh(2025, 10, 13, 17, 30)


def test_working_days_starting_on_a_worked_sunday():
    assert CAL.add_working_days(sh(2025, 9, 28, 10, 0), 2) == sh(2025, 9, 30, 17, 30)
    assert CAL.add_working_days(sh(2025, 9, 28, 10, 0), 3) == sh(2025, 10, 9, 17, 30)


def test_working_days_across_spring_festival_2026():
    start = sh(2026, 2, 13, 15, 0)  # Friday before the holiday
    assert CAL.add_working_days(start, 1) == sh(2026, 2, 14, 17, 30)  # worked Saturday
    assert CAL.add_working_days(start, 2) == sh(2026, 2, 24, 17, 30)
    assert CAL.add_working_days(start, 6) == sh(2026, 2, 28, 17, 30)  # worked Saturday
    assert_utc(CAL.add_working_days(start, 15), utc(2026, 3, 12, 9, 30))


def test_working_hours_across_spring_festival_2026():
    # 1.5 h left on Friday 13th, 3.5 h on Saturday 14th, then 24th
    assert CAL.add_working_hours(sh(2026, 2, 13, 16, 0), 5) == sh(2026, 2, 14, 14, 0)
    assert CAL.add_working_hours(sh(2026, 2, 14, 16, 0), 2) == sh(2026, 2, 24, 9, 30)


def test_instants_outside_working_hours():
    # Friday evening -> Saturday 11 October is a worked Saturday
    assert CAL.add_working_hours(sh(2025, 10, 10, 20, 0), 1) == sh(2025, 10, 11, 10, 0)
    # an ordinary Saturday morning -> Monday
    assert CAL.add_working_hours(sh(2025, 10, 18, 8, 0), 1) == sh(2025, 10, 20, 10, 0)
    # before opening on a workday
    assert CAL.add_working_hours(sh(2025, 10, 20, 7, 0), Decimal("0.25")) == sh(2025, 10, 20, 9, 15)
    # in the middle of the holiday
    assert CAL.add_working_hours(sh(2025, 10, 5, 11, 0), 7) == sh(2025, 10, 9, 17, 30)


def test_lunch_break():
    assert CAL.add_working_hours(sh(2025, 10, 20, 11, 30), 1) == sh(2025, 10, 20, 14, 0)
    assert CAL.add_working_hours(sh(2025, 10, 20, 12, 45), 1) == sh(2025, 10, 20, 14, 30)
    assert CAL.working_time_between(sh(2025, 10, 20, 11, 0), sh(2025, 10, 20, 14, 0)) == timedelta(hours=1, minutes=30)


def test_deadline_at_period_end_stays_there():
    assert CAL.add_working_hours(sh(2025, 10, 20, 11, 0), 1) == sh(2025, 10, 20, 12, 0)
    assert CAL.add_working_hours(sh(2025, 10, 20, 16, 30), 1) == sh(2025, 10, 20, 17, 30)
    assert CAL.add_working_hours(sh(2025, 10, 20, 9, 0), 7) == sh(2025, 10, 20, 17, 30)
    assert CAL.add_working_hours(sh(2025, 9, 30, 16, 30), 1) == sh(2025, 9, 30, 17, 30)


def test_zero_amounts_return_start_in_utc():
    t = sh(2025, 10, 4, 12, 0)
    assert_utc(CAL.add_working_hours(t, 0), utc(2025, 10, 4, 4, 0))
    assert_utc(CAL.add_working_days(t, 0), utc(2025, 10, 4, 4, 0))


def test_next_opening():
    assert_utc(CAL.next_opening(sh(2025, 10, 20, 10, 0)), utc(2025, 10, 20, 2, 0))
    assert CAL.next_opening(sh(2025, 10, 20, 12, 0)) == sh(2025, 10, 20, 13, 30)
    assert CAL.next_opening(sh(2025, 10, 20, 17, 30)) == sh(2025, 10, 21, 9, 0)
    assert CAL.next_opening(sh(2025, 9, 30, 18, 0)) == sh(2025, 10, 9, 9, 0)
    assert CAL.next_opening(sh(2026, 2, 14, 18, 0)) == sh(2026, 2, 24, 9, 0)
    assert CAL.is_open(sh(2025, 10, 11, 9, 0))
    assert not CAL.is_open(sh(2025, 10, 11, 17, 30))


def test_working_time_between():
    assert CAL.working_time_between(sh(2025, 9, 30, 10, 0), sh(2025, 10, 9, 17, 30)) == timedelta(hours=13)
    assert CAL.working_time_between(sh(2025, 10, 9, 17, 30), sh(2025, 9, 30, 10, 0)) == timedelta(0)
    assert CAL.working_time_between(sh(2025, 10, 1), sh(2025, 10, 8, 23, 59)) == timedelta(0)
    assert CAL.working_hours_between(sh(2025, 9, 30, 16, 30), sh(2025, 10, 9, 10, 0)) == 2.0


def test_working_days_between():
    due = sh(2025, 10, 9, 17, 30)
    assert CAL.working_days_between(due, sh(2025, 10, 13, 17, 29)) == 2
    assert CAL.working_days_between(due, sh(2025, 10, 13, 17, 30)) == 3  # 10, 11 (Sat), 13
    assert CAL.working_days_between(sh(2025, 9, 30, 10, 0), sh(2025, 10, 9, 17, 30)) == 1
    assert CAL.working_days_between(due, due) == 0


def test_utc_conversion_from_any_zone():
    # 16:30 Shanghai expressed in UTC and in New York (EDT); output is UTC.
    assert_utc(CAL.add_working_hours(utc(2025, 9, 30, 8, 30), 2), utc(2025, 10, 9, 2, 0))
    ny = datetime(2025, 9, 30, 4, 30, tzinfo=ZoneInfo("America/New_York"))
    assert_utc(CAL.add_working_hours(ny, 2), utc(2025, 10, 9, 2, 0))
    # Winter (EST): Shanghai has no DST, so 09:00 Shanghai is always 01:00 UTC.
    assert_utc(CAL.next_opening(datetime(2026, 1, 5, 12, 0, tzinfo=ZoneInfo("America/New_York"))), utc(2026, 1, 6, 1, 0))


def test_errors():
    with pytest.raises(ValueError):
        CAL.add_working_hours(datetime(2025, 10, 9, 10, 0), 1)  # naive
    with pytest.raises(ValueError):
        CAL.add_working_hours(sh(2025, 10, 9, 10, 0), -1)
    with pytest.raises(ValueError):
        CAL.add_working_days(sh(2025, 10, 9, 10, 0), 1.5)
    with pytest.raises(ValueError):
        CAL.add_working_days(sh(2025, 10, 9, 10, 0), 6000)  # > 20 years
    with pytest.raises(ValueError):
        CAL.working_time_between(sh(2000, 1, 1), sh(2030, 1, 1))
    with pytest.raises(ValueError):
        WorkingCalendar(periods=[(time(13, 0), time(12, 0))])
    with pytest.raises(ValueError):
        WorkingCalendar(periods=[(time(9, 0), time(12, 0)), (time(11, 0), time(14, 0))])


def test_custom_calendar():
    cal = WorkingCalendar({date(2025, 1, 6): False}, periods=[(time(8, 0), time(16, 0))], tz="UTC")
    assert cal.add_working_hours(utc(2025, 1, 3, 15, 0), 2) == utc(2025, 1, 7, 9, 0)  # Mon 6th off
    assert cal.add_working_days(utc(2025, 1, 3, 15, 0), 1) == utc(2025, 1, 7, 16, 0)
    assert hours_to_timedelta(Decimal("1.5")) == timedelta(minutes=90)


# ------------------------------------------------------------- properties
MINUTE = timedelta(minutes=1)
_BASE = sh(2025, 9, 1)
_starts = st.integers(min_value=0, max_value=60 * 24 * 240).map(lambda m: _BASE + m * MINUTE)  # Sep 2025 .. Apr 2026
_amounts = st.integers(min_value=0, max_value=60 * 7 * 20).map(lambda m: m * MINUTE)  # up to 20 days
_PROPS = settings(max_examples=60, deadline=None)


def _inside_hours(t: datetime) -> bool:
    local = t.astimezone(SH)
    if not CAL.is_workday(local.date()):
        return False
    return any(open_ <= local.time() <= close for open_, close in CAL.periods)


@_PROPS
@given(_starts, _amounts)
def test_add_then_measure_round_trips_from_any_start(start, amount):
    end = CAL.add_working_time(start, amount)
    assert CAL.working_time_between(start, end) == amount
    assert CAL.working_time_between(CAL.next_opening(start), end) == amount


@_PROPS
@given(_starts, st.integers(min_value=0, max_value=60))
def test_add_hours_from_an_opening(start, hours):
    opening = CAL.next_opening(start)
    assert CAL.working_time_between(opening, CAL.add_working_hours(opening, hours)) == timedelta(hours=hours)


@_PROPS
@given(_starts, _amounts.filter(lambda a: a > timedelta(0)), st.integers(min_value=1, max_value=30))
def test_results_land_inside_working_hours_on_workdays(start, amount, days):
    assert _inside_hours(CAL.add_working_time(start, amount))
    end = CAL.add_working_days(start, days)
    assert CAL.is_workday(end.astimezone(SH).date())
    assert end.astimezone(SH).time() == time(17, 30)
    assert CAL.working_days_between(start, end) == days


@_PROPS
@given(_starts, _amounts, _amounts, st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=30))
def test_monotonic_in_amount(start, a1, a2, d1, d2):
    a1, a2 = sorted((a1, a2))
    d1, d2 = sorted((d1, d2))
    assert CAL.add_working_time(start, a1) <= CAL.add_working_time(start, a2)
    assert CAL.add_working_days(start, d1) <= CAL.add_working_days(start, d2)


@_PROPS
@given(_starts, _starts, _amounts, st.integers(min_value=0, max_value=30))
def test_monotonic_in_start(s1, s2, amount, days):
    s1, s2 = sorted((s1, s2))
    assert CAL.add_working_time(s1, amount) <= CAL.add_working_time(s2, amount)
    assert CAL.add_working_days(s1, days) <= CAL.add_working_days(s2, days)
