"""Working-time arithmetic against a slow reference written here, minute by minute.

WorkingCalendar answers from per-year prefix sums and a binary search; the reference
below knows nothing of that: it steps through every minute (or every day) and asks a
plain rule written in this file whether the office is open. Shanghai has kept UTC+8
since 1991, so the reference turns an instant into local time by adding eight hours.
"""
from datetime import UTC, date, datetime, time, timedelta

import chinese_calendar
import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.calendar import WorkingCalendar, default_calendar

MINUTE = timedelta(minutes=1)
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)  # spans reach 2025–2028: entered years and provisional ones
SPAN = 4 * 366 * 24 * 60

# A provisional year's statutory days off, written out by hand for the random calendars.
HAND_STATUTORY = {
    2027: {date(2027, 1, 1), date(2027, 5, 3), date(2027, 10, 1), date(2027, 10, 4), date(2027, 10, 5)},
    2028: {date(2028, 1, 3), date(2028, 5, 1), date(2028, 10, 2), date(2028, 10, 3)},
}
PERIOD_CHOICES = [
    ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30))),
    ((time(8, 30), time(12, 0)), (time(14, 0), time(18, 0))),
    ((time(0, 0), time(23, 59)),),
    ((time(10, 15), time(10, 16)),),
]


class Reference:
    """The rule, slowly: a day is worked if an exception says so, else not if it is a hand-listed
    statutory day of a year not entered, else Monday to Friday."""

    def __init__(self, exceptions, covered, statutory, periods):
        self.exceptions, self.covered, self.statutory, self.periods = exceptions, covered, statutory, periods
        self._memo: dict[date, bool] = {}

    def workday(self, d: date) -> bool:
        if d not in self._memo:
            self._memo[d] = self.rule(d)
        return self._memo[d]

    def rule(self, d: date) -> bool:
        if d in self.exceptions:
            return self.exceptions[d]
        if d.year not in self.covered and d in self.statutory(d.year):
            return False
        return d.weekday() < 5

    def open_at(self, t: datetime) -> bool:  # t: a UTC instant on a minute
        local = (t + timedelta(hours=8)).replace(tzinfo=None)
        if not self.workday(local.date()):
            return False
        return any(o <= local.time() < c for o, c in self.periods)

    def between(self, a: datetime, b: datetime) -> timedelta:
        minutes, t = 0, a
        while t < b:
            minutes += self.open_at(t)
            t += MINUTE
        return minutes * MINUTE

    def add(self, start: datetime, minutes: int) -> datetime:
        t, left = start, minutes
        while left:
            if self.open_at(t):
                left -= 1
            t += MINUTE
        return t  # the end of the last working minute counted

    def days_between(self, a: datetime, b: datetime) -> int:
        """Workdays after a's local day whose close is at or before b."""
        d, n = (a + timedelta(hours=8)).date() + timedelta(days=1), 0
        close = max(c for _, c in self.periods)
        while True:
            end = datetime.combine(d, close) - timedelta(hours=8)
            if end.replace(tzinfo=UTC) > b:
                return n
            n += self.workday(d)
            d += timedelta(days=1)

    def workday_after(self, d: date, n: int) -> date:
        while n:
            d += timedelta(days=1)
            n -= self.workday(d)
        return d


@st.composite
def calendars(draw):
    days = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))
    exceptions = draw(st.dictionaries(days, st.booleans(), max_size=40))
    # a holiday block (possibly long) and a worked weekend beside it, as the State Council sets them
    block_start = draw(days)
    for i in range(draw(st.integers(0, 12))):
        exceptions[block_start + timedelta(days=i)] = False
    covered = frozenset(draw(st.sets(st.sampled_from([2025, 2026, 2027, 2028]))))
    periods = draw(st.sampled_from(PERIOD_CHOICES))
    provisional = draw(st.booleans())

    def statutory(y):
        return HAND_STATUTORY.get(y, set())

    cal = WorkingCalendar(exceptions, periods, "Asia/Shanghai", covered, statutory if provisional else None)
    ref = Reference(exceptions, covered if provisional else frozenset(range(1, 10000)), statutory, periods)
    return cal, ref


def instants():
    return st.integers(0, SPAN).map(lambda m: EPOCH + m * MINUTE)


# Derandomized (as tests/web/test_properties.py): the same examples every run, no example database written.
FAST = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(calendars(), instants(), st.integers(0, 12 * 24 * 60))
def test_between_matches_minute_walk(pair, a, span):
    cal, ref = pair
    b = a + span * MINUTE
    assert cal.working_time_between(a, b) == ref.between(a, b)


@FAST
@given(calendars(), instants(), st.integers(0, 3000))
def test_add_matches_minute_walk(pair, start, minutes):
    cal, ref = pair
    if len(ref.periods) == 1 and ref.periods[0][0].hour == 10:
        minutes %= 20  # one working minute a day: keep the minute walk short
    assert cal.add_working_time(start, minutes * MINUTE) == ref.add(start, minutes)


@FAST
@given(calendars(), instants(), st.integers(0, 900 * 24 * 60))
def test_working_days_between_matches_day_walk(pair, a, span):
    cal, ref = pair
    b = a + span * MINUTE
    assert cal.working_days_between(a, b) == ref.days_between(a, b)


@FAST
@given(calendars(), st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)), st.integers(1, 600))
def test_workday_after_matches_day_walk(pair, d, n):
    cal, ref = pair
    assert cal.workday_after(d, n) == ref.workday_after(d, n)
    # add_working_days ends at the close of that day
    close = max(c for _, c in ref.periods)
    start = datetime.combine(d, time(12, 0)) - timedelta(hours=8)
    expected = datetime.combine(ref.workday_after(d, n), close) - timedelta(hours=8)
    assert cal.add_working_days(start.replace(tzinfo=UTC), n) == expected.replace(tzinfo=UTC)


# ------------------------------------------------------------ the official calendar itself
def _official_workday(d: date) -> bool:
    """chinese_calendar for the years it knows; beyond them the law's holidays off (python-holidays)."""
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:
        off = {k for k, v in holidays.China(years=d.year, observed=False).items()}
        return d.weekday() < 5 and d not in off


class OfficialReference(Reference):
    def __init__(self):
        super().__init__({}, frozenset(), lambda y: set(), PERIOD_CHOICES[0])

    def rule(self, d: date) -> bool:
        return _official_workday(d)


OFFICIAL = OfficialReference()


@FAST
@given(instants(), st.integers(0, 12 * 24 * 60))
def test_official_between_matches_minute_walk(a, span):
    b = a + span * MINUTE
    assert default_calendar().working_time_between(a, b) == OFFICIAL.between(a, b)


@FAST
@given(instants(), st.integers(1, 3000))
def test_official_add_matches_minute_walk(start, minutes):
    assert default_calendar().add_working_time(start, minutes * MINUTE) == OFFICIAL.add(start, minutes)
