"""task constraints and deadlines

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("constraint_type", sa.String(4), nullable=False, server_default="ASAP"))
        batch.add_column(sa.Column("constraint_date", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("deadline", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("deadline")
        batch.drop_column("constraint_date")
        batch.drop_column("constraint_type")
