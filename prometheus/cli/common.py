"""What every command shares: the server options, the client, plan and task references, output (rich tables
or `--json`), spinners on long work, and the exit codes.

Exit codes: 0 done; 1 the server refused (an API error: 4xx, or 5xx such as a database that is down) or the
work failed here; 2 a usage error (a bad option, a missing argument); 3 no Prometheus answered at the URL.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from prometheus.client import SyncPrometheusClient

OK, API_ERROR, USAGE, UNREACHABLE = 0, 1, 2, 3

console = Console(highlight=False)  # tables and messages: standard output
err = Console(stderr=True, highlight=False)  # errors and spinners: standard error, so --json stays clean

URL = typer.Option(
    None,
    "--url",
    envvar="PROMETHEUS_URL",
    show_default=False,
    help="The Prometheus server [default: PROMETHEUS_URL, else http://127.0.0.1:$PROMETHEUS_PORT (8006)]",
)
TOKEN = typer.Option(None, "--token", envvar="PROMETHEUS_TOKEN", help="API token (when auth is on)")
JSON = typer.Option(False, "--json", help="Print the API's answer as JSON instead of a table")


def connect(url: str | None, token: str | None) -> SyncPrometheusClient:
    return SyncPrometheusClient(url, token=token)


class UsageProblem(Exception):
    """A command used wrongly (exit code 2); its message says how to use it."""


def usage(message: str) -> UsageProblem:
    return UsageProblem(message)


def emit(data: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    """The API's answer as JSON, or rendered for people."""
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")
    else:
        render(data)


WRAPPED = {"name", "task", "predecessor", "successor", "description"}


def table(columns: Iterable[str], rows: Iterable[Iterable[Any]], title: str | None = None) -> None:
    """A table; on a narrow terminal headers and names wrap, short values (dates, keys, numbers) never do."""
    columns = list(columns)
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    t = Table(title=title, title_justify="left")
    for i, c in enumerate(columns):
        longest = max((len(row[i]) for row in cells), default=0)
        t.add_column(c, overflow="fold", min_width=8 if c in WRAPPED else min(longest, 16))
    for row in cells:
        t.add_row(*row)
    console.print(t)


@contextmanager
def working(description: str) -> Iterator[Callable[[str], None]]:
    """A spinner with the elapsed time on standard error (on a terminal) while the server works."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        step = bar.add_task(description)
        yield lambda text: bar.update(step, description=text)


def day(value: Any) -> str:
    """A date-time as `2026-12-01 08:00` (or as it came)."""
    return str(value)[:16].replace("T", " ") if value else ""


def num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value or "")


# -- references: a plan by id, exact name or id prefix; a task by id, key (task-N) or exact name ----------

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def plan_id(api: SyncPrometheusClient, ref: str) -> str:
    """The id of the plan `ref` names: its id, its exact name, or the start of its id."""
    if UUID.match(ref):
        return ref
    plans = api.list_plans(limit=1000)
    named = [p for p in plans if p["name"] == ref] or [p for p in plans if p["name"].lower() == ref.lower()]
    found = named or [p for p in plans if len(ref) >= 4 and p["id"].startswith(ref.lower())]
    if len(found) == 1:
        return found[0]["id"]
    if not found:
        raise LookupError(f"no plan {ref!r} (by id, name or id prefix) — `prometheus plans list` shows them")
    ids = ", ".join(f"{p['id'][:8]} (from {p.get('start_date') or '?'})" for p in found)
    raise LookupError(f"{len(found)} plans are named {ref!r}: {ids} — give the id")


def task_id(api: SyncPrometheusClient, plan: str, ref: str) -> str:
    """The id of the task `ref` names in a plan: its id, its key task-N, or its exact name."""
    if UUID.match(ref) or re.fullmatch(r"task-\d+", ref):
        return ref
    tasks = api.get_tasks(plan, search=ref)
    named = [t for t in tasks if t["name"] == ref] or [t for t in tasks if t["name"].lower() == ref.lower()]
    if len(named) == 1:
        return named[0]["id"]
    if not named:
        raise LookupError(f"no task {ref!r} in the plan — `prometheus tasks list PLAN` shows them")
    keys = ", ".join(t.get("key") or t["id"] for t in named)
    raise LookupError(f"{len(named)} tasks are named {ref!r}: {keys} — give the key")
