"""Local memory store (Engram's interface) and Synthesis executions

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "memories",
        sa.Column("namespace", sa.String(length=200), primary_key=True),
        sa.Column("key", sa.String(length=300), primary_key=True),
        sa.Column("data", JSON, nullable=False),
        sa.Column("meta", JSON, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("remote_id", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "executions",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column(
            "plan_id", sa.String(length=36), sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("synthesis_id", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("steps", JSON, nullable=False),
        sa.Column("adjustments", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_executions_plan_id", "executions", ["plan_id"])
    op.create_index("ix_executions_synthesis_id", "executions", ["synthesis_id"])


def downgrade() -> None:
    op.drop_table("executions")
    op.drop_table("memories")
