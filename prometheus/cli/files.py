"""`prometheus import` and `prometheus export`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from prometheus.cli.common import JSON, TOKEN, URL, connect, console, emit, plan_id, working

app = typer.Typer()


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The file to import"),
    name: str | None = typer.Option(None, help="Name of the new plan (default: the file's)"),
    format: str | None = typer.Option(None, help="json, csv, mspdi or mpxj (default: from the extension)"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Import a file as a new plan: JSON, CSV, MS Project XML, or .mpp, .mpx, .xer, ... through MPXJ."""
    data = file.read_bytes()
    with connect(url, token) as api, working(f"importing {file.name} ({len(data):,} bytes)"):
        plan = api.import_plan(data, format=format, filename=file.name, name=name)
    emit(
        plan,
        as_json,
        lambda p: console.print(
            f"imported [bold]{p['name']}[/bold] as {p['id']} with {p['counts']['tasks']} tasks, "
            f"{p['counts']['dependencies']} links, {p['counts']['resources']} resources"
        ),
    )


@app.command("export")
def export_plan(
    plan: str = typer.Argument(..., help="Plan id, name or id prefix"),
    format: str = typer.Option("json", help="json, csv, mspdi, mpp (MS Project XML) or ics"),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (default: standard output)"
    ),
    url: str | None = URL,
    token: str | None = TOKEN,
) -> None:
    """Export a plan as a file."""
    with connect(url, token) as api, working(f"exporting as {format}"):
        data = api.export_plan(plan_id(api, plan), format)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        console.print(f"wrote {output} ({len(data):,} bytes)")
