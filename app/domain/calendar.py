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

import re
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

from app.domain import N_, Message

__all__ = [
    "DEFAULT_PERIODS",
    "MAX_SPAN_DAYS",
    "Notice",
    "NoticeError",
    "WorkingCalendar",
    "chinese_calendar_exceptions",
    "default_calendar",
    "hours_to_timedelta",
    "parse_notice",
    "statutory_holidays",
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
_ONE_DAY = timedelta(days=1)
_MICRO = timedelta(microseconds=1)
# Indexes into a year's prefix sums (see WorkingCalendar._year).
_TIME, _WORKDAYS = 1, 2


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
    if t.__class__ is datetime and t.tzinfo is UTC:  # what the database gives: nothing to check or convert
        return t
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
    :param statutory: year -> {date: name} of the statutory holidays by law
        (``statutory_holidays``). A year outside ``covered_years`` then has
        its statutory days off (and no 调休): it is *provisional*
        (``is_provisional``). Without it such a year is plain Mon-Fri.
    """

    def __init__(
        self,
        exceptions: Mapping[date, bool] | None = None,
        periods: Sequence[tuple[time, time]] = DEFAULT_PERIODS,
        tz: str = "Asia/Shanghai",
        covered_years: frozenset[int] | set[int] | None = None,
        statutory: Callable[[int], Mapping[date, str]] | None = None,
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
        self.statutory = statutory
        # Per-date cache of the day's periods as UTC instants; the scheduler
        # asks about the same few hundred days over and over.
        self._day_cache: dict[date, tuple[tuple[datetime, datetime], ...]] = {}
        # Per-year prefix sums of working time and workdays, built on first use. A calendar
        # never changes once made (an edit builds a new one), so they never go stale.
        self._years: dict[int, tuple[int, list[int], list[int]]] = {}

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        years = sorted(self.covered_years)
        span = f"{years[0]}-{years[-1]}" if years else "none"
        return f"<WorkingCalendar tz={self.tz_name} periods={len(self.periods)} covered={span}>"

    # ------------------------------------------------------------------ days
    def is_covered(self, year: int) -> bool:
        """True if the official holiday schedule of ``year`` is known."""
        return year in self.covered_years

    def is_provisional(self, year: int) -> bool:
        """True if ``year`` is not entered and its days off are the statutory ones only (预估)."""
        return self.statutory is not None and year not in self.covered_years

    def rests_on_provisional(self, start: datetime, end: datetime | None) -> bool:
        """True if a span from ``start`` to ``end`` (local dates) touches a provisional year."""
        if end is None:
            return False
        first, last = self.local_date(start).year, self.local_date(end).year
        return any(self.is_provisional(y) for y in range(min(first, last), max(first, last) + 1))

    def is_workday(self, d: date) -> bool:
        """True if ``d`` is a workday (a datetime is first converted to the local date).

        An explicit exception wins; in a provisional year a statutory holiday
        is a day off; otherwise Monday to Friday.
        """
        if isinstance(d, datetime):
            d = self.local_date(d)
        override = self.exceptions.get(d)
        if override is not None:
            return override
        if self.statutory is not None and d.year not in self.covered_years and d in self.statutory(d.year):
            return False
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

    def _year(self, y: int) -> tuple[int, list[int], list[int]]:
        """Prefix sums over the local year ``y``: ``(ordinal of 1 January, time, workdays)``.

        ``time[i]`` is the working time (in microseconds) and ``workdays[i]`` the
        number of workdays of the year's days before its i-th day (0-based), so
        both lists have one entry more than the year has days.
        """
        index = self._years.get(y)
        if index is None:
            d = date(y, 1, 1)
            first = d.toordinal()
            time_, workdays = [0], [0]
            while d.year == y:
                day = self._day(d)
                time_.append(time_[-1] + sum((close - open_) // _MICRO for open_, close in day))
                workdays.append(workdays[-1] + (1 if day else 0))
                d += _ONE_DAY
            index = self._years[y] = (first, time_, workdays)
        return index

    def _sum(self, d1: date, d2: date, k: int) -> int:
        """Working microseconds (k=_TIME) or workdays (k=_WORKDAYS) of the local days ``d1 <= d < d2``."""
        if d2 <= d1:
            return 0
        index = self._year(d1.year)
        if d2.year == d1.year:
            return index[k][d2.toordinal() - index[0]] - index[k][d1.toordinal() - index[0]]
        total = index[k][-1] - index[k][d1.toordinal() - index[0]]
        for y in range(d1.year + 1, d2.year):
            total += self._year(y)[k][-1]
        index = self._year(d2.year)
        return total + index[k][d2.toordinal() - index[0]]

    def _seek(self, start: date, need: int, k: int, limit: date) -> tuple[date, int] | None:
        """The first local day ``e >= start`` by whose end the days from ``start`` hold ``need`` (> 0)
        working microseconds (k=_TIME) or workdays (k=_WORKDAYS), with the amount the days before
        ``e`` hold; None if ``e`` would be after ``limit``. A binary search per year.
        """
        consumed = 0
        y = start.year
        index = self._year(y)
        i = start.toordinal() - index[0]
        while True:
            sums = index[k]
            base = sums[i]
            if sums[-1] - base >= need - consumed:
                j = bisect_left(sums, base + need - consumed, i + 1)
                e = date.fromordinal(index[0] + j - 1)
                return None if e > limit else (e, consumed + sums[j - 1] - base)
            consumed += sums[-1] - base
            y += 1
            if y > limit.year:
                return None
            index, i = self._year(y), 0

    def _within(self, d: date, a: datetime, b: datetime) -> timedelta:
        """Working time of local day ``d`` inside ``[a, b]``."""
        total = _ZERO
        for open_, close in self._day(d):
            lo = max(open_, a)
            hi = min(close, b)
            if hi > lo:
                total += hi - lo
        return total

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
        found = self._seek(d + _ONE_DAY, n, _WORKDAYS, d + timedelta(days=MAX_SPAN_DAYS))
        if found is not None:
            return found[0]
        raise ValueError(f"{n} working days after {d} is beyond {MAX_SPAN_DAYS} days")

    # ---------------------------------------------------------------- instants
    def next_opening(self, t: datetime) -> datetime:
        """``t`` itself (in UTC) if the office is open at ``t``, else the next opening."""
        t = _as_utc(t, "t")
        d = t.astimezone(self.tz).date()
        for open_, close in self._day(d):
            if t < close:
                return max(t, open_)
        found = self._seek(d + _ONE_DAY, 1, _WORKDAYS, d + timedelta(days=MAX_SPAN_DAYS - 1))
        if found is not None:
            return self._day(found[0])[0][0]
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
        for open_, close in self._day(d):
            begin = max(open_, start)
            if begin >= close:
                continue
            available = close - begin
            if remaining <= available:
                # "<=": a deadline exactly at a close stays at the close.
                return begin + remaining
            remaining -= available
        # The later days: find the one in which the rest runs out, then walk its periods.
        found = self._seek(d + _ONE_DAY, remaining // _MICRO, _TIME, d + timedelta(days=MAX_SPAN_DAYS - 1))
        if found is not None:
            day, before = found
            remaining -= before * _MICRO
            for open_, close in self._day(day):
                if remaining <= close - open_:
                    return open_ + remaining
                remaining -= close - open_
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
        if first == last:
            return self._within(first, a, b)
        whole = self._sum(first + _ONE_DAY, last, _TIME) * _MICRO
        return self._within(first, a, b) + whole + self._within(last, a, b)

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
        if last <= first:
            return 0
        # Every workday strictly between closes before b; the last day counts if it has closed.
        count = self._sum(first + _ONE_DAY, last, _WORKDAYS)
        day = self._day(last)
        return count + (1 if day and day[-1][1] <= b else 0)


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

    Years the package does not know are provisional: their statutory
    holidays are days off (``statutory_holidays``). Cached: the same
    instance is returned on every call (it is immutable apart from an
    internal cache).
    """
    exceptions, years = chinese_calendar_exceptions()
    return WorkingCalendar(exceptions, DEFAULT_PERIODS, "Asia/Shanghai", years, statutory_holidays)


# --------------------------------------------------------------------------- the law
#: python-holidays' English names of China's statutory holidays → the law's Chinese names.
STATUTORY_NAMES = {
    "New Year's Day": "元旦",
    "Chinese New Year's Eve": "春节",
    "Chinese New Year (Spring Festival)": "春节",
    "Tomb-Sweeping Day": "清明节",
    "Labor Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-Autumn Festival": "中秋节",
    "National Day": "国庆节",
}


#: The Chinese names a day of the calendar may carry (the law's holidays, the State Council's notices',
#: and a seeded 调休 workday's), marked for the catalogue: pages show them in the reader's language, any
#: other name as entered.
DAY_NAMES: frozenset[str] = frozenset({
    N_("元旦"), N_("春节"), N_("清明节"), N_("劳动节"), N_("端午节"), N_("中秋节"), N_("国庆节"),
    N_("抗战胜利纪念日"), N_("调休上班"),
})


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> Mapping[date, str]:
    """The statutory holidays (全体公民放假的节日) of ``year`` by law, without any 调休.

    From python-holidays' China calendar with ``observed=False``: for 2025 on,
    the 2024 revision of 全国年节及纪念日放假办法 — 元旦 1 day, 春节 4 (除夕 and
    正月初一至初三), 清明 1, 劳动节 2 (1-2 May), 端午 1, 中秋 1, 国庆 3 (1-3 October).
    Lunar dates and the 清明 solar term come from the library, not from our arithmetic.
    """
    import holidays

    out: dict[date, str] = {}
    for d, names in holidays.China(years=year, observed=False).items():
        zh = [STATUTORY_NAMES[n.strip()] for n in names.split(";") if n.strip() in STATUTORY_NAMES]
        if zh:
            out[d] = "、".join(dict.fromkeys(zh))
    return MappingProxyType(out)


# -------------------------------------------------------------- the State Council's notice
class NoticeError(ValueError):
    """The text of a notice could not be read; ``line`` (1-based) is where reading stopped and
    ``reason`` a marked Message (the web layer translates it)."""

    def __init__(self, line: int, text: str, reason: str, **params) -> None:
        self.line, self.text, self.reason = line, text, Message(reason, **params)
        super().__init__(f"line {line}: {self.reason}: {text}")


@dataclass
class Notice:
    """A parsed 国务院办公厅关于YYYY年部分节假日安排的通知: days off and make-up workdays."""

    year: int
    holidays: dict[date, str] = field(default_factory=dict)   # every day off of each span, weekends too
    workdays: dict[date, str] = field(default_factory=dict)   # 调休上班 (weekend days worked)

    def exceptions(self) -> dict[date, bool]:
        """The departures from Monday-Friday: weekday holidays (False) and worked weekend days (True)."""
        out = {d: False for d in self.holidays if d.weekday() < 5}
        out.update({d: True for d in self.workdays})
        return out


_TITLE = re.compile(r"关于\s*(\d{4})\s*年部分节假日安排")
_ITEM = re.compile(r"^[一二三四五六七八九十]+[、.．]\s*([^:：]{1,20})[:：](.*)$")
_FESTIVALS = ("元旦", "春节", "清明", "劳动节", "端午", "中秋", "国庆")
_DATE = r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日"
_NOTE = r"(?:[（(]([^）)]*)[）)])?"
_SPAN = re.compile(_DATE + _NOTE + r"(?:\s*(?:至|—|－|-|~)\s*" + _DATE + _NOTE + r")?")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAY_IN_NOTE = re.compile(r"(?:周|星期)([一二三四五六日天])")
_COUNT = re.compile(r"(?:共|放假)\s*(\d+)\s*天")


def _weekday_ok(d: date, note: str | None) -> bool:
    m = _WEEKDAY_IN_NOTE.search(note or "")
    return m is None or _WEEKDAYS[m.group(1)] == d.weekday()


def _dates_of(matches, default_year: int, line_no: int, line: str) -> list[tuple[date, str | None]]:
    """Dates of a sentence: each ``M月D日`` (month and year carried forward), with its note."""
    out: list[tuple[date, str | None]] = []
    year, month = default_year, None
    for y, m, d, note in matches:
        if m is None and month is None:
            raise NoticeError(line_no, line, N_("日期缺少月份"))
        new_month = int(m) if m else month
        if y:
            year = int(y)
        elif month is not None and new_month < month:
            year += 1  # 12月31日至1月2日: the span runs into the next year
        month = new_month
        try:
            day = date(year, month, int(d))
        except ValueError:
            raise NoticeError(line_no, line, N_("日期不存在")) from None
        if not _weekday_ok(day, note):
            raise NoticeError(line_no, line, N_("%(day)s 与括号中的星期不符"), day=day.isoformat())
        out.append((day, note))
    return out


def parse_notice(text: str) -> Notice:
    """Read the notice's text as published into a :class:`Notice`; :class:`NoticeError` otherwise.

    The year comes from the title (…关于2027年部分节假日安排的通知). Each
    numbered item ``一、元旦：…`` names its festival; in it, a sentence with
    放假 gives a span ``M月D日（…）至[M月]D日（…）`` of days off (checked against
    its 共N天 and against the weekdays in brackets), a sentence with 上班
    lists the make-up workdays (which must be weekend days). Sentences with
    neither (鼓励…) are ignored, as are the lines before and after the items.
    """
    lines = (text or "").splitlines()
    year = None
    for raw in lines:
        m = _TITLE.search(raw)
        if m:
            year = int(m.group(1))
            break
    if year is None:
        raise NoticeError(1, (lines[0].strip() if lines else ""), N_("找不到标题中的年份（国务院办公厅关于YYYY年部分节假日安排的通知）"))
    if not 2000 <= year <= 2100:
        raise NoticeError(1, str(year), N_("年份超出范围"))
    notice = Notice(year=year)
    items = 0
    for line_no, raw in enumerate(lines, start=1):
        line = raw.strip()
        item = _ITEM.match(line)
        if item is None:
            continue
        name, body = item.group(1).strip(), item.group(2)
        if not any(f in name for f in _FESTIVALS):
            raise NoticeError(line_no, line, N_("不认识的节日名称"))
        items += 1
        off_found = False
        for sentence in re.split(r"[。;；]", body):
            if "放假" in sentence:
                spans = list(_SPAN.finditer(sentence))
                if not spans:
                    raise NoticeError(line_no, line, N_("放假日期无法识别"))
                span = spans[0]
                y1, m1, d1, n1, y2, m2, d2, n2 = span.groups()
                marks = [(y1, m1, d1, n1)] + ([(y2, m2, d2, n2)] if d2 else [])
                # 元旦 may begin in the previous December (12月30日至1月1日).
                first_year = year - 1 if "元旦" in name and m1 and int(m1) == 12 and not y1 else year
                dates = _dates_of(marks, first_year, line_no, line)
                first, last = dates[0][0], dates[-1][0]
                if last < first or (last - first).days > 15:
                    raise NoticeError(line_no, line, N_("放假起止日期不正确"))
                days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
                count = _COUNT.search(sentence[span.end():])
                if count and int(count.group(1)) != len(days):
                    raise NoticeError(line_no, line, N_("放假天数（共%(n)s天）与起止日期不符"), n=count.group(1))
                if any(abs(d.year - year) > 1 or (d.year != year and d.month not in (1, 12)) for d in days):
                    raise NoticeError(line_no, line, N_("放假日期不在该年度"))
                for d in days:
                    notice.holidays[d] = name
                off_found = True
            elif "上班" in sentence:
                found = [(m.group(1), m.group(2), m.group(3), m.group(4)) for m in _SPAN.finditer(sentence)]
                if not found:
                    raise NoticeError(line_no, line, N_("上班日期无法识别"))
                for d, _note in _dates_of(found, year, line_no, line):
                    if d.weekday() < 5:
                        raise NoticeError(line_no, line, N_("%(day)s 是工作日，不是调休上班日"), day=d.isoformat())
                    notice.workdays[d] = "调休上班"
        if not off_found:
            raise NoticeError(line_no, line, N_("没有找到放假日期"))
    if not items:
        raise NoticeError(len(lines) or 1, "", N_("没有找到节假日安排条目（一、元旦：……）"))
    clash = sorted(set(notice.holidays) & set(notice.workdays))
    if clash:
        raise NoticeError(len(lines), clash[0].isoformat(), N_("同一天既放假又上班"))
    return notice
