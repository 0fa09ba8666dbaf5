"""Use cases of tasks: create (one or a batch), change, delete, record progress."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prometheus.core.inputs import ProgressUpdate, TaskCreate, TaskPatch
from prometheus.core.model import Task, TaskStatus
from prometheus.integrations.engram import completion_record
from prometheus.services.context import Context
from prometheus.services.kept import TaskChanged


def create_tasks(ctx: Context, plan_id: str, parsed: TaskCreate | list[TaskCreate]) -> Task | list[Task]:
    """One task (an object) or a batch (a list: all or nothing)."""
    with ctx.db.store() as store:
        created = (
            store.add_tasks(plan_id, parsed) if isinstance(parsed, list) else store.add_task(plan_id, parsed)
        )
    ctx.plans.drop(plan_id)
    return created


def update_task(
    ctx: Context, plan_id: str, task_id: str, changes: TaskCreate | TaskPatch, expected: int | None
) -> Task:
    """Change a task's fields (all of them with a TaskCreate, those sent with a TaskPatch)."""
    with ctx.db.store() as store:
        task = store.update_task(plan_id, task_id, changes, expected)
        base, revision = store.revision_change(plan_id)
        header = store.plan_header(plan_id)
    ctx.plans.advance(plan_id, base, revision, TaskChanged(task, header))
    return task


def delete_task(ctx: Context, plan_id: str, task_id: str, expected: int | None) -> str:
    """Delete a task with its subtasks, links and assignments; its id."""
    with ctx.db.store() as store:
        deleted = store.delete_task(plan_id, task_id, expected)
    ctx.plans.drop(plan_id)
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
        task = store.update_progress(plan_id, task_id, body, expected)
        base, revision = store.revision_change(plan_id)
        header = store.plan_header(plan_id)
    ctx.plans.advance(plan_id, base, revision, TaskChanged(task, header))
    done = task.status == TaskStatus.completed and before != TaskStatus.completed and task.actual_start
    return Progress(task, completion_record(task, plan_id, header.calendar) if done else None)
