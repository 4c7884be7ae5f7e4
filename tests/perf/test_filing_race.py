"""Two first filings of a city-day at the same instant, in two real PostgreSQL connections:
both succeed, with different numbers (the numbering takes no lock held across routing)."""
import threading

import pytest

from app.domain.routing.models import Decision
from app.extensions import db as _db
from app.models import Ticket, User
from app.services import tickets as core
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")


def test_two_first_filings_of_a_day_both_succeed(app, db, make_city, make_user, monkeypatch):
    make_city(agencies=("市市场监管局",))
    ids = [make_user("enterprise").id, make_user("enterprise").id]
    db.session.remove()
    # Both filings reach the router (after numbering) before either goes on: the race of two
    # first filings of the day. A filing blocked inside numbering never arrives, so the wait
    # is bounded and the other goes on alone.
    barrier = threading.Barrier(2, timeout=3)

    def decide(jurisdiction, title, text, topic=None):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return Decision(jurisdiction=jurisdiction, agency="市市场监管局", co_agencies=(), measure=None,
                        confidence=0.9, to_dispatch=False, explanation="测试")

    monkeypatch.setattr("app.services.routing.decide", decide)
    results: dict[int, object] = {}

    def file(user_id):
        with app.app_context():
            try:
                user = _db.session.get(User, user_id)
                t = core.file_ticket(user, kind="complaint", topic="inspection", title="检查过多",
                                     description="一个月内被不同部门检查了五次,影响经营。")
                results[user_id] = t.number
            except Exception as exc:  # the failure under test: a UniqueViolation (a 500 on the web)
                results[user_id] = exc
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=file, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    numbers = [results.get(i) for i in ids]
    assert all(isinstance(n, str) for n in numbers), numbers
    assert len(set(numbers)) == 2
    assert db.session.query(Ticket).count() == 2
