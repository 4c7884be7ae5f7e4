"""Department evaluation: monthly figures per agency from SQL aggregates, freezing, drill-downs,
trends and breakdowns. The rules (rates, composite, rank, grade) live in app.domain.scoring."""
import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, case, func, literal, or_, select

from app.domain import scoring, workflow
from app.extensions import db
from app.models import (
    Agency,
    Assignment,
    Escalation,
    EvaluationChange,
    EvaluationPeriod,
    ExclusionRequest,
    Measure,
    Rating,
    Scorecard,
    Setting,
    SupervisionNotice,
    Suspension,
    Ticket,
    TicketReturn,
    User,
    utcnow,
)
from app.models.types import UTCDateTime
from app.services import N_, ServiceError, commit
from app.services.replica import primary, reads

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH_RE = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")  # 2000–2099: a month the clocks can hold
WEIGHTS_KEY = "evaluation.weights"
SATISFIED = ("very_satisfied", "satisfied")
DISSATISFIED = ("dissatisfied", "very_dissatisfied")
# Metrics a number of the report can be opened on (drill-down).
METRICS = ("assignments", "not_responded", "late", "ratings", "unresolved", "dissatisfied",
           "unjustified_returns", "reopened", "supervise", "flag")


# --- months -------------------------------------------------------------------------------------

def parse_month(month: str) -> tuple[int, int]:
    """(year, month) of 'YYYY-MM'; a Chinese ServiceError otherwise."""
    m = MONTH_RE.match(month or "")
    if not m:
        raise ServiceError(N_("月份格式应为YYYY-MM，例如2026-10"), code="month")
    return int(m.group(1)), int(m.group(2))


def month_range(month: str) -> tuple[datetime, datetime]:
    """The month's [start, end) in UTC; months are Beijing-time calendar months."""
    y, m = parse_month(month)
    start = datetime(y, m, 1, tzinfo=SHANGHAI)
    end = datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=SHANGHAI)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def month_of(at: datetime) -> str:
    """'YYYY-MM' of an instant, in Beijing time."""
    return at.astimezone(SHANGHAI).strftime("%Y-%m")


def current_month() -> str:
    """This month, Beijing time."""
    return month_of(utcnow())


def previous_months(month: str, n: int) -> list[str]:
    """The n months ending with `month`, oldest first."""
    y, m = parse_month(month)
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


# --- settings -----------------------------------------------------------------------------------

def _setting(key: str, jurisdiction: str):
    session = reads()
    row = session.get(Setting, (key, jurisdiction)) or session.get(Setting, (key, "*"))
    return None if row is None else row.value


def settings_for(jurisdiction: str) -> scoring.Settings:
    """Weights, deductions, grades and the auto-rating rule of a jurisdiction (or the defaults)."""
    from app.services.sla import count_auto_ratings  # one reader of the setting, owned by the SLA side

    return scoring.Settings.from_dict(_setting(WEIGHTS_KEY, jurisdiction),
                                      count_auto_ratings=count_auto_ratings(jurisdiction))


# --- the SQL conditions, shared by the aggregates and the drill-downs ---------------------------

def _done_at():
    """When the assignment's work was finished: the lead's reply, the co agency's opinion."""
    return case((Assignment.role == "co", Assignment.opinion_at), else_=Assignment.replied_at)


def _window_end(now: datetime):
    """Until when the agency could act: the end of its assignment, the ticket's closing, or now.

    A co-agency whose ticket was closed (rated or auto-closed alike) before its deadline could never
    have missed it."""
    return func.coalesce(Assignment.ended_at, Ticket.closed_at, literal(now, UTCDateTime()))


def _stopped(due):
    """The ticket's clocks are stopped at `due`: a suspension still open began before it."""
    return (select(Suspension.id).where(Suspension.ticket_id == Assignment.ticket_id,
                                        Suspension.ended_at.is_(None), Suspension.started_at < due)
            .correlate(Assignment).exists())


