"""The periodic SLA jobs: the escalation sweep, auto-closing unrated replies, sending the outbox.

Guarantees of `sweep` (see docs/sla.md):

* it reads only assignments whose indexed `next_check_at` has passed, so its
  cost follows what is due, not what is open;
* each level of each clock fires exactly once: the Escalation insert is
  ``ON CONFLICT DO NOTHING`` on UNIQUE(assignment_id, clock, level), and only
  a row actually inserted produces the TicketEvent and the notifications;
* it commits in small batches, so a crash loses at most the uncommitted
  batch, which the next sweep redoes (nothing is doubled, nothing lost);
* on PostgreSQL each batch is selected ``FOR UPDATE SKIP LOCKED``, so two
  scheduler processes share the due set instead of fighting over it.
"""
import logging
import os
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.domain import Message, workflow
from app.domain import sla as domain_sla
from app.extensions import db
from app.models import (
    Assignment,
    Escalation,
    Notification,
    OutboxEmail,
    Rating,
    Setting,
    SupervisionNotice,
    Suspension,
    Ticket,
    utcnow,
)
from app.services import N_, bulk, clocks, commit, notifications, tickets

log = logging.getLogger(__name__)
BATCH = 250
COUNT_AUTO_RATINGS = "evaluation.count_auto_ratings"
#: Calendar days after the reply within which the business may rate and, if dissatisfied, ask
#: for a reopen; then the ticket closes by itself (Nanchong practice: 10 days). Per jurisdiction.
RATING_WINDOW_DAYS = "sla.rating_window_days"

#: Test hook: `SLA_SWEEP_CRASH_AFTER=N` makes the process die (os._exit) once N assignments are
#: processed, after writing the open batch and before committing it.
_CRASH_ENV = "SLA_SWEEP_CRASH_AFTER"

#: The assignment columns a sweep may change (clocks.apply_clocks and the escalation level), written
#: in one UPDATE per batch; a column missing here would still be written, by the unit of work.
_SWEPT = ("sign_due_at", "contact_due_at", "resolve_due_at", "deadline_provisional", "next_check_at",
          "escalation_level")

CLOCK_LABELS = {"sign": N_("签收"), "contact": N_("联系企业"), "resolve": N_("办理"), "order": N_("督办单")}


def _insert_escalations(rows: list[dict]) -> set[tuple[int, str, str]]:
    """One multi-row INSERT … ON CONFLICT DO NOTHING RETURNING; the (assignment, clock, level) inserted.

    A row another process inserted first is skipped, never raised.
    """
    return set(bulk.insert_rows(Escalation, rows, conflict=("assignment_id", "clock", "level"),
                                returning=("assignment_id", "clock", "level")))


def _insert_escalation(values: dict) -> bool:
    """Insert one Escalation unless it exists; True when this call inserted it."""
    return bool(_insert_escalations([values]))


class _Recipients:
    """Who hears about each level; their email addresses cached for one sweep."""

    def __init__(self):
        self.emails: dict = {}

    def for_level(self, level: str, a: Assignment) -> list:
        jur = a.ticket.jurisdiction
        if level == "remind":
            return [notifications.to_agency(a.agency_id, "clerk")]
        supervisors = notifications.to_city(jur, "supervisor")
        if level in ("supervise", "interview", "notice"):
            return [notifications.to_agency(a.agency_id, "agency_admin"), supervisors]
        return [supervisors]  # flag: listed on the supervisors' board


def _message(level: str, clock: str, ticket: Ticket, due: datetime, cal) -> Message:
    local = due.astimezone(cal.tz)
    return Message(N_("工单 %(n)s %(level)s：%(clock)s时限 %(due)s"), n=ticket.number,
                   level=Message(domain_sla.LEVEL_LABELS[level]), clock=Message(CLOCK_LABELS[clock]),
                   due=local.strftime("%Y-%m-%d %H:%M"))


