"""Races on extension requests (issue 11, "Races"): two clerks ask at once, two supervisors decide
the same request at once. Two real sessions (two connections, as test_concurrency.py); the second
actor runs in full between the first one's checks and its writes — the interleaving of a race.
Expected: one success and one clear conflict message, one request / one decision stored."""
import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from app.models import Assignment, ExtensionRequest, Ticket, TicketEvent, User
from app.services import Conflict, ServiceError, handling, supervision
from app.services import tickets as core
from tests.worlds import World, route_to


@pytest.fixture
def w(make_city, make_user, db, monkeypatch):
    world = World(make_city, make_user)
    world.supervisor_b = make_user("supervisor", username="supervisor_ly2")
    route_to(monkeypatch)
    t = world.file()
    handling.sign(world.clerk, t.id)
    world.ticket_id = t.id
    return world


def _race(db, monkeypatch, module, name, first, second):
    """Run `first(session)`; when it reaches module.name, run `second(session)` to its end first."""
    db.session.remove()
    Session = sessionmaker(bind=db.engine)
    s1, s2 = Session(), Session()
    assert s1.connection() is not s2.connection()
    real = getattr(module, name)
    outcomes = {}
    state = {"fired": False}

    def run(label, fn, session):
        monkeypatch.setattr(db, "session", session)
        try:
            fn(session)
            outcomes[label] = "ok"
        except Conflict as exc:
            outcomes[label] = str(exc)
        except ServiceError as exc:  # a refusal that is not the race's conflict message
            outcomes[label] = "refused: " + str(exc)

    def hooked(*args, **kwargs):
        result = real(*args, **kwargs) if name == "_pending" else None
        if not state["fired"]:
            state["fired"] = True
            run("second", second, s2)
            monkeypatch.setattr(db, "session", s1)
        return result if name == "_pending" else real(*args, **kwargs)

    monkeypatch.setattr(module, name, hooked)
    try:
        run("first", first, s1)
    finally:
        monkeypatch.setattr(module, name, real)
        monkeypatch.undo()
        s1.close()
        s2.close()
    db.session.remove()
    return outcomes


def test_two_extension_requests_at_once(w, db, monkeypatch):
    ids = (w.clerk.id, w.clerk_b.id)

    def ask(user_id, days):
        return lambda s: supervision.request_extension(s.get(User, user_id), w.ticket_id, days, "需要会商")

    # core.apply is the first write of request_extension, after its checks
    outcomes = _race(db, monkeypatch, core, "apply", ask(ids[0], 3), ask(ids[1], 5))
    assert outcomes["second"] == "ok"
    assert "已有待审批的延期申请" in outcomes["first"] and "refused" not in outcomes["first"]
    rows = db.session.scalars(select(ExtensionRequest).where(ExtensionRequest.ticket_id == w.ticket_id)).all()
    assert [(r.state, r.days) for r in rows] == [("pending", 5)]
    assert db.session.query(TicketEvent).filter_by(ticket_id=w.ticket_id, action="request_extension").count() == 1


def test_two_grants_of_one_request_at_once(w, db, monkeypatch):
    req = supervision.request_extension(w.clerk, w.ticket_id, 3, "需要跨部门会商")
    due_before = db.session.get(Assignment, req.assignment_id).resolve_due_at
    req_id, sups = req.id, (w.supervisor.id, w.supervisor_b.id)
    loaded = []

    def grant(user_id, days):
        def call(s):
            # what the supervisor's page loaded before the click (held: the identity map is weak)
            loaded.append(list(s.get(Ticket, w.ticket_id).assignments))
            return supervision.decide_extension(s.get(User, user_id), req_id, grant=True, days=days,
                                                note="同意延期")
        return call

    outcomes = _race(db, monkeypatch, supervision, "_pending", grant(sups[0], 3), grant(sups[1], 2))
    assert outcomes["second"] == "ok"
    assert "刚被其他人审批过" in outcomes["first"]
    fresh = db.session.get(ExtensionRequest, req_id)
    assert (fresh.state, fresh.granted_days, fresh.decided_by_id) == ("granted", 2, sups[1])
    assert db.session.query(TicketEvent).filter_by(ticket_id=w.ticket_id, action="decide_extension").count() == 1
    a = db.session.get(Assignment, fresh.assignment_id)
    assert a.extension_days == 2 and a.resolve_due_at > due_before
    assert db.session.get(Ticket, w.ticket_id).state == "in_progress"