def _met(done, due):
    return and_(done.is_not(None), or_(due.is_(None), done <= due))


def _missed(done, due, now: datetime):
    """Done after its deadline, or not done when the deadline passed while the agency could act
    (and its clock was running)."""
    late = and_(done.is_not(None), due.is_not(None), done > due)
    lapsed = and_(done.is_(None), due.is_not(None), due < _window_end(now), ~_stopped(due))
    return or_(late, lapsed)


def _responded():
    # A co agency does not contact the business: signing in time is its response.
    return and_(_met(Assignment.signed_at, Assignment.sign_due_at),
                or_(Assignment.role == "co", _met(Assignment.contacted_at, Assignment.contact_due_at)))


def _not_responded(now: datetime):
    missed_contact = and_(Assignment.role != "co",
                          _missed(Assignment.contacted_at, Assignment.contact_due_at, now))
    return or_(_missed(Assignment.signed_at, Assignment.sign_due_at, now), missed_contact)


def _response_base(now: datetime):
    """Assignments whose response is decided: met, or a deadline passed unmet."""
    return or_(_responded(), _not_responded(now))


def _on_time():
    return _met(_done_at(), Assignment.resolve_due_at)


def _late(now: datetime):
    return _missed(_done_at(), Assignment.resolve_due_at, now)


def _on_time_base(now: datetime):
    """Finished assignments, and unfinished ones whose deadline passed while the agency could act."""
    return or_(_on_time(), _late(now))


def _reopened():
    """A lead assignment whose reply the business rejected (the ticket was reopened after that cycle);
    an agency that returned the ticket earlier gave no reply and is not charged."""
    return and_(Assignment.role == "lead", Assignment.replied_at.is_not(None), Ticket.reopen_count > Assignment.cycle)


def _assignment_scope(jurisdiction: str, start: datetime, end: datetime):
    return and_(Ticket.jurisdiction == jurisdiction, Ticket.excluded.is_(False),
                Ticket.state.not_in(workflow.UNSCORED_STATES), Assignment.role.in_(("lead", "co")),
                Assignment.created_at >= start, Assignment.created_at < end)


def _rating_scope(jurisdiction: str, start: datetime, end: datetime, settings: scoring.Settings):
    cond = and_(Ticket.jurisdiction == jurisdiction, Ticket.excluded.is_(False),
                Ticket.state.not_in(workflow.UNSCORED_STATES), Rating.agency_id.is_not(None), Rating.created_at >= start, Rating.created_at < end)
    if not settings.count_auto_ratings:
        cond = and_(cond, Rating.auto.is_(False))
    return cond


def _sum(cond):
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


# --- computing a month --------------------------------------------------------------------------

def _bucket(column, months: list[str]):
    """SQL CASE giving the index of the month `column` falls in (portable: no date functions)."""
    ranges = [month_range(m) for m in months]
    whens = [(and_(column >= a, column < b), i) for i, (a, b) in enumerate(ranges)]
    return case(*whens, else_=-1)


