"""The command line."""

import subprocess
import sys


def test_version_and_db_upgrade(tmp_path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "prometheus", "version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "0.1.0"
    env = {"PROMETHEUS_DATABASE_URL": f"sqlite:///{tmp_path / 'x' / 'p.db'}", "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-m", "prometheus", "db", "upgrade"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "newest schema (sqlite)" in out.stdout
    assert (tmp_path / "x" / "p.db").exists()


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    environment = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "prometheus", *args], capture_output=True, text=True, env=environment
    )


def test_schedule_a_file_without_a_server(tmp_path) -> None:
    f = tmp_path / "release.csv"
    f.write_text(
        'ID,Name,Duration,Predecessors\n1,Design,3d,\n2,Build,2w,1FS+1d\n3,Docs,2d,1\n4,Ship,0d,"2,3"\n'
    )
    out = run_cli("schedule", str(f))
    assert out.returncode == 0, out.stderr
    assert "critical path: Design -> Build -> Ship" in out.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("ID,Name,Duration,Predecessors\n1,A,1d,2\n2,B,1d,1\n")
    out = run_cli("schedule", str(bad))
    assert out.returncode == 1 and "cycle" in out.stdout and "'A'" in out.stdout


def test_plans_import_export_commands(server, tmp_path) -> None:  # noqa: ANN001
    f = tmp_path / "plan.csv"
    f.write_text("ID,Name,Duration,Predecessors\n1,Alpha,1d,\n2,Beta,2d,1\n")
    out = run_cli("import", str(f), "--url", server.url, "--name", "From the CLI")
    assert out.returncode == 0, out.stdout + out.stderr
    plan_id = out.stdout.split(" as ")[1].split()[0]
    listed = run_cli("plans", "list", "--url", server.url, "--search", "From the CLI")
    assert plan_id in listed.stdout
    shown = run_cli("plans", "show", plan_id, "--url", server.url)
    assert "critical path: Alpha -> Beta" in shown.stdout
    target = tmp_path / "out.xml"
    out = run_cli("export", plan_id, "--url", server.url, "--format", "mspdi", "-o", str(target))
    assert out.returncode == 0 and b"schemas.microsoft.com/project" in target.read_bytes()
    missing = run_cli("plans", "show", "nope", "--url", server.url)
    assert missing.returncode == 1 and "NOT_FOUND" in missing.stdout


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
    assert plain.stdout.count("\n") > 0 and "over-allocations" not in plain.stdout
