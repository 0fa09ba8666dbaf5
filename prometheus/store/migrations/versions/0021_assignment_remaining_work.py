"""Assignments' remaining_work: the hours of work an assignment of a task under way has left (Microsoft
Project's RemainingWork; 0: its resource has finished its part); null, as for assignments stored before:
not tracked.

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("remaining_work", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("remaining_work")