def compute_months(jurisdiction: str, months: list[str], now: datetime | None = None,
                   settings: scoring.Settings | None = None) -> dict[str, list[scoring.Counts]]:
    """Count every active agency's figures for each month with GROUP BY (month, agency) queries —
    one pass per table whatever the number of months, no ticket loaded into Python."""
    settings = settings or settings_for(jurisdiction)
    months = sorted(set(months))
    lo, hi = month_range(months[0])[0], month_range(months[-1])[1]
    now = now or utcnow()
    agencies = reads().execute(
        select(Agency.id, Agency.name).where(Agency.jurisdiction == jurisdiction, Agency.active.is_(True),
                                             Agency.collective.is_(False)).order_by(Agency.name)
    ).all()
    counts = [{a.id: scoring.Counts(agency_id=a.id, agency=a.name) for a in agencies} for _ in months]

    def bucket(i, agency_id):
        return counts[i].get(agency_id) if 0 <= i < len(months) else None

    m = _bucket(Assignment.created_at, months).label("m")
    q = (select(m, Assignment.agency_id, func.count(Assignment.id), _sum(_responded()),
                _sum(_response_base(now)), _sum(_on_time()), _sum(_on_time_base(now)), _sum(_reopened()))
         .join(Ticket, Ticket.id == Assignment.ticket_id)
         .where(_assignment_scope(jurisdiction, lo, hi)).group_by(m, Assignment.agency_id))
    for i, agency_id, n, responded, response_base, on_time, base, reopened in reads().execute(q):
        if (c := bucket(i, agency_id)) is not None:
            c.assignments, c.responded, c.response_base = int(n), int(responded), int(response_base)
            c.on_time, c.on_time_base, c.reopened = int(on_time), int(base), int(reopened)

    points = case((Rating.auto.is_(True), 1.0),
                  (Rating.satisfaction.in_(SATISFIED), 1.0),
                  (Rating.satisfaction == "basically_satisfied", scoring.BASIC_SATISFACTION_FACTOR),
                  else_=0.0)
    m = _bucket(Rating.created_at, months).label("m")
    q = (select(m, Rating.agency_id, func.count(Rating.id),
                _sum(or_(Rating.resolved.is_(True), Rating.auto.is_(True))),
                func.coalesce(func.sum(points), 0))
         .join(Ticket, Ticket.id == Rating.ticket_id)
         .where(_rating_scope(jurisdiction, lo, hi, settings)).group_by(m, Rating.agency_id))
    for i, agency_id, n, resolved, pts in reads().execute(q):
        if (c := bucket(i, agency_id)) is not None:
            c.ratings, c.resolved, c.satisfaction_points = int(n), int(resolved), float(pts)

    m = _bucket(TicketReturn.created_at, months).label("m")
    q = (select(m, TicketReturn.agency_id, func.count(TicketReturn.id))
         .join(Ticket, Ticket.id == TicketReturn.ticket_id)
         .where(Ticket.jurisdiction == jurisdiction, Ticket.excluded.is_(False),
                TicketReturn.decision == "unjustified",
                TicketReturn.created_at >= lo, TicketReturn.created_at < hi)
         .group_by(m, TicketReturn.agency_id))
    for i, agency_id, n in reads().execute(q):
        if (c := bucket(i, agency_id)) is not None:
            c.unjustified_returns = int(n)

    m = _bucket(Escalation.fired_at, months).label("m")
    q = (select(m, Escalation.agency_id, Escalation.level, func.count(Escalation.id))
         .join(Ticket, Ticket.id == Escalation.ticket_id)
         .where(Ticket.jurisdiction == jurisdiction, Ticket.excluded.is_(False),
                Escalation.level.in_(("supervise", "flag")),
                Escalation.fired_at >= lo, Escalation.fired_at < hi)
         .group_by(m, Escalation.agency_id, Escalation.level))
    for i, agency_id, level, n in reads().execute(q):
        if (c := bucket(i, agency_id)) is not None:
            if level == "flag":
                c.flag += int(n)
            else:
                c.supervise += int(n)

    m = _bucket(SupervisionNotice.created_at, months).label("m")
    q = (select(m, SupervisionNotice.agency_id, func.count(SupervisionNotice.id))
         .join(Ticket, Ticket.id == SupervisionNotice.ticket_id)
         .where(Ticket.jurisdiction == jurisdiction, Ticket.excluded.is_(False),
                SupervisionNotice.created_at >= lo, SupervisionNotice.created_at < hi)
         .group_by(m, SupervisionNotice.agency_id))
    for i, agency_id, n in reads().execute(q):
        if (c := bucket(i, agency_id)) is not None:
            c.supervise += int(n)

    # Changes to frozen months (late ratings, exclusions) logged while a month was open: few rows.
    for created, details in reads().execute(
            select(EvaluationChange.created_at, EvaluationChange.details).where(
                EvaluationChange.jurisdiction == jurisdiction,
                EvaluationChange.created_at >= lo, EvaluationChange.created_at < hi)):
        i = months.index(month_of(created)) if month_of(created) in months else -1
        if (c := bucket(i, (details or {}).get("agency_id"))) is not None:
            c.carried += 1
    return {month: list(counts[i].values()) for i, month in enumerate(months)}


