"""`prometheus links`: the links between a plan's tasks."""

from __future__ import annotations

import typer

from prometheus.cli.common import (
    JSON,
    TOKEN,
    URL,
    connect,
    console,
    emit,
    plan_id,
    table,
    task_id,
    usage,
)

app = typer.Typer(
    help="Links between tasks (predecessor -> successor) on a running server.", no_args_is_help=True
)
TYPES = ("FS", "SS", "FF", "SF")
LAG_UNITS = ("hours", "days", "weeks", "ehours", "edays", "eweeks")


@app.command("list")
def links_list(
    plan: str = typer.Argument(..., help="Plan id, name or id prefix"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """A plan's links."""
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        links = api.list_links(pid)
        tasks = {t["id"]: t for t in api.get_tasks(pid)} if not as_json else {}

    def name(tid: str) -> str:
        t = tasks.get(tid)
        return f"{t.get('key') or ''} {t['name']}".strip() if t else tid

    def show(rows: list[dict]) -> None:
        table(
            ("predecessor", "successor", "type", "lag"),
            (
                (
                    name(d["predecessor_id"]),
                    name(d["successor_id"]),
                    d["type"],
                    lag_text(d["lag"], d["lag_unit"]),
                )
                for d in rows
            ),
        )

    emit(links, as_json, show)


def lag_text(value: float, unit: str) -> str:
    return f"{value:+g} {unit}" if value else ""


@app.command("add")
def links_add(
    plan: str = typer.Argument(..., help="Plan id, name or id prefix"),
    predecessor: str = typer.Argument(..., help="The task that comes first (id, key task-N or name)"),
    successor: str = typer.Argument(..., help="The task that depends on it"),
    type: str = typer.Option("FS", "--type", help="FS finish-to-start, SS, FF or SF"),
    lag: float = typer.Option(0.0, help="Lag (negative: lead)"),
    lag_unit: str = typer.Option("days", help="hours, days, weeks; ehours, edays, eweeks for elapsed time"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Link two tasks: the successor waits for the predecessor."""
    if type.upper() not in TYPES:
        raise usage(f"--type is one of {', '.join(TYPES)}")
    if lag_unit not in LAG_UNITS:
        raise usage(f"--lag-unit is one of {', '.join(LAG_UNITS)}")
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        made = api.add_link(
            pid,
            task_id(api, pid, predecessor),
            task_id(api, pid, successor),
            type=type.upper(),
            lag=lag,
            lag_unit=lag_unit,
        )
    kind = f"{made['type']} {lag_text(made['lag'], made['lag_unit'])}".strip()
    shown = f"linked {predecessor} -> {successor} ({kind})"
    emit(made, as_json, lambda _: console.print(shown))


@app.command("delete")
def links_delete(
    plan: str = typer.Argument(..., help="Plan id, name or id prefix"),
    predecessor: str = typer.Argument(None, help="The link's predecessor (or give --id)"),
    successor: str = typer.Argument(None, help="The link's successor"),
    link_id: str | None = typer.Option(None, "--id", help="The link's id (from `links list --json`)"),
    url: str | None = URL,
    token: str | None = TOKEN,
    as_json: bool = JSON,
) -> None:
    """Remove a link, by its two tasks or by its id."""
    if not link_id and not (predecessor and successor):
        raise usage("name the link's two tasks, or give --id")
    with connect(url, token) as api:
        pid = plan_id(api, plan)
        if link_id:
            gone = api.delete_link(pid, link_id)
        else:
            gone = api.delete_link(
                pid, predecessor_id=task_id(api, pid, predecessor), successor_id=task_id(api, pid, successor)
            )
    emit(gone, as_json, lambda d: console.print(f"removed the {d['type']} link"))
