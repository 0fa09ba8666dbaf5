"""retrospectives and their feedback

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "retrospectives",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column(
            "plan_id", sa.String(length=36), sa.ForeignKey("plans.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("facilitator", sa.String(length=200), nullable=False),
        sa.Column("participants", JSON, nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_retrospectives_plan_id", "retrospectives", ["plan_id"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column(
            "retrospective_id",
            sa.String(length=36),
            sa.ForeignKey("retrospectives.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_feedback_retrospective_id", "feedback", ["retrospective_id"])


def downgrade() -> None:
    op.drop_table("feedback")
    op.drop_table("retrospectives")