def _process_batch(rows: list[Assignment], now: datetime, pauses: dict, fired: dict, orders: dict,
                   ctx: dict, recipients: _Recipients) -> int:
    """Fire the newly due levels of a batch of assignments; store their deadlines and next checks."""
    computed = []
    candidates = []
    by_assignment: dict[int, list[dict]] = {}
    for a in rows:
        ticket = a.ticket
        key = (ticket.jurisdiction, ticket.kind, bool(ticket.urgent))
        if key not in ctx:
            ctx[key] = (clocks.calendar_for(ticket.jurisdiction), clocks.policy_for(ticket))
        cal, policy = ctx[key]
        c = clocks.Clocks(a, cal, policy, pauses.get(a.ticket_id, []), orders.get(a.id))
        done = fired.setdefault(a.id, set())
        mine = by_assignment[a.id] = []
        for clock, level in c.due_levels(now):
            if (clock, level) not in done:
                mine.append({"assignment_id": a.id, "ticket_id": ticket.id, "agency_id": a.agency_id,
                             "level": level, "clock": clock, "fired_at": now})
        candidates.extend(mine)
        computed.append((a, c, done))
    notes: list[dict] = []
    emails: list[dict] = []
    events: list[dict] = []
    # the assignments changed below must not be flushed before the insert (nor after: see below)
    with db.session.no_autoflush:
        inserted = _insert_escalations(candidates)
        for a, c, done in computed:
            for row in by_assignment[a.id]:
                clock, level = row["clock"], row["level"]
                done.add((clock, level))  # inserted here, or by another process first
                if (a.id, clock, level) not in inserted:
                    continue
                due = c.due_of(clock)
                events.append(tickets.event_row(a.ticket, "escalate", None, at=now, assignment_id=a.id,
                                                agency_id=a.agency_id, internal=True,
                                                details={"level": level, "clock": clock}))
                notifications.notify(recipients.for_level(level, a), a.ticket, f"escalate_{level}",
                                     _message(level, clock, a.ticket, due, c.cal), bulk=(notes, emails),
                                     emails_cache=recipients.emails, at=now)
            if done:
                a.escalation_level = max((lvl for _, lvl in done), key=domain_sla.LADDER.index)
            clocks.apply_clocks(a, c, now, done, full=False)
        # The new deadlines and next checks go in one UPDATE, and the objects keep them as already
        # stored: the unit of work would write the 1 000 objects of a sweep one statement each, at
        # more cost than the database's own.
        swept = [{"id": a.id, **{k: getattr(a, k) for k in _SWEPT}} for a in rows]
        for a, values in zip(rows, swept, strict=True):
            for k in _SWEPT:
                set_committed_value(a, k, values[k])
        bulk.update_rows(Assignment, swept)
    # Events and notifications as multi-row inserts of plain rows (the rows tickets.record and
    # notifications.notify would add one by one): at 1 000 escalations per sweep the ORM unit of
    # work and the driver's parsing of executemany statements were the largest costs.
    tickets.record_many(events, {a.ticket_id: a.ticket for a in rows})
    bulk.insert_rows(Notification, notes)
    bulk.insert_rows(OutboxEmail, emails)
    return len(inserted)


def sweep(now: datetime | None = None, limit: int = 1000, batch: int = BATCH) -> dict:
    """Fire the escalation levels that have come due (at most `limit` assignments, oldest first).

    Returns {"checked", "fired", "failed"}. Commits every `batch` assignments. A batch that fails
    is rolled back and done again one assignment at a time; one that still fails is logged and
    looked at again after RETRY_FAILED (`failed`), so it cannot stop the sweep for every other.
    """
    now = now or utcnow()
    crash_after = int(os.environ.get(_CRASH_ENV) or 0)
    ctx: dict = {}
    recipients = _Recipients()
    checked = fired_total = failed = 0
    while checked < limit:
        rows = _due(now, min(batch, limit - checked))
        if not rows:
            break
        ids = [a.id for a in rows]
        checked += len(rows)
        try:
            fired_total += _process_batch(rows, now, *_batch_facts(rows), ctx, recipients)
            if crash_after and checked >= crash_after:
                db.session.flush()
                os._exit(17)  # simulated crash after writing, before the commit: the batch is lost whole
            commit()
        except Exception:  # noqa: BLE001 — find the assignment at fault and sweep the rest
            db.session.rollback()
            log.exception("sweep: a batch of %s assignments failed; sweeping them one by one", len(ids))
            one_by_one = _sweep_each(ids, now, ctx, recipients)
            fired_total += one_by_one["fired"]
            failed += one_by_one["failed"]
        if len(rows) < batch:
            break
    return {"checked": checked, "fired": fired_total, "failed": failed}


