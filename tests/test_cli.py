"""The command line, run as a user runs it (its main(); a few tests start the program itself), against a real
server or with none there."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.cli_runner import run_prometheus
from tests.conftest import Server, free_port

# the command line talks to the server only through the API: one backend is enough here
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def run_cli(*args: str, env: dict | None = None, own_process: bool = False) -> subprocess.CompletedProcess:
    """`prometheus ARGS` without the test run's PROMETHEUS_ variables: the command line's main() in this
    process, or (`own_process`) the program started as a user starts it."""
    return run_prometheus(*args, env=env, own_process=own_process, keep_env=False)


def one_line_error(out: subprocess.CompletedProcess) -> str:
    """The error a failed command printed: one line on standard error, never a traceback."""
    assert "Traceback" not in out.stderr + out.stdout, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    return lines[0]


def test_version_and_db_upgrade(tmp_path) -> None:
    out = run_cli("version", own_process=True)
    assert out.returncode == 0 and out.stdout.strip() == "0.1.0"
    out = run_cli("db", "upgrade", env={"PROMETHEUS_DATABASE_URL": f"sqlite:///{tmp_path / 'x' / 'p.db'}"})
    assert out.returncode == 0, out.stderr
    assert "newest schema (sqlite)" in out.stdout
    assert (tmp_path / "x" / "p.db").exists()


def test_schedule_a_file_without_a_server(tmp_path) -> None:
    f = tmp_path / "release.csv"
    f.write_text(
        'ID,Name,Duration,Predecessors\n1,Design,3d,\n2,Build,2w,1FS+1d\n3,Docs,2d,1\n4,Ship,0d,"2,3"\n'
    )
    out = run_cli("schedule", str(f))
    assert out.returncode == 0, out.stderr
    assert "critical path: Design -> Build -> Ship" in out.stdout
    data = json.loads(run_cli("schedule", str(f), "--json").stdout)
    assert [c["name"] for c in data["critical_path"]] == ["Design", "Build", "Ship"]
    assert {r["name"]: r["duration_days"] for r in data["tasks"]} == {
        "Design": 3,
        "Build": 10,
        "Docs": 2,
        "Ship": 0,
    }
    bad = tmp_path / "bad.csv"
    bad.write_text("ID,Name,Duration,Predecessors\n1,A,1d,2\n2,B,1d,1\n")
    out = run_cli("schedule", str(bad))
    assert out.returncode == 1 and "cycle" in one_line_error(out) and "'A'" in out.stderr


def test_the_schedule_fits_an_80_column_terminal(tmp_path) -> None:
    """A terminal of 80 columns (and a pipe, which Rich takes as one) shows every column of the schedule:
    the last one, `critical`, was cut to `criti` and its `yes` lost."""
    f = tmp_path / "release.csv"
    f.write_text(
        "ID,Name,Duration,Predecessors\n1,Design the payment flow,3d,\n2,Build,2w,1FS+1d\n3,Ship,0d,2\n"
    )
    out = run_cli("schedule", str(f), env={"COLUMNS": "80"})
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    header = next(line for line in lines if line.startswith("┃"))
    rows = [line for line in lines if line.startswith("│")]
    assert all(len(line) <= 80 for line in lines), out.stdout
    assert header.rstrip().endswith("critical ┃") and all(row.endswith("│") for row in rows), out.stdout
    assert sum("yes" in row for row in rows) == 3, out.stdout


def test_schedule_a_file_with_leveling(tmp_path) -> None:
    f = tmp_path / "team.csv"
    rows = ["ID,Name,Duration,Predecessors,Resource Names", "1,Backend,3d,,Ana", "2,Frontend,2d,,Ana",
            '3,Ship,0d,"1,2",']  # fmt: skip
    f.write_text("\n".join(rows) + "\n")
    plain = run_cli("schedule", str(f))
    leveled = run_cli("schedule", str(f), "--level")
    assert leveled.returncode == 0, leveled.stdout + leveled.stderr
    assert "over-allocations: 1 before, 0 after" in leveled.stdout
    assert "leveled: 'Frontend' waits 3 working days" in leveled.stdout
    assert plain.returncode == 0 and "over-allocations" not in plain.stdout


def test_no_server_one_line_and_exit_code_3(tmp_path) -> None:
    port = free_port()  # nothing listens there
    for args in (
        ("plans", "list"),
        ("plans", "create", "Launch"),
        ("tasks", "add", "Launch", "Design", "--duration", "3"),
        ("progress", "Launch", "Design", "--percent", "50"),
        ("schedule", "Launch"),
        ("level", "Launch"),
    ):
        # the URL follows PROMETHEUS_PORT; the first one as the program itself, started as a user starts it
        out = run_cli(*args, env={"PROMETHEUS_PORT": str(port)}, own_process=args == ("plans", "list"))
        assert out.returncode == 3, (args, out.stderr)
        assert one_line_error(out) == (
            f"error: no Prometheus at http://127.0.0.1:{port} — start it with `prometheus serve`"
        )
    out = run_cli("plans", "list", "--url", f"http://127.0.0.1:{port}/api", env={"PROMETHEUS_PORT": "1"})
    assert out.returncode == 3 and f"127.0.0.1:{port}" in one_line_error(out)  # --url wins over the port
    # usage errors are found before any call: exit code 2
    out = run_cli("tasks", "update", "Launch", "Design", env={"PROMETHEUS_PORT": str(port)})
    assert out.returncode == 2 and "nothing to change" in one_line_error(out)
    out = run_cli("tasks", "add", "Launch", "Design", "--unit", "months", env={"PROMETHEUS_PORT": str(port)})
    assert out.returncode == 2 and "--unit is one of hours, days, weeks" in one_line_error(out)
    assert run_cli("tasks", "add").returncode == 2  # a missing argument (typer's own message)


@sqlite_only
def test_a_filtered_task_list_names_predecessors_by_key(server) -> None:  # noqa: ANN001
    """`tasks list --status pending` names a predecessor the filter leaves out by its key, as the whole
    list does (it showed the start of its id)."""
    env = {"PROMETHEUS_URL": server.url}
    for args in (
        ("plans", "create", "Filtered", "--start", "2026-12-01"),
        ("tasks", "add", "Filtered", "Design", "--duration", "3"),
        ("tasks", "add", "Filtered", "Build", "--after", "Design"),
        ("progress", "Filtered", "Design", "--percent", "50"),
    ):
        assert run_cli(*args, env=env).returncode == 0, args
    out = run_cli("tasks", "list", "Filtered", "--status", "pending", env=env)
    assert out.returncode == 0, out.stderr
    build = next(line for line in out.stdout.splitlines() if "Build" in line)
    assert "task-1" in build and "Design" not in out.stdout, out.stdout


@sqlite_only
def test_a_users_walkthrough(server, tmp_path) -> None:  # noqa: ANN001
    env = {"PROMETHEUS_URL": server.url}

    def cli(*args: str) -> str:
        out = run_cli(*args, env=env)
        assert out.returncode == 0, (args, out.stdout, out.stderr)
        return out.stdout

    created = json.loads(cli("plans", "create", "Walkthrough", "--start", "2026-12-01", "--json"))
    pid = created["id"]
    assert created["start_date"] == "2026-12-01"
    assert cli("tasks", "add", "Walkthrough", "Design", "--duration", "3").startswith(
        "added task task-1 Design"
    )
    cli("tasks", "add", pid, "Build", "--duration", "2", "--unit", "weeks", "--after", "Design")
    cli("tasks", "add", pid[:8], "Docs", "--duration", "2")
    ship = json.loads(cli("tasks", "add", pid, "Ship", "--milestone", "--after", "task-2", "--json"))
    assert ship["milestone"] and ship["key"] == "task-4"
    assert "linked Design -> Docs (FS)" in cli("links", "add", pid, "Design", "Docs")
    cli("links", "add", pid, "Docs", "Ship", "--type", "FS", "--lag", "1")
    links = json.loads(cli("links", "list", pid, "--json"))
    assert len(links) == 4 and {d["lag"] for d in links} == {0, 1}
    listed = cli("tasks", "list", pid)
    assert [line.split("│")[2].strip() for line in listed.splitlines() if "task-" in line] == [
        "Design", "Build", "Docs", "Ship"
    ]  # fmt: skip

    out = cli("progress", pid, "Design", "--percent", "50", "--actual-start", "2026-12-01")
    assert "Design: 50% in_progress, started 2026-12-01 08:00" in out

    shown = cli("schedule", pid)
    assert "critical path: Design -> Build -> Ship" in shown
    assert "finish 2026-12-17 17:00" in shown  # 3 days, 2 weeks, Ship at Build's finish
    schedule = json.loads(cli("schedule", pid, "--json"))
    assert [c["name"] for c in schedule["critical_path"]] == ["Design", "Build", "Ship"]
    docs = next(r for r in schedule["tasks"] if r["name"] == "Docs")
    assert docs["total_slack_days"] > 0 and not docs["critical"]
    shown = cli("plans", "show", "Walkthrough")
    assert "start 2026-12-01, 4 tasks" in shown and "critical path: Design -> Build -> Ship" in shown

    assert json.loads(cli("baseline", "save", pid, "--json"))["number"] == 0
    cli("tasks", "update", pid, "Build", "--duration", "3")  # three weeks now
    variance = json.loads(cli("baseline", "variance", pid, "--json"))
    assert variance["plan"]["finish_variance_days"] == 5
    assert [b["number"] for b in json.loads(cli("baseline", "list", pid, "--json"))] == [0]
    moved = json.loads(cli("tasks", "update", pid, "Docs", "--start", "2026-12-14", "--json"))
    assert (moved["constraint_type"], moved["constraint_date"][:16]) == ("SNET", "2026-12-14T08:00")

    assert json.loads(cli("level", pid, "--json"))["applied"] is False
    assert "P80" in cli("risk", pid, "--iterations", "200", "--seed", "7")

    exported = tmp_path / "walk.xml"
    cli("export", pid, "--format", "mspdi", "-o", str(exported))
    assert b"schemas.microsoft.com/project" in exported.read_bytes()
    copy = json.loads(cli("import", str(exported), "--name", "Walkthrough copy", "--json"))
    assert copy["name"] == "Walkthrough copy" and copy["counts"]["tasks"] == 4
    assert "removed the FS link" in cli("links", "delete", pid, "Docs", "Ship")
    assert "deleted task Docs" in cli("tasks", "delete", pid, "Docs")
    assert "deleted plan 'Walkthrough copy'" in cli("plans", "delete", copy["id"], "--yes")
    listed = json.loads(cli("plans", "list", "--json"))
    assert pid in {p["id"] for p in listed} and copy["id"] not in {p["id"] for p in listed}
    paused = json.loads(cli("progress", pid, "Design", "--resume", "2026-12-07", "--json"))
    assert paused["resume"] == "2026-12-07T08:00:00"  # 1.5 days left from Monday 08:00
    design = next(r for r in json.loads(cli("schedule", pid, "--json"))["tasks"] if r["name"] == "Design")
    assert design["finish"] == "2026-12-08T12:00:00"


@sqlite_only
def test_api_errors_say_what_happened(server) -> None:  # noqa: ANN001
    env = {"PROMETHEUS_URL": server.url}
    pid = json.loads(run_cli("plans", "create", "Twin", "--json", env=env).stdout)["id"]
    run_cli("plans", "create", "Twin", env=env)
    run_cli("tasks", "add", pid, "A", env=env)
    run_cli("tasks", "add", pid, "B", "--after", "A", env=env)

    out = run_cli("tasks", "list", "Twin", env=env)
    assert out.returncode == 1 and "2 plans are named 'Twin'" in one_line_error(out)
    out = run_cli("plans", "show", "00000000-0000-0000-0000-000000000000", env=env)
    assert out.returncode == 1 and "(404 NOT_FOUND)" in one_line_error(out)
    out = run_cli("links", "add", pid, "B", "A", env=env)
    assert out.returncode == 1 and "cycle" in one_line_error(out) and "409 DEPENDENCY_ERROR" in out.stderr
    out = run_cli("progress", pid, "Nope", "--percent", "10", env=env)
    assert out.returncode == 1 and "no task 'Nope'" in one_line_error(out)
    out = run_cli("plans", "delete", pid, env=env)  # no one to ask, no --yes
    assert out.returncode == 2 and "--yes" in one_line_error(out)


def test_a_token_from_the_environment(make_database_url, tmp_path) -> None:  # noqa: ANN001
    srv = Server(make_database_url("sqlite"), tmp_path / "log", env={"PROMETHEUS_API_TOKENS": "tok-r:read"})
    srv.start()
    try:
        out = run_cli("plans", "list", env={"PROMETHEUS_URL": srv.url})
        assert out.returncode == 1 and "pass --token or set PROMETHEUS_TOKEN" in one_line_error(out)
        out = run_cli("plans", "list", "--json", env={"PROMETHEUS_URL": srv.url, "PROMETHEUS_TOKEN": "tok-r"})
        assert out.returncode == 0 and json.loads(out.stdout) == []
        out = run_cli("plans", "create", "X", "--url", srv.url, "--token", "tok-r")
        assert out.returncode == 1 and "lacks the 'write' scope" in one_line_error(out)
    finally:
        srv.stop()
