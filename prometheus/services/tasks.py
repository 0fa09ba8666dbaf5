"""Use cases of tasks: create (one or a batch), change, delete, record progress."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from prometheus.core.inputs import ProgressUpdate, TaskCreate, TaskPatch
from prometheus.core.model import Task, TaskStatus
from prometheus.integrations.engram import completion_record
from prometheus.services.changes import TaskRemoved, TasksAdded, TasksChanged
from prometheus.services.context import Context
from prometheus.services.kept import moved


def create_tasks(ctx: Context, plan_id: str, parsed: TaskCreate | list[TaskCreate]) -> Task | list[Task]:
    """One task (an object) or a batch (a list: all or nothing)."""
    kept = ctx.plans.holds(plan_id)  # else there is no kept plan to move on
    with ctx.db.store() as store:
        if isinstance(parsed, list):
            created = store.add_tasks(plan_id, parsed)
        else:
            if kept:
                store.lock_plan(plan_id)  # the revision the plan moves on from (add_task takes no lock first)
            created = store.add_task(plan_id, parsed)
        after = moved(store, plan_id) if kept else None
    if after is not None:
        base, revision, header = after
        added = created if isinstance(created, list) else [created]
        ctx.plans.advance(plan_id, base, revision, TasksAdded(added, header))
    return created


def update_task(
    ctx: Context, plan_id: str, task_id: str, changes: TaskCreate | TaskPatch, expected: int | None
) -> Task:
    """Change a task's fields (all of them with a TaskCreate, those sent with a TaskPatch)."""
    with ctx.db.store() as store:
        task = store.update_task(plan_id, task_id, changes, expected)
        base, revision = store.revision_change(plan_id)
        header = store.plan_header(plan_id)
    ctx.plans.advance(plan_id, base, revision, TasksChanged([task], header))
    return task


def delete_task(ctx: Context, plan_id: str, task_id: str, expected: int | None) -> str:
    """Delete a task with its subtasks, links and assignments; its id."""
    kept = ctx.plans.holds(plan_id)
    with ctx.db.store() as store:
        deleted = store.delete_task(plan_id, task_id, expected)
        after = moved(store, plan_id) if kept else None
    if after is not None:
        base, revision, header = after
        ctx.plans.advance(plan_id, base, revision, TaskRemoved(header, task_id=deleted))
    return deleted


@dataclass(frozen=True)
class Progress:
    task: Task
    completion: dict[str, Any] | None  # what Engram is to remember: the task was completed just now


def record_progress(
    ctx: Context, plan_id: str, task_id: str, body: ProgressUpdate, expected: int | None
) -> Progress:
    """Record progress; a task it completes is for Engram to remember (`ctx.engram`, after the answer)."""
    with ctx.db.store() as store:
        before = store.get_task(plan_id, task_id).status
        kept = ctx.plans.holds(plan_id)  # the dates progress implies: from the kept plan, else a read
        schedule = partial(ctx.plans.locked_schedule, store, plan_id, ctx.today()) if kept else None
        task = store.update_progress(plan_id, task_id, body, expected, schedule)
        base, revision = store.revision_change(plan_id)
        header = store.plan_header(plan_id)
    ctx.plans.advance(plan_id, base, revision, TasksChanged([task], header))
    done = task.status == TaskStatus.completed and before != TaskStatus.completed and task.actual_start
    return Progress(task, completion_record(task, plan_id, header.calendar) if done else None)
