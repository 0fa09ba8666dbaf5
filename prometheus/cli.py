"""The `prometheus` command line."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import typer
import uvicorn
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from prometheus import __version__
from prometheus.config import get_settings
from prometheus.mcp.cli import mcp_command

app = typer.Typer(help="Prometheus, the planning engine of Tekton.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.")
plans_app = typer.Typer(help="Plans on a running server.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens kept (hashed) in the database.", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")
app.add_typer(db_app, name="db")
app.add_typer(plans_app, name="plans")
bench_app = typer.Typer(help="Benchmarks.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
app.command("mcp")(mcp_command)
URL = typer.Option("http://127.0.0.1:8006", "--url", envvar="PROMETHEUS_URL", help="The Prometheus server")
console = Console()


def _client(url: str):  # noqa: ANN202
    from prometheus.client import PrometheusClient

    return PrometheusClient(url)


def _fail(exc: Exception) -> None:
    console.print(f"[red]error:[/red] {exc}")
    raise typer.Exit(1)


@plans_app.command("list")
def plans_list(url: str = URL, search: str | None = None, tag: str | None = None) -> None:
    """List plans."""
    from prometheus.client import PrometheusAPIError

    params = {k: v for k, v in {"search": search, "tag": tag, "limit": 1000}.items() if v}
    try:
        with _client(url) as api:
            plans = api.list_plans(**params)
    except (PrometheusAPIError, OSError) as exc:
        _fail(exc)
    table = Table("id", "name", "status", "tasks", "start", "version")
    for p in plans:
        table.add_row(
            p["id"], p["name"], p["status"], str(p["task_count"]), p["start_date"] or "", str(p["version"])
        )
    console.print(table)


@plans_app.command("show")
def plans_show(plan_id: str, url: str = URL) -> None:
    """A plan's tasks with their scheduled dates and its critical path."""
    from prometheus.client import PrometheusAPIError

    try:
        with _client(url) as api:
            plan = api.get_plan(plan_id, include_tasks=False)
            timeline = api.timeline(plan_id)
            cp = api.critical_path(plan_id)
    except (PrometheusAPIError, OSError) as exc:
        _fail(exc)
    console.print(f"[bold]{plan['name']}[/bold]  {cp['project_start']} -> {cp['project_finish']}")
    _print_schedule(timeline["tasks"], [c["name"] for c in cp["critical_path"]])


def _print_schedule(rows: list[dict], critical_path: list[str]) -> None:
    table = Table("task", "start", "finish", "days", "slack", "critical")
    for r in rows:
        style = "red" if r["critical"] else None
        table.add_row(r["name"], str(r["start"])[:16], str(r["finish"])[:16], f"{r['duration_days']:g}",
                      f"{r['total_slack_days']:g}", "yes" if r["critical"] else "", style=style)  # fmt: skip
    console.print(table)
    console.print("critical path: " + (" -> ".join(critical_path) or "none"))


@app.command("import")
def import_file(
    file: Path,
    url: str = URL,
    name: str | None = typer.Option(None, help="Name of the new plan"),
    format: str | None = typer.Option(None, help="json, csv, mspdi or mpxj; from the extension when omitted"),
) -> None:
    """Import a file (JSON, CSV, MS Project XML, or via MPXJ .mpp, .mpx, .xer, ...) as a new plan."""
    from prometheus.client import PrometheusAPIError

    try:
        with _client(url) as api:
            plan = api.import_plan(file.read_bytes(), format=format, filename=file.name, name=name)
    except (PrometheusAPIError, OSError) as exc:
        _fail(exc)
    console.print(f"imported [bold]{plan['name']}[/bold] as {plan['id']} with {len(plan['tasks'])} tasks")


@app.command("export")
def export_plan(
    plan_id: str,
    url: str = URL,
    format: str = typer.Option("json", help="json, csv, mspdi, mpp (MSPDI XML), ics"),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (default: standard output)"
    ),
) -> None:
    """Export a plan."""
    from prometheus.client import PrometheusAPIError

    try:
        with _client(url) as api:
            data = api.export_plan(plan_id, format)
    except (PrometheusAPIError, OSError) as exc:
        _fail(exc)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        console.print(f"wrote {output} ({len(data):,} bytes)")


