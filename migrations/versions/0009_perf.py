"""performance and scale-out: notifications addressed to audiences with per-user read state,
trigram duplicate search (PostgreSQL), indexes for the lists at a million tickets

Revision ID: 0009
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0010"
branch_labels = None
depends_on = None



def upgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    # --- notifications: one row per audience, read state per user -------------------------
    op.create_table(
        "inbox_states",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_upto", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_inbox_states_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_inbox_states")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audience", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("except_user_id", sa.Integer(), nullable=True))
    # Existing rows were one per user: they become that user's; the read state keeps every
    # unread row unread (watermark just below the user's oldest unread one).
    op.execute("UPDATE notifications SET audience = 'u:' || CAST(user_id AS VARCHAR(20))")
    op.execute(
        "INSERT INTO inbox_states (user_id, read_upto) "
        "SELECT user_id, COALESCE(MIN(CASE WHEN read_at IS NULL THEN id END) - 1, MAX(id)) "
        "FROM notifications GROUP BY user_id"
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("audience", existing_type=sa.String(length=60), nullable=False)
        batch_op.drop_index("ix_notifications_user")
        batch_op.drop_constraint(op.f("fk_notifications_user_id_users"), type_="foreignkey")
        batch_op.drop_column("read_at")
        batch_op.drop_column("user_id")
        batch_op.create_foreign_key(op.f("fk_notifications_except_user_id_users"), "users",
                                    ["except_user_id"], ["id"])
        batch_op.create_index("ix_notifications_audience", ["audience", "id", "except_user_id"], unique=False)
    # --- duplicate check: trigram GIN index per business (PostgreSQL only) -----------------
    if postgres:
        # Both extensions are "trusted" (PostgreSQL 13+): the database owner may create them.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        # Titles only: a description's hundreds of trigrams would make the index (and its
        # build at a million tickets) many times larger for little gain in finding candidates.
        op.execute("CREATE INDEX ix_tickets_similar_trgm ON tickets USING gin (enterprise_id, title gin_trgm_ops)")
    else:
        with op.batch_alter_table("tickets", schema=None) as batch_op:
            batch_op.create_index("ix_tickets_similar_trgm", ["enterprise_id", "title"], unique=False)


def downgrade():
    bind = op.get_bind()
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_similar_trgm")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_audience")
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("DELETE FROM notifications WHERE audience NOT LIKE 'u:%'")
    op.execute("UPDATE notifications SET user_id = CAST(substr(audience, 3) AS INTEGER)")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_notifications_except_user_id_users"), type_="foreignkey")
        batch_op.drop_column("except_user_id")
        batch_op.drop_column("audience")
        batch_op.create_foreign_key(op.f("fk_notifications_user_id_users"), "users", ["user_id"], ["id"])
        batch_op.create_index("ix_notifications_user", ["user_id", "id"], unique=False)
    op.drop_table("inbox_states")
