"""Tasks' ignore_resource_calendar: a task with its own calendar works that calendar alone, its resources'
calendars ignored (Microsoft Project's "scheduling ignores resource calendars"); tasks stored before keep
the time both work.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(
            sa.Column("ignore_resource_calendar", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("ignore_resource_calendar")
