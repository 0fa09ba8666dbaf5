"""`Network`: a plan compiled once (compile.py), scheduled by the passes (passes.py) and reported as a
`Schedule` (reporting.py); `schedule()` does all three."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np

from prometheus.core.cpm.compile import Compiler
from prometheus.core.cpm.order import no_gc
from prometheus.core.cpm.passes import Passes
from prometheus.core.cpm.reporting import Reporting
from prometheus.core.cpm.results import Schedule
from prometheus.core.cpm.table import PlanTable
from prometheus.core.model import Calendar, Dependency, DurationUnit, Resource, Task


def schedule(
    tasks: list[Task] | PlanTable,
    dependencies: list[Dependency] | None = None,
    *,
    start: datetime | date,
    calendar: Calendar | None = None,
    deadline: datetime | date | None = None,
    resources: list[Resource] | None = None,
    status_date: datetime | date | None = None,
) -> Schedule:
    """Schedule tasks from `start`: early/late dates, slack, critical paths, summary roll-up, conflicts.

    A task assigned to a resource with a calendar of its own works on that calendar. With a status date,
    work not done yet is scheduled from it: unstarted tasks start no earlier, started tasks finish their
    remaining duration after it. `tasks` may be a `PlanTable` of the plan's tasks and links (then without
    `dependencies`): a caller that schedules a plan again keeps its table and skips reading the objects."""
    with no_gc():  # the compile's temporaries are gone before a collection would visit them
        return Network(
            tasks,
            dependencies,
            start=start,
            calendar=calendar,
            deadline=deadline,
            resources=resources,
            status_date=status_date,
        ).solve()


class Network(Compiler, Passes, Reporting):
    """A plan compiled to arrays for scheduling. It keeps its state, so that after `solve()` a change of one
    task's duration (`set_duration`) reschedules only the tasks the change reaches. Other modules read the
    compiled plan through `compiled` and the dates through `early_start`... (working indexes). `tasks` may
    be a `PlanTable` (then without `dependencies`), as for `schedule()`."""

    def __init__(
        self,
        tasks: list[Task] | PlanTable,
        dependencies: list[Dependency] | None = None,
        *,
        start: datetime | date,
        calendar: Calendar | None = None,
        deadline: datetime | date | None = None,
        resources: list[Resource] | None = None,
        status_date: datetime | date | None = None,
    ):
        self.status_date = status_date
        if isinstance(tasks, PlanTable):
            if dependencies is not None:
                raise TypeError("a PlanTable holds the links: pass no dependencies with it")
            table = tasks
        else:
            table = PlanTable.of(tasks, dependencies or [])
        self._source = (table, start, calendar or Calendar(), deadline, resources or [])
        self._changed: dict[str, Task] = {}  # tasks set_duration changed, for the next compile
        self._build()

    @property
    def early_start(self) -> np.ndarray:
        """Early start of each leaf task after `solve()`, a working index of its calendar."""
        return self.ES

    @property
    def early_finish(self) -> np.ndarray:
        return self.EF

    @property
    def late_start(self) -> np.ndarray:
        return self.LS

    @property
    def late_finish(self) -> np.ndarray:
        return self.LF

    def solve(self) -> Schedule:
        """Schedule the whole network."""
        with no_gc():
            self._dates = {}
            self._forward(self.no_late)
            self._set_finish()
            self._backward()
            if self.is_alap.any():  # Microsoft Project: ALAP tasks sit on their late dates, successors follow
                self._forward(self.is_alap[self.pred] & ~self.is_alap[self.succ])
            return self._result()

    def set_duration(self, task_id: str, duration: float, unit: DurationUnit | None = None) -> Schedule:
        """Change one task's duration and reschedule only what the change reaches."""
        i = self.pos[task_id]
        task = self.leaves[i]
        unit = unit or task.duration_unit
        self.leaves[i] = changed = task.model_copy(update={"duration": duration, "duration_unit": unit})
        self._changed[task_id] = changed  # the table takes it before the next compile
        if self.earliest or self.actual[i] or self.spread_mask[i] or task.splits:  # compile again: a
            # summary's first subtask, progress, the span of resources on several calendars or of pauses
            self._build()
            return self.solve()
        minutes = int(round(duration * self.unit_minutes[unit]))
        if self.zero[i] != (minutes == 0) or self.is_alap.any() or self.actual[i]:
            self.dur[i] = minutes
            self.zero = self.dur == 0
            return self.solve()  # milestone-ness or ALAP shifts reach further than links: redo it all
        self.dur[i] = minutes
        with no_gc():
            self._moved_early, self._moved_late = {i}, {i}
            self._propagate_forward(i)
            if self._set_finish():
                self._backward()
                self._dates = {k: v for k, v in self._dates.items() if k.startswith("early")}
            else:
                self._propagate_backward(i)
            return self._result()

    def _set_finish(self) -> bool:
        """The project finish: the latest early finish (a milestone may sit on a start). True if it moved."""
        if not self.n:
            return False
        if self.multi:
            at = int(self.cal.moment(self.kal, self.EF, ~(self.zero & ~self.rd)).max())
        else:
            last = int(self.EF.max())
            on_start = bool((self.zero & ~self.rd & (last == self.EF)).any())
            at = int(self.wc.start_of(last) if on_start else self.wc.finish_of(last))
        moved = at != self.finish_at
        self.finish_at = at
        self.finish_k = np.array([int(c.index_of(at)) for c in self.cal.cals], dtype=np.int64)
        return moved
