"""The working calendar as the application uses it: the Chinese official calendar stored in the
database (seeded from the ``chinesecalendar`` package, edited by administrators), working hours per
jurisdiction, and a per-process cache invalidated by a version stamp every edit bumps.

Semantics: once any year is recorded in ``calendar_years`` the database is the source of truth
(its CalendarDay rows are the exceptions to Monday–Friday). A database that was never seeded falls
back to the package data, so a fresh install (or a test) works before ``flask calendar seed``;
admin edits seed first, so an edit never drops the package data.
"""
import threading
import uuid
from datetime import date, datetime, time

from sqlalchemy import extract, select

from app.domain.calendar import (
    DEFAULT_PERIODS,
    WorkingCalendar,
    chinese_calendar_exceptions,
)
from app.extensions import db
from app.models import (
    CalendarDay,
    CalendarYear,
    Jurisdiction,
    Setting,
    WorkingHours,
    utcnow,
)
from app.services import N_, ServiceError, commit

VERSION_KEY = "calendar.version"
TZ = "Asia/Shanghai"
_lock = threading.Lock()
_cache: dict = {}

HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


# --- cache ----------------------------------------------------------------------------------------

def _version() -> str | None:
    row = db.session.get(Setting, (VERSION_KEY, "*"))
    return row.value.get("v") if row is not None and isinstance(row.value, dict) else None


def _bump() -> None:
    """Mark the calendar changed: every process rebuilds its cached calendars on next use."""
    row = db.session.get(Setting, (VERSION_KEY, "*"))
    value = {"v": uuid.uuid4().hex, "at": utcnow().isoformat()}
    if row is None:
        db.session.add(Setting(key=VERSION_KEY, jurisdiction="*", value=value,
                               note="bumped on every calendar edit (cache invalidation)"))
    else:
        row.value = value
    db.session.flush()
    with _lock:
        _cache.clear()


def recompute_from(day: date, jurisdiction: str | None = None, batch: int = 500) -> int:
    """Recompute the clocks of the active assignments whose resolve deadline is on/after `day`.

    Called in the same transaction as a calendar edit, so stored deadlines
    move with it. Entering next year's schedule touches only what is due
    then; paginated by id (no OFFSET).
    """
    from zoneinfo import ZoneInfo

    from app.models import Assignment, Ticket
    from app.services import clocks

    since = datetime.combine(day, time.min, ZoneInfo(TZ))
    now = utcnow()
    last = 0
    count = 0
    while True:
        q = (select(Assignment).where(Assignment.active.is_(True), Assignment.resolve_due_at >= since,
                                      Assignment.id > last).order_by(Assignment.id).limit(batch))
        if jurisdiction:
            q = q.join(Ticket, Assignment.ticket_id == Ticket.id).where(Ticket.jurisdiction == jurisdiction)
        rows = list(db.session.scalars(q))
        for a in rows:
            clocks.recompute(a, now)
        count += len(rows)
        if len(rows) < batch:
            return count
        last = rows[-1].id


def is_seeded() -> bool:
    """True once any year is recorded in the database (the database is then the source of truth)."""
    return db.session.scalar(select(CalendarYear.year).limit(1)) is not None


def _parse_periods(raw) -> tuple[tuple[time, time], ...]:
    return tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in raw)


def _build(jurisdiction: str) -> WorkingCalendar:
    if is_seeded():
        exceptions = {d: w for d, w in db.session.execute(select(CalendarDay.day, CalendarDay.is_workday))}
        years = set(db.session.scalars(select(CalendarYear.year)))
    else:
        exceptions, years = chinese_calendar_exceptions()
    hours = db.session.get(WorkingHours, jurisdiction) if jurisdiction else None
    periods = _parse_periods(hours.periods) if hours is not None else DEFAULT_PERIODS
    return WorkingCalendar(exceptions, periods, TZ, frozenset(years))


def working_calendar(jurisdiction: str | None) -> WorkingCalendar:
    """The WorkingCalendar of a jurisdiction (DB exceptions + its working hours), cached per process.

    One primary-key read per call checks the version stamp, so an edit made in
    another process (the web app vs. the scheduler) is seen at once.
    """
    key = (str(db.engine.url), jurisdiction or "*", _version())
    with _lock:
        cal = _cache.get(key)
    if cal is None:
        cal = _build(jurisdiction or "")
        with _lock:
            _cache[key] = cal
    return cal


# --- seeding --------------------------------------------------------------------------------------

def _holiday_name(d: date) -> str | None:
    try:
        import chinese_calendar

        _on, name = chinese_calendar.get_holiday_detail(d)
    except Exception:  # noqa: BLE001 - a name is cosmetic
        return None
    if name is None:
        return None
    return HOLIDAY_NAMES.get(name, name)


def _seed() -> dict:
    exceptions, years = chinese_calendar_exceptions()
    recorded = set(db.session.scalars(select(CalendarYear.year)))
    todo = sorted(set(years) - recorded)  # a recorded year is never touched again: admin edits stay
    if not todo:
        return {"years": 0, "days": 0}
    existing = set(db.session.scalars(
        select(CalendarDay.day).where(extract("year", CalendarDay.day).in_(todo))
    ))
    days = 0
    for d, workday in sorted(exceptions.items()):
        if d.year in todo and d not in existing:
            name = "调休上班" if workday else _holiday_name(d)
            db.session.add(CalendarDay(day=d, is_workday=workday, name=name, source="chinesecalendar"))
            days += 1
    for y in todo:
        db.session.add(CalendarYear(year=y, source="chinesecalendar"))
    _bump()
    return {"years": len(todo), "days": days}


