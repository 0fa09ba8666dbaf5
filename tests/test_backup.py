"""Backup to one file and restore, across databases; a restore never half-happens."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx

from prometheus.core.model import PlanDocument
from prometheus.formats.document import canonical
from tests.conftest import Server, add_task, link


def cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PROMETHEUS_DATABASE_URL": url, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "prometheus", *args], capture_output=True, text=True, env=env
    )


def test_backup_from_sqlite_restore_into_postgresql(make_database_url, tmp_path) -> None:
    source = make_database_url("sqlite")
    srv = Server(source, tmp_path / "a.log").start()
    api = httpx.Client(base_url=srv.url + "/api", timeout=30)
    pid = api.post("/plans", json={"name": "Backed up", "start_date": "2026-11-30"}).json()["data"]["id"]
    a, b = add_task(api, pid, "A", duration=2), add_task(api, pid, "B", duration=1)
    link(api, pid, a["id"], b["id"], lag=1)
    api.post(f"/plans/{pid}/baselines", json={})
    before = api.get(f"/plans/{pid}/export").content
    srv.stop()

    file = tmp_path / "prometheus.backup.gz"
    out = cli(source, "backup", str(file))
    assert out.returncode == 0 and "1 plans" in out.stdout, out.stdout + out.stderr

    target = make_database_url("postgresql")
    assert cli(target, "restore", str(file)).returncode == 0
    again = cli(target, "restore", str(file))
    assert again.returncode == 1 and "--replace" in again.stderr  # nothing overwritten by accident
    assert cli(target, "restore", str(file), "--replace").returncode == 0

    srv = Server(target, tmp_path / "b.log").start()
    try:
        api = httpx.Client(base_url=srv.url + "/api", timeout=30)
        after = api.get(f"/plans/{pid}/export").content
        assert canonical(PlanDocument.model_validate_json(after)) == canonical(
            PlanDocument.model_validate_json(before)
        )
        assert api.get(f"/plans/{pid}").json()["data"]["version"] >= 1
        assert len(api.get(f"/plans/{pid}/baselines").json()["data"]) == 1
        assert api.post(f"/plans/{pid}/tasks", json={"name": "after restore"}).status_code == 201  # ids go on
    finally:
        srv.stop()

    broken = tmp_path / "broken.gz"
    broken.write_bytes(b"not a backup")
    bad = cli(make_database_url("sqlite"), "restore", str(broken))
    assert bad.returncode == 1 and "cannot read the backup" in bad.stderr
