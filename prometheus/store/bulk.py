"""Bulk writes: many tasks or links in one transaction with set-based inserts, all or nothing, every
refused row named (part of the one repository, `Store`).

One event per batch: `task.batch_created` / `dependency.batch_created` with {"ids": [...], "count": n}."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from prometheus.core import structure as rules
from prometheus.core.graph import wbs_cycle_if_added, wbs_find_cycle
from prometheus.core.inputs import DependencyCreate, TaskCreate
from prometheus.core.model import Assignment, Dependency, Task, TaskStatus
from prometheus.core.portable import check_size
from prometheus.core.structure import cycle_error
from prometheus.errors import PlanTooLarge, PrometheusError, ValidationFailed
from prometheus.store.base import StoreBase, touch_revision
from prometheus.store.inserts import insert_columns
from prometheus.store.mapping import columns_of, dependency_model, new_ids, task_model, values_of
from prometheus.store.tables import AssignmentRow, DependencyRow, ResourceRow, TaskRow, utcnow
from prometheus.store.tasks import assignment_values, new_task_shape

MAX_BATCH = 10_000  # rows in one bulk request
# the columns of a new task that the store decides (over what was sent)
_OWN = ("id", "parent_id", "position", "number", "duration", "duration_unit", "percent_complete")


def refuse(kind: str, total: int, errors: list[dict[str, Any]]) -> None:
    """Raise the 422 naming every refused row (index in the batch and why), if any."""
    if errors:
        first = "; ".join(f"#{e['index']}: {e['message']}" for e in errors[:5])
        raise ValidationFailed(
            f"{len(errors)} of {total} {kind} refused, nothing stored: {first}", details={"errors": errors}
        )


def _problem(index: int, exc: PrometheusError) -> dict[str, Any]:
    out: dict[str, Any] = {"index": index, "message": exc.message, "error_code": exc.error_code}
    return out | ({"details": exc.details} if exc.details else {})


class Bulk(StoreBase):
    """Batches of the Store."""

    def add_tasks(self, plan_id: str, items: list[TaskCreate]) -> list[Task]:
        """Add tasks in order (a task may name an earlier one of the batch as parent, by id or key)."""
        self.lock_plan(plan_id)
        try:
            check_size(self._task_count(plan_id) + len(items), 0, 0)
        except PlanTooLarge as exc:
            raise PlanTooLarge(exc.message, details=exc.details, http_status=422) from None
        parent_of = self.parent_map(plan_id)
        numbers, _ = self._key_map(plan_id)
        resources = set(self.session.scalars(select(ResourceRow.id).where(ResourceRow.plan_id == plan_id)))
        first = self._reserve_numbers(plan_id, len(items))
        cal = self._plan_row(plan_id).calendar or {}
        hours = cal.get("hours_per_day", 8.0), cal.get("hours_per_week", 40.0)
        position = (
            self.session.scalar(select(func.max(TaskRow.position)).where(TaskRow.plan_id == plan_id)) or 0
        )
        own: list[tuple[Any, ...]] = []  # per task, the values of _OWN
        accepted: list[TaskCreate] = []
        links: list[dict[str, Any]] = []
        assigned: list[list[Assignment]] = []
        errors: list[dict[str, Any]] = []
        for i, (data, tid) in enumerate(zip(items, new_ids(len(items)), strict=True)):
            number = first + i
            try:
                parent_id = self._ref(numbers, data.parent_id) if data.parent_id else None
                if parent_id is not None:  # a new task: no links yet
                    rules.check_parent(parent_of, [], {}, None, parent_id, f"plan {plan_id}")
                wanted = self._wanted_assignments(data) or []
                duration, unit, wanted = new_task_shape(plan_id, tid, data, wanted, resources, hours)
            except PrometheusError as exc:
                errors.append(_problem(i, exc))
                continue
            parent_of[tid], numbers[number] = parent_id, tid
            position += 1
            done = 100.0 if data.status is TaskStatus.completed else 0.0
            own.append((tid, parent_id, position, number, duration, unit, done))
            accepted.append(data)
            assigned.append(wanted)
            links += assignment_values(tid, wanted)
        refuse("tasks", len(items), errors)
        now = utcnow()
        # what was sent, column by column, then what the store decided
        decided = dict(zip(_OWN, map(list, zip(*own, strict=True)), strict=True))
        columns = columns_of(TaskRow, accepted) | decided
        constants = {"plan_id": plan_id, "version": 1, "created_at": now, "updated_at": now}
        insert_columns(self.connection, TaskRow.__table__, columns, constants)
        self._insert(AssignmentRow, links)
        names = [*columns, *constants]
        tasks = [
            task_model(dict(zip(names, (*row, *constants.values()), strict=True)), wanted)
            for row, wanted in zip(zip(*columns.values(), strict=True), assigned, strict=True)
        ]
        self.emit("task.batch_created", plan_id, {"ids": [t.id for t in tasks], "count": len(tasks)})
        return tasks

    def add_dependencies(self, plan_id: str, items: list[DependencyCreate]) -> list[Dependency]:
        """Link tasks, as add_dependency does for each, checked against the plan and the batch."""
        self.lock_plan(plan_id)
        parent_of = self.parent_map(plan_id)
        numbers, names = self._key_map(plan_id)
        edges = self.plan_links(plan_id)
        taken = set(edges)
        rows: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        ids = iter(new_ids(len(items)))
        for i, data in enumerate(items):
            pred, succ = self._ref(numbers, data.predecessor_id), self._ref(numbers, data.successor_id)
            try:
                rules.check_link(parent_of, names, pred, succ, taken, f"plan {plan_id}")
            except PrometheusError as exc:
                errors.append(_problem(i, exc))
                continue
            taken.add((pred, succ))
            rows.append(
                values_of(
                    DependencyRow, data, id=next(ids), plan_id=plan_id, predecessor_id=pred, successor_id=succ
                )
            )
        refuse("links", len(items), errors)
        added = [(r["predecessor_id"], r["successor_id"]) for r in rows]
        if wbs_find_cycle(parent_of, edges + added) is not None:  # name each link that closes a cycle
            kept = list(edges)
            for i, link in enumerate(added):
                cycle = wbs_cycle_if_added(parent_of, kept, link)
                if cycle:
                    errors.append(_problem(i, cycle_error(cycle, names)))
                else:
                    kept.append(link)
            refuse("links", len(items), errors)
        self._insert(DependencyRow, rows)
        touch_revision(self.session, [plan_id])
        deps = [dependency_model(r) for r in rows]
        self.emit("dependency.batch_created", plan_id, {"ids": [d.id for d in deps], "count": len(deps)})
        return deps
