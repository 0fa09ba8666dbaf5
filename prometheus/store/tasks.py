"""Tasks and their assignments (part of the one repository, `Store`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, exists, func, insert, or_, select

from prometheus.core.bounds import MAX_PLAN_TASKS
from prometheus.core.inputs import TaskCreate, TaskPatch, check_three_point
from prometheus.core.model import Assignment, Task, TaskStatus
from prometheus.core.portable import check_size
from prometheus.core.task_types import assignments_span, balance
from prometheus.errors import (
    PlanTooLarge,
    ValidationFailed,
)
from prometheus.store.base import StoreBase, emits
from prometheus.store.mapping import (
    calendar_json,
    new_id,
    task_model,
    values_of,
)
from prometheus.store.prepared import Prepared
from prometheus.store.tables import (
    AssignmentRow,
    ResourceRow,
    TaskRow,
    utcnow,
)

_TASKS = TaskRow.__table__
# one new task, placed after the plan's last one (read in the INSERT: after the plan's row was locked)
_INSERT_TASK = Prepared(
    insert(_TASKS)
    .values(
        position=select(func.coalesce(func.max(_TASKS.c.position), 0) + 1)
        .where(_TASKS.c.plan_id == bindparam("after_plan"))
        .scalar_subquery()
    )
    .returning(_TASKS.c.position)
)


def check_assignments(plan_id: str, wanted: list[Assignment], resources: set[str]) -> None:
    """Each resource assigned once, and a resource of the plan (`resources`)."""
    seen: set[str] = set()
    for a in wanted:
        if a.resource_id in seen:
            raise ValidationFailed(f"resource {a.resource_id} is assigned twice")
        seen.add(a.resource_id)
        if a.resource_id not in resources:
            msg = f"resource {a.resource_id} not found in plan {plan_id}"
            raise ValidationFailed(msg, details={"resource_id": a.resource_id})


def new_task_shape(
    plan_id: str,
    tid: str,
    data: TaskCreate,
    wanted: list[Assignment],
    resources: set[str],
    hours: tuple[float, float],
) -> tuple[float, str, list[Assignment]]:
    """A new task's duration, unit and assignments (checked), its duration, work and units balanced as its
    type says (`core.task_types`; `hours`: the plan's hours per day and week)."""
    check_assignments(plan_id, wanted, resources)
    duration = data.duration if data.duration is not None else (0.0 if data.milestone else 1.0)
    unit = data.duration_unit.value
    if data.effort_driven and data.work is None:
        raise ValidationFailed("an effort-driven task needs its work (hours)")
    if (data.work is not None and (wanted or data.effort_driven)) or assignments_span(wanted):
        shape = Task(id=tid, plan_id=plan_id, name=data.name, duration=duration, duration_unit=unit,
                     work=data.work, effort_driven=data.effort_driven, task_type=data.task_type,
                     assignments=wanted)  # fmt: skip
        shape = balance(shape, None, *hours)
        duration, unit, wanted = shape.duration, shape.duration_unit.value, shape.assignments
    return duration, unit, wanted


def assignment_values(task_id: str, wanted: list[Assignment]) -> list[dict[str, Any]]:
    return [
        {
            "task_id": task_id,
            "resource_id": a.resource_id,
            "units": a.units,
            "position": n,
            "work": a.work,
            "delay": a.delay,
            "contour": a.contour.value,
            "remaining_work": a.remaining_work,
        }  # fmt: skip
        for n, a in enumerate(wanted)
    ]


class Tasks(StoreBase):
    """Tasks of the Store."""

    # -- tasks ---------------------------------------------------------------------------------------------

    def _set_assignments(self, plan_id: str, task_id: str, assignments: list[Assignment]) -> None:
        seen: set[str] = set()
        for a in assignments:
            if a.resource_id in seen:
                raise ValidationFailed(f"resource {a.resource_id} is assigned twice")
            seen.add(a.resource_id)
            res = self.session.get(ResourceRow, a.resource_id)
            if res is None or res.plan_id != plan_id:
                raise ValidationFailed(
                    f"resource {a.resource_id} not found in plan {plan_id}",
                    details={"resource_id": a.resource_id},
                )
        self.session.execute(delete(AssignmentRow).where(AssignmentRow.task_id == task_id))
        for n, a in enumerate(assignments):
            self.session.add(
                AssignmentRow(
                    task_id=task_id,
                    resource_id=a.resource_id,
                    units=a.units,
                    position=n,
                    work=a.work,
                    delay=a.delay,
                    contour=a.contour.value,
                    remaining_work=a.remaining_work,
                )
            )

    def _apply_type(self, row: TaskRow, task: Task, before: Task | None) -> Task:
        """The task with its duration, work and units following a change as its type says
        (`core.task_types`), stored."""
        if row.effort_driven and row.work is None:
            raise ValidationFailed("an effort-driven task needs its work (hours)")
        if task.work is None and assignments_span(task.assignments) is None:
            return task
        cal = self._plan_row(row.plan_id).calendar or {}
        done = balance(task, before, cal.get("hours_per_day", 8.0), cal.get("hours_per_week", 40.0))
        if done is task:
            return task
        row.duration, row.duration_unit, row.work = done.duration, done.duration_unit.value, done.work
        if done.assignments != task.assignments:
            self._set_assignments(row.plan_id, row.id, done.assignments)
        self._flush()
        return done.model_copy(update={"version": row.version, "updated_at": row.updated_at})

    def _plan_hours(self, plan_id: str) -> tuple[float, float]:
        """The plan's working hours per day and per week (its calendar's, 8 and 40 by default)."""
        cal = self._plan_row(plan_id).calendar or {}
        return cal.get("hours_per_day", 8.0), cal.get("hours_per_week", 40.0)

    @staticmethod
    def _wanted_assignments(data: TaskCreate | TaskPatch) -> list[Assignment] | None:
        if data.assignments is not None:
            return data.assignments
        if data.assigned_resources is not None:
            return [Assignment(resource_id=r) for r in data.assigned_resources]
        return None

    @emits("task.created", plan_from="arg")
    def add_task(self, plan_id: str, data: TaskCreate) -> Task:
        """One task, with Core statements: the plan's row (its number, revision and lock) in one UPDATE,
        the task with its position (after the plan's last) in one INSERT, its assignments if any."""
        number = self._reserve_numbers(plan_id)
        if number > MAX_PLAN_TASKS:  # numbers never shrink: only then can the plan be full
            try:
                check_size(self._task_count(plan_id) + 1, 0, 0)
            except PlanTooLarge as exc:
                raise PlanTooLarge(exc.message, details=exc.details, http_status=422) from None
        parent_id = self.task_id(plan_id, data.parent_id) if data.parent_id else None
        if parent_id:
            self.check_parent(plan_id, None, parent_id)
        wanted = self._wanted_assignments(data) or []
        known = {a.resource_id for a in wanted}
        if known:
            known = set(
                self.session.scalars(
                    select(ResourceRow.id).where(ResourceRow.plan_id == plan_id, ResourceRow.id.in_(known))
                )
            )
        check_assignments(plan_id, wanted, known)
        if data.effort_driven and data.work is None:
            raise ValidationFailed("an effort-driven task needs its work (hours)")
        now = utcnow()
        duration = data.duration if data.duration is not None else (0.0 if data.milestone else 1.0)
        values = values_of(TaskRow, data, id=new_id(), plan_id=plan_id, parent_id=parent_id, number=number,
                           duration=duration, version=1,
                           percent_complete=100.0 if data.status is TaskStatus.completed else 0.0,
                           created_at=now, updated_at=now)  # fmt: skip
        if data.work is not None or assignments_span(wanted) is not None:  # duration, work, units by type
            shape = task_model(values | {"position": 0}, list(wanted))  # placed by the INSERT below
            done = balance(shape, None, *self._plan_hours(plan_id))
            values.update(duration=done.duration, duration_unit=done.duration_unit.value, work=done.work)
            wanted = done.assignments
        values["position"] = _INSERT_TASK.run(self.connection, values | {"after_plan": plan_id})[0][0]
        self._insert(AssignmentRow, assignment_values(values["id"], wanted))
        return task_model(values, list(wanted))  # a new task: no predecessors yet

    def list_tasks(
        self,
        plan_id: str,
        *,
        status: str | None = None,
        assigned_to: str | None = None,
        search: str | None = None,
        priority: str | None = None,
        parent_id: str | None = None,
        tag: str | None = None,
        limit: int | None = 100,
        offset: int = 0,
    ) -> tuple[list[Task], int]:
        self._plan_row(plan_id)
        conds: list[Any] = [TaskRow.plan_id == plan_id]
        if status:
            conds.append(TaskRow.status == status)
        if priority:
            conds.append(TaskRow.priority == priority)
        if parent_id:
            conds.append(TaskRow.parent_id == self.task_id(plan_id, parent_id))
        if tag:
            conds.append(self._json_contains(TaskRow.tags, tag))
        if search:
            conds.append(self._holding(search, TaskRow.name, TaskRow.description))
        if assigned_to:
            conds.append(
                exists(
                    select(AssignmentRow.task_id)
                    .join(ResourceRow, ResourceRow.id == AssignmentRow.resource_id)
                    .where(
                        AssignmentRow.task_id == TaskRow.id,
                        or_(ResourceRow.id == assigned_to, ResourceRow.name == assigned_to),
                    )
                )
            )
        total = self.session.scalar(select(func.count()).select_from(TaskRow).where(*conds)) or 0
        stmt = select(TaskRow).where(*conds).order_by(TaskRow.position).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        return self._tasks(list(self.session.scalars(stmt))), total

    def get_task(self, plan_id: str, task_id: str) -> Task:
        return self._tasks([self._task_row(plan_id, task_id)])[0]

    @emits("task.updated", plan_from="arg")
    def update_task(
        self, plan_id: str, task_id: str, changes: TaskCreate | TaskPatch, expected: int | None
    ) -> Task:
        self.lock_plan(plan_id)  # racing writers of a plan go one at a time: no loop, no stale version
        row = self._task_row(plan_id, task_id)
        self._check_version("task", row, expected)
        before = self._tasks([row])[0]
        partial = isinstance(changes, TaskPatch)
        if partial and (refused := changes.refused_nulls()):
            raise ValidationFailed(f"{', '.join(refused)} cannot be null")
        skip = {"version", "assignments", "assigned_resources"}
        # a patch's nulls read as TaskPatch.changes says (cleared, or as if not sent), as scenario edits do
        values = changes.changes(exclude=skip) if partial else changes.model_dump(exclude=skip)
        task_id = row.id
        if values.get("parent_id"):
            values["parent_id"] = self.task_id(plan_id, values["parent_id"])
            self.check_parent(plan_id, task_id, values["parent_id"])
        if not partial and changes.duration is None:
            values["duration"] = 0.0 if changes.milestone else 1.0
        for key, value in values.items():
            if key == "metadata":
                row.meta = value
            elif key == "calendar":
                row.calendar = calendar_json(changes.calendar)
            else:
                setattr(row, key, value.value if hasattr(value, "value") else value)
        if values.get("status") == TaskStatus.completed:
            row.percent_complete = 100.0
        if row.constraint_type not in ("ASAP", "ALAP") and row.constraint_date is None:
            raise ValidationFailed(f"constraint {row.constraint_type} needs a constraint_date")
        try:
            check_three_point(row.optimistic_duration, row.most_likely_duration, row.pessimistic_duration)
        except ValueError as exc:
            raise ValidationFailed(str(exc)) from None
        row.updated_at = utcnow()  # a change of assignments alone must still bump the version
        wanted = self._wanted_assignments(changes)
        if wanted is not None or not partial:
            self._set_assignments(plan_id, task_id, wanted or [])
        self._flush()
        return self._apply_type(row, self._tasks([row])[0], before)

    @emits("task.deleted", plan_from="arg")
    def delete_task(self, plan_id: str, task_id: str, expected: int | None) -> str:
        """Delete a task with its subtasks, links and assignments; its id."""
        self.lock_plan(plan_id)
        row = self._task_row(plan_id, task_id)
        self._check_version("task", row, expected)
        self._delete_deep_subtasks(plan_id, row.id)
        self.session.delete(row)
        self._flush()
        return row.id

    def _delete_deep_subtasks(self, plan_id: str, task_id: str) -> None:
        """SQLite follows at most 1,000 cascades in a row (a deeper outline failed to delete): under a task
        with subtasks more than 500 levels deep, those go first, the deepest level first, each with nothing
        under it left to cascade to."""
        if not self.session.scalar(select(exists().where(TaskRow.parent_id == task_id))):
            return  # no subtasks (most deletions): the plan's outline is not read
        below: dict[str, list[str]] = {}
        for tid, parent in self.parent_map(plan_id).items():  # a stored loop: 409, never an endless walk
            if parent is not None:
                below.setdefault(parent, []).append(tid)
        levels, level = [], [task_id]
        while level:
            levels.append(level)
            level = [c for t in level for c in below.get(t, [])]
        if len(levels) <= 500:
            return
        for level in reversed(levels[1:]):
            for i in range(0, len(level), 1000):
                self.session.execute(delete(TaskRow).where(TaskRow.id.in_(level[i : i + 1000])))