def compute_counts(jurisdiction: str, month: str, now: datetime | None = None,
                   settings: scoring.Settings | None = None) -> list[scoring.Counts]:
    """Every active agency's counts for one month (see `compute_months`)."""
    parse_month(month)
    return compute_months(jurisdiction, [month], now, settings)[month]


def get_period(jurisdiction: str, month: str) -> EvaluationPeriod | None:
    """The period row of the month, if one was ever made (frozen or not)."""
    return db.session.scalar(select(EvaluationPeriod).where(
        EvaluationPeriod.jurisdiction == jurisdiction, EvaluationPeriod.month == month))


def is_frozen(jurisdiction: str, month: str) -> bool:
    """True when the month's scorecards are stored rows. Only an ended month can be frozen
    (`freeze`), so this month and later ones are answered without a query (a ticket page asks)."""
    if month >= current_month():
        return False
    period = get_period(jurisdiction, month)
    return period is not None and period.frozen_at is not None


# A process reads a city's frozen months at most this often for what it only offers (the exclusion
# form on every ticket page); what it decides asks `is_frozen`. A month never thaws, so a stale
# answer can only offer a form that the service then refuses.
FROZEN_REFRESH_SECONDS = 30.0


def frozen_months(jurisdiction: str) -> frozenset[str]:
    """The city's frozen months as this process read them in the last FROZEN_REFRESH_SECONDS
    (a freeze in this process is seen at once). For offering a form, not for deciding."""
    cache = current_app.extensions.setdefault("frozen_months", {})  # per app: per worker, per test
    now = time.monotonic()
    hit = cache.get(jurisdiction)
    if hit is None or now - hit[0] >= FROZEN_REFRESH_SECONDS:
        months = frozenset(db.session.scalars(select(EvaluationPeriod.month).where(
            EvaluationPeriod.jurisdiction == jurisdiction, EvaluationPeriod.frozen_at.is_not(None))))
        hit = cache[jurisdiction] = (now, months)
    return hit[1]


def _period_read(jurisdiction: str, month: str) -> EvaluationPeriod | None:
    """`get_period` for a report: through `reads()` (the replica, when there is one)."""
    return reads().scalar(select(EvaluationPeriod).where(
        EvaluationPeriod.jurisdiction == jurisdiction, EvaluationPeriod.month == month))


def report(jurisdiction: str, month: str, now: datetime | None = None) -> list[dict]:
    """The month's ranking: stored rows for a frozen month, computed for an open one (read through
    `reads()`: from the replica when `DATABASE_URL_REPLICA` is set)."""
    parse_month(month)
    period = _period_read(jurisdiction, month)
    if period is not None and period.frozen_at is not None:
        rows = [dict(s.figures, frozen=True) for s in sorted(
            period.scorecards, key=lambda s: (s.rank if s.figures.get("rank") is not None else 10**9,
                                              s.figures.get("agency", "")))]
        return rows
    settings = settings_for(jurisdiction)
    rows = scoring.evaluate(compute_counts(jurisdiction, month, now, settings), settings)
    return [dict(r.as_dict(), frozen=False) for r in rows]


def report_json(jurisdiction: str, month: str) -> list[dict]:
    """The report in the CLI's stable JSON shape."""
    keys = ("agency", "assignments", "response_rate", "on_time_rate", "resolution_rate",
            "satisfaction_rate", "unjustified_returns", "reopened", "supervision_notices",
            "score", "rank", "grade")
    return [{k: row.get(k) for k in keys} for row in report(jurisdiction, month)]


