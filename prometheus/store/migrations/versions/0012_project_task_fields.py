"""Microsoft Project's task fields (manual scheduling and its dates, task calendar, leveling delay, resume
date) and the plan's default start time; each task's assignments keep their order

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("default_start_time", sa.Time(), nullable=True))
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("manual", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("manual_start", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("manual_finish", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("calendar", JSON, nullable=True))
        batch.add_column(sa.Column("leveling_delay", sa.Float(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("leveling_delay_unit", sa.String(length=10), nullable=False, server_default="edays")
        )
        batch.add_column(sa.Column("resume", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("position")
    with op.batch_alter_table("tasks") as batch:
        for column in (
            "resume",
            "leveling_delay_unit",
            "leveling_delay",
            "calendar",
            "manual_finish",
            "manual_start",
        ):
            batch.drop_column(column)
        batch.drop_column("manual")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("default_start_time")
