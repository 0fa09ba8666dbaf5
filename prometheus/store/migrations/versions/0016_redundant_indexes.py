"""Two indexes dropped, each made redundant by one that starts with its column and is kept up to date by
every write as well: links' predecessor_id (the unique (predecessor_id, successor_id) index) and tasks'
plan_id ((plan_id, position) and the unique (plan_id, number))

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
    op.drop_index("ix_tasks_plan_id", table_name="tasks")


def downgrade() -> None:
    op.create_index("ix_tasks_plan_id", "tasks", ["plan_id"], unique=False)
    op.create_index("ix_dependencies_predecessor_id", "dependencies", ["predecessor_id"], unique=False)