def pending_exclusions_of(jurisdiction: str, month: str) -> int:
    """Exclusion requests still waiting whose agency's assignment of the ticket was made in `month`."""
    start, end = month_range(month)
    return db.session.scalar(
        select(func.count(func.distinct(ExclusionRequest.id)))
        .join(Ticket, Ticket.id == ExclusionRequest.ticket_id)
        .join(Assignment, and_(Assignment.ticket_id == ExclusionRequest.ticket_id,
                               Assignment.agency_id == ExclusionRequest.agency_id))
        .where(Ticket.jurisdiction == jurisdiction, ExclusionRequest.state == "pending",
               Assignment.created_at >= start, Assignment.created_at < end)) or 0


def freeze(jurisdiction: str, month: str, actor: User | None) -> EvaluationPeriod:
    """Store the month's scorecards and the settings used; from now on they are read, not computed."""
    parse_month(month)
    if month >= current_month():
        raise ServiceError(N_("只能冻结已结束的月份（%(m)s尚未结束）"), code="month", m=month)
    period = get_period(jurisdiction, month)
    if period is not None and period.frozen_at is not None:
        raise ServiceError(N_("%(m)s的考核结果已冻结"), code="frozen", m=month)
    waiting = pending_exclusions_of(jurisdiction, month)
    if waiting:
        raise ServiceError(N_("%(m)s还有%(n)s项核减申请待审批，请先审批再冻结"), code="pending_exclusions",
                           m=month, n=waiting)
    with primary():  # the stored figures come from the primary, not from a lagging replica
        settings = settings_for(jurisdiction)
        rows = scoring.evaluate(compute_counts(jurisdiction, month, None, settings), settings)
    if period is None:
        period = EvaluationPeriod(jurisdiction=jurisdiction, month=month)
        db.session.add(period)
        db.session.flush()
    period.frozen_at = utcnow()
    period.frozen_by_id = actor.id if actor is not None else None
    period.settings = settings.to_dict()
    last = len(rows)
    for row in rows:
        figures = row.as_dict()
        db.session.add(Scorecard(period_id=period.id, agency_id=row.counts.agency_id, figures=figures,
                                 score=row.score or 0.0, rank=row.rank or last, grade=row.grade))
    commit()
    current_app.extensions.get("frozen_months", {}).pop(jurisdiction, None)
    return period


# --- changes that touch a frozen month ---------------------------------------------------------

def log_change(ticket: Ticket, kind: str, month: str, agency_id: int | None, **details) -> EvaluationChange | None:
    """If `month` is frozen, log that `kind` touched it; the change counts in the open month.

    Runs inside the caller's transaction (no commit). Returns the row, or None
    when the month is still open (then the change simply counts there).
    """
    if not is_frozen(ticket.jurisdiction, month):
        return None
    change = EvaluationChange(jurisdiction=ticket.jurisdiction, frozen_month=month, ticket_id=ticket.id,
                              kind=kind, details=dict(details, agency_id=agency_id), created_at=utcnow())
    db.session.add(change)
    return change


def ticket_months(ticket: Ticket) -> dict[int, str]:
    """Agency id → month of its first assignment of the ticket (where its figures were counted)."""
    out: dict[int, str] = {}
    for a in sorted(ticket.assignments, key=lambda a: a.created_at):
        out.setdefault(a.agency_id, month_of(a.created_at))
    return out


def note_exclusion(ticket: Ticket) -> list[EvaluationChange]:
    """An exclusion was granted: log it for every frozen month that counted the ticket."""
    made = []
    for agency_id, month in ticket_months(ticket).items():
        change = log_change(ticket, "exclusion", month, agency_id)
        if change is not None:
            made.append(change)
    return made