@app.command("schedule")
def schedule_file(
    file: Path,
    format: str | None = typer.Option(None, help="json, csv, mspdi or mpxj; from the extension when omitted"),
    level: bool = typer.Option(False, "--level", help="Level resources first (no one over-allocated)"),
) -> None:
    """Schedule a plan file here, without a server: a table of dates and the critical path."""
    from datetime import date

    from prometheus.core.analysis import critical_path_report, leveled, schedule_plan, timeline
    from prometheus.errors import PrometheusError
    from prometheus.formats.document import to_plan
    from prometheus.formats.registry import detect, import_bytes

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True) as bar:
        step = bar.add_task(f"reading {file.name}")
        try:
            plan = to_plan(import_bytes(file.read_bytes(), detect(file.name, format), name=file.stem))
            bar.update(step, description=f"scheduling {len(plan.tasks)} tasks")
            if level:
                bar.update(step, description=f"leveling {len(plan.tasks)} tasks")
                report_level = leveled(plan, date.today())
                starts = report_level["starts"]
                plan = plan.model_copy(
                    update={
                        "tasks": [
                            t.model_copy(update={"constraint_type": "SNET", "constraint_date": starts[t.id]})
                            if t.id in starts
                            else t
                            for t in plan.tasks
                        ]
                    }  # fmt: skip
                )
            s = schedule_plan(plan, date.today())
        except (PrometheusError, OSError, ValueError) as exc:
            _fail(getattr(exc, "message", exc))
    rows = timeline(plan, s)["tasks"]
    report = critical_path_report(plan, s)
    console.print(f"[bold]{plan.name}[/bold]  {s.project_start} -> {s.project_finish}")
    _print_schedule(rows, [c["name"] for c in report["critical_path"]])
    for c in s.conflicts:
        console.print(f"[yellow]conflict:[/yellow] {c.message}")
    if level:
        for m in report_level["moved"]:
            console.print(f"leveled: '{m['name']}' waits {m['delay_days']:g} working days")
        left = report_level["over_allocations_after"]
        console.print(
            f"over-allocations: {len(report_level['over_allocations_before'])} before, {len(left)} after"
        )


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Interface to bind (PROMETHEUS_HOST, default 127.0.0.1)"),
    port: int | None = typer.Option(None, help="Port (PROMETHEUS_PORT, default 8006)"),
    log_level: str = typer.Option("info", help="Log level"),
    workers: int = typer.Option(1, help="Worker processes (several share the database like replicas)"),
) -> None:
    """Run the HTTP service."""
    import os

    from prometheus.api.app import create_app

    settings = get_settings()
    if host:
        settings.host = host
    if port:
        settings.port = port
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if workers > 1:  # each worker builds the app from the environment
        os.environ.update(PROMETHEUS_HOST=settings.host, PROMETHEUS_PORT=str(settings.port))
        uvicorn.run("prometheus.api.app:create_app", factory=True, host=settings.host, port=settings.port,
                    workers=workers, log_level=log_level)  # fmt: skip
        return
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=log_level)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (the service also does this when it starts)."""
    from prometheus.store import Database

    db = Database(get_settings().database_url)
    db.migrate()
    typer.echo(f"database at the newest schema ({db.backend})")


@tokens_app.command("create")
def tokens_create(
    name: str,
    scope: list[str] = typer.Option(["read"], "--scope", help="read, write or admin; repeat for several"),
) -> None:
    """Create a token; it is printed once, only its hash is stored."""
    import secrets
    import uuid

    from prometheus.api.auth import IMPLIED, hash_token
    from prometheus.store import Database
    from prometheus.store.tables import ApiTokenRow

    if set(scope) - set(IMPLIED):
        _fail(ValueError("scopes are read, write and admin"))
    token = "pmt_" + secrets.token_urlsafe(32)
    db = Database(get_settings().database_url)
    db.migrate()
    try:
        with db.store() as store:
            store.session.add(ApiTokenRow(id=str(uuid.uuid4()), name=name, token_hash=hash_token(token),
                                          scopes=sorted(set(scope)), revoked=False))  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - a duplicate name, most likely
        _fail(ValueError(f"cannot create token {name!r}: {exc.__class__.__name__}"))
    typer.echo(token)


@tokens_app.command("list")
def tokens_list() -> None:
    """Tokens by name, with scopes and state (never the tokens themselves)."""
    from sqlalchemy import select

    from prometheus.store import Database
    from prometheus.store.tables import ApiTokenRow

    db = Database(get_settings().database_url)
    db.migrate()
    with db.store(write=False) as store:
        rows = list(store.session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.name)))
    table = Table("name", "scopes", "state")
    for r in rows:
        table.add_row(r.name, ",".join(r.scopes), "revoked" if r.revoked else "active")
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(name: str) -> None:
    """Revoke a token by name."""
    from sqlalchemy import update

    from prometheus.store import Database
    from prometheus.store.tables import ApiTokenRow

    db = Database(get_settings().database_url)
    db.migrate()
    with db.store() as store:
        n = store.session.execute(
            update(ApiTokenRow).where(ApiTokenRow.name == name).values(revoked=True)
        ).rowcount
    if not n:
        _fail(ValueError(f"no token named {name!r}"))
    typer.echo(f"revoked {name}")


@app.command("backup")
def backup_cmd(file: Path) -> None:
    """Write the whole database to one file."""
    from prometheus.store import Database
    from prometheus.store.backup import backup

    db = Database(get_settings().database_url)
    db.migrate()
    counts = backup(db, file)
    console.print(f"wrote {file}: " + ", ".join(f"{n} {t}" for t, n in counts.items() if n))


@app.command("restore")
def restore_cmd(
    file: Path, replace: bool = typer.Option(False, help="Overwrite a database that has plans")
) -> None:
    """Load a backup file into the database (all or nothing)."""
    from prometheus.errors import PrometheusError
    from prometheus.store import Database
    from prometheus.store.backup import restore

    db = Database(get_settings().database_url)
    db.migrate()
    try:
        counts = restore(db, file, replace=replace)
    except PrometheusError as exc:
        _fail(exc.message)
    console.print(f"restored {file}: " + ", ".join(f"{n} {t}" for t, n in counts.items() if n))


@bench_app.command("psplib")
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
    import csv
    import dataclasses

    from prometheus.benchmark import run, summary

    if not (folder / "optimum" / "optimum.csv").is_file():
        _fail(f"{folder}: no optimum/optimum.csv (not a PSPLIB set)")
    runs = []
    for r in run(folder, time_limit=time_limit, solver=solver, compare=compare, every=every, limit=limit):
        runs.append(r)
        flag = "" if r.feasible else "  INFEASIBLE"
        line = f"{r.instance:14} {r.solver:13} {r.makespan:4} (best {r.best_known}, cp {r.lower_bound})"
        console.print(f"{line} {r.seconds:6.2f} s{flag}", highlight=False)
    if csv_out:
        with open(csv_out, "w", newline="") as fh:
            w = csv.DictWriter(fh, [f.name for f in dataclasses.fields(runs[0])])
            w.writeheader()
            w.writerows(dataclasses.asdict(r) for r in runs)
    table = Table("solver", "instances", "feasible", "dev. from best known %", "dev. from CP bound %",
                  "at best known", "proved optimal", "median s", "max s")  # fmt: skip
    for row in summary(runs):
        cells = [row["solver"], row["instances"], row["feasible"], f"{row['dev_best_pct']:.3f}",
                 f"{row['dev_lb_pct']:.2f}", row["at_best_known"], row["proved_optimal"],
                 f"{row['median_s']:.2f}", f"{row['max_s']:.2f}"]  # fmt: skip
        table.add_row(*map(str, cells))
    console.print(table)
    if not all(r.feasible for r in runs):
        raise typer.Exit(1)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


if __name__ == "__main__":
    app()
