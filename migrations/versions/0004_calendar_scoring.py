"""the calendar past chinesecalendar: who entered a year's notice, provisional deadlines

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("calendar_years", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entered_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("notice_text", sa.Text(), nullable=True))
        batch_op.create_foreign_key("fk_calendar_years_entered_by_id_users", "users", ["entered_by_id"], ["id"])
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline_provisional", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("deadline_provisional")
    with op.batch_alter_table("calendar_years", schema=None) as batch_op:
        batch_op.drop_constraint("fk_calendar_years_entered_by_id_users", type_="foreignkey")
        batch_op.drop_column("notice_text")
        batch_op.drop_column("entered_by_id")
