"""Where reports read: a read replica when `DATABASE_URL_REPLICA` is set, else the primary.

The monthly evaluation (ranking, drill-downs, trends, breakdowns, the CSV/Excel exports and the
API's report) is heavy, read-only and may lag the primary by a replica's delay, so it reads
through `reads()`. Everything that writes, or decides a write (freezing a month, checking whether
a month is frozen before an exclusion), uses the primary `db.session`; `primary()` makes a block
of report code read the primary too (freezing computes the figures it stores from the primary).

The replica session is one per application context (request, CLI command), closed at its
teardown, and refuses to flush or execute anything but a SELECT: writes never go to the replica.
"""
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from threading import Lock

from flask import current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.extensions import db

_engines: dict[str, Engine] = {}
_lock = Lock()
_on_primary: ContextVar[bool] = ContextVar("reports_on_primary", default=False)


def url() -> str | None:
    """The replica's URL, if one is configured."""
    return current_app.config.get("SQLALCHEMY_REPLICA_URI") or None


def _engine(replica_url: str) -> Engine:
    with _lock:
        engine = _engines.get(replica_url)
        if engine is None:
            engine = _engines[replica_url] = create_engine(replica_url, pool_pre_ping=True)
        return engine


def _refuse_flush(session, flush_context, instances) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("the report replica is read-only: write through db.session")


def _refuse_writes(orm_execute_state) -> None:
    if not orm_execute_state.is_select:
        raise RuntimeError("the report replica is read-only: write through db.session")


def reads() -> Session:
    """The session reports read with: the replica's (per app context) or the primary's."""
    replica_url = url()
    if replica_url is None or _on_primary.get():
        return db.session
    session = g.get("_replica_session")
    if session is None:
        session = Session(bind=_engine(replica_url), autoflush=False, expire_on_commit=False)
        event.listen(session, "before_flush", _refuse_flush)
        event.listen(session, "do_orm_execute", _refuse_writes)
        g._replica_session = session
    return session


@contextmanager
def primary() -> Iterator[None]:
    """Inside this block `reads()` is the primary's session (figures that will be stored)."""
    token = _on_primary.set(True)
    try:
        yield
    finally:
        _on_primary.reset(token)


def init_app(app) -> None:
    @app.teardown_appcontext
    def _close(_exc=None) -> None:
        session = g.pop("_replica_session", None)
        if session is not None:
            session.close()
