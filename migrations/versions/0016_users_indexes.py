"""Index the users of a business and the staff of a city by role

A notification's email goes to the members of its audience: the accounts of a business
(users.enterprise_id) or a city's dispatchers or supervisors (users.jurisdiction, role). Both
lookups scanned the whole users table on every filing (4 ms at 20 000 businesses, growing
with them).

Revision ID: 0016_users_indexes
Revises: 0015_sla_page
"""
from alembic import op

revision = "0016_users_indexes"
down_revision = "0015_sla_page"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_users_enterprise_id", "users", ["enterprise_id"])
    op.create_index("ix_users_jurisdiction_role", "users", ["jurisdiction", "role"])


def downgrade():
    op.drop_index("ix_users_jurisdiction_role", table_name="users")
    op.drop_index("ix_users_enterprise_id", table_name="users")
