"""Links: the index on predecessor_id dropped; the unique (predecessor_id, successor_id) index serves every
search by predecessor (its first column), and each link written kept both up to date

Revision ID: 0016
Revises: 0015
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_dependencies_predecessor_id", table_name="dependencies")


def downgrade() -> None:
    op.create_index("ix_dependencies_predecessor_id", "dependencies", ["predecessor_id"], unique=False)
