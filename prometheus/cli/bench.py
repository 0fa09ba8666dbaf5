"""`prometheus bench`: benchmarks."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from prometheus.cli.common import console, err, table, usage

app = typer.Typer(help="Benchmarks.", no_args_is_help=True)


@app.command("psplib")
def bench_psplib(
    folder: Path = typer.Argument(..., help="A PSPLIB set: a folder of .sm files with optimum/optimum.csv"),
    time_limit: float = typer.Option(1.0, help="Seconds per instance and solver"),
    solver: str = typer.Option("hybrid", help="heuristic, cpsat or hybrid"),
    compare: bool = typer.Option(True, help="Also run a plain CP-SAT model under the same limit"),
    every: int = typer.Option(1, help="Take every n-th instance"),
    limit: int | None = typer.Option(None, help="At most this many instances"),
    csv_out: Path | None = typer.Option(None, "--csv", help="Write every run to this CSV file"),
) -> None:
    """Level PSPLIB instances; report % deviation from the optimum and the critical-path bound."""
    from prometheus.benchmark import instances, run, summary

    if not (folder / "optimum" / "optimum.csv").is_file():
        raise usage(f"{folder}: no optimum/optimum.csv (not a PSPLIB set)")
    total = len(instances(folder, every, limit)) * (2 if compare else 1)
    runs = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        step = bar.add_task("solving", total=total)
        for r in run(folder, time_limit=time_limit, solver=solver, compare=compare, every=every, limit=limit):
            runs.append(r)
            bar.advance(step)
            flag = "  TIMEOUT" if r.timed_out else "" if r.feasible else "  INFEASIBLE"
            found = "-" if r.makespan is None else r.makespan
            line = f"{r.instance:14} {r.solver:13} {found:>4} (best {r.best_known}, cp {r.lower_bound})"
            (bar.console if err.is_terminal else console).print(f"{line} {r.seconds:6.2f} s{flag}")
    if csv_out and runs:
        with open(csv_out, "w", newline="") as fh:
            w = csv.DictWriter(fh, [f.name for f in dataclasses.fields(runs[0])])
            w.writeheader()
            w.writerows(dataclasses.asdict(r) for r in runs)
    table(
        (
            "solver",
            "instances",
            "timeouts",
            "feasible",
            "dev. from best known %",
            "dev. from CP bound %",
            "at best known",
            "proved optimal",
            "median s",
            "max s",
        ),
        (
            (
                row["solver"],
                row["instances"],
                row["timeouts"],
                row["feasible"],
                f"{row['dev_best_pct']:.3f}",
                f"{row['dev_lb_pct']:.2f}",
                row["at_best_known"],
                row["proved_optimal"],
                f"{row['median_s']:.2f}",
                f"{row['max_s']:.2f}",
            )
            for row in summary(runs)
        ),
    )
    if not all(r.feasible for r in runs if not r.timed_out):  # a timeout is a result, a broken schedule not
        raise typer.Exit(1)
