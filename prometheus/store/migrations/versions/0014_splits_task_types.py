"""Microsoft Project's split tasks (the pauses in a task's work) and task types

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


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("task_type")
        batch.drop_column("splits")
