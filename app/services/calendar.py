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
    Notice,
    NoticeError,
    WorkingCalendar,
    chinese_calendar_exceptions,
    parse_notice,
    statutory_holidays,
)
from app.extensions import db
from app.models import (
    CalendarDay,
    CalendarYear,
    Jurisdiction,
    Setting,
    Ticket,
    WorkingHours,
    utcnow,
)
from app.services import N_, ServiceError, audit, commit, transaction

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
    """The calendar's version stamp. The session keeps a reference to its row: the identity map
    holds rows only weakly, so without it a page asking for calendars several times read the row
    each time; now it is read once per transaction (a commit expires it, as any row)."""
    row = db.session.get(Setting, (VERSION_KEY, "*"))
    db.session.info["calendar_version_row"] = row
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

    from app.models import Assignment
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
    # A year not entered is provisional: its statutory holidays (by law) are days off.
    return WorkingCalendar(exceptions, periods, TZ, frozenset(years), statutory_holidays)


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
    """Copy the package's holidays and 调休 workdays into the database for every year it covers, then
    recompute the open deadlines that reach a provisional year (stored before the statutory holidays
    were applied, e.g. by an older release), telling each ticket whose deadline moved.

    Idempotent: a year already recorded (seeded or entered by an admin) is
    skipped, and an existing day row is never overwritten. Returns counts.
    """
    result = _seed()
    first = first_provisional_year()
    result["tickets"] = _recompute_with_events(date(first, 1, 1), first, provisional=True)
    commit()
    return result


def first_provisional_year(today: date | None = None) -> int:
    """The first year from this one on whose schedule is not entered."""
    year = (today or local_today()).year
    while year_entered(year):
        year += 1
    return year


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


#: From this day of the year on, a coming year that is still provisional is warned about.
WARN_FROM = (11, 1)


def year_entry(year: int) -> CalendarYear | None:
    """The record of a year's entry (who entered it, when, from what), if it is recorded."""
    return db.session.get(CalendarYear, year)


def next_year_missing(today: date | None = None) -> int | None:
    """The coming year, from 1 November (Shanghai) on, while its schedule is not entered; else None."""
    today = today or local_today()
    if (today.month, today.day) < WARN_FROM:
        return None
    year = today.year + 1
    return None if year_entered(year) else year


def provisional_years(today: date | None = None) -> list[int]:
    """The years to enter now: provisional years that open deadlines touch, and the coming year
    from 1 November on (`flask calendar check`, the admin and supervision pages)."""
    from app.models import Assignment

    today = today or local_today()
    years: set[int] = set()
    lo, hi = db.session.execute(select(
        db.func.min(Assignment.created_at),
        db.func.max(db.func.coalesce(Assignment.resolve_due_at, Assignment.created_at)),
    ).where(Assignment.active.is_(True))).one()
    if lo is not None and hi is not None:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(TZ)
        years.update(range(lo.astimezone(zone).year, hi.astimezone(zone).year + 1))
    missing = next_year_missing(today)
    if missing is not None:
        years.add(missing)
    return sorted(y for y in years if not year_entered(y))


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
        raise ServiceError(N_("日期格式不正确：%(d)s。请按 YYYY-MM-DD 填写，例如 2026-10-01。"),
                           code="date", d=(text or "").strip() or "(空)") from None
    if not 2000 <= d.year <= 2100:
        raise ServiceError(N_("日期超出范围：%(d)s"), code="date", d=d.isoformat())
    return d


@transaction
def add_day(day_text: str, is_workday: bool, name: str | None = None, actor=None) -> CalendarDay:
    """Add (or change) a holiday on a weekday or an adjusted workday (调休) on a weekend."""
    d = parse_day(day_text)
    if is_workday and d.weekday() < 5:
        raise ServiceError(N_("%(d)s 是周一至周五，本来就是工作日，无需设为调休上班"), code="day", d=d.isoformat())
    if not is_workday and d.weekday() >= 5:
        raise ServiceError(N_("%(d)s 是周末，本来就是休息日，无需设为节假日"), code="day", d=d.isoformat())
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
    _audit(actor, "add_day", day=d.isoformat(), workday=is_workday)
    commit()
    return row


@transaction
def remove_day(day_text: str, actor=None) -> None:
    """Remove an exception: the day follows the Monday–Friday rule again."""
    d = parse_day(day_text)
    if not is_seeded():
        _seed()
    row = db.session.get(CalendarDay, d)
    if row is None:
        raise ServiceError(N_("%(d)s 不是节假日或调休日，无需删除"), code="day", d=d.isoformat())
    db.session.delete(row)
    _bump()
    recompute_from(d)
    _audit(actor, "remove_day", day=d.isoformat())
    commit()


@transaction
def mark_year_entered(year: int, actor=None) -> CalendarYear:
    """Record that the State Council's schedule of `year` has been entered by an administrator."""
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ServiceError(N_("年份不正确：%(y)s"), code="year", y=year)
    if not is_seeded():
        _seed()
    row = db.session.get(CalendarYear, year)
    if row is None:
        row = CalendarYear(year=year, source="admin", entered_at=utcnow())
        db.session.add(row)
    else:
        row.source, row.entered_at = "admin", utcnow()
    _bump()
    # Entered: the statutory-only estimate no longer applies to the year; deadlines follow its days.
    _recompute_with_events(date(year, 1, 1), year)
    _audit(actor, "mark_year", year=year)
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
        raise ServiceError(N_("工作时间格式不正确，请按 09:00-12:00, 13:30-17:30 填写，时段不能重叠"),
                           code="periods") from None
    return [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in periods]


