"""A plan compiled for scheduling, as the rest of the core reads it (risk, leveling, analysis)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prometheus.core.calendar import Calendars, WorkCalendar
from prometheus.core.model import Task


@dataclass(frozen=True, slots=True)
class CompiledNetwork:
    """The leaf tasks of a plan and the links between them as arrays, in working minutes.

    Task arrays have one entry per leaf task (in `task_ids` order), link arrays one per link after links on
    summary tasks were expanded onto their subtasks. A time is a *working index*: the working minutes from
    the calendar epoch in the calendar `calendar_of` names (see calendar.py). The fields cannot be rebound;
    `duration` is the span as last scheduled (tasks whose resources work on different calendars span more
    than their work)."""

    # tasks
    tasks: list[Task]  # the leaf tasks as given
    task_ids: list[str]
    task_names: list[str]
    duration: np.ndarray  # working minutes of each task's span
    work_duration: np.ndarray  # working minutes each resource works
    calendar_of: np.ndarray  # number of each task's calendar in `calendars`
    constraint_type: np.ndarray  # a code of rules.py (ASAP, ALAP, SNET, ...)
    constraint_at: np.ndarray  # the constraint's date (or an actual or manual start), a working index
    started: np.ndarray  # an actual start: the start is a fact
    manual: np.ndarray  # manually scheduled: its own dates, whatever its links say
    finished: np.ndarray  # done: an actual finish, or completed
    has_predecessor: np.ndarray
    # links
    pred: np.ndarray  # the predecessor's task number
    succ: np.ndarray  # the successor's task number
    link_type: np.ndarray  # FS, SS, FF, SF codes of rules.py
    from_finish: np.ndarray  # the link leaves its predecessor's finish
    to_finish: np.ndarray  # the link reaches its successor's finish
    lag_working: np.ndarray  # working minutes (0 for an elapsed lag)
    lag_elapsed: np.ndarray  # minutes of the clock (0 for a working lag)
    lag_is_elapsed: np.ndarray
    # time
    calendars: Calendars  # every calendar the tasks use; number 0 is the plan's
    plan_calendar: WorkCalendar
    minutes_per_day: int  # of the plan calendar
    unit_minutes: dict[str, int]  # calendar.unit_minutes for the plan calendar
    project_start: int  # working index of the project start in the plan calendar
    topological_order: np.ndarray  # task numbers, predecessors before successors

    @property
    def n(self) -> int:
        """The number of leaf tasks."""
        return len(self.task_ids)

    @property
    def any_elapsed(self) -> bool:
        return bool(self.lag_is_elapsed.any())
