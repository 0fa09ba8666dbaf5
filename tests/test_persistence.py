"""Data survives restarts and hard kills; the migrations build exactly the schema the code expects."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import httpx
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from websockets.sync.client import connect

from prometheus.core.inputs import DependencyCreate, PlanCreate, TaskCreate
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


def _filled(table: sa.Table, given: dict) -> dict:
    """`given`, plus a plain value for every other column that must have one."""
    row = dict(given)
    for col in table.columns:
        if col.name in row or col.nullable or col.server_default is not None or col.autoincrement is True:
            continue
        if isinstance(col.type, sa.JSON):
            row[col.name] = {}
        else:
            kind = col.type.python_type
            row[col.name] = {str: "x", int: 1, float: 1.0, bool: False, datetime: datetime.now(UTC)}[kind]
    return row


def upgraded(url: str, version: str, rows: dict[str, list[dict]]) -> Database:
    """A database migrated to `version`, given `rows` by table (`_filled`), then migrated to the head."""
    db = Database(url)
    db.migrate(version)
    meta = sa.MetaData()
    meta.reflect(db.engine)
    with db.engine.begin() as conn:
        for name, given in rows.items():
            conn.execute(meta.tables[name].insert(), [_filled(meta.tables[name], g) for g in given])
    db.migrate()
    return db


@pytest.mark.parametrize("which", BACKENDS)
def test_upgrading_keeps_every_row(which: str, make_database_url) -> None:
    """A database at 0009 keeps its subtasks, links and assignments through every later migration (SQLite's
    batch migrations rebuild tables: with foreign keys on, dropping the old table cascaded)."""
    rows = {
        "plans": [{"id": "p"}],
        "tasks": [
            {"id": "a", "plan_id": "p", "position": 0, "parent_id": None},
            {"id": "b", "plan_id": "p", "position": 1, "parent_id": "a"},
            {"id": "c", "plan_id": "p", "position": 2, "parent_id": None},
        ],
        "resources": [{"id": "r", "plan_id": "p", "name": "Ana"}],
        "assignments": [{"task_id": "b", "resource_id": "r"}],
        "dependencies": [{"id": "d", "plan_id": "p", "predecessor_id": "b", "successor_id": "c"}],
    }
    db = upgraded(make_database_url(which), "0009", rows)
    with db.engine.connect() as conn:
        counts = {n: conn.scalar(sa.select(sa.func.count()).select_from(sa.table(n))) for n in rows}
        parent = conn.scalar(sa.text("SELECT parent_id FROM tasks WHERE id = 'b'"))
    db.dispose()
    assert counts == {n: len(g) for n, g in rows.items()} and parent == "a"


def test_database_outage_gives_503_then_recovers(postgres, tmp_path) -> None:  # noqa: ANN001
    from sqlalchemy.engine import make_url

    from tests.peers import TcpProxy

    real = make_url(postgres.create())
    proxy = TcpProxy(real.port or 5432)
    url = real.set(port=proxy.port).render_as_string(hide_password=False)
    srv = Server(url, tmp_path / "log").start()
    try:
        api = httpx.Client(base_url=srv.url, timeout=30)
        pid = api.post("/api/plans", json={"name": "outage"}).json()["data"]["id"]
        tid = api.post(f"/api/plans/{pid}/tasks", json={"name": "t"}).json()["data"]["id"]
        with connect(srv.url.replace("http", "ws") + "/ws", open_timeout=30) as live:
            ask = lambda msg: (live.send(json.dumps(msg)), json.loads(live.recv(timeout=30)))[1]  # noqa: E731
            proxy.stop()  # the database is gone
            r = api.get(f"/api/plans/{pid}")
            assert r.status_code == 503 and r.json()["error_code"] == "SERVICE_UNAVAILABLE"
            assert api.get("/health").status_code == 503
            # a live socket is told so, as the API says it, and stays open (it ended with 1011 before)
            for msg in (
                {"action": "subscribe", "plan_id": pid},
                {"action": "update_task", "plan_id": pid, "task_id": tid, "changes": {"name": "u"}},
            ):
                said = ask(msg)
                assert (said["type"], said["error_code"]) == ("error", "SERVICE_UNAVAILABLE"), said
            assert ask({"action": "ping"}) == {"type": "pong"}
            assert ask({"action": "subscribe", "plan_id": "*"}) == {"type": "subscribed", "plan_id": "*"}
            proxy.start()  # it is back: the service recovers by itself
            deadline = time.monotonic() + 20
            while api.get(f"/api/plans/{pid}").status_code != 200:
                assert time.monotonic() < deadline, "did not recover"
                time.sleep(0.2)
            assert api.get("/health").json()["database"]["reachable"] is True
            said = ask({"action": "subscribe", "plan_id": pid})
            while said["type"].startswith("prometheus."):  # events the outage held back, published now
                said = json.loads(live.recv(timeout=30))
            assert said == {"type": "subscribed", "plan_id": pid}
    finally:
        srv.stop()
        proxy.stop()


def test_deleting_a_plan_deletes_its_links(db: Database) -> None:
    """Links have no key to their plan (0017): they go with their tasks."""
    with db.store() as store:
        pid = store.create_plan(PlanCreate(name="gone")).id
        a, b = (store.add_task(pid, TaskCreate(name=n)).id for n in "ab")
        store.add_dependency(pid, DependencyCreate(predecessor_id=a, successor_id=b))
        keep = store.create_plan(PlanCreate(name="kept")).id
        c, d = (store.add_task(keep, TaskCreate(name=n)).id for n in "cd")
        store.add_dependency(keep, DependencyCreate(predecessor_id=c, successor_id=d))
    with db.store() as store:
        store.delete_plan(pid, None)
    with db.engine.connect() as conn:
        left = conn.execute(sa.text("SELECT plan_id FROM dependencies")).scalars().all()
    assert left == [keep]


def test_postgres_connections_closed_by_the_server_are_replaced(
    make_database_url, postgres, monkeypatch
) -> None:
    """A pooled connection the server closed while it rested is found by its ping and replaced: the next
    transaction works."""
    db = Database(make_database_url("postgresql"))
    try:
        db.migrate()
        with db.store(write=False) as store:
            store.last_event_id()
        name = db.engine.url.database
        with postgres.admin.connect() as c:
            killed = c.scalar(
                sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :d"),
                {"d": name},
            )
        assert killed >= 1
        monkeypatch.setattr("prometheus.store.db.PING_IDLE", -1.0)  # as if it rested long enough
        with db.store(write=False) as store:
            assert store.last_event_id() == 0
    finally:
        db.dispose()


@pytest.mark.parametrize("which", BACKENDS)
def test_calendar_times_stored_with_a_utc_offset_load_as_local_times(which: str, make_database_url) -> None:
    """A time of day with a UTC offset is refused since 0020; those stored before (scheduled as the local
    time they name) lose the offset, so that every stored calendar loads; other texts are left as they are."""
    cal = {
        "name": "08:00Z",
        "working_days": [0, 1, 2, 3, 4],
        "holidays": [],
        "exceptions": [{"date": "2027-01-02", "working_hours": [["09:00:00Z", "10:00:00+02:00"]]}],
        "working_hours": [["08:00:00Z", "12:00:00+02:00"], ["13:00:00", "17:00:00-01:30"]],
        "weekday_hours": {"4": [["08:00:00.5Z", "12:00:00Z"]]},
    }
    task = {"id": "t", "plan_id": "p", "position": 1, "parent_id": None, "tags": [], "status": "pending",
            "duration_unit": "days", "priority": "medium", "calendar": cal}  # fmt: skip
    changed = {"calendar": cal, "x": "08:00Z"}  # a text outside a calendar stays
    resource = {"id": "r", "plan_id": "p", "name": "A", "type": "human", "skills": [], "calendar": cal}
    rows = {
        "plans": [{"id": "p", "tags": [], "status": "active", "calendar": cal}],
        "tasks": [task],
        "resources": [resource],
        "scenarios": [{"id": "s", "plan_id": "p", "name": "s", "changes": {"t": changed}}],
    }
    db = upgraded(make_database_url(which), "0019", rows)
    with db.store() as store:
        plan = store.get_plan("p")
    local = [("08:00", "12:00"), ("13:00", "17:00")]
    for c in (plan.calendar, plan.tasks[0].calendar, plan.resources[0].calendar):
        assert [(a.isoformat("minutes"), b.isoformat("minutes")) for a, b in c.working_hours] == local
        assert c.weekday_hours[4][0][0].isoformat() == "08:00:00.500000" and c.name == "08:00Z"
        assert c.exceptions[0].working_hours[0][1].isoformat() == "10:00:00"
    with db.engine.connect() as conn:
        changes = conn.scalar(sa.text("SELECT changes FROM scenarios"))
    changes = changes if isinstance(changes, dict) else json.loads(changes)
    assert changes["t"]["calendar"]["working_hours"][0] == ["08:00:00", "12:00:00"]
    assert changes["t"]["x"] == "08:00Z"
    db.dispose()
