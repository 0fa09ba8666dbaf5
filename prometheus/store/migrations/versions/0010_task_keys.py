"""Plan-scoped task keys: each task's number in its plan (key task-N) and the plan's count of tasks created

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("task_seq", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
    # existing tasks are numbered in their plan's order; the plan counts them
    op.execute(
        "UPDATE tasks SET number = (SELECT r.n FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY plan_id "
        "ORDER BY position, created_at, id) AS n FROM tasks) AS r WHERE r.id = tasks.id)"
    )
    op.execute("UPDATE plans SET task_seq = (SELECT COUNT(*) FROM tasks WHERE tasks.plan_id = plans.id)")
    with op.batch_alter_table("tasks") as batch:
        batch.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint("uq_tasks_plan_number", ["plan_id", "number"])


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_constraint("uq_tasks_plan_number", type_="unique")
        batch.drop_column("number")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("task_seq")
