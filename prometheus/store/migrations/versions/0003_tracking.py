"""three-point estimates, remaining work, actual cost, status date, baselines

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        for column in (
            "optimistic_duration",
            "most_likely_duration",
            "pessimistic_duration",
            "remaining_duration",
            "actual_cost",
        ):
            batch.add_column(sa.Column(column, sa.Float(), nullable=True))
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("status_date", sa.Date(), nullable=True))
    op.create_table(
        "baselines",
        sa.Column(
            "plan_id", sa.String(length=36), sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.PrimaryKeyConstraint("plan_id", "number"),
    )


def downgrade() -> None:
    op.drop_table("baselines")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("status_date")
    with op.batch_alter_table("tasks") as batch:
        for column in (
            "actual_cost",
            "remaining_duration",
            "pessimistic_duration",
            "most_likely_duration",
            "optimistic_duration",
        ):
            batch.drop_column(column)
