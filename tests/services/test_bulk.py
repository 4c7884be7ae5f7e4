"""bulk.insert_rows and bulk.update_rows, on whichever database the suite runs (one JSON array of
rows on PostgreSQL, executemany on SQLite): every row stored as given, a conflicting row skipped,
RETURNING only what was inserted."""
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.models import Assignment, Escalation, Notification
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


def test_awkward_texts_and_other_offsets_survive(world, db):  # noqa: F811
    t, _a = world["file"](datetime(2025, 10, 9, 2, 0, tzinfo=UTC))
    texts = ['引号"与\\反斜杠\\n', "line\nbreak\ttab", '{"not": "json"}', "NULL", "", "😀 emoji"]
    shanghai = timezone(timedelta(hours=8))
    bulk.insert_rows(Notification, [
        {"audience": "a:9", "except_user_id": None, "ticket_id": t.id, "kind": "odd", "message": m,
         "created_at": datetime(2025, 10, 9, 11, i, tzinfo=shanghai)} for i, m in enumerate(texts)])
    rows = db.session.query(Notification).filter_by(kind="odd").order_by(Notification.id).all()
    assert [n.message for n in rows] == texts
    # 11:0i in Shanghai is 03:0i UTC: the same instant, whatever offset it was given in
    assert [n.created_at for n in rows] == [datetime(2025, 10, 9, 3, i, tzinfo=UTC) for i in range(len(texts))]


def test_a_naive_datetime_is_refused(world, db):  # noqa: F811
    t, _a = world["file"](datetime(2025, 10, 9, 2, 0, tzinfo=UTC))
    with pytest.raises(Exception, match="naive"):
        bulk.insert_rows(Notification, [{"audience": "a:9", "except_user_id": None, "ticket_id": t.id,
                                         "kind": "k", "message": "m", "created_at": datetime(2025, 10, 9, 3, 0)}])


def test_update_rows_writes_each_row_its_own_values(world, db):  # noqa: F811
    _t1, a1 = world["file"](datetime(2025, 10, 9, 2, 0, tzinfo=UTC))
    _t2, a2 = world["file"](datetime(2025, 10, 9, 2, 0, tzinfo=UTC))
    untouched = a2.sign_due_at
    bulk.update_rows(Assignment, [
        {"id": a1.id, "next_check_at": datetime(2025, 11, 1, 1, 0, tzinfo=UTC), "escalation_level": "flag"},
        {"id": a2.id, "next_check_at": None, "escalation_level": None},
    ])
    bulk.update_rows(Assignment, [])
    db.session.commit()
    db.session.expire_all()
    assert (a1.next_check_at, a1.escalation_level) == (datetime(2025, 11, 1, 1, 0, tzinfo=UTC), "flag")
    assert (a2.next_check_at, a2.escalation_level) == (None, None)
    assert a2.sign_due_at == untouched  # a column not named is left alone