def seed_from_chinesecalendar() -> dict:
    """Copy the package's holidays and 调休 workdays into the database for every year it covers.

    Idempotent: a year already recorded (seeded or entered by an admin) is
    skipped, and an existing day row is never overwritten. Returns counts.
    """
    result = _seed()
    commit()
    return result


# --- reading --------------------------------------------------------------------------------------

def exceptions_of(year: int) -> list[CalendarDay]:
    """The exception days of a year, in date order (the package's, unsaved, while the DB is unseeded)."""
    if not is_seeded():
        exceptions, _years = chinese_calendar_exceptions()
        return [CalendarDay(day=d, is_workday=w, name="调休上班" if w else _holiday_name(d), source="chinesecalendar")
                for d, w in sorted(exceptions.items()) if d.year == year]
    return list(db.session.scalars(
        select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        .order_by(CalendarDay.day)
    ))


def year_entered(year: int) -> bool:
    """True if the official schedule of `year` is known (recorded, or in the package when unseeded)."""
    if is_seeded():
        return db.session.get(CalendarYear, year) is not None
    return year in chinese_calendar_exceptions()[1]


def next_year_missing(today: date | None = None) -> int | None:
    """Next year (relative to today, Shanghai) if its schedule is not entered yet, else None."""
    from zoneinfo import ZoneInfo

    today = today or utcnow().astimezone(ZoneInfo(TZ)).date()
    year = today.year + 1
    return None if year_entered(year) else year


def periods_of(jurisdiction: str) -> list[list[str]]:
    """Working periods of a jurisdiction as [["09:00","12:00"], …] (the default when not set)."""
    row = db.session.get(WorkingHours, jurisdiction)
    if row is not None:
        return row.periods
    return [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in DEFAULT_PERIODS]


# --- admin edits ----------------------------------------------------------------------------------

def parse_day(text: str) -> date:
    """A YYYY-MM-DD date, or a ServiceError with a clear message."""
    try:
        d = date.fromisoformat((text or "").strip())
    except ValueError:
        raise ServiceError(N_("日期格式不正确:%(d)s。请按 YYYY-MM-DD 填写,例如 2026-10-01。"),
                           code="date", d=(text or "").strip() or "(空)") from None
    if not 2000 <= d.year <= 2100:
        raise ServiceError(N_("日期超出范围:%(d)s"), code="date", d=d.isoformat())
    return d


def add_day(day_text: str, is_workday: bool, name: str | None = None) -> CalendarDay:
    """Add (or change) a holiday on a weekday or an adjusted workday (调休) on a weekend."""
    d = parse_day(day_text)
    if is_workday and d.weekday() < 5:
        raise ServiceError(N_("%(d)s 是周一至周五,本来就是工作日,无需设为调休上班"), code="day", d=d.isoformat())
    if not is_workday and d.weekday() >= 5:
        raise ServiceError(N_("%(d)s 是周末,本来就是休息日,无需设为节假日"), code="day", d=d.isoformat())
    if not is_seeded():
        _seed()
    row = db.session.get(CalendarDay, d)
    name = (name or "").strip()[:50] or None
    if row is None:
        row = CalendarDay(day=d, is_workday=is_workday, name=name, source="admin")
        db.session.add(row)
    else:
        row.is_workday, row.name, row.source = is_workday, name or row.name, "admin"
    _bump()
    recompute_from(d)
    commit()
    return row


def remove_day(day_text: str) -> None:
    """Remove an exception: the day follows the Monday–Friday rule again."""
    d = parse_day(day_text)
    if not is_seeded():
        _seed()
    row = db.session.get(CalendarDay, d)
    if row is None:
        raise ServiceError(N_("%(d)s 不是节假日或调休日,无需删除"), code="day", d=d.isoformat())
    db.session.delete(row)
    _bump()
    recompute_from(d)
    commit()


def mark_year_entered(year: int) -> CalendarYear:
    """Record that the State Council's schedule of `year` has been entered by an administrator."""
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ServiceError(N_("年份不正确:%(y)s"), code="year", y=year)
    if not is_seeded():
        _seed()
    row = db.session.get(CalendarYear, year)
    if row is None:
        row = CalendarYear(year=year, source="admin", entered_at=utcnow())
        db.session.add(row)
    else:
        row.source, row.entered_at = "admin", utcnow()
    _bump()
    commit()
    return row


def parse_periods(text: str) -> list[list[str]]:
    """"09:00-12:00, 13:30-17:30" → [["09:00","12:00"],["13:30","17:30"]], validated."""
    periods = []
    try:
        for part in (text or "").replace(",", ",").replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            a, b = (s.strip() for s in part.replace("–", "-").split("-"))
            periods.append((time.fromisoformat(a), time.fromisoformat(b)))
        WorkingCalendar({}, periods, TZ)  # validates order, overlap, non-empty
    except ValueError:
        raise ServiceError(N_("工作时间格式不正确,请按 09:00-12:00, 13:30-17:30 填写,时段不能重叠"),
                           code="periods") from None
    return [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in periods]


def set_working_hours(jurisdiction: str, periods_text: str) -> WorkingHours:
    """Set the working periods of a jurisdiction (local time)."""
    if db.session.get(Jurisdiction, jurisdiction) is None:
        raise ServiceError(N_("城市不存在:%(j)s"), code="jurisdiction", j=jurisdiction)
    periods = parse_periods(periods_text)
    row = db.session.get(WorkingHours, jurisdiction)
    if row is None:
        row = WorkingHours(jurisdiction=jurisdiction, periods=periods)
        db.session.add(row)
    else:
        row.periods = periods
    _bump()
    recompute_from(local_today(), jurisdiction)
    commit()
    return row


def local_today() -> date:
    """Today's date in Shanghai."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(TZ)).date()
