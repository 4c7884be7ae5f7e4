"""The schema the migrations build is the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from app.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], f"models changed without a migration: {diff}"


def test_history_is_append_only_in_the_database(app, make_city, make_user):
    from app.models import Ticket, TicketEvent

    city, agencies = make_city()
    user = make_user()
    t = Ticket(number="LY20261121-000001", jurisdiction="liaoyuan", enterprise_id=user.enterprise_id,
               kind="help", topic="other", title="t", description="d" * 20, state="submitted")
    db.session.add(t)
    db.session.flush()
    db.session.add(TicketEvent(ticket_id=t.id, actor_role="system", action="file"))
    db.session.commit()
    for statement in ("UPDATE ticket_events SET note = 'x'", "DELETE FROM ticket_events"):
        with db.engine.connect() as conn:
            try:
                conn.execute(text(statement))
                conn.commit()
                changed = True
            except Exception as exc:  # the trigger aborts the statement
                assert "append-only" in str(exc)
                changed = False
        assert not changed, statement
    assert db.session.query(TicketEvent).count() == 1


def test_0017_ends_the_suspensions_left_open_by_a_transfer(app, make_city, make_user, monkeypatch):
    """Data written before 0017: a ticket transferred while suspended kept its suspension open (its
    new agency's clocks paused for good). The migration ends it when the ticket left 挂起 and puts
    the ticket's active assignment before the sweep."""
    from datetime import UTC, datetime

    from flask_migrate import downgrade, upgrade

    from app.models import Assignment, Suspension, TicketEvent
    from app.services import handling
    from app.services import supervision as sv
    from tests.worlds import World, route_to

    w = World(make_city, make_user)
    route_to(monkeypatch)
    t = w.file()
    handling.sign(w.clerk, t.id)
    handling.suspend(w.clerk, t.id, "请补充检查通知书")
    sv.transfer(w.supervisor, t.id, w.sw.id, "属于税务部门职责")
    # as the code before 0017 left it: the suspension open, the new assignment never checked
    db.session.query(Suspension).filter_by(ticket_id=t.id).update({"ended_at": None})
    db.session.query(Assignment).filter_by(ticket_id=t.id, active=True).update({"next_check_at": None})
    db.session.commit()
    left = db.session.query(TicketEvent).filter_by(ticket_id=t.id, action="transfer").one().created_at
    before = datetime.now(UTC)
    downgrade(revision="0016_users_indexes")
    upgrade()
    db.session.expire_all()
    assert db.session.query(Suspension).filter_by(ticket_id=t.id).one().ended_at == left
    lead = db.session.query(Assignment).filter_by(ticket_id=t.id, active=True).one()
    assert lead.next_check_at is not None and lead.next_check_at >= before.replace(microsecond=0)
