"""Notifications keep the marked message they were filled from, so the inbox shows them in English

Revision ID: 0018_notification_source
Revises: 0017_end_stale_suspensions
"""
import sqlalchemy as sa
from alembic import op

revision = "0018_notification_source"
down_revision = "0017_end_stale_suspensions"
branch_labels = None
depends_on = None


def upgrade():
    # nullable, no default: on PostgreSQL a catalog change only, whatever the table's size
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("message_source", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("message_source")
