"""`prometheus scenarios`: what-if scenarios of a plan: open, change, compare, promote or discard one."""

from __future__ import annotations

import typer

from prometheus.cli.common import (
    JSON,
    TOKEN,
    URL,
    SyncPrometheusClient,
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

app = typer.Typer(
    help="What-if scenarios: change a copy-on-write view of a plan, compare it, promote or discard it.",
    no_args_is_help=True,
)
PLAN = typer.Argument(..., help="Plan id, name or id prefix")
SCENARIO = typer.Argument(..., help="Scenario id or exact name")


def scenario_id(api: SyncPrometheusClient, plan: str, ref: str) -> str:
    """The id of the scenario `ref` names in a plan: its id or its exact name."""
    found = [s for s in api.list_scenarios(plan) if ref in (s["id"], s["name"])]
    if len(found) == 1:
        return found[0]["id"]
    if not found:
        raise LookupError(f"no scenario {ref!r} — `prometheus scenarios list PLAN` shows them")
    raise LookupError(f"{len(found)} scenarios are named {ref!r} — give the id")


def _changed(what: str, as_json: bool, result: dict) -> None:
    count = result["scenario"]["change_count"]
    emit(result, as_json, lambda _: console.print(f"{what} ({count} changes in the scenario)"))


@app.command("list")
def scenarios_list(
    plan: str = PLAN, url: str | None = URL, token: str | None = TOKEN, as_json: bool = JSON
) -> None:
    """A plan's open scenarios."""
    with connect(url, token) as api:
        rows = api.list_scenarios(plan_id(api, plan))
    show = lambda rs: table(  # noqa: E731
        ("id", "name", "changes", "opened"),
        ((s["id"], s["name"], s["change_count"], day(s["created_at"])) for s in rs),
    )
    emit(rows, as_json, show)


@app.command("create")
def scenarios_create(
    plan: str = PLAN,
    name: str = typer.Argument(..., help="The scenario's name"),
    description: str = typer.Option("", help="What the scenario tries"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Open a scenario of a plan (nothing is copied: it keeps only its changes)."""
    with connect(url, token) as api:
        made = api.create_scenario(plan_id(api, plan), name, description)
    emit(made, as_json, lambda s: console.print(f"opened scenario {s['name']!r} ({s['id']})"))


@app.command("task")
def scenarios_task(
    plan: str = PLAN,
    scenario: str = SCENARIO,
    task: str = typer.Argument(..., help="Task id, key task-N or name"),
    duration: float | None = typer.Option(None, help="New duration (in the task's unit)"),
    assign: list[str] = typer.Option(None, "--assign", help="Resource ids to assign instead (repeat)"),
    start_no_earlier: str | None = typer.Option(None, help="Start no earlier than this date-time"),
    remove: bool = typer.Option(False, "--remove", help="Remove the task from the scenario"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Change or remove a task in the scenario."""
    changes: dict = {}
    if duration is not None:
        changes["duration"] = duration
    if assign:
        changes["assigned_resources"] = list(assign)
    if start_no_earlier:
        changes |= {"constraint_type": "SNET", "constraint_date": start_no_earlier}
    if not changes and not remove:
        raise usage("say what changes: --duration, --assign, --start-no-earlier or --remove")
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        sid, tid = scenario_id(api, pid, scenario), task_id(api, pid, task)
        if remove:
            result = api.scenario_remove_task(pid, sid, tid)
        else:
            result = api.scenario_update_task(pid, sid, tid, **changes)
    _changed(f"{'removed' if remove else 'changed'} {task}", as_json, result)


@app.command("remove-resource")
def scenarios_remove_resource(
    plan: str = PLAN,
    scenario: str = SCENARIO,
    resource: str = typer.Argument(..., help="Resource id or name"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Remove a resource and its assignments from the scenario."""
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        result = api.scenario_remove_resource(pid, scenario_id(api, pid, scenario), resource)
    _changed(f"removed resource {resource}", as_json, result)


@app.command("link")
def scenarios_link(
    plan: str = PLAN,
    scenario: str = SCENARIO,
    predecessor: str = typer.Argument(..., help="The task that comes first"),
    successor: str = typer.Argument(..., help="The task that waits for it"),
    remove: str | None = typer.Option(None, "--remove", help="Instead, remove the link with this id"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Link two tasks in the scenario (finish-to-start), or remove a link with --remove ID."""
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        sid = scenario_id(api, pid, scenario)
        if remove:
            result = api.scenario_remove_link(pid, sid, remove)
        else:
            result = api.scenario_add_link(
                pid, sid, task_id(api, pid, predecessor), task_id(api, pid, successor)
            )
    _changed("removed the link" if remove else f"linked {predecessor} -> {successor}", as_json, result)


@app.command("level")
def scenarios_level(
    plan: str = PLAN,
    scenario: str = SCENARIO,
    apply: bool = typer.Option(False, "--apply", help="Keep the leveling in the scenario"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Level the scenario's resources (a preview unless --apply)."""
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        result = api.scenario_level(pid, scenario_id(api, pid, scenario), apply=apply)
    verb = "moved" if result["applied"] else "would move"
    text = f"{len(result['moved'])} tasks {verb}; finish {day(result['project_finish_after'])}"
    emit(result, as_json, lambda _: console.print(text))


@app.command("compare")
def scenarios_compare(
    plan: str = PLAN,
    scenario: str = SCENARIO,
    limit: int = typer.Option(20, help="At most this many moved tasks"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """The scenario against its plan: finish, cost, critical path and the tasks that moved."""
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        result = api.compare_scenario(pid, scenario_id(api, pid, scenario), limit=limit)

    def show(r: dict) -> None:
        a, b, d = r["base"], r["scenario"], r["difference"]
        table(
            ("", "plan", "scenario", "difference"),
            [
                (
                    "finish",
                    day(a["project_finish"]),
                    day(b["project_finish"]),
                    f"{d['finish_shift_hours']:+g} h",
                ),
                (
                    "working days",
                    num(a["duration_days"]),
                    num(b["duration_days"]),
                    f"{d['duration_days']:+g}",
                ),
                ("cost", f"{a['cost']:,.2f}", f"{b['cost']:,.2f}", f"{d['cost']:+,.2f}"),
                (
                    "critical tasks",
                    len(a["critical_tasks"]),
                    len(b["critical_tasks"]),
                    f"+{len(d['critical_added'])} -{len(d['critical_removed'])}",
                ),
            ],  # fmt: skip
        )
        rows = (
            (
                m["key"] or m["task_id"],
                m["name"],
                m["change"],
                day(m["base_finish"]),
                day(m["scenario_finish"]),
            )
            for m in r["tasks"]
        )
        table(("task", "name", "change", "plan finish", "scenario finish"), rows, title="tasks that moved")

    emit(result, as_json, show)


@app.command("promote")
def scenarios_promote(
    plan: str = PLAN,
    scenario: str = SCENARIO,
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Apply the scenario's changes to the plan, in one transaction (refused if the plan changed there)."""
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        result = api.promote_scenario(pid, scenario_id(api, pid, scenario))
    emit(result, as_json, lambda r: console.print(f"promoted: {r['changes']} changes applied to the plan"))


@app.command("discard")
def scenarios_discard(
    plan: str = PLAN,
    scenario: str = SCENARIO,
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Throw a scenario away; the plan stays as it is."""
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        result = api.discard_scenario(pid, scenario_id(api, pid, scenario))
    emit(result, as_json, lambda _: console.print("scenario discarded"))
