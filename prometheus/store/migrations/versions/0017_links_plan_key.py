"""Links' foreign key to their plan dropped (the index on plan_id stays): a link's tasks belong to the plan,
and deleting the plan deletes them and so their links (the tasks' keys cascade). On PostgreSQL the key cost
a check per link row on every insert, a sixth of a 10,000-task import's time in the database.

Revision ID: 0017
Revises: 0016
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# SQLite's keys have no names: the batch copy of the table names them by this convention to drop one
NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("dependencies", naming_convention=NAMES) as batch:
            batch.drop_constraint("fk_dependencies_plan_id_plans", type_="foreignkey")
    else:
        op.drop_constraint("dependencies_plan_id_fkey", "dependencies", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("dependencies") as batch:
        batch.create_foreign_key(
            "dependencies_plan_id_fkey", "plans", ["plan_id"], ["id"], ondelete="CASCADE"
        )
