"""bulk.insert_rows, on whichever database the suite runs (unnest on PostgreSQL, executemany on
SQLite): every row stored as given, a conflicting row skipped, RETURNING only what was inserted."""
from datetime import UTC, datetime

from app.models import Escalation, Notification
from app.services import bulk, tickets
from tests.services.test_sweep import world  # noqa: F401  (the fixture: a city, an agency, file(at))


def test_rows_are_stored_as_given_and_a_conflict_is_skipped(world, db):  # noqa: F811
    t, a = world["file"](datetime(2025, 10, 9, 2, 0, tzinfo=UTC))
    at = datetime(2025, 10, 20, 3, 4, 5, tzinfo=UTC)
    row = {"assignment_id": a.id, "ticket_id": t.id, "agency_id": a.agency_id, "clock": "resolve", "fired_at": at}
    first = bulk.insert_rows(Escalation, [dict(row, level="remind"), dict(row, level="supervise")],
                             conflict=("assignment_id", "clock", "level"), returning=("assignment_id", "level"))
    assert sorted(first) == [(a.id, "remind"), (a.id, "supervise")]
    again = bulk.insert_rows(Escalation, [dict(row, level="remind"), dict(row, level="flag")],
                             conflict=("assignment_id", "clock", "level"), returning=("level",))
    assert again == [("flag",)]  # the remind row existed: skipped, not raised, not returned
    db.session.commit()
    stored = db.session.query(Escalation).filter_by(assignment_id=a.id).order_by(Escalation.level).all()
    assert [(e.level, e.fired_at) for e in stored] == [("flag", at), ("remind", at), ("supervise", at)]


def test_plain_rows_keep_nulls_texts_and_json(world, db):  # noqa: F811
    t, _a = world["file"](datetime(2025, 10, 9, 2, 0, tzinfo=UTC))
    clerk = world["staff"]["clerk"]
    assert bulk.insert_rows(Notification, []) == []
    bulk.insert_rows(Notification, [
        {"audience": "a:1", "except_user_id": None, "ticket_id": t.id, "kind": "k", "message": "工单“甲”：已催办",
         "created_at": datetime(2025, 10, 9, 3, 0, tzinfo=UTC)},
        {"audience": "a:1:clerk", "except_user_id": clerk.id, "ticket_id": None, "kind": "k", "message": "second",
         "created_at": datetime(2025, 10, 9, 3, 1, tzinfo=UTC)},
    ])
    rows = db.session.query(Notification).filter_by(kind="k").order_by(Notification.id).all()
    assert [(n.audience, n.except_user_id, n.ticket_id, n.message) for n in rows] == [
        ("a:1", None, t.id, "工单“甲”：已催办"), ("a:1:clerk", clerk.id, None, "second")]
    event = tickets.event_row(t, "escalate", None, at=datetime(2025, 10, 9, 4, 0, tzinfo=UTC),
                              internal=True, details={"level": "remind", "clock": "sign", "n": [1, 2]})
    tickets.record_many([event], {t.id: t})
    db.session.commit()
    db.session.expire_all()
    stored = [e for e in t.events if e.action == "escalate"][-1]
    assert stored.details == {"level": "remind", "clock": "sign", "n": [1, 2]}
    assert stored.internal is True and stored.from_state == stored.to_state == t.state
    assert stored.created_at == datetime(2025, 10, 9, 4, 0, tzinfo=UTC)