#: How long an assignment whose sweep failed waits before it is looked at again.
RETRY_FAILED = timedelta(hours=1)


def _due(now: datetime, limit: int, only: int | None = None) -> list[Assignment]:
    """The assignments whose next check is due, oldest first (on PostgreSQL locked, skipping those
    another scheduler holds); `only`: that one assignment, if it is due."""
    q = (select(Assignment).where(Assignment.next_check_at <= now)
         .order_by(Assignment.next_check_at, Assignment.id).limit(limit)
         .options(selectinload(Assignment.ticket).options(*tickets.WITHOUT_TEXTS)))
    if only is not None:
        q = q.where(Assignment.id == only)
    if db.session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True, of=Assignment)
    return list(db.session.scalars(q))


def _batch_facts(rows: list[Assignment]) -> tuple[dict, dict, dict]:
    """What a batch's clocks need besides the rows: their tickets' suspensions, the levels already
    fired and the latest 督办单 deadline of each assignment."""
    ids = [a.id for a in rows]
    pauses: dict[int, list] = {}
    for tid, s, e in db.session.execute(select(Suspension.ticket_id, Suspension.started_at, Suspension.ended_at)
                                        .where(Suspension.ticket_id.in_({a.ticket_id for a in rows}))):
        pauses.setdefault(tid, []).append((s, e))
    fired: dict[int, set] = {}
    for aid, clock, level in db.session.execute(select(Escalation.assignment_id, Escalation.clock,
                                                       Escalation.level).where(Escalation.assignment_id.in_(ids))):
        fired.setdefault(aid, set()).add((clock, level))
    orders: dict[int, datetime] = {}
    for aid, due in db.session.execute(select(SupervisionNotice.assignment_id, SupervisionNotice.due_at)
                                       .where(SupervisionNotice.assignment_id.in_(ids))
                                       .order_by(SupervisionNotice.id)):
        orders[aid] = due  # the latest order wins
    return pauses, fired, orders


def _sweep_each(ids: list[int], now: datetime, ctx: dict, recipients: _Recipients) -> dict:
    """Sweep these assignments one per transaction; put off (RETRY_FAILED) each one that fails."""
    fired = failed = 0
    for aid in ids:
        rows = _due(now, 1, only=aid)
        if not rows:
            continue  # another scheduler took it meanwhile, or it is no longer due
        try:
            fired += _process_batch(rows, now, *_batch_facts(rows), ctx, recipients)
            commit()
        except Exception:  # noqa: BLE001 — logged; the others go on
            db.session.rollback()
            failed += 1
            log.exception("sweep: assignment %s failed; it is looked at again in %s", aid, RETRY_FAILED)
            db.session.execute(update(Assignment).where(Assignment.id == aid)
                               .values(next_check_at=now + RETRY_FAILED))
            commit()
    return {"fired": fired, "failed": failed}


# --- settings -------------------------------------------------------------------------------------

def setting(key: str, jurisdiction: str | None = None, default=None):
    """A setting's value for a jurisdiction, else the global ("*") one, else `default`."""
    for j in ([jurisdiction] if jurisdiction else []) + ["*"]:
        row = db.session.get(Setting, (key, j))
        if row is not None:
            value = row.value
            return value.get("value", default) if isinstance(value, dict) else value
    return default


def count_auto_ratings(jurisdiction: str | None = None) -> bool:
    """Whether evaluations count automatic ratings (Setting `evaluation.count_auto_ratings`, default true)."""
    return bool(setting(COUNT_AUTO_RATINGS, jurisdiction, True))


# --- auto close -----------------------------------------------------------------------------------

def rating_window_days(jurisdiction: str | None) -> int:
    """The rating window of a jurisdiction in calendar days (Setting `sla.rating_window_days`,
    default 10): rate, or ask for a reopen after a dissatisfied rating, within it; then auto-close."""
    value = setting(RATING_WINDOW_DAYS, jurisdiction, workflow.RATING_WINDOW_DAYS)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 \
        else workflow.RATING_WINDOW_DAYS


def days_since(at: datetime | None, now: datetime) -> float:
    """Calendar days from `at` to `now` (0 when `at` is unknown)."""
    return 0.0 if at is None else (now - at).total_seconds() / 86400


