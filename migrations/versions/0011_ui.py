"""the SLA policy change log of /admin/sla

Revision ID: 0011
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sla_policy_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["jurisdiction"], ["jurisdictions.code"],
                                name=op.f("fk_sla_policy_changes_jurisdiction_jurisdictions")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_sla_policy_changes_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policy_changes")),
    )


def downgrade():
    op.drop_table("sla_policy_changes")
