"""End the suspensions of tickets that left 挂起 other than by resuming

Until now only 恢复办理 ended a suspension; a ticket transferred (or merged, terminated, withdrawn)
while suspended kept it open, and an open suspension pauses every clock of the ticket, so the new
agency's clocks never ran and the sweep never looked at them again. Each such suspension ends when
its ticket left 挂起 (the first event after it began that moved the ticket out of that state), and
the ticket's active assignments are due for the sweep at once, which stores their deadlines and next
check again from the closed pauses.

Revision ID: 0017_end_stale_suspensions
Revises: 0016_users_indexes
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0017_end_stale_suspensions"
down_revision = "0016_users_indexes"
branch_labels = None
depends_on = None

STALE = ("SELECT s.ticket_id FROM suspensions s JOIN tickets t ON t.id = s.ticket_id "
         "WHERE s.ended_at IS NULL AND t.state <> 'suspended'")


def upgrade():
    bind = op.get_bind()
    now = sa.bindparam("now", value=datetime.now(UTC), type_=sa.DateTime(timezone=True))
    bind.execute(sa.text(f"UPDATE assignments SET next_check_at = :now "
                         f"WHERE active = :yes AND ticket_id IN ({STALE})").bindparams(now, yes=True))
    bind.execute(sa.text(
        "UPDATE suspensions SET ended_at = COALESCE((SELECT min(e.created_at) FROM ticket_events e "
        "WHERE e.ticket_id = suspensions.ticket_id AND e.from_state = 'suspended' "
        "AND e.to_state <> 'suspended' AND e.created_at >= suspensions.started_at), suspensions.started_at) "
        "WHERE ended_at IS NULL AND ticket_id IN (SELECT id FROM tickets WHERE state <> 'suspended')"))


def downgrade():
    pass  # the ended suspensions stay ended: reopening them would stop those clocks again
