"""revocable sessions, verified businesses and invitations to join a business

Revision ID: 0007
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("verified_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_enterprises_verified_by_id_users", "users", ["verified_by_id"], ["id"])
    # Businesses registered before verification existed were accepted as they were: mark them
    # verified at their creation, so only new registrations wait for a check.
    op.execute("UPDATE enterprises SET verified_at = created_at WHERE verified_at IS NULL")
    op.create_table(
        "enterprise_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name="fk_enterprise_invitations_created_by_id_users"),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"],
                                name="fk_enterprise_invitations_enterprise_id_enterprises"),
        sa.ForeignKeyConstraint(["used_by_id"], ["users.id"],
                                name="fk_enterprise_invitations_used_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_enterprise_invitations"),
        sa.UniqueConstraint("code_hash", name="uq_enterprise_invitations_code_hash"),
    )


def downgrade():
    op.drop_table("enterprise_invitations")
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_constraint("fk_enterprises_verified_by_id_users", type_="foreignkey")
        batch_op.drop_column("verified_by_id")
        batch_op.drop_column("verified_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
