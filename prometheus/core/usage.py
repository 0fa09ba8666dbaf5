"""When a task's resources are busy: the one rule that leveling, over-allocations and the loading table
share. A resource works through the task's worked parts (the pauses of a split task leave it free), from
its assignment's delay to the end of the assignment's own work when it has some (`assignment_hours`: its
contour stretches it), else to the task's finish; at the units that book its work (a contour's mean)."""

from __future__ import annotations

from prometheus.core.calendar import SchedulingError
from prometheus.core.model import Task
from prometheus.core.splits import parts, pauses
from prometheus.core.task_types import assignment_hours, booked_units

Busy = tuple[str, int, int, float]  # resource id, from, to (working minutes from the task's start), units
# busy stretches of one plan (each assignment in each worked part of its task) that leveling, over-allocations
# and loading read one at a time: 40 tasks of 40 resources and 200 pauses (320,000) took 6.5 s to level, and
# a task may have 1,000 assignments and 1,000 pauses
MAX_STRETCHES = 500_000


def check_stretches(tasks: list[Task]) -> None:
    """The busy stretches of `tasks` stay within MAX_STRETCHES (else SchedulingError, before any is read)."""
    count = sum(len(t.assignments) * (len(t.splits) + 1) for t in tasks)
    if count > MAX_STRETCHES:
        raise SchedulingError(
            f"the tasks book their resources in {count:,} stretches (each assignment in each part of a "
            f"split task), more than the {MAX_STRETCHES:,} leveling and resource loading read"
        )


def busy(task: Task, span: int) -> list[Busy]:
    """Each assignment's busy intervals for `task` scheduled over `span` working minutes (none when the
    task takes no time)."""
    if span <= 0:
        return []
    worked = parts(span, pauses(task.splits)) if task.splits else [(0, span)]
    out = []
    for a in task.assignments:
        hours = assignment_hours(a)
        begin = min(round(a.delay * 60), span)
        end = span if hours is None else min(span, max(begin, round(hours * 60)))
        units = a.units if hours is None else booked_units(a)
        out.extend(
            (a.resource_id, lo, hi, units) for x, y in worked if (lo := max(x, begin)) < (hi := min(y, end))
        )
    return out
