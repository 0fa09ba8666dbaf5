"""Plans' status_date_moves_work: whether work not done by the status date is scheduled after it (Microsoft
Project's "move start of remaining parts forward to the status date"); plans stored before keep the move.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(
            sa.Column("status_date_moves_work", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("status_date_moves_work")
