"""Progress as Microsoft Project records it: without explicit dates the actuals are the schedule's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from prometheus.core.analysis import schedule_plan
from prometheus.core.calendar import SchedulingError
from prometheus.core.model import Plan
from prometheus.core.scheduler import Schedule


def scheduled_actuals(
    plan: Callable[[], Plan],
    task_id: str,
    today: date,
    actual_start: datetime | None = None,
    schedule: Callable[[], Schedule] | None = None,
) -> tuple[datetime, datetime] | None:
    """The task's scheduled start and finish (plan-local), as the actual start and finish that percent
    complete alone implies; with a new actual start the finish is counted from it. Without a new actual start
    the caller's `schedule` of the plan serves, if it has one; else the plan is read (`plan()`) and
    scheduled. None if the plan cannot be scheduled."""
    try:
        if schedule is not None and actual_start is None:
            s = schedule()
        else:
            whole = plan()
            tasks = [
                t.model_copy(update={"actual_start": actual_start}) if t.id == task_id and actual_start else t
                for t in whole.tasks or []
            ]
            s = schedule_plan(whole.model_copy(update={"tasks": tasks}), today)
    except SchedulingError:
        return None
    st = s.tasks.get(task_id)
    if st is None:
        return None
    return st.start, st.finish