def note_late_rating(rating: Rating) -> EvaluationChange | None:
    """A rating arrived after the month of its assignment was frozen: log it (the rating service
    should call this inside its transaction). The rating itself counts in the month it was given."""
    ticket = rating.ticket or db.session.get(Ticket, rating.ticket_id)
    months = ticket_months(ticket)
    month = months.get(rating.agency_id)
    if month is None or month == month_of(rating.created_at or utcnow()):
        return None
    return log_change(ticket, "late_rating", month, rating.agency_id, satisfaction=rating.satisfaction)


def changes(jurisdiction: str, limit: int = 50) -> list[EvaluationChange]:
    """The latest changes logged against frozen months."""
    return list(reads().scalars(select(EvaluationChange).where(
        EvaluationChange.jurisdiction == jurisdiction).order_by(EvaluationChange.id.desc()).limit(limit)))


# --- drill-down ---------------------------------------------------------------------------------

def drill(jurisdiction: str, month: str, agency_id: int, metric: str, *, before_id: int | None = None,
          limit: int = 50, now: datetime | None = None) -> list[Ticket]:
    """The tickets behind one number of the report, newest first, paginated by id."""
    if metric not in METRICS:
        raise ServiceError(N_("未知的考核指标"), code="metric")
    settings = settings_for(jurisdiction)
    start, end = month_range(month)
    now = now or utcnow()
    if metric in ("assignments", "not_responded", "late", "reopened"):
        cond = and_(_assignment_scope(jurisdiction, start, end), Assignment.agency_id == agency_id)
        if metric == "not_responded":
            cond = and_(cond, _not_responded(now))
        elif metric == "late":
            cond = and_(cond, _late(now))
        elif metric == "reopened":
            cond = and_(cond, _reopened())
        ids = select(Assignment.ticket_id).join(Ticket, Ticket.id == Assignment.ticket_id).where(cond)
    elif metric in ("ratings", "unresolved", "dissatisfied"):
        cond = and_(_rating_scope(jurisdiction, start, end, settings), Rating.agency_id == agency_id)
        if metric == "unresolved":
            cond = and_(cond, Rating.resolved.is_(False), Rating.auto.is_(False))
        elif metric == "dissatisfied":
            cond = and_(cond, Rating.satisfaction.in_(DISSATISFIED), Rating.auto.is_(False))
        ids = select(Rating.ticket_id).join(Ticket, Ticket.id == Rating.ticket_id).where(cond)
    elif metric == "unjustified_returns":
        ids = select(TicketReturn.ticket_id).where(
            TicketReturn.agency_id == agency_id, TicketReturn.decision == "unjustified",
            TicketReturn.created_at >= start, TicketReturn.created_at < end)
    else:
        level = "flag" if metric == "flag" else "supervise"
        ids = select(Escalation.ticket_id).where(
            Escalation.agency_id == agency_id, Escalation.level == level,
            Escalation.fired_at >= start, Escalation.fired_at < end)
        if metric == "supervise":
            ids = ids.union(select(SupervisionNotice.ticket_id).where(
                SupervisionNotice.agency_id == agency_id,
                SupervisionNotice.created_at >= start, SupervisionNotice.created_at < end))
    q = select(Ticket).where(Ticket.id.in_(ids), Ticket.jurisdiction == jurisdiction)
    if metric in ("unjustified_returns", "supervise", "flag"):
        q = q.where(Ticket.excluded.is_(False))
    if before_id:
        q = q.where(Ticket.id < before_id)
    return list(reads().scalars(q.order_by(Ticket.id.desc()).limit(limit)))


# --- trends and breakdowns ----------------------------------------------------------------------

