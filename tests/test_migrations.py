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
