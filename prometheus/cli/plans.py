"""`prometheus plans`: list, show, create, delete plans on a running server."""

from __future__ import annotations

from datetime import date

import typer

from prometheus.cli.common import JSON, TOKEN, URL, connect, console, emit, plan_id, table, usage
from prometheus.cli.schedule import print_schedule

app = typer.Typer(help="Plans on a running server.", no_args_is_help=True)


@app.command("list")
def plans_list(
    search: str | None = typer.Option(None, help="Words in the name or description"),
    tag: str | None = typer.Option(None, help="Only plans with this tag"),
    status: str | None = typer.Option(None, help="draft, active, on_hold, completed, cancelled, archived"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """List plans."""
    with connect(url, token) as api:
        plans = api.list_plans(search=search, tag=tag, status=status, limit=1000)

    def show(rows: list[dict]) -> None:
        columns = ("id", "name", "status", "tasks", "start", "finish by", "version")
        cells = ("status", "task_count", "start_date", "end_date", "version")
        table(columns, ((p["id"][:8], p["name"], *(p[c] for c in cells)) for p in rows))

    emit(plans, as_json, show)


@app.command("show")
def plans_show(
    plan: str = typer.Argument(..., help="Plan id, name or id prefix"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """A plan: its facts, its tasks' scheduled dates and its critical path."""
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        found = api.get_plan(pid, include_tasks=False)
        timeline = api.timeline(pid)
    if as_json:
        emit(found | {"schedule": timeline}, True, print)
        return
    console.print(
        f"[bold]{found['name']}[/bold]  id {found['id']}  status {found['status']}  "
        f"version {found['version']}"
    )
    facts = [f"start {found['start_date'] or 'not set'}", f"{found['task_count']} tasks"]
    if found["end_date"]:
        facts.append(f"must finish by {found['end_date']}")
    if found.get("status_date"):
        facts.append(f"status date {found['status_date']}")
    console.print(", ".join(facts))
    if found["description"]:
        console.print(found["description"])
    print_schedule(timeline)


@app.command("create")
def plans_create(
    name: str = typer.Argument(..., help="The plan's name"),
    start: str | None = typer.Option(None, "--start", help="Start date YYYY-MM-DD (default: today)"),
    finish_by: str | None = typer.Option(
        None, "--finish-by", help="Deadline YYYY-MM-DD (the plan's end date)"
    ),
    description: str = typer.Option("", help="What the plan is for"),
    tag: list[str] = typer.Option([], "--tag", help="A tag; repeat for several"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Create a plan; prints its id."""
    for value, option in ((start, "--start"), (finish_by, "--finish-by")):
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise usage(f"{option} wants a date like 2026-12-01, not {value!r}") from None
    fields = {"description": description, "tags": tag, "start_date": start or date.today().isoformat()}
    if finish_by:
        fields["end_date"] = finish_by
    with connect(url, token) as api:
        pid = api.create_plan(name, **fields)
        created = api.get_plan(pid, include_tasks=False) if as_json else None
    emit(created, as_json, lambda _: console.print(f"created plan [bold]{name}[/bold] {pid}"))


@app.command("delete")
def plans_delete(
    plan: str = typer.Argument(..., help="Plan id, name or id prefix"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Delete a plan with its tasks, links, resources and baselines."""
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        found = api.get_plan(pid, include_tasks=False)
        if not yes:
            if not typer.get_text_stream("stdin").isatty():
                raise usage("deleting needs --yes when no one can be asked")
            typer.confirm(f"Delete plan {found['name']!r} ({found['task_count']} tasks)?", abort=True)
        result = api.delete_plan(pid, version=found["version"])
    emit(result, as_json, lambda _: console.print(f"deleted plan {found['name']!r} ({pid})"))
