"""`prometheus tasks` (list, add, update, delete) and `prometheus progress`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer

from prometheus.cli.common import (
    JSON,
    TOKEN,
    URL,
    connect,
    console,
    day,
    emit,
    num,
    plan_id,
    table,
    task_id,
    usage,
)

app = typer.Typer(help="A plan's tasks on a running server.", no_args_is_help=True)
UNITS = ("hours", "days", "weeks")
PLAN = typer.Argument(..., help="Plan id, name or id prefix")
TASK = typer.Argument(..., help="Task id, key (task-3) or name")


def when(value: str | None, option: str, at: str = "08:00") -> str | None:
    """A date or date-time option as ISO (a plain date gets `at`)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(f"{value}T{at}" if len(value) == 10 else value)
    except ValueError:
        raise usage(f"{option} wants a date like 2026-12-01 or 2026-12-01T13:00, not {value!r}") from None
    return parsed.isoformat(timespec="minutes")


def duration_of(t: dict[str, Any]) -> str:
    return "milestone" if t["milestone"] else f"{num(t['duration'])} {t['duration_unit']}"


@app.command("list")
def tasks_list(
    plan: str = PLAN,
    search: str | None = typer.Option(None, help="Words in the name or description"),
    status: str | None = typer.Option(None, help="pending, in_progress, completed, blocked, cancelled"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """A plan's tasks in outline order, with their predecessors."""
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        tasks = api.get_tasks(pid, search=search, status=status)
        every = api.get_tasks(pid) if search or status else tasks  # predecessors the filter leaves out
    keys = {t["id"]: t.get("key") or t["id"][:8] for t in every}

    def show(rows: list[dict]) -> None:
        table(
            ("key", "name", "duration", "status", "%", "priority", "after", "constraint"),
            (
                (
                    keys[t["id"]],
                    t["name"],
                    duration_of(t),
                    t["status"],
                    num(t["percent_complete"]),
                    t["priority"],
                    ", ".join(keys.get(d, d[:8]) for d in t.get("dependencies") or []),
                    ""
                    if t["constraint_type"] == "ASAP"
                    else f"{t['constraint_type']} {day(t['constraint_date'])}",
                )
                for t in rows
            ),
        )

    emit(tasks, as_json, show)


@app.command("add")
def tasks_add(
    plan: str = PLAN,
    name: str = typer.Argument(..., help="The task's name"),
    duration: float = typer.Option(1.0, min=0, help="How long it takes"),
    unit: str = typer.Option("days", help="hours, days or weeks"),
    milestone: bool = typer.Option(False, "--milestone", help="A zero-length milestone"),
    after: list[str] = typer.Option(
        [], "--after", help="A predecessor (finish-to-start); repeat for several"
    ),
    parent: str | None = typer.Option(None, help="The summary task it belongs under"),
    start: str | None = typer.Option(None, "--start", help="Start no earlier than this date"),
    priority: str = typer.Option("medium", help="low, medium, high, critical"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Add a task (optionally after other tasks); prints its key."""
    if unit not in UNITS:
        raise usage(f"--unit is one of {', '.join(UNITS)}")
    fields: dict[str, Any] = {
        "duration": 0 if milestone else duration,
        "duration_unit": unit,
        "milestone": milestone,
        "priority": priority,
    }
    if start:
        fields |= {"constraint_type": "SNET", "constraint_date": when(start, "--start")}
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        if parent:
            fields["parent_id"] = task_id(api, pid, parent)
        predecessors = [task_id(api, pid, ref) for ref in after]
        task = api.add_task(pid, name, **fields)
        for pred in predecessors:
            api.add_link(pid, pred, task["id"])
    shown = f"added task {task.get('key') or task['id']} [bold]{name}[/bold]"
    emit(task, as_json, lambda _: console.print(shown + (f" after {', '.join(after)}" if after else "")))


@app.command("update")
def tasks_update(
    plan: str = PLAN,
    task: str = TASK,
    name: str | None = typer.Option(None, help="A new name"),
    duration: float | None = typer.Option(None, min=0, help="A new duration"),
    unit: str | None = typer.Option(None, help="hours, days or weeks"),
    start: str | None = typer.Option(None, "--start", help="Start no earlier than this date (SNET)"),
    finish: str | None = typer.Option(None, "--finish", help="Finish no earlier than this date (FNET)"),
    asap: bool = typer.Option(False, "--asap", help="Drop the date constraint: as soon as possible"),
    priority: str | None = typer.Option(None, help="low, medium, high, critical"),
    status: str | None = typer.Option(None, help="pending, in_progress, completed, blocked, cancelled"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Change a task. A start or finish date becomes a constraint, as when you type one in MS Project."""
    if unit is not None and unit not in UNITS:
        raise usage(f"--unit is one of {', '.join(UNITS)}")
    if sum(bool(x) for x in (start, finish, asap)) > 1:
        raise usage("give one of --start, --finish, --asap: a task has one date constraint")
    changes: dict[str, Any] = {
        k: v
        for k, v in {
            "name": name,
            "duration": duration,
            "duration_unit": unit,
            "priority": priority,
            "status": status,
        }.items()
        if v is not None
    }
    if start:
        changes |= {"constraint_type": "SNET", "constraint_date": when(start, "--start")}
    if finish:
        changes |= {"constraint_type": "FNET", "constraint_date": when(finish, "--finish", "17:00")}
    if asap:
        changes |= {"constraint_type": "ASAP", "constraint_date": None}
    if not changes:
        raise usage("nothing to change: give --name, --duration, --start, ...")
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        updated = api.update_task(pid, task_id(api, pid, task), **changes)
    emit(
        updated,
        as_json,
        lambda t: console.print(
            f"updated {t.get('key') or t['id']} [bold]{t['name']}[/bold]: {duration_of(t)}, {t['status']}"
            + (
                ""
                if t["constraint_type"] == "ASAP"
                else f", {t['constraint_type']} {day(t['constraint_date'])}"
            )
        ),
    )


@app.command("delete")
def tasks_delete(
    plan: str = PLAN, task: str = TASK, url: str | None = URL, token: str | None = TOKEN, as_json: bool = JSON
) -> None:
    """Delete a task with its subtasks and links."""
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        tid = task_id(api, pid, task)
        result = api.delete_task(pid, tid)
    emit(result, as_json, lambda _: console.print(f"deleted task {task}"))


def progress(
    plan: str = PLAN,
    task: str = TASK,
    percent: float | None = typer.Option(None, "--percent", min=0, max=100, help="% complete"),
    status: str | None = typer.Option(None, help="pending, in_progress, completed, blocked, cancelled"),
    actual_start: str | None = typer.Option(None, help="When work really started (date or date-time)"),
    actual_finish: str | None = typer.Option(None, help="When it really finished"),
    remaining: float | None = typer.Option(None, min=0, help="Remaining duration, in the task's unit"),
    resume: str | None = typer.Option(None, help="When the remaining work starts again (after a stop)"),
    cost: float | None = typer.Option(None, min=0, help="Actual cost so far"),
    notes: str | None = typer.Option(None, help="A note"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Record progress on a task: % complete, status, actual dates, remaining duration, cost."""
    body = {
        "percent_complete": percent,
        "status": status,
        "actual_start": when(actual_start, "--actual-start"),
        "actual_finish": when(actual_finish, "--actual-finish", "17:00"),
        "remaining_duration": remaining,
        "resume": when(resume, "--resume"),
        "actual_cost": cost,
        "notes": notes,
    }
    body = {k: v for k, v in body.items() if v is not None}
    if not body:
        raise usage("nothing to record: give --percent, --status, --actual-start, ...")
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        t = api.update_progress(pid, task_id(api, pid, task), **body)
    emit(
        t,
        as_json,
        lambda t: console.print(
            f"{t.get('key') or t['id']} [bold]{t['name']}[/bold]: {num(t['percent_complete'])}% {t['status']}"
            + (f", started {day(t['actual_start'])}" if t["actual_start"] else "")
            + (f", finished {day(t['actual_finish'])}" if t["actual_finish"] else "")
        ),
    )
