"""SLA deadlines, pauses, traffic lights and the escalation ladder.

Pure Python on top of :mod:`app.domain.calendar`. Times in are aware
datetimes in any zone; times out are UTC.

Key rules (details and a worked example in docs/calendar-and-sla.md):

* A clock's *budget* is the time between its start and its nominal deadline,
  measured in the limit's own meter: working time for ``working_*`` units,
  plain elapsed time for ``calendar_*`` units.
* A pause (ticket suspended waiting on the business) stops the clock. Only
  pauses that begin strictly before the (pushed) deadline count; their
  overlap with working time (or calendar time) pushes the deadline.
  Pauses are normalised (clipped to the start, sorted, merged), so the result
  depends only on the set of pauses, never on the order of calls.
* An open pause (end ``None``) that began before the deadline means the
  clock is stopped: :func:`deadline` returns ``None`` and no new escalation
  becomes due until it is closed.
* Pauses that begin at or after the deadline are ignored everywhere: an
  overdue ticket stays overdue and its escalation ladder keeps climbing.
* ``due`` is the last on-time instant: the light turns red strictly after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from app.domain.calendar import WorkingCalendar, _as_count, _as_utc, hours_to_timedelta

__all__ = [
    "KINDS",
    "LADDER",
    "ORDER_OVERDUE_AFTER",
    "LEVEL_LABELS",
    "OVERDUE_AFTER",
    "Clock",
    "Light",
    "Limit",
    "Pause",
    "SlaPolicy",
    "Unit",
    "check_ladder",
    "closed_pauses",
    "deadline",
    "default_policy",
    "due_levels",
    "light",
    "next_check_at",
    "order_trigger_at",
    "time_left",
    "trigger_at",
]

UTC = UTC
_ZERO = timedelta(0)
#: Smallest datetime step; "overdue" starts one tick after ``due``.
_TICK = timedelta(microseconds=1)

Unit = Literal["working_hours", "working_days", "calendar_minutes", "calendar_hours"]
Light = Literal["green", "yellow", "red"]
Pause = tuple[datetime, datetime | None]

UNITS: tuple[str, ...] = ("working_hours", "working_days", "calendar_minutes", "calendar_hours")

#: Appeal kinds (identifiers stored on tickets).
KINDS: tuple[str, ...] = ("complaint", "help", "consultation", "suggestion", "report")

#: Escalation levels, lowest first (催办 → 督办 → 挂牌督办 → 约谈 → 通报, docs/workflow.md).
LADDER: tuple[str, ...] = ("remind", "supervise", "flag", "interview", "notice")

LEVEL_LABELS: dict[str, str] = {
    "remind": "催办",
    "supervise": "督办",
    "flag": "挂牌督办",
    "interview": "约谈",
    "notice": "通报",
}

#: Working days past the deadline after which each overdue level triggers (the default ladder;
#: a city may set its own per kind × urgency, :attr:`SlaPolicy.overdue_after`).
OVERDUE_AFTER: dict[str, int] = {"flag": 3, "interview": 5, "notice": 10}

#: The longest a ladder may stretch: working days past the deadline.
LADDER_MAX_DAYS = 60


def check_ladder(overdue_after: Mapping[str, int]) -> dict[str, int]:
    """Validate a ladder's overdue timings: whole working days for 挂牌督办, 约谈 and 通报, each
    later than the step before (督办 fires at the deadline, day 0), at most :data:`LADDER_MAX_DAYS`.

    Returns a plain dict; raises ValueError naming the first broken rule.
    """
    if set(overdue_after) != set(OVERDUE_AFTER):
        raise ValueError(f"a ladder sets exactly {sorted(OVERDUE_AFTER)}")
    out: dict[str, int] = {}
    previous = 0  # 督办: the deadline itself
    for level in ("flag", "interview", "notice"):
        value = overdue_after[level]
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{level}: a whole number of working days")
        if value <= previous:
            raise ValueError(f"{level}: must come after the previous step ({value} <= {previous})")
        if value > LADDER_MAX_DAYS:
            raise ValueError(f"{level}: at most {LADDER_MAX_DAYS} working days")
        out[level] = previous = value
    return out

#: A missed 督办单 (supervision order, issued by hand) climbs from 挂牌督办 at once:
#: working days past the order's deadline after which each level triggers.
ORDER_OVERDUE_AFTER: dict[str, int] = {"flag": 0, "interview": 3, "notice": 5}


# --------------------------------------------------------------------- limits
@dataclass(frozen=True)
class Limit:
    """A time limit such as "2 working hours" or "15 working days".

    ``working_days`` amounts must be whole numbers; ``working_hours`` may be
    fractional (0.5 = 30 minutes of working time).
    """

    amount: float
    unit: Unit

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}; expected one of {UNITS}")
        if self.amount < 0:
            raise ValueError("a limit cannot be negative")
        if self.unit == "working_days":
            _as_count(self.amount)

    @property
    def working(self) -> bool:
        """True if the limit is measured in working time (else calendar time)."""
        return self.unit.startswith("working_")

    def due(self, calendar: WorkingCalendar, start: datetime) -> datetime:
        """Nominal deadline (UTC) of a clock started at ``start``, without pauses."""
        if self.unit == "working_hours":
            return calendar.add_working_hours(start, self.amount)
        if self.unit == "working_days":
            return calendar.add_working_days(start, _as_count(self.amount))
        start = _as_utc(start, "start")
        if self.unit == "calendar_minutes":
            return start + timedelta(minutes=self.amount)
        return start + hours_to_timedelta(self.amount)

    def allowed(self, calendar: WorkingCalendar, start: datetime) -> timedelta:
        """The budget: time between ``start`` and the nominal deadline, in the limit's meter.

        E.g. 1 working day from 2025-09-30 10:00 is 13 h of working time
        (6 h left on the 30th plus the whole of 9 October).
        """
        return _Meter(calendar, self.working).measure(start, self.due(calendar, start))

    def label(self) -> str:
        """Human-readable Chinese label, e.g. "2个工作小时", "15个工作日"."""
        amount = int(self.amount) if float(self.amount).is_integer() else self.amount
        suffix = {
            "working_hours": "个工作小时",
            "working_days": "个工作日",
            "calendar_minutes": "分钟",
            "calendar_hours": "小时",
        }[self.unit]
        return f"{amount}{suffix}"


@dataclass(frozen=True)
class SlaPolicy:
    """The limits applying to one ticket.

    ``sign``: agency signs for (签收) the ticket; ``contact``: first contact
    with the business; ``resolve``: reply/resolution; ``reopen_resolve``:
    resolution after a reopening (the clock restarts at the reopening).
    """

    sign: Limit
    contact: Limit
    resolve: Limit
    reopen_resolve: Limit
    max_extension_days: int = 10
    warn_ratio: float = 0.75
    #: Working days past the deadline at which 挂牌督办, 约谈 and 通报 fire (:func:`check_ladder`).
    overdue_after: Mapping[str, int] = field(default_factory=lambda: dict(OVERDUE_AFTER), hash=False)

    def __post_init__(self) -> None:
        if not 0 < self.warn_ratio <= 1:
            raise ValueError("warn_ratio must be in (0, 1]")
        object.__setattr__(self, "overdue_after", check_ladder(self.overdue_after))
        if self.max_extension_days < 0:
            raise ValueError("max_extension_days cannot be negative")


_RESOLVE_WORKING_DAYS = {
    "consultation": 3,
    "help": 7,
    "suggestion": 7,
    "complaint": 15,
    "report": 15,
}


def default_policy(kind: str, urgent: bool = False) -> SlaPolicy:
    """Default limits for an appeal kind (one of :data:`KINDS`).

    Normal: sign 2 working hours, first contact 1 working day, resolve 3
    (consultation) / 7 (help, suggestion) / 15 (complaint, report) working
    days. Urgent: sign 30 calendar minutes, contact 2 calendar hours, resolve
    24 calendar hours. Reopened: 5 working days either way.
    """
    if kind not in _RESOLVE_WORKING_DAYS:
        raise ValueError(f"unknown appeal kind {kind!r}; expected one of {KINDS}")
    reopen = Limit(5, "working_days")
    if urgent:
        return SlaPolicy(
            sign=Limit(30, "calendar_minutes"),
            contact=Limit(2, "calendar_hours"),
            resolve=Limit(24, "calendar_hours"),
            reopen_resolve=reopen,
        )
    return SlaPolicy(
        sign=Limit(2, "working_hours"),
        contact=Limit(1, "working_days"),
        resolve=Limit(_RESOLVE_WORKING_DAYS[kind], "working_days"),
        reopen_resolve=reopen,
    )


# --------------------------------------------------------------------- meters
class _Meter:
    """Measures and advances time either in working time or in calendar time."""

    __slots__ = ("calendar", "working")

    def __init__(self, calendar: WorkingCalendar, working: bool) -> None:
        self.calendar = calendar
        self.working = working

    def measure(self, a: datetime, b: datetime) -> timedelta:
        if self.working:
            return self.calendar.working_time_between(a, b)
        return max(_as_utc(b) - _as_utc(a), _ZERO)

    def advance(self, t: datetime, amount: timedelta) -> datetime:
        if self.working:
            return self.calendar.add_working_time(t, amount)
        return _as_utc(t) + amount


def _normalize(pauses: Iterable[Pause], start: datetime | None) -> list[Pause]:
    """Clip pauses to ``start`` (unless None), drop empty ones, sort and merge overlaps (UTC)."""
    items: list[Pause] = []
    for pause in pauses:
        p_start, p_end = pause
        p_start = _as_utc(p_start, "pause start")
        if p_end is not None:
            p_end = _as_utc(p_end, "pause end")
            if p_end < p_start:
                raise ValueError(f"pause ends before it starts: {pause!r}")
            if start is not None and p_end <= start:
                continue  # entirely before the clock started
        if start is not None:
            p_start = max(p_start, start)
        if p_end is not None and p_end <= p_start:
            continue
        items.append((p_start, p_end))
    items.sort(key=lambda p: p[0])
    merged: list[Pause] = []
    for p_start, p_end in items:
        if merged:
            last_start, last_end = merged[-1]
            if last_end is None:
                break  # an open pause swallows everything after it
            if p_start <= last_end:
                end = None if p_end is None else max(last_end, p_end)
                merged[-1] = (last_start, end)
                continue
        merged.append((p_start, p_end))
    return merged


def closed_pauses(pauses: Iterable[Pause]) -> list[Pause]:
    """The pauses that have ended (drops an open pause)."""
    return [p for p in pauses if p[1] is not None]


def _walk(meter: _Meter, start: datetime, budget: timedelta, pauses: list[Pause]) -> datetime | None:
    """Earliest instant at which ``budget`` of unpaused time has run since ``start``.

    ``pauses`` must be normalised. A pause only counts if it begins strictly
    before the instant being computed; ``None`` if an open pause stops the
    clock first.
    """
    cursor = start
    remaining = budget
    for p_start, p_end in pauses:
        if p_start >= cursor:
            candidate = meter.advance(cursor, remaining)
            if candidate <= p_start:
                return candidate
            remaining -= meter.measure(cursor, p_start)
        if p_end is None:
            return None
        cursor = max(cursor, p_end)
    return meter.advance(cursor, remaining)


def _consumed(meter: _Meter, start: datetime, end: datetime, pauses: list[Pause]) -> timedelta:
    """Unpaused time in ``[start, end]`` (normalised pauses; an open pause runs forever)."""
    if end <= start:
        return _ZERO
    total = meter.measure(start, end)
    for p_start, p_end in pauses:
        if p_start >= end:
            break
        hi = end if p_end is None else min(p_end, end)
        total -= meter.measure(max(p_start, start), hi)
    return total


# ------------------------------------------------------------------ deadlines
def deadline(
    calendar: WorkingCalendar,
    limit: Limit,
    start: datetime,
    pauses: Sequence[Pause] = (),
    extension_days: int = 0,
) -> datetime | None:
    """The deadline (UTC) of a clock, taking pauses and a granted extension into account.

    * ``extension_days`` working days are added to the nominal deadline
      (``calendar.add_working_days(limit.due(start), extension_days)``),
      which fixes the budget.
    * The deadline is then pushed by the part of every pause that begins
      strictly before the (pushed) deadline, measured in the limit's meter
      (working time for ``working_*`` limits, calendar time otherwise).
    * Returns ``None`` when an open pause (end ``None``) began before the
      deadline: the clock is stopped, the deadline is unknown until the
      pause ends. (For display, use the deadline of the closed pauses:
      ``Clock.for_limit(...).due``.) An open pause beginning at or after the
      deadline changes nothing.

    The result depends only on the arguments (pauses are sorted and merged),
    so recomputing from stored pauses after a policy change is safe.
    """
    start = _as_utc(start, "start")
    extension_days = _as_count(extension_days)
    if extension_days < 0:
        raise ValueError("extension_days cannot be negative")
    nominal = limit.due(calendar, start)
    if extension_days:
        nominal = calendar.add_working_days(nominal, extension_days)
    meter = _Meter(calendar, limit.working)
    budget = meter.measure(start, nominal)
    if not pauses:
        return nominal
    return _walk(meter, start, budget, _normalize(pauses, start))


# --------------------------------------------------------- clocks and lights
def _effective(start: datetime, due: datetime, pauses: Sequence[Pause]) -> list[Pause]:
    """Normalised pauses that began strictly before ``due`` (the ones that count)."""
    return [p for p in _normalize(pauses, start) if p[0] < due]


def _open_start(eff: list[Pause]) -> datetime | None:
    """Start of the open pause stopping the clock, if any."""
    if eff and eff[-1][1] is None:
        return eff[-1][0]
    return None


def _budget(meter: _Meter, start: datetime, due: datetime, eff: list[Pause]) -> timedelta:
    # ``due`` was computed from the closed pauses (see Clock.for_limit), so
    # the budget ignores the open one.
    return _consumed(meter, start, due, closed_pauses(eff))


def _threshold(budget: timedelta, warn_ratio: float) -> timedelta:
    if not 0 < warn_ratio <= 1:
        raise ValueError("warn_ratio must be in (0, 1]")
    return budget * warn_ratio


def light(
    calendar: WorkingCalendar,
    now: datetime,
    start: datetime,
    due: datetime,
    pauses: Sequence[Pause] = (),
    warn_ratio: float = 0.75,
    *,
    working: bool = True,
) -> Light:
    """Traffic light of a clock at ``now``.

    ``due`` is the deadline from :func:`deadline` (with an open pause: the
    deadline computed from the closed pauses only). ``working`` says whether
    the clock's limit is in working time (``Limit.working``).

    * red: ``now > due`` and the clock is not stopped by an open pause;
    * yellow: at least ``warn_ratio`` of the budget used (paused time does
      not count; while paused the light is frozen);
    * green otherwise.
    """
    start, now, due = _as_utc(start, "start"), _as_utc(now, "now"), _as_utc(due, "due")
    eff = _effective(start, due, pauses)
    if now > due and _open_start(eff) is None:
        return "red"
    meter = _Meter(calendar, working)
    used = _consumed(meter, start, now, eff)
    if used >= _threshold(_budget(meter, start, due, eff), warn_ratio):
        return "yellow"
    return "green"


def time_left(
    calendar: WorkingCalendar,
    now: datetime,
    due: datetime,
    pauses: Sequence[Pause] = (),
    *,
    working: bool = True,
) -> timedelta:
    """Time left before ``due`` at ``now``, negative when overdue.

    Measured in working time for working clocks (display it in working
    hours: ``td / timedelta(hours=1)``), in calendar time otherwise. Paused
    time does not count; while an open pause stops the clock the value is
    frozen at what was left when the pause began.
    """
    now, due = _as_utc(now, "now"), _as_utc(due, "due")
    meter = _Meter(calendar, working)
    eff = [p for p in _normalize(pauses, None) if p[0] < due]
    open_start = _open_start(eff)
    if open_start is not None and open_start <= now:
        return _consumed(meter, open_start, due, closed_pauses(eff))
    if now <= due:
        return _consumed(meter, now, due, closed_pauses(eff))
    return -meter.measure(due, now)


def trigger_at(
    calendar: WorkingCalendar,
    level: str,
    start: datetime,
    due: datetime,
    pauses: Sequence[Pause] = (),
    warn_ratio: float = 0.75,
    *,
    working: bool = True,
    overdue_after: Mapping[str, int] = OVERDUE_AFTER,
) -> datetime | None:
    """Instant (UTC) at which escalation ``level`` becomes due.

    * ``remind`` (催办): when ``warn_ratio`` of the budget is used (the light
      turns yellow);
    * ``supervise`` (督办): the first instant after ``due`` (``due`` + 1 µs);
    * ``flag`` (挂牌督办): ``add_working_days(due, 3)``, the close of the 3rd
      workday after the deadline's day;
    * ``interview`` (约谈): ``add_working_days(due, 5)``;
    * ``notice`` (通报): ``add_working_days(due, 10)``.

    (3, 5, 10: the default ``overdue_after``; a policy may set its own.)

    ``None`` if an open pause stops the clock before the level is reached.
    Overdue levels count working days whatever the clock's unit.
    """
    if level not in LADDER:
        raise ValueError(f"unknown escalation level {level!r}; expected one of {LADDER}")
    start, due = _as_utc(start, "start"), _as_utc(due, "due")
    eff = _effective(start, due, pauses)
    if level == "remind":
        meter = _Meter(calendar, working)
        threshold = _threshold(_budget(meter, start, due, eff), warn_ratio)
        return _walk(meter, start, threshold, eff)
    if _open_start(eff) is not None:
        return None
    if level == "supervise":
        return due + _TICK
    return calendar.add_working_days(due, overdue_after[level])


def order_trigger_at(calendar: WorkingCalendar, level: str, due: datetime) -> datetime:
    """Instant (UTC) at which a missed 督办单 (order with deadline ``due``) reaches ``level``.

    ``flag`` the first instant after ``due``; ``interview`` and ``notice`` the close of the
    3rd and 5th workday after it (:data:`ORDER_OVERDUE_AFTER`). The order's deadline is set by
    the supervision office and is not pushed by suspensions.
    """
    if level not in ORDER_OVERDUE_AFTER:
        raise ValueError(f"a supervision order does not climb to {level!r}")
    due = _as_utc(due, "due")
    after = ORDER_OVERDUE_AFTER[level]
    return due + _TICK if after == 0 else calendar.add_working_days(due, after)


def due_levels(
    calendar: WorkingCalendar,
    now: datetime,
    start: datetime,
    due: datetime,
    pauses: Sequence[Pause] = (),
    warn_ratio: float = 0.75,
    *,
    working: bool = True,
    overdue_after: Mapping[str, int] = OVERDUE_AFTER,
) -> list[str]:
    """Every ladder level whose trigger instant is at or before ``now``, in ladder order.

    The caller fires the ones it has not fired yet, once each.
    """
    now = _as_utc(now, "now")
    levels = []
    for level in LADDER:
        at = trigger_at(calendar, level, start, due, pauses, warn_ratio, working=working,
                        overdue_after=overdue_after)
        if at is not None and at <= now:
            levels.append(level)
    return levels


def next_check_at(
    calendar: WorkingCalendar,
    now: datetime,
    start: datetime,
    due: datetime,
    fired: Iterable[str],
    pauses: Sequence[Pause] = (),
    warn_ratio: float = 0.75,
    *,
    working: bool = True,
    overdue_after: Mapping[str, int] = OVERDUE_AFTER,
) -> datetime | None:
    """Earliest trigger instant (UTC) of a level not in ``fired``.

    ``None`` when every level has fired or the clock is stopped by an open
    pause (recompute when the pause ends). If an unfired level is already
    due the returned instant is ``<= now``: the next sweep picks it up at
    once, so nothing is ever skipped.
    """
    fired = set(fired)
    unknown = fired - set(LADDER)
    if unknown:
        raise ValueError(f"unknown escalation levels {sorted(unknown)}")
    _as_utc(now, "now")
    candidates = []
    for level in LADDER:
        if level in fired:
            continue
        at = trigger_at(calendar, level, start, due, pauses, warn_ratio, working=working,
                        overdue_after=overdue_after)
        if at is not None:
            candidates.append(at)
    return min(candidates) if candidates else None


@dataclass(frozen=True)
class Clock:
    """One running SLA clock: start, deadline, pauses and unit kind.

    ``due`` is the deadline computed from the *closed* pauses; when
    ``paused`` is true an open pause has stopped the clock before ``due``
    and the real deadline is unknown (``deadline`` is ``None``).
    ``working`` is ``Limit.working`` of the clock's limit.
    """

    start: datetime
    due: datetime
    pauses: tuple[Pause, ...] = ()
    working: bool = True

    @classmethod
    def for_limit(
        cls,
        calendar: WorkingCalendar,
        limit: Limit,
        start: datetime,
        pauses: Sequence[Pause] = (),
        extension_days: int = 0,
    ) -> Clock:
        """Build a clock for ``limit`` started at ``start``."""
        due = deadline(calendar, limit, start, closed_pauses(pauses), extension_days)
        if due is None:  # pragma: no cover - closed_pauses leaves no open pause
            raise RuntimeError("unreachable: deadline of closed pauses is None")
        return cls(_as_utc(start, "start"), due, tuple(pauses), limit.working)

    @property
    def paused(self) -> bool:
        """True if an open pause stopped the clock before its deadline."""
        return _open_start(_effective(_as_utc(self.start), _as_utc(self.due), self.pauses)) is not None

    @property
    def deadline(self) -> datetime | None:
        """``due``, or ``None`` while the clock is stopped."""
        return None if self.paused else self.due

    def light(self, calendar: WorkingCalendar, now: datetime, warn_ratio: float = 0.75) -> Light:
        return light(calendar, now, self.start, self.due, self.pauses, warn_ratio, working=self.working)

    def time_left(self, calendar: WorkingCalendar, now: datetime) -> timedelta:
        return time_left(calendar, now, self.due, self.pauses, working=self.working)

    def trigger_at(self, calendar: WorkingCalendar, level: str, warn_ratio: float = 0.75,
                   overdue_after: Mapping[str, int] = OVERDUE_AFTER) -> datetime | None:
        return trigger_at(calendar, level, self.start, self.due, self.pauses, warn_ratio, working=self.working,
                          overdue_after=overdue_after)

    def due_levels(self, calendar: WorkingCalendar, now: datetime, warn_ratio: float = 0.75,
                   overdue_after: Mapping[str, int] = OVERDUE_AFTER) -> list[str]:
        return due_levels(calendar, now, self.start, self.due, self.pauses, warn_ratio, working=self.working,
                          overdue_after=overdue_after)

    def next_check_at(
        self, calendar: WorkingCalendar, now: datetime, fired: Iterable[str], warn_ratio: float = 0.75,
        overdue_after: Mapping[str, int] = OVERDUE_AFTER,
    ) -> datetime | None:
        return next_check_at(
            calendar, now, self.start, self.due, fired, self.pauses, warn_ratio, working=self.working,
            overdue_after=overdue_after,
        )
