"""/admin/sla edits the escalation ladder per city × kind × urgency

Revision ID: 0015_sla_page
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_sla_page"
down_revision = "0012_hardening"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sla_policies") as batch:
        batch.add_column(sa.Column("ladder", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("sla_policies") as batch:
        batch.drop_column("ladder")
