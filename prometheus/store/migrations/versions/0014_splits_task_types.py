"""Microsoft Project's split tasks (the pauses in a task's work), task types, and assignments' work, delay
and contour

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("splits", JSON, nullable=True))
        batch.add_column(
            sa.Column("task_type", sa.String(length=20), nullable=False, server_default="fixed_units")
        )
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("work", sa.Float(), nullable=True))
        batch.add_column(sa.Column("delay", sa.Float(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("contour", sa.String(length=20), nullable=False, server_default="flat"))


def downgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        for column in ("contour", "delay", "work"):
            batch.drop_column(column)
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("task_type")
        batch.drop_column("splits")
