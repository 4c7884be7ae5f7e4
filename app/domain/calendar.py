"""Working time on the Chinese official calendar.

Pure Python (no Flask, no database). Every function takes timezone-aware
datetimes in any zone and returns aware datetimes in UTC; the reasoning
(which day it is, whether the office is open) is done in the
jurisdiction's local time, ``Asia/Shanghai`` by default.

Conventions (see docs/calendar-and-sla.md):

* A limit of N **working days** ends at the close of the N-th workday after
  the day of the start (次日起算): the start day never counts, whatever the
  hour and whether or not it is a workday.
* A limit of N **working hours** counts only time inside the working periods
  (default 09:00-12:00 and 13:30-17:30, i.e. 7 hours a day). An instant
  outside working hours starts counting at the next opening.
* A result that falls exactly at the end of a period stays there (17:30),
  it is not moved to the next opening: adding returns the *earliest* instant
  at which the requested amount of working time has elapsed.
* Working periods are half-open ``[open, close)`` for "is the office open
  now" questions (``next_opening(17:30)`` is the next morning).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_PERIODS",
    "MAX_SPAN_DAYS",
    "WorkingCalendar",
    "chinese_calendar_exceptions",
    "default_calendar",
    "hours_to_timedelta",
]

UTC = UTC

#: Default office hours: 09:00-12:00 and 13:30-17:30 (7 working hours a day).
DEFAULT_PERIODS: tuple[tuple[time, time], ...] = (
    (time(9, 0), time(12, 0)),
    (time(13, 30), time(17, 30)),
)

#: Hard cap on the number of days any single computation may walk (~20 years).
#: Beyond it a ValueError is raised: such a request is a bug, not a deadline.
MAX_SPAN_DAYS = 366 * 20

_ZERO = timedelta(0)


def hours_to_timedelta(hours: float | int | Decimal | timedelta) -> timedelta:
    """Convert an amount of hours (float, int, Decimal) or a timedelta to a timedelta.

    Decimals are converted exactly to the microsecond (floats go through
    ``timedelta(hours=...)``, which rounds to the microsecond).
    """
    if isinstance(hours, timedelta):
        return hours
    if isinstance(hours, Decimal):
        micros = (hours * 3_600_000_000).to_integral_value()
        return timedelta(microseconds=int(micros))
    if isinstance(hours, bool) or not isinstance(hours, (int, float)):
        raise TypeError(f"hours must be a number or a timedelta, got {type(hours).__name__}")
    return timedelta(hours=hours)


def _as_utc(t: datetime, name: str = "datetime") -> datetime:
    if not isinstance(t, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(t).__name__}")
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {t!r}")
    return t.astimezone(UTC)


class WorkingCalendar:
    """Workdays and working hours of one jurisdiction.

    :param exceptions: date -> bool overrides of the Mon-Fri rule:
        ``True`` = adjusted workday on a weekend (调休), ``False`` = holiday
        on a weekday. Entries that agree with the Mon-Fri rule are harmless.
    :param periods: working periods of a workday, as (open, close) local
        times; sorted, non-overlapping, within one day.
    :param tz: IANA zone name of the jurisdiction.
    :param covered_years: years whose official schedule has been entered.
        Outside them the calendar silently falls back to plain Mon-Fri;
        callers that care (e.g. to warn staff in December) ask ``is_covered``.
    """

    def __init__(
        self,
        exceptions: Mapping[date, bool] | None = None,
        periods: Sequence[tuple[time, time]] = DEFAULT_PERIODS,
        tz: str = "Asia/Shanghai",
        covered_years: frozenset[int] | set[int] | None = None,
    ) -> None:
        self.exceptions: Mapping[date, bool] = MappingProxyType(dict(exceptions or {}))
        periods = tuple((p[0], p[1]) for p in periods)
        if not periods:
            raise ValueError("a working calendar needs at least one working period")
        previous_close: time | None = None
        for open_, close in periods:
            if open_.tzinfo is not None or close.tzinfo is not None:
                raise ValueError("working periods are naive local times")
            if not open_ < close:
                raise ValueError(f"period {open_}-{close} is empty or crosses midnight")
            if previous_close is not None and open_ < previous_close:
                raise ValueError("working periods must be sorted and must not overlap")
            previous_close = close
        self.periods: tuple[tuple[time, time], ...] = periods
        self.tz = ZoneInfo(tz)
        self.tz_name = tz
        self.covered_years: frozenset[int] = frozenset(covered_years or ())
        # Per-date cache of the day's periods as UTC instants; the scheduler
        # asks about the same few hundred days over and over.
        self._day_cache: dict[date, tuple[tuple[datetime, datetime], ...]] = {}

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        years = sorted(self.covered_years)
        span = f"{years[0]}-{years[-1]}" if years else "none"
        return f"<WorkingCalendar tz={self.tz_name} periods={len(self.periods)} covered={span}>"

    # ------------------------------------------------------------------ days
    def is_covered(self, year: int) -> bool:
        """True if the official holiday schedule of ``year`` is known."""
        return year in self.covered_years

    def is_workday(self, d: date) -> bool:
        """True if ``d`` is a workday (a datetime is first converted to the local date)."""
        if isinstance(d, datetime):
            d = self.local_date(d)
        override = self.exceptions.get(d)
        if override is not None:
            return override
        return d.weekday() < 5

    def local_date(self, t: datetime) -> date:
        """The jurisdiction's calendar date of the instant ``t``."""
        return _as_utc(t).astimezone(self.tz).date()

    @property
    def daily_working_time(self) -> timedelta:
        """Length of a full workday (7 h with the default periods)."""
        total = _ZERO
        for open_, close in self.periods:
            total += datetime.combine(date.min, close) - datetime.combine(date.min, open_)
        return total

    def _day(self, d: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working periods of local date ``d`` as UTC instants (empty on days off)."""
        cached = self._day_cache.get(d)
        if cached is not None:
            return cached
        if self.is_workday(d):
            day = tuple(
                (
                    datetime.combine(d, open_, tzinfo=self.tz).astimezone(UTC),
                    datetime.combine(d, close, tzinfo=self.tz).astimezone(UTC),
                )
                for open_, close in self.periods
            )
        else:
            day = ()
        if len(self._day_cache) > 100_000:  # bound memory in long-lived workers
            self._day_cache.clear()
        self._day_cache[d] = day
        return day

    def day_close(self, d: date) -> datetime:
        """Closing instant (UTC) of workday ``d``; ValueError on a day off."""
        day = self._day(d)
        if not day:
            raise ValueError(f"{d} is not a workday")
        return day[-1][1]

    def workday_after(self, d: date, n: int) -> date:
        """The n-th workday strictly after local date ``d`` (n >= 1)."""
        n = _as_count(n)
        if n < 1:
            raise ValueError("n must be >= 1")
        count = 0
        current = d
        for _ in range(MAX_SPAN_DAYS):
            current += timedelta(days=1)
            if self.is_workday(current):
                count += 1
                if count == n:
                    return current
        raise ValueError(f"{n} working days after {d} is beyond {MAX_SPAN_DAYS} days")

    # ---------------------------------------------------------------- instants
    def next_opening(self, t: datetime) -> datetime:
        """``t`` itself (in UTC) if the office is open at ``t``, else the next opening."""
        t = _as_utc(t, "t")
        d = t.astimezone(self.tz).date()
        for _ in range(MAX_SPAN_DAYS):
            for open_, close in self._day(d):
                if t < close:
                    return max(t, open_)
            d += timedelta(days=1)
        raise ValueError(f"no working period within {MAX_SPAN_DAYS} days of {t}")

    def is_open(self, t: datetime) -> bool:
        """True if ``t`` is inside working hours (periods are half-open)."""
        return self.next_opening(t) == _as_utc(t, "t")

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """Earliest instant by which ``amount`` of working time has elapsed since ``start``.

        ``amount == 0`` returns ``start`` unchanged (in UTC). A positive amount
        always lands inside a working period or exactly at its close.
        """
        start = _as_utc(start, "start")
        if not isinstance(amount, timedelta):
            raise TypeError("amount must be a timedelta")
        if amount < _ZERO:
            raise ValueError("cannot add a negative amount of working time")
        if amount == _ZERO:
            return start
        remaining = amount
        d = start.astimezone(self.tz).date()
        for _ in range(MAX_SPAN_DAYS):
            for open_, close in self._day(d):
                begin = max(open_, start)
                if begin >= close:
                    continue
                available = close - begin
                if remaining <= available:
                    # "<=": a deadline exactly at a close stays at the close.
                    return begin + remaining
                remaining -= available
            d += timedelta(days=1)
        raise ValueError(f"{amount} of working time from {start} is beyond {MAX_SPAN_DAYS} days")

    def add_working_hours(self, start: datetime, hours: float | int | Decimal | timedelta) -> datetime:
        """``add_working_time`` with the amount given in hours (float, Decimal) or a timedelta."""
        return self.add_working_time(start, hours_to_timedelta(hours))

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """Close of the n-th workday after the local date of ``start`` (次日起算).

        The start day never counts, even when ``start`` is early on a
        workday. ``n == 0`` returns ``start`` unchanged (in UTC).
        """
        start = _as_utc(start, "start")
        n = _as_count(n)
        if n < 0:
            raise ValueError("cannot add a negative number of working days")
        if n == 0:
            return start
        return self.day_close(self.workday_after(start.astimezone(self.tz).date(), n))

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time inside ``[a, b]``; ``timedelta(0)`` if ``b <= a``."""
        a = _as_utc(a, "a")
        b = _as_utc(b, "b")
        if b <= a:
            return _ZERO
        first = a.astimezone(self.tz).date()
        last = b.astimezone(self.tz).date()
        if (last - first).days > MAX_SPAN_DAYS:
            raise ValueError(f"span {a} .. {b} is longer than {MAX_SPAN_DAYS} days")
        total = _ZERO
        d = first
        while d <= last:
            for open_, close in self._day(d):
                lo = max(open_, a)
                hi = min(close, b)
                if hi > lo:
                    total += hi - lo
            d += timedelta(days=1)
        return total

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """``working_time_between`` in (float) hours, for display."""
        return self.working_time_between(a, b) / timedelta(hours=1)

    def working_days_between(self, a: datetime, b: datetime) -> int:
        """Number of whole working days elapsed from ``a`` to ``b`` (次日起算).

        The largest n such that ``add_working_days(a, n) <= b``: the number
        of workdays after ``a``'s local date whose close is at or before
        ``b``. 0 if ``b <= a``. Use it for "overdue by N working days".
        """
        a = _as_utc(a, "a")
        b = _as_utc(b, "b")
        if b <= a:
            return 0
        first = a.astimezone(self.tz).date()
        last = b.astimezone(self.tz).date()
        if (last - first).days > MAX_SPAN_DAYS:
            raise ValueError(f"span {a} .. {b} is longer than {MAX_SPAN_DAYS} days")
        count = 0
        d = first + timedelta(days=1)
        while d <= last:
            day = self._day(d)
            if day and day[-1][1] <= b:
                count += 1
            d += timedelta(days=1)
        return count


def _as_count(n: int | float | Decimal) -> int:
    """Accept 3, 3.0 or Decimal('3') as a whole number of days; reject fractions."""
    if isinstance(n, bool):
        raise TypeError("a day count must be a number")
    if isinstance(n, int):
        return n
    if isinstance(n, (float, Decimal)) and n == int(n):
        return int(n)
    raise ValueError(f"a number of working days must be whole, got {n!r}")


def chinese_calendar_exceptions() -> tuple[dict[date, bool], frozenset[int]]:
    """Exceptions to Mon-Fri from the ``chinese_calendar`` package, and the years it covers.

    Returns ``(exceptions, covered_years)`` where ``exceptions`` maps each
    weekday holiday to ``False`` and each worked weekend day (调休) to
    ``True``; weekend days inside a holiday block are not listed since they
    are off anyway. ``covered_years`` is every year from the package's first
    to its last dated entry.
    """
    import chinese_calendar

    exceptions: dict[date, bool] = {}
    for d in chinese_calendar.holidays:
        if d.weekday() < 5:
            exceptions[d] = False
    for d in chinese_calendar.workdays:
        if d.weekday() >= 5:
            exceptions[d] = True
    dated = list(chinese_calendar.holidays) + list(chinese_calendar.workdays)
    first = min(d.year for d in dated)
    last = max(d.year for d in dated)
    return exceptions, frozenset(range(first, last + 1))


@lru_cache(maxsize=1)
def default_calendar() -> WorkingCalendar:
    """The official mainland calendar (chinese_calendar data), Asia/Shanghai, 09:00-12:00 / 13:30-17:30.

    Cached: the same instance is returned on every call (it is immutable
    apart from an internal cache).
    """
    exceptions, years = chinese_calendar_exceptions()
    return WorkingCalendar(exceptions, DEFAULT_PERIODS, "Asia/Shanghai", years)