def reports(jurisdiction: str, months: list[str], now: datetime | None = None) -> dict[str, list[dict]]:
    """Reports of several months: frozen ones read from their rows, open ones computed in one pass."""
    out, open_months = {}, []
    for m in months:
        period = _period_read(jurisdiction, m)
        if period is not None and period.frozen_at is not None:
            out[m] = report(jurisdiction, m)
        else:
            open_months.append(m)
    if open_months:
        settings = settings_for(jurisdiction)
        for m, counts in compute_months(jurisdiction, open_months, now, settings).items():
            out[m] = [dict(r.as_dict(), frozen=False) for r in scoring.evaluate(counts, settings)]
    return out


def trend(jurisdiction: str, month: str, agency_id: int | None = None, months: int = 12) -> list[dict]:
    """Rates and score per month for the last `months` months: of one agency, or of the whole city
    (the city line sums the agencies' counts, then scores them as one)."""
    names = previous_months(month, months)
    by_month = reports(jurisdiction, names)
    settings = settings_for(jurisdiction)
    out = []
    for m in names:
        rows = by_month[m]
        if agency_id is not None:
            row = next((r for r in rows if r.get("agency_id") == agency_id), None)
            out.append({"month": m, **(row or {})})
            continue
        total = scoring.Counts(agency="")
        for r in rows:
            total = total + scoring.Counts(**{k: v for k, v in r["counts"].items()
                                              if k not in ("agency_id", "agency")})
        out.append({"month": m, **scoring.score_row(total, settings).as_dict()})
    return out


def breakdown(jurisdiction: str, month: str, by: str = "topic") -> list[dict]:
    """Appeals and dissatisfied ratings of the month by topic or by plan measure, most appeals first."""
    start, end = month_range(month)
    dissatisfied = (select(Rating.ticket_id, func.count(Rating.id).label("n"))
                    .where(Rating.satisfaction.in_(DISSATISFIED), Rating.auto.is_(False))
                    .group_by(Rating.ticket_id).subquery())
    if by == "measure":
        key = [Measure.id, Measure.number, Measure.title]
        base = select(*key, func.count(Ticket.id), func.coalesce(func.sum(dissatisfied.c.n), 0)).select_from(
            Ticket).join(Measure, Measure.id == Ticket.measure_id)
    else:
        key = [Ticket.topic]
        base = select(*key, func.count(Ticket.id), func.coalesce(func.sum(dissatisfied.c.n), 0)).select_from(Ticket)
    q = (base.outerjoin(dissatisfied, dissatisfied.c.ticket_id == Ticket.id)
         .where(Ticket.jurisdiction == jurisdiction, Ticket.created_at >= start, Ticket.created_at < end)
         .group_by(*key).order_by(func.count(Ticket.id).desc()).limit(50))
    out = []
    for row in reads().execute(q):
        if by == "measure":
            out.append({"measure_id": row[0], "number": row[1], "title": row[2],
                        "tickets": int(row[3]), "dissatisfied": int(row[4])})
        else:
            out.append({"topic": row[0], "tickets": int(row[1]), "dissatisfied": int(row[2])})
    return out


def breakdown_tickets(jurisdiction: str, month: str, *, topic: str | None = None,
                      measure_id: int | None = None, before_id: int | None = None,
                      limit: int = 50) -> list[Ticket]:
    """The tickets behind a breakdown line, newest first."""
    start, end = month_range(month)
    q = select(Ticket).where(Ticket.jurisdiction == jurisdiction, Ticket.created_at >= start,
                             Ticket.created_at < end)
    q = q.where(Ticket.topic == topic) if topic else q
    q = q.where(Ticket.measure_id == measure_id) if measure_id else q
    q = q.where(Ticket.id < before_id) if before_id else q
    return list(reads().scalars(q.order_by(Ticket.id.desc()).limit(limit)))


def worst_agency(jurisdiction: str, month: str) -> dict | None:
    """The ranked agency with the lowest score of the month."""
    ranked = [r for r in report(jurisdiction, month) if r.get("score") is not None]
    return ranked[-1] if ranked else None

