"""Idempotency of POSTs: a retried request (a double click on the filing form, a client that
lost the answer and sends again) changes nothing the second time and gets the first answer.

The record is added to the session *before* the use case runs, so it is committed in the same
transaction as the change itself; a concurrent duplicate collides on the unique (scope, key)
and is answered from the record the first one wrote. A refused use case rolls back and takes
the record with it, so the caller may correct the request and try again with the same key.
"""
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import IdempotencyRecord, utcnow
from app.services import N_, ServiceError

KEY_MAX = 100
KEEP_DAYS = 7  # a retry later than this is a new request (the records are pruned)


class IdempotencyError(ServiceError):
    """The key was already used for a different request, or that request is still running."""


@dataclass
class Replay:
    """The answer the first request with this key got."""

    status: int | None
    response: dict | None
    ticket_id: int | None


def fingerprint(*parts) -> str:
    """A stable digest of what makes two requests "the same" (method, path, body …)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def valid_key(key: str | None) -> bool:
    """A key is 1–100 printable ASCII characters."""
    return bool(key) and len(key) <= KEY_MAX and key.isascii() and key.isprintable()


def _existing(scope: str, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.scope == scope,
                                                             IdempotencyRecord.key == key))


def _replay(record: IdempotencyRecord, fp: str) -> Replay:
    if record.fingerprint != fp:
        raise IdempotencyError(N_("该幂等键已用于另一个不同的请求，请换一个新的幂等键"), code="idempotency_mismatch")
    if record.status is None and record.ticket_id is None:
        raise IdempotencyError(N_("相同的请求正在处理中，请稍后查看结果，不要重复提交"), code="idempotency_busy")
    return Replay(record.status, record.response, record.ticket_id)


def replay_of(scope: str, key: str | None, fp: str) -> Replay | None:
    """The stored answer when this (scope, key) already ran; None when it has not (or the key is bad).

    Raises IdempotencyError when the key was used for a different request or is still running."""
    if not valid_key(key):
        return None
    found = _existing(scope, key)
    return _replay(found, fp) if found is not None else None


def run(scope: str, key: str, fp: str, call: Callable[[IdempotencyRecord], object]):
    """Run `call(record)` once per (scope, key); returns (result, None) the first time and
    (None, Replay) for a repeat. `call` must commit (the services do), which writes the record.

    Raises IdempotencyError when the key was used for another request or is still in flight.
    """
    _check_key(key)
    found = _existing(scope, key)
    if found is not None:
        return None, _replay(found, fp)
    return _first(scope, key, fp, call)


def _check_key(key: str | None) -> None:
    if not valid_key(key):
        raise IdempotencyError(N_("幂等键应为1到100个可打印的ASCII字符"), code="idempotency_key")


def _first(scope: str, key: str, fp: str, call: Callable[[IdempotencyRecord], object]):
    """`call(record)` as the first request of (scope, key); a concurrent duplicate that commits
    first makes this one's record break the unique key, and this one answers as its replay."""
    record = IdempotencyRecord(scope=scope, key=key, fingerprint=fp, created_at=utcnow())
    db.session.add(record)
    try:
        result = call(record)
    except IntegrityError:
        # A concurrent duplicate committed first; answer from its record (if it is ours that broke).
        db.session.rollback()
        found = _existing(scope, key)
        if found is None:
            raise
        return None, _replay(found, fp)
    except Exception:
        db.session.rollback()  # a refusal: nothing was written, the key stays free
        raise
    return result, None


def finish(record: IdempotencyRecord, status: int, response: dict | None = None,
           ticket_id: int | None = None) -> None:
    """Store the answer of the first request on its record (when the change was committed)."""
    if record not in db.session or record.id is None:
        return  # refused and rolled back: nothing to remember
    record.status = status
    record.response = response
    if ticket_id is not None:
        record.ticket_id = ticket_id
    db.session.commit()


def discard(record: IdempotencyRecord) -> None:
    """Forget a record that was never committed (the request was refused before any change)."""
    if record in db.session and record.id is None:
        db.session.expunge(record)


def prune(now=None) -> int:
    """Delete records older than KEEP_DAYS; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=KEEP_DAYS)
    n = db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)).rowcount
    db.session.commit()
    return n


def file_once(scope: str, key: str, fp: str, file: Callable[[Callable], object]):
    """`run` for the filing form, which has asked `replay_of` already (before showing the business
    its similar tickets), so the key is not looked up twice; a repeat that comes in between is
    caught by the unique key. `file(also)` files the ticket, passing `also` to the filing service
    (tickets.file_for), which calls it with the ticket before its first flush: the record is
    written once, with the ticket, in the filing's own transaction. Returns (ticket, None) the
    first time and (None, Replay with ticket_id) for a repeat."""

    def call(record):
        def keep(ticket) -> None:
            record.status = 201
            record.ticket = ticket

        return file(keep)

    _check_key(key)
    return _first(scope, key, fp, call)
