"""Data survives restarts and hard kills; the migrations build exactly the schema the code expects."""

from __future__ import annotations

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from prometheus.store import Database
from prometheus.store.tables import Base
from tests.conftest import BACKENDS, Server


@pytest.mark.parametrize("which", BACKENDS)
def test_restart_and_kill_keep_committed_data(which: str, make_database_url, tmp_path) -> None:
    url = make_database_url(which)
    srv = Server(url, tmp_path / "server.log").start()
    try:
        api = httpx.Client(base_url=srv.url + "/api", timeout=30)
        pid = api.post("/plans", json={"name": "durable"}).json()["data"]["id"]
        a = api.post(f"/plans/{pid}/tasks", json={"name": "a"}).json()["data"]
        b = api.post(f"/plans/{pid}/tasks", json={"name": "b"}).json()["data"]
        api.post(f"/plans/{pid}/dependencies", json={"predecessor_id": a["id"], "successor_id": b["id"]})
        srv.stop()
        srv.start()
        plan = api.get(f"/plans/{pid}").json()["data"]
        assert [t["name"] for t in plan["tasks"]] == ["a", "b"] and len(plan["dependencies"]) == 1
        api.patch(f"/plans/{pid}", json={"description": "after restart"})
        srv.stop(kill=True)
        srv.start()
        assert api.get(f"/plans/{pid}").json()["data"]["description"] == "after restart"
    finally:
        srv.stop()


@pytest.mark.parametrize("which", BACKENDS)
def test_migrations_match_the_tables(which: str, make_database_url) -> None:
    db = Database(make_database_url(which))
    db.migrate()
    db.migrate()  # idempotent
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.dispose()
    assert diff == []