@transaction
def set_working_hours(jurisdiction: str, periods_text: str, actor=None) -> WorkingHours:
    """Set the working periods of a jurisdiction (local time)."""
    if db.session.get(Jurisdiction, jurisdiction) is None:
        raise ServiceError(N_("城市不存在：%(j)s"), code="jurisdiction", j=jurisdiction)
    periods = parse_periods(periods_text)
    row = db.session.get(WorkingHours, jurisdiction)
    if row is None:
        row = WorkingHours(jurisdiction=jurisdiction, periods=periods)
        db.session.add(row)
    else:
        row.periods = periods
    _bump()
    recompute_from(local_today(), jurisdiction)
    _audit(actor, "hours", jurisdiction, periods=periods)
    commit()
    return row


def _audit(actor, change: str, jurisdiction: str | None = None, **details) -> None:
    # The national days are every city's: the admin reads them; a city's hours its office too.
    audit.record("calendar_change", actor, jurisdiction=jurisdiction, target_type="calendar",
                 details={"change": change, **details})


def local_today() -> date:
    """Today's date in Shanghai."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(TZ)).date()


# --- the State Council's notice -----------------------------------------------------------------

#: Event appended to a ticket whose deadlines moved because a year's schedule was entered.
DEADLINE_EVENT = "deadline_recalculated"


def read_notice(text: str) -> Notice:
    """Parse a notice's text (preview): a Notice, or a ServiceError naming the line it stopped at."""
    try:
        return parse_notice(text)
    except NoticeError as exc:
        raise ServiceError(N_("无法识别通知内容（第%(n)s行：%(r)s）：%(line)s"), code="notice",
                           n=exc.line, r=exc.reason, line=exc.text[:80] or "（空）") from None


@transaction
def import_notice(text: str, actor=None) -> dict:
    """Enter a year's State Council notice: its holidays and 调休 workdays replace the year's days,
    the year is recorded as entered (who, when, the text), open deadlines are recomputed and every
    ticket whose deadline moved gets an event saying why. Nothing changes when the text is unreadable.

    Returns {"year", "holidays", "workdays", "tickets"} (counts; tickets = tickets whose deadline moved).
    """
    notice = read_notice(text)
    year = notice.year
    if not is_seeded():
        _seed()
    start, end = date(year, 1, 1), date(year, 12, 31)
    spans = list(notice.holidays) + list(notice.workdays)
    lo = min([start] + spans)
    for row in db.session.scalars(select(CalendarDay).where(CalendarDay.day >= start, CalendarDay.day <= end)):
        db.session.delete(row)
    db.session.flush()
    for d, worked in sorted(notice.exceptions().items()):
        row = db.session.get(CalendarDay, d)  # a day of the previous December stays the other year's
        name = "调休上班" if worked else notice.holidays[d]
        if row is None:
            db.session.add(CalendarDay(day=d, is_workday=worked, name=name, source="notice"))
        else:
            row.is_workday, row.name, row.source = worked, name, "notice"
    entry = db.session.get(CalendarYear, year)
    if entry is None:
        entry = CalendarYear(year=year)
        db.session.add(entry)
    entry.source, entry.entered_at = "notice", utcnow()
    entry.entered_by_id = getattr(actor, "id", None)
    entry.notice_text = text
    _bump()
    moved = _recompute_with_events(lo, year)
    _audit(actor, "notice", year=year, tickets=moved)
    commit()
    return {"year": year, "holidays": sum(1 for d in notice.holidays if d.weekday() < 5),
            "workdays": len(notice.workdays), "tickets": moved}


def _recompute_with_events(lo: date, year: int, provisional: bool = False, batch: int = 500) -> int:
    """Recompute the active assignments whose deadlines reach `lo`; one event per ticket that moved
    (why: `year`'s notice was entered, or — `provisional` — its statutory holidays were applied)."""
    from zoneinfo import ZoneInfo

    from app.models import Assignment
    from app.services import clocks
    from app.services import tickets as core

    since = datetime.combine(lo, time.min, ZoneInfo(TZ))
    now = utcnow()
    last, moved = 0, 0
    while True:
        rows = list(db.session.scalars(
            select(Assignment).where(Assignment.active.is_(True), Assignment.resolve_due_at >= since,
                                     Assignment.id > last).order_by(Assignment.id).limit(batch)))
        by_ticket: dict[int, list[dict]] = {}
        for a in rows:
            before = (a.sign_due_at, a.contact_due_at, a.resolve_due_at)
            clocks.recompute(a, now)
            after = (a.sign_due_at, a.contact_due_at, a.resolve_due_at)
            if before != after:
                by_ticket.setdefault(a.ticket_id, []).append({
                    "assignment_id": a.id, "agency_id": a.agency_id,
                    **{f"{k}_from": _iso(b) for k, b in zip(("sign", "contact", "resolve"), before, strict=True)},
                    **{f"{k}_to": _iso(b) for k, b in zip(("sign", "contact", "resolve"), after, strict=True)},
                })
        for ticket_id, changes in by_ticket.items():
            ticket = db.session.get(Ticket, ticket_id)
            if provisional:
                note = N_("%(y)s年节假日安排尚未公布，办理时限已按法定节假日预估重新计算。") % {"y": year}
            else:
                note = N_("%(y)s年节假日安排已按国务院办公厅通知录入，办理时限按新的工作日重新计算。") % {"y": year}
            core.record(ticket, DEADLINE_EVENT, None, at=now, note=note,
                        details={"year": year, "reason": "statutory" if provisional else "notice",
                                 "assignments": changes})
        moved += len(by_ticket)
        if len(rows) < batch:
            return moved
        last = rows[-1].id


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()
