"""A suspension the agency started on its own ends by itself at the cap (5 working days in total)

`suspensions.ends_by`: the instant a suspension ends by itself, set when it starts; NULL for one the
supervision office approved beyond the cap, and for those open before this revision.

Revision ID: 0019_suspension_ends_by
Revises: 0018_notification_source
"""
import sqlalchemy as sa
from alembic import op

revision = "0019_suspension_ends_by"
down_revision = "0018_notification_source"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("suspensions") as batch:
        batch.add_column(sa.Column("ends_by", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_suspensions_ends_by", ["ends_by"])


def downgrade():
    with op.batch_alter_table("suspensions") as batch:
        batch.drop_index("ix_suspensions_ends_by")
        batch.drop_column("ends_by")
