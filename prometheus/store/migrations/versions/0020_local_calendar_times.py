"""Calendars' times of day are local times without a UTC offset: a time stored with one before it was
refused (`08:00:00Z`, `08:00:00+02:00`, scheduled as 08:00 all the same) loses it, so that every stored
calendar still loads: plans', tasks' and resources' calendars, and those in scenarios' changes.

Revision ID: 0020
Revises: 0019
"""

import re
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_OFFSET = re.compile(r"^(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?:Z|[+-]\d{2}(?::?\d{2})?)$")
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _local(value: Any, in_calendar: bool) -> Any:
    """The value with the offsets of the times of day in its calendars (the texts in their lists: working
    periods; a calendar's name is left as it is) taken off."""
    if isinstance(value, dict):
        return {k: _local(v, in_calendar or k == "calendar") for k, v in value.items()}
    if isinstance(value, list):
        return [_time(v) if in_calendar and isinstance(v, str) else _local(v, in_calendar) for v in value]
    return value


def _time(text: str) -> str:
    m = _OFFSET.match(text)
    return m.group(1) if m else text


def upgrade() -> None:
    bind = op.get_bind()
    for name, column in (("plans", "calendar"), ("tasks", "calendar"), ("resources", "calendar"),
                         ("scenarios", "changes")):  # fmt: skip
        table = sa.table(name, sa.column("id", sa.String), sa.column(column, _JSON))
        held = bind.execute(sa.select(table.c.id, table.c[column]).where(table.c[column].is_not(None)))
        for row_id, value in held.all():
            local = _local(value, column == "calendar")
            if local != value:
                bind.execute(table.update().where(table.c.id == row_id).values({column: local}))


def downgrade() -> None:
    """Nothing to put back: the offsets were never applied."""
