"""Progress, baselines and the history of finished tasks (part of the one repository, `Store`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import bindparam, cast, delete, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm.attributes import set_committed_value

from prometheus.core.bounds import MAX_TEXT
from prometheus.core.inputs import BaselineCreate, ProgressUpdate
from prometheus.core.model import Baseline, Calendar, Task, TaskStatus, wall
from prometheus.core.progress import scheduled_actuals
from prometheus.core.scheduler import Schedule
from prometheus.errors import (
    NotFound,
    ResourceConflict,
    ValidationFailed,
)
from prometheus.store.base import StoreBase, emits, event_data, touch_revision
from prometheus.store.mapping import (
    task_model,
)
from prometheus.store.tables import (
    BaselineRow,
    PlanRow,
    TaskRow,
    utcnow,
)

_TASKS = TaskRow.__table__
PROGRESS_COLUMNS = ("status", "percent_complete", "remaining_duration", "resume", "actual_cost",
                    "actual_start", "actual_finish", "notes")  # fmt: skip
# progress of many tasks in one statement (`updated_at` given per batch). PostgreSQL: set-based, from the
# tasks' values as one array per column; elsewhere (SQLite, in process): a set of parameters per task
_GIVEN = (
    func.unnest(*(cast(bindparam(f"b_{c}"), ARRAY(_TASKS.c[c].type)) for c in ("id", *PROGRESS_COLUMNS)))
    .table_valued("id", *PROGRESS_COLUMNS)
    .render_derived(name="given")
)
_PROGRESS_SET = (
    update(_TASKS)
    .where(_TASKS.c.id == _GIVEN.c.id)
    .values(version=_TASKS.c.version + 1, **{c: _GIVEN.c[c] for c in PROGRESS_COLUMNS})
)
_PROGRESS_EACH = (
    update(_TASKS)
    .where(_TASKS.c.id == bindparam("b_id"))
    .values(version=_TASKS.c.version + 1, **{c: bindparam(f"b_{c}") for c in PROGRESS_COLUMNS})
)


class Tracking(StoreBase):
    """Progress and baselines of the Store."""

    @emits("task.progress", plan_from="arg")
    def update_progress(
        self,
        plan_id: str,
        task_id: str,
        p: ProgressUpdate,
        expected: int | None,
        schedule: Callable[[], Schedule] | None = None,
    ) -> Task:
        """Record progress; status, percent complete and actual dates are kept consistent. `schedule`: the
        plan's schedule as this transaction sees it, if the caller keeps one (else the actual dates that
        progress implies are found by reading the plan and scheduling it)."""
        self.lock_plan(plan_id)
        row = self._task_row(plan_id, task_id)
        self._check_version("task", row, expected)
        for name, value in self._progress_values(plan_id, row, p, utcnow(), schedule).items():
            setattr(row, name, value)
        self._flush()
        return self._tasks([row])[0]

    def update_progress_many(
        self, plan_id: str, updates: dict[str, ProgressUpdate], schedule: Callable[[], Schedule]
    ) -> list[Task]:
        """Record progress of many tasks of the plan (task id -> progress), each as update_progress records
        it, in one go: one UPDATE statement for all, one new revision of the plan, each task's version
        bumped, and each task's `task.progress` event, in the order of `updates`."""
        if not updates:
            return []
        self.lock_plan(plan_id)
        rows = self._progress_rows(plan_id, list(updates))
        now = utcnow()
        values = []
        for row, p in zip(rows, updates.values(), strict=True):
            new = self._progress_values(plan_id, row, p, now, schedule)
            values.append({"b_id": row.id} | {f"b_{k}": v for k, v in new.items()})
        if self.dialect == "postgresql":
            arrays = {k: [v[k] for v in values] for k in values[0]}
            self.connection.execute(_PROGRESS_SET.values(updated_at=now), arrays)
        else:
            self.connection.execute(_PROGRESS_EACH.values(updated_at=now), values)
        touch_revision(self.session, [plan_id])
        for row, new in zip(rows, values, strict=True):  # the rows as stored now, as a flush leaves them
            for name in PROGRESS_COLUMNS:
                set_committed_value(row, name, new[f"b_{name}"])
            set_committed_value(row, "version", row.version + 1)
            set_committed_value(row, "updated_at", now)
        tasks = self._tasks(rows)
        self.emit_many("task.progress", plan_id, [event_data(t) for t in tasks])
        return tasks

    def _progress_rows(self, plan_id: str, task_ids: list[str]) -> list[TaskRow]:
        """The rows of these tasks of the plan, in this order."""
        stmt = select(TaskRow).where(TaskRow.plan_id == plan_id)
        if len(task_ids) <= 500:  # a few tasks: by id; many: the plan's (no limit on bound parameters)
            stmt = stmt.where(TaskRow.id.in_(task_ids))
        found = {r.id: r for r in self.session.scalars(stmt)}
        missing = [t for t in task_ids if t not in found]
        if missing:
            raise NotFound(f"task {missing[0]} not found in plan {plan_id}", details={"task_id": missing[0]})
        return [found[t] for t in task_ids]

    def _progress_values(
        self,
        plan_id: str,
        row: TaskRow,
        p: ProgressUpdate,
        now: datetime,
        schedule: Callable[[], Schedule] | None,
    ) -> dict[str, Any]:
        """The task's progress columns after `p` (every one of PROGRESS_COLUMNS): status, percent complete and
        actual dates kept consistent."""
        status = p.status or TaskStatus(row.status)
        percent = p.percent_complete
        if p.status is TaskStatus.completed and percent is not None and percent < 100:
            raise ValidationFailed("a completed task is 100% complete; send percent_complete 100 or omit it")
        if percent is None:
            percent = 100.0 if status is TaskStatus.completed else row.percent_complete
            if p.status in (TaskStatus.pending,) and row.status == TaskStatus.completed:
                percent = 0.0
        elif p.status is None:
            if percent >= 100:
                status = TaskStatus.completed
            elif percent > 0 and status in (TaskStatus.pending, TaskStatus.completed):
                status = TaskStatus.in_progress
            elif percent == 0 and status is TaskStatus.completed:
                status = TaskStatus.pending
        actual_start = p.actual_start or wall(row.actual_start)
        actual_finish = p.actual_finish or wall(row.actual_finish)
        started = status in (TaskStatus.in_progress, TaskStatus.completed) or percent > 0
        finished = status is TaskStatus.completed
        if (started and actual_start is None) or (finished and actual_finish is None):
            # as Microsoft Project: the actuals that percent complete implies are the scheduled dates
            plan = partial(self.get_plan, plan_id)
            planned = scheduled_actuals(plan, row.id, now.date(), p.actual_start, schedule)
            if planned is not None:
                actual_start = actual_start or (planned[0] if started else None)
                actual_finish = actual_finish or (planned[1] if finished else None)
        if not finished and p.actual_finish is None:
            actual_finish = None
        if actual_start and actual_finish and actual_finish < actual_start:
            raise ValidationFailed("actual_finish is before actual_start")
        notes = row.notes
        if p.notes:
            line = f"[{now.isoformat(timespec='seconds')}] {p.notes}"
            notes = f"{notes}\n{line}" if notes else line
            if len(notes) > MAX_TEXT:
                raise ValidationFailed(
                    f"the task's notes would hold {len(notes):,} characters with this one, over the "
                    f"{MAX_TEXT:,} a task's notes may hold: shorten them first (PATCH notes)"
                )
        remaining = row.remaining_duration if p.remaining_duration is None else p.remaining_duration
        return {
            "status": status.value,
            "percent_complete": percent,
            "remaining_duration": 0.0 if status is TaskStatus.completed else remaining,
            "resume": row.resume if p.resume is None else p.resume,
            "actual_cost": row.actual_cost if p.actual_cost is None else p.actual_cost,
            "actual_start": actual_start,
            "actual_finish": actual_finish,
            "notes": notes,
        }

    # -- baselines -----------------------------------------------------------------------------------------

    @emits("plan.baseline_saved", plan_from="arg")
    def save_baseline(self, plan_id: str, request: BaselineCreate, snapshot: Baseline) -> Baseline:
        """Store a snapshot as baseline `request.number` (replacing it) or as the first free number."""
        self.lock_plan(plan_id)
        taken = set(self.session.scalars(select(BaselineRow.number).where(BaselineRow.plan_id == plan_id)))
        number = request.number
        if number is None:
            free = [k for k in range(11) if k not in taken]
            if not free:
                raise ResourceConflict("all 11 baselines (0..10) are in use; name a number to replace one")
            number = free[0]
        name = request.name or ("Baseline" if number == 0 else f"Baseline {number}")
        baseline = snapshot.model_copy(update={"number": number, "name": name})
        row = self.session.get(BaselineRow, (plan_id, number))
        data = baseline.model_dump(mode="json")
        if row is None:
            self.session.add(
                BaselineRow(plan_id=plan_id, number=number, name=name, saved_at=baseline.saved_at, data=data)
            )
        else:
            row.name, row.saved_at, row.data = name, baseline.saved_at, data
        self._flush()
        return baseline

    def list_baselines(self, plan_id: str) -> list[Baseline]:
        self._plan_row(plan_id)
        rows = self.session.scalars(
            select(BaselineRow).where(BaselineRow.plan_id == plan_id).order_by(BaselineRow.number)
        )
        return [Baseline.model_validate(r.data) for r in rows]

    def get_baseline(self, plan_id: str, number: int) -> Baseline:
        self._plan_row(plan_id)
        row = self.session.get(BaselineRow, (plan_id, number))
        if row is None:
            raise NotFound(f"plan {plan_id} has no baseline {number}", details={"number": number})
        return Baseline.model_validate(row.data)

    @emits("plan.baseline_deleted", plan_from="arg")
    def delete_baseline(self, plan_id: str, number: int) -> None:
        self.get_baseline(plan_id, number)
        self.session.execute(
            delete(BaselineRow).where(BaselineRow.plan_id == plan_id, BaselineRow.number == number)
        )

    def completed_tasks(
        self, *, exclude_plan: str | None = None, limit: int = 20_000
    ) -> list[tuple[Task, Calendar | None]]:
        """Finished tasks with actual dates, newest first, with their plan's calendar: the history."""
        stmt = (
            select(TaskRow, PlanRow.calendar)
            .join(PlanRow, PlanRow.id == TaskRow.plan_id)
            .where(TaskRow.actual_start.is_not(None), TaskRow.actual_finish.is_not(None))
            .order_by(TaskRow.updated_at.desc())
            .limit(limit)
        )
        if exclude_plan:
            stmt = stmt.where(TaskRow.plan_id != exclude_plan)
        rows = list(self.session.execute(stmt))
        assigned = self._assignments([r.id for r, _ in rows])
        return [(task_model(r, assigned[r.id]), Calendar.model_validate(c) if c else None) for r, c in rows]
