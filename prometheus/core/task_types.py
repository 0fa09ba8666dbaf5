"""Duration, work and units kept consistent as Microsoft Project does for each task type.

Work (hours) = duration (hours) x the units assigned. When one of them changes, the task type says which
other one follows: fixed units: the duration follows the work (a new duration changes the work); fixed
work: the duration follows the units (a new duration changes the units); fixed duration: the units follow
the work (new units change the work). Effort-driven (fixed work always is): adding or removing resources
keeps the task's work, so the task gets shorter (fixed units, fixed work) or each resource's units lower
(fixed duration); otherwise the work grows with the units. A task whose work is not given (or that has no
resources and is not effort-driven) keeps what it was given. Pure functions: no I/O."""

from __future__ import annotations

from prometheus.core.model import Assignment, DurationUnit, Task, TaskType, WorkContour
from prometheus.errors import ValidationFailed

MAX_DURATION = 1_000_000  # as a duration given by a client

_ELAPSED_HOURS = {"ehours": 1.0, "edays": 24.0, "eweeks": 168.0}
# Project's contours work at these shares of the assignment's units over equal twentieths of its span
# (front loaded: 100% for 6, 75% for 4, 50% for 4, 25%, 15%, 10% for 2 each); the span is stretched by
# the inverse of their mean, the work kept
_CONTOUR_MEAN = {
    WorkContour.flat: 1.0,
    WorkContour.back_loaded: 0.6,
    WorkContour.front_loaded: 0.6,
    WorkContour.double_peak: 0.5,
    WorkContour.early_peak: 0.5,
    WorkContour.late_peak: 0.5,
    WorkContour.bell: 0.5,
    WorkContour.turtle: 0.7,
}


def assignment_hours(a: Assignment) -> float | None:
    """Working hours from the task's start to the end of an assignment that has its own work: its delay,
    then its work at its units, stretched by its contour (None: no work of its own, or a contour drawn by
    hand, which only the file's timephased work tells)."""
    if a.work is None or a.contour not in _CONTOUR_MEAN:
        return None
    return a.delay + a.work / (a.units * _CONTOUR_MEAN[a.contour])


def booked_units(a: Assignment) -> float:
    """The units at which an assignment books its work over its span: its units times its contour's mean
    share (a contour drawn by hand counts as flat)."""
    return a.units * _CONTOUR_MEAN.get(a.contour, 1.0)


def assignments_span(assignments: list[Assignment]) -> float | None:
    """The task's span in working hours as its assignments make it (the last to finish), or None when one
    of them does not say."""
    hours = [assignment_hours(a) for a in assignments]
    return None if not hours or None in hours else max(h for h in hours if h is not None)


def duration_hours(task: Task, hours_per_day: float = 8.0, hours_per_week: float = 40.0) -> float:
    """The task's duration in (working, or for an elapsed duration clock) hours."""
    per = {"hours": 1.0, "days": hours_per_day, "weeks": hours_per_week} | _ELAPSED_HOURS
    return task.duration * per[task.duration_unit.value]


def _units(task: Task) -> dict[str, float]:
    return {a.resource_id: a.units for a in task.assignments}


def _scaled(assignments: list[Assignment], factor: float) -> list[Assignment]:
    return [a.model_copy(update={"units": min(100.0, round(a.units * factor, 6))}) for a in assignments]


def balance(
    task: Task, before: Task | None, hours_per_day: float = 8.0, hours_per_week: float = 40.0
) -> Task:
    """`task` balanced (`_balance`), refused (422) when its duration would pass the bound of a duration."""
    done = _balance(task, before, hours_per_day, hours_per_week)
    if done.duration > MAX_DURATION:
        raise ValidationFailed(f"task {task.name!r} would last {done.duration:g} {done.duration_unit.value}")
    return done


def _balance(task: Task, before: Task | None, hours_per_day: float, hours_per_week: float) -> Task:
    """`task` (as changed from `before`, None for a new task) with its duration, work or units following
    what changed, as its type says. Assignments that all carry their own work decide the span when they
    change (not for a fixed duration): the last of them to finish, the task's work their sum."""
    kind = task.task_type
    elapsed = task.duration_unit.value.startswith("e")
    unit = DurationUnit.ehours if elapsed else DurationUnit.hours
    own = assignments_span(task.assignments)  # assignments with their own work make the span
    changed = before is None or task.assignments != before.assignments
    if own is not None and kind is not TaskType.fixed_duration and changed:
        work = round(sum(a.work or 0.0 for a in task.assignments), 6)
        return task.model_copy(update={"duration": round(own, 6), "duration_unit": unit, "work": work})
    if task.work is None or not (task.assignments or task.effort_driven):
        return task
    effort = task.effort_driven or kind is TaskType.fixed_work
    hours = duration_hours(task, hours_per_day, hours_per_week)
    total = sum(a.units for a in task.assignments) or 1.0

    def lasting() -> Task:  # the duration follows work and units
        return task.model_copy(update={"duration": round(task.work / total, 6), "duration_unit": unit})

    def working() -> Task:  # the work follows duration and units
        return task.model_copy(update={"work": round(hours * total, 6)})

    def staffing() -> Task:  # the units follow work and duration
        if not task.assignments or hours <= 0:
            return lasting()
        return task.model_copy(update={"assignments": _scaled(task.assignments, task.work / (hours * total))})

    if before is None:  # a new task: the work given decides, for an effort-driven one
        if not effort:
            return task
        return staffing() if kind is TaskType.fixed_duration else lasting()
    if task.work != before.work:
        return staffing() if kind is TaskType.fixed_duration else lasting()
    if abs(hours - duration_hours(before, hours_per_day, hours_per_week)) > 1e-9:
        return staffing() if kind is TaskType.fixed_work else working()
    now, was = _units(task), _units(before)
    if now.keys() != was.keys():  # resources added or removed
        if not effort:
            return working()
        return staffing() if kind is TaskType.fixed_duration else lasting()
    if now != was:  # the same resources at other units
        return working() if kind is TaskType.fixed_duration else lasting()
    return task
