"""Progress as Microsoft Project records it: without explicit dates the actuals are the schedule's."""

from __future__ import annotations

from datetime import UTC, date, datetime

from prometheus.core.analysis import schedule_plan
from prometheus.core.calendar import SchedulingError
from prometheus.core.model import Plan


def scheduled_actuals(
    plan: Plan, task_id: str, today: date, actual_start: datetime | None = None
) -> tuple[datetime, datetime] | None:
    """The task's scheduled start and finish (UTC), as the actual start and finish that percent complete alone
    implies; with a known actual start the finish is counted from it. None if the plan cannot be scheduled."""
    tasks = [
        t.model_copy(update={"actual_start": actual_start}) if t.id == task_id and actual_start else t
        for t in plan.tasks or []
    ]
    try:
        s = schedule_plan(plan.model_copy(update={"tasks": tasks}), today)
    except SchedulingError:
        return None
    st = s.tasks.get(task_id)
    if st is None:
        return None
    return st.start.replace(tzinfo=UTC), st.finish.replace(tzinfo=UTC)