def auto_close(now: datetime | None = None, limit: int = 1000) -> dict:
    """Close replied tickets the business has not rated within its jurisdiction's rating window,
    with an automatic "resolved, satisfied" rating (Rating.auto). The assignments leave the
    agencies' queues. One commit per ticket: a concurrent rating wins (`conflicts`), and one that
    fails otherwise is rolled back and logged (`failed`; tried again next run) without stopping
    the others."""
    from app.services import Conflict

    now = now or utcnow()
    jurisdictions = list(db.session.scalars(
        select(Ticket.jurisdiction).where(Ticket.state == "replied").distinct()))
    ids: list[int] = []
    for jur in sorted(jurisdictions):
        cutoff = now - timedelta(days=rating_window_days(jur))
        ids += db.session.scalars(
            select(Ticket.id).where(Ticket.jurisdiction == jur, Ticket.state == "replied",
                                    Ticket.replied_at < cutoff)
            .order_by(Ticket.replied_at, Ticket.id).limit(limit - len(ids)))
        if len(ids) >= limit:
            break
    closed = conflicts = failed = 0
    for tid in ids:
        try:
            closed += _auto_close_one(tid, now)
        except Conflict:
            conflicts += 1
        except Exception:  # noqa: BLE001 — one bad ticket must not stop the hourly job for every other
            db.session.rollback()
            failed += 1
            log.exception("ticket %s: could not close it automatically", tid)
    return {"closed": closed, "conflicts": conflicts, "failed": failed}


def _auto_close_one(tid: int, now: datetime) -> int:
    """Close one replied ticket with the automatic rating and commit; 0 if it is no longer replied."""
    ticket = db.session.get(Ticket, tid)
    if ticket is None or ticket.state != "replied":
        return 0
    window = rating_window_days(ticket.jurisdiction)
    lead = tickets.lead_assignment(ticket)
    if lead is None:
        lead = next((a for a in reversed(ticket.assignments) if a.role == "lead"), None)
    tickets.apply(ticket, "auto_close", None, at=now,
                  context={"days_since_reply": days_since(ticket.replied_at, now),
                           "rating_window_days": window},
                  details={"days": window, "auto_rating": True})
    db.session.add(Rating(ticket=ticket, assignment_id=lead.id if lead else None,
                          agency_id=lead.agency_id if lead else ticket.lead_agency_id,
                          cycle=ticket.reopen_count, resolved=True, satisfaction="satisfied",
                          auto=True, channel="auto", created_at=now))
    ticket.closed_at = now
    close_assignments(ticket, now)
    commit()
    return 1


def close_assignments(ticket: Ticket, at: datetime) -> None:
    """A closed ticket leaves every queue: its active assignments end, keeping their end state
    (replied, opinion …), and their clocks stop."""
    for a in tickets.active_assignments(ticket):
        a.active = False
        a.ended_at = at
        clocks.stop(a, at)


# --- outbox ---------------------------------------------------------------------------------------

def send_outbox(limit: int = 100) -> dict:
    """Send unsent OutboxEmail rows via SMTP when SMTP_HOST is configured; otherwise leave them queued."""
    host = current_app.config.get("SMTP_HOST")
    if not host:
        return {"sent": 0, "failed": 0, "queued": True}
    rows = list(db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < 5)
        .order_by(OutboxEmail.id).limit(limit)
    ))
    sent = failed = 0
    if rows:
        try:
            smtp = smtplib.SMTP(host, current_app.config.get("SMTP_PORT", 25), timeout=30)
        except OSError as exc:
            for row in rows:
                row.attempts += 1
                row.last_error = str(exc)[:500]
            commit()
            return {"sent": 0, "failed": len(rows), "queued": False}
        with smtp:
            for row in rows:
                row.attempts += 1
                try:
                    smtp.send_message(_email(row))
                    row.sent_at = utcnow()
                    sent += 1
                # A refused address, a dropped connection or a header the email package refuses: this
                # row counts an attempt (it stops after 5) and the others are still sent.
                except (smtplib.SMTPException, OSError, ValueError) as exc:
                    row.last_error = str(exc)[:500] or type(exc).__name__
                    failed += 1
                commit()  # each row as it goes: a crash later in the batch sends nothing twice
    return {"sent": sent, "failed": failed, "queued": False}


def _email(row: OutboxEmail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config.get("SMTP_SENDER", "desk@localhost")
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg.set_content(row.body)
    return msg
