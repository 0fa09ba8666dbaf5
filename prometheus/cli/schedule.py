"""`prometheus schedule` (a stored plan, or a file here without a server), `level` and `risk`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from prometheus.cli.common import JSON, TOKEN, URL, connect, console, day, emit, num, plan_id, table, working

app = typer.Typer()


def print_schedule(timeline: dict[str, Any]) -> None:
    """The scheduled dates of every task (critical ones in red), the critical path and the finish."""
    rows = timeline["tasks"]
    parent = {r["task_id"]: r.get("parent_id") for r in rows}

    def depth(tid: str) -> int:
        n, p = 0, parent.get(tid)
        while p and n < 50:
            n, p = n + 1, parent.get(p)
        return n

    t = Table()
    t.add_column("task", overflow="fold", min_width=8)  # only the name wraps: the rest fit 80 columns
    for c in ("start", "finish", "days", "slack", "%", "critical"):
        t.add_column(c, no_wrap=True, min_width=16 if c in ("start", "finish") else None)
    for r in rows:
        name = "  " * depth(r["task_id"]) + r["name"]
        t.add_row(
            f"[bold]{name}[/bold]" if r["summary"] else name,
            day(r["start"]),
            day(r["finish"]),
            num(r["duration_days"]),
            num(r["total_slack_days"]),
            num(r["percent_complete"]),
            "yes" if r["critical"] else "",
            style="red" if r["critical"] else None,
        )
    console.print(t)
    path = " -> ".join(c["name"] for c in timeline["critical_path"])
    console.print(f"critical path: {path or 'none'}")
    if rows:
        console.print(f"start {day(timeline['project_start'])}, finish {day(timeline['project_finish'])}")
    for c in timeline.get("conflicts") or []:
        console.print(f"[yellow]conflict:[/yellow] {c['message']}")


@app.command("schedule")
def schedule(
    target: str = typer.Argument(
        ..., help="A plan (id, name or id prefix) on the server, or a plan file here"
    ),
    format: str | None = typer.Option(
        None, help="For a file: json, csv, mspdi or mpxj (default: its extension)"
    ),
    level: bool = typer.Option(False, "--level", help="For a file: level resources first"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """The schedule: every task's dates and slack, and the critical path.

    A plan on the server, or a file (JSON, CSV, MS Project XML, .mpp/.xer/... through MPXJ) scheduled here
    without a server."""
    if Path(target).is_file():
        schedule_file(Path(target), format, level, as_json)
        return
    with connect(url, token) as api, working("scheduling"):
        timeline = api.timeline(plan_id(api, target))
    emit(timeline, as_json, print_schedule)


def schedule_file(file: Path, format: str | None, level: bool, as_json: bool) -> None:
    from prometheus.core.analysis import leveled, schedule_plan, timeline
    from prometheus.core.model import ConstraintType
    from prometheus.formats.registry import read_plan

    with working(f"reading {file.name}") as say:
        plan = read_plan(file.read_bytes(), file.name, format)
        report = None
        if level:
            say(f"leveling {len(plan.tasks or [])} tasks")
            report = leveled(plan, date.today())
            starts = report.pop("starts")
            tasks = [
                t.model_copy(update={"constraint_type": ConstraintType.SNET, "constraint_date": starts[t.id]})
                if t.id in starts
                else t
                for t in plan.tasks or []
            ]
            plan = plan.model_copy(update={"tasks": tasks})
        say(f"scheduling {len(plan.tasks or [])} tasks")
        result = timeline(plan, schedule_plan(plan, date.today()))
    if as_json:
        emit(result | ({"leveling": report} if report else {}), True, print)
        return
    console.print(f"[bold]{plan.name}[/bold]")
    print_schedule(result)
    if report:
        print_leveling(report)


def print_leveling(report: dict[str, Any]) -> None:
    for m in report["moved"]:
        console.print(f"leveled: '{m['name']}' waits {m['delay_days']:g} working days")
    before, after = len(report["over_allocations_before"]), len(report["over_allocations_after"])
    console.print(f"over-allocations: {before} before, {after} after")
    console.print(f"finish {day(report['project_finish_before'])} -> {day(report['project_finish_after'])}")


@app.command("level")
def level_plan(
    plan: str = typer.Argument(..., help="Plan id, name or id prefix"),
    apply: bool = typer.Option(False, "--apply", help="Keep the delays (as start-no-earlier-than dates)"),
    solver: str = typer.Option(
        "heuristic", help="heuristic, or cpsat (OR-Tools, searches up to --time-limit)"
    ),
    time_limit: float = typer.Option(10.0, help="Seconds the cpsat solver may search"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Resource leveling: what would move so that no one is over-allocated (a preview unless --apply)."""
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        with working(f"leveling ({solver}{f', up to {time_limit:g} s' if solver == 'cpsat' else ''})"):
            report = api.level(pid, apply=apply, solver=solver, time_limit=time_limit)

    def show(r: dict[str, Any]) -> None:
        print_leveling(r)
        if r["impossible"]:
            console.print(f"[yellow]cannot be leveled:[/yellow] {r['impossible']}")
        console.print("applied" if r["applied"] else "a preview: --apply keeps it")

    emit(report, as_json, show)


@app.command("risk")
def risk(
    plan: str = typer.Argument(..., help="Plan id, name or id prefix"),
    iterations: int = typer.Option(10_000, help="Monte Carlo iterations (100 .. 200,000)"),
    seed: int | None = typer.Option(None, help="The same seed gives the same answer"),
    distribution: str = typer.Option("triangular", help="triangular, pert or normal"),
    target_date: str | None = typer.Option(None, help="Finish by (default: the plan's end date)"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Schedule risk (Monte Carlo): finish-date percentiles and what drives them.

    From the tasks' three-point estimates: the finish at P10..P95, the chance of finishing by the target,
    and each task's correlation with the finish and how often it is critical."""
    options = {
        "iterations": iterations,
        "distribution": distribution,
        "seed": seed,
        "target_date": target_date,
    }
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        with working(f"simulating {iterations:,} schedules"):
            result = api.risk(pid, **{k: v for k, v in options.items() if v is not None})

    def show(r: dict[str, Any]) -> None:
        console.print(
            f"deterministic finish {day(r['deterministic_finish'])}, mean {day(r['mean_finish'])} "
            f"(± {r['std_days']:g} working days), {r['iterations']:,} iterations, seed {r['seed']}"
        )
        table(("percentile", "finish"), ((k, day(v)) for k, v in r["percentiles"].items()))
        if r.get("probability_on_time") is not None:
            console.print(f"{r['probability_on_time']:.0%} chance to finish by {day(r['target_date'])}")
        if r["sensitivity"]:
            table(
                ("task", "correlation with the finish", "critical in"),
                (
                    (s["name"], f"{s['correlation']:+.2f}", f"{s['criticality']:.0%}")
                    for s in r["sensitivity"]
                ),
                title="what drives the finish",
            )
        else:
            console.print("no task has a three-point estimate: every iteration gives the same finish")

    emit(result, as_json, show)
