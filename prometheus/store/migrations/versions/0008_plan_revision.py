"""Plan revision: a token that changes with every change to a plan or anything in it (read caches)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("revision", sa.String(length=32), nullable=False, server_default=""))
    op.execute("UPDATE plans SET revision = 'm0008'")


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("revision")
