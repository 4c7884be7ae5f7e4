"""hardening: the business's licence (营业执照) uploaded for its verification, and the decision on it

Revision ID: 0012_hardening
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_hardening"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "enterprise_licences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"],
                                name="fk_enterprise_licences_enterprise_id_enterprises"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"], name="fk_enterprise_licences_uploaded_by_id_users"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name="fk_enterprise_licences_decided_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_enterprise_licences"),
        sa.UniqueConstraint("stored_name", name="uq_enterprise_licences_stored_name"),
    )
    op.create_index("ix_enterprise_licences_enterprise", "enterprise_licences", ["enterprise_id", "id"])


def downgrade():
    op.drop_index("ix_enterprise_licences_enterprise", table_name="enterprise_licences")
    op.drop_table("enterprise_licences")
