"""Optimistic locking: two clerks sign the same ticket at once in two real sessions
(two connections); exactly one succeeds and the other gets a Conflict."""
from sqlalchemy.orm import sessionmaker

from app.models import Ticket, TicketEvent, User
from app.services import Conflict, handling


def test_two_sessions_sign_at_once(w, db, monkeypatch):
    ticket_id, clerk_ids = w.file().id, (w.clerk.id, w.clerk_b.id)
    db.session.remove()  # nothing shared with the sessions below
    Session = sessionmaker(bind=db.engine)
    s1, s2 = Session(), Session()
    try:
        # Both sessions read the ticket (version 1) before either writes: the race.
        versions = []
        for s in (s1, s2):
            ticket = s.get(Ticket, ticket_id)
            assert ticket.state == "dispatched"
            versions.append(ticket.version)
            ticket.assignments  # noqa: B018  (loaded now, as a page would have)
        assert versions[0] == versions[1]
        clerk1, clerk2 = s1.get(User, clerk_ids[0]), s2.get(User, clerk_ids[1])
        assert s1.connection() is not s2.connection()

        outcomes = []
        for session, clerk in ((s1, clerk1), (s2, clerk2)):
            # The services use db.session: point it at this connection's session.
            monkeypatch.setattr(db, "session", session)
            try:
                handling.sign(clerk, ticket_id)
                outcomes.append("ok")
            except Conflict as exc:
                outcomes.append("conflict")
                assert "刚被其他人处理过" in str(exc)
        monkeypatch.undo()
    finally:
        s1.close()
        s2.close()
    assert sorted(outcomes) == ["conflict", "ok"]
    db.session.remove()
    fresh = db.session.get(Ticket, ticket_id)
    assert fresh.state == "in_progress" and fresh.version == versions[0] + 1
    assert db.session.query(TicketEvent).filter_by(ticket_id=ticket_id, action="sign").count() == 1
