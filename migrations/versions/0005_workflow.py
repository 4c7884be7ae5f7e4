"""workflow: the channel of a rating (online, callback, auto) and who recorded a callback;
suspension requests beyond the cap, decided by the supervision office

Revision ID: 0005
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=10), nullable=False, server_default="online"))
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_ratings_recorded_by_id_users"), "users",
                                    ["recorded_by_id"], ["id"])
    # Existing automatic ratings were given when the window ran out.
    op.execute("UPDATE ratings SET channel = 'auto' WHERE auto")

    op.create_table(
        "suspension_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignments.id"],
                                name=op.f("fk_suspension_requests_assignment_id_assignments")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"],
                                name=op.f("fk_suspension_requests_decided_by_id_users")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"],
                                name=op.f("fk_suspension_requests_requested_by_id_users")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_suspension_requests_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suspension_requests")),
    )
    with op.batch_alter_table("suspension_requests", schema=None) as batch_op:
        batch_op.create_index("ix_suspension_requests_state", ["state", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("suspension_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_suspension_requests_state")
    op.drop_table("suspension_requests")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_ratings_recorded_by_id_users"), type_="foreignkey")
        batch_op.drop_column("recorded_by_id")
        batch_op.drop_column("channel")
