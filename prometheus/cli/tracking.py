"""`prometheus baseline` (save, list, variance, delete) and `prometheus earned-value`."""

from __future__ import annotations

from typing import Any

import typer

from prometheus.cli.common import JSON, TOKEN, URL, connect, console, day, emit, num, plan_id, table

app = typer.Typer(
    help="Baselines: saved copies of a plan's schedule, and the variance against them.", no_args_is_help=True
)
PLAN = typer.Argument(..., help="Plan id, name or id prefix")
VARIANCES = ("start_variance_days", "finish_variance_days", "duration_variance_days", "cost_variance")


@app.command("save")
def baseline_save(
    plan: str = PLAN,
    number: int | None = typer.Option(None, min=0, max=10, help="0..10 (default: the first free one)"),
    name: str | None = typer.Option(None, help="A name for it"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Save the current schedule as a baseline (naming a number replaces that baseline)."""
    with connect(url, token) as api:
        saved = api.save_baseline(plan_id(api, plan), number=number, name=name)
    emit(
        saved,
        as_json,
        lambda b: console.print(
            f"saved baseline {b['number']} ({b['name']}): "
            f"finish {day(b['project_finish'])}, {len(b['tasks'])} tasks"
        ),
    )


@app.command("list")
def baseline_list(
    plan: str = PLAN, url: str | None = URL, token: str | None = TOKEN, as_json: bool = JSON
) -> None:
    """A plan's baselines."""
    with connect(url, token) as api:
        saved = api.list_baselines(plan_id(api, plan))
    emit(
        saved,
        as_json,
        lambda rows: table(
            ("number", "name", "saved", "start", "finish", "cost"),
            (
                (
                    b["number"],
                    b["name"],
                    day(b["saved_at"]),
                    day(b["project_start"]),
                    day(b["project_finish"]),
                    num(b["total_cost"]),
                )
                for b in rows
            ),
        ),
    )


@app.command("variance")
def baseline_variance(
    plan: str = PLAN,
    number: int = typer.Option(0, min=0, max=10, help="The baseline"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """The schedule against a baseline.

    Start, finish, duration and cost variance per task and for the plan (+: later, longer, dearer)."""
    with connect(url, token) as api:
        result = api.baseline_variance(plan_id(api, plan), number)

    def show(v: dict[str, Any]) -> None:
        columns = ("task", "baseline finish", "finish", "Δ start", "Δ finish", "Δ duration", "Δ cost")
        rows = (
            (r["name"], r["baseline_finish"][:10], r["finish"][:10], *(num(r[k]) for k in VARIANCES))
            for r in v["tasks"]
        )
        title = f"against baseline {v['baseline']['number']} ({v['baseline']['name']}), in working days"
        table(columns, rows, title=title)
        p = v["plan"]
        console.print(
            f"plan finish {day(p['baseline_finish'])} -> {day(p['finish'])} "
            f"({num(p['finish_variance_days'])} working days), cost variance {num(p['cost_variance'])}"
        )

    emit(result, as_json, show)


@app.command("delete")
def baseline_delete(
    plan: str = PLAN,
    number: int = typer.Argument(..., min=0, max=10, help="The baseline"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Delete a baseline."""
    with connect(url, token) as api:
        gone = api.delete_baseline(plan_id(api, plan), number)
    emit(gone, as_json, lambda _: console.print(f"deleted baseline {number}"))


def earned_value(
    plan: str = PLAN,
    status_date: str | None = typer.Option(
        None, help="Measure up to this date (default: the plan's status date)"
    ),
    baseline: int | None = typer.Option(None, min=0, max=10, help="Against this baseline (default: 0)"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Earned value: PV, EV, AC, SV, CV, SPI, CPI, EAC, ... as of the status date."""
    with connect(url, token) as api:
        result = api.earned_value(plan_id(api, plan), status_date=status_date, baseline=baseline)

    def show(ev: dict[str, Any]) -> None:
        scalars = [(k, v) for k, v in ev.items() if isinstance(v, int | float) and not isinstance(v, bool)]
        table(("measure", "value"), ((k, num(v)) for k, v in scalars))

    emit(result, as_json, show)
