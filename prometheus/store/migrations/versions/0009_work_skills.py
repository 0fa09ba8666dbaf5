"""Task work (hours), effort-driven durations and required skills

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("work", sa.Float(), nullable=True))
        batch.add_column(sa.Column("effort_driven", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("required_skills", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("required_skills")
        batch.drop_column("effort_driven")
        batch.drop_column("work")
