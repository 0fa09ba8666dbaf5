"""A completed execution moves all its tasks at once over real HTTP, with what moving them one callback at
a time gives: the tasks' stored fields and versions, a new revision of the plan, the kept plan, and the
outbox's events (the same events, in the same order, with the same fields)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import cache, partial
from typing import Any

import httpx
import pytest

from prometheus.core import analysis
from prometheus.core.inputs import DependencyCreate, PlanCreate, ProgressUpdate, TaskCreate
from prometheus.core.model import TaskStatus
from prometheus.errors import NotFound, ValidationFailed
from prometheus.store import Database

PHASES, CHILDREN = 5, 9  # 5 summaries of 9 tasks each: 50 tasks


def _plan(api: httpx.Client) -> tuple[str, dict[str, str]]:
    """A plan of summaries over chains of tasks, a few done, a few in progress; its id and key of each id."""
    pid = api.post("/plans", json={"name": "run", "start_date": "2026-12-01"}).json()["data"]["id"]
    batch: list[dict[str, Any]] = []
    for p in range(PHASES):
        parent = f"task-{len(batch) + 1}"
        batch.append({"name": f"phase {p}"})
        batch += [{"name": f"t{p}.{i}", "parent_id": parent, "duration": 1 + i % 3} for i in range(CHILDREN)]
    r = api.post(f"/plans/{pid}/tasks", json=batch)
    assert r.status_code == 201, r.text
    tasks = r.json()["data"]
    chains = [(a, b) for a, b in zip(tasks, tasks[1:], strict=False) if a["parent_id"] and b["parent_id"]]
    links = [{"predecessor_id": a["key"], "successor_id": b["key"]} for a, b in chains]
    assert api.post(f"/plans/{pid}/dependencies", json=links).status_code == 201
    progress = {"task-2": {"status": "completed"}, "task-3": {"percent_complete": 100},
                "task-12": {"percent_complete": 40}, "task-13": {"status": "in_progress", "notes": "begun"},
                "task-22": {"percent_complete": 30, "actual_start": "2026-12-01T09:00:00Z"},
                "task-32": {"status": "completed", "actual_cost": 120.5}}  # fmt: skip
    for key, body in progress.items():
        r = api.put(f"/plans/{pid}/tasks/{key}/progress", json=body)
        assert r.status_code == 200, r.text
    return pid, {t["id"]: t["key"] for t in tasks}


def _adopt(api: httpx.Client, pid: str, name: str) -> tuple[str, list[str]]:
    keys = [t["key"] for t in api.get(f"/plans/{pid}/tasks").json()["data"]]
    body = {"execution_id": name, "plan_id": pid, "steps": [{"id": k} for k in keys]}
    r = api.post("/executions/callbacks", json=body)
    assert r.status_code == 200, r.text
    execution = r.json()["data"]
    return execution["id"], [s["step_id"] for s in execution["steps"] if s.get("sent", True)]


def _callback(api: httpx.Client, body: dict) -> dict:
    r = api.post("/executions/callbacks", json=body)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def _same_shape(value: Any, keys: dict[str, str]) -> Any:
    """`value` with every task or plan id named by its key, and without the times of writing."""
    if isinstance(value, dict):
        out = {k: _same_shape(v, keys) for k, v in value.items() if k not in ("created_at", "updated_at")}
        return out | ({"notes": re.sub(r"\[[^]]*\] ", "", out["notes"])} if out.get("notes") else {})
    if isinstance(value, list):
        return [_same_shape(v, keys) for v in value]
    return keys.get(value, value) if isinstance(value, str) else value


def _stored(database_url: str, pid: str, last: int) -> tuple[str | None, list[dict], list[tuple]]:
    """The plan's revision, its tasks as stored, and its events after `last`."""
    db = Database(database_url)
    try:
        with db.store(write=False) as store:
            tasks = [t.model_dump(mode="json") for t in store.get_plan(pid).tasks or []]
            events = [(e.id, e.type, e.data) for e in store.events_after(last, limit=100_000, plan_id=pid)]
        return db.plan_revision(pid), tasks, events
    finally:
        db.dispose()


def test_a_completed_callback_moves_tasks_as_one_callback_per_step_does(
    api: httpx.Client, database_url: str
) -> None:
    runs: dict[str, Any] = {}
    for how in ("at once", "step by step"):
        pid, keys = _plan(api)
        keys[pid] = "plan"
        execution, steps = _adopt(api, pid, f"ext {how}")
        keys |= {execution: "execution", f"ext {how}": "ext"}
        revision, before, events = _stored(database_url, pid, 0)
        last = events[-1][0]
        if how == "at once":
            done = _callback(api, {"execution_id": f"ext {how}", "status": "completed"})
        else:
            for step in steps:
                _callback(api, {"execution_id": f"ext {how}", "step_id": step, "step_status": "completed"})
            done = _callback(api, {"execution_id": f"ext {how}", "status": "completed"})
        after, tasks, events = _stored(database_url, pid, last)
        assert after not in (None, revision)  # the plan has a new revision
        kept = api.get(f"/plans/{pid}").json()["data"]["tasks"]
        assert _same_shape(kept, keys) == _same_shape(tasks, keys)  # the kept plan: what a read gives
        versions = {t["id"]: t["version"] for t in before}
        moved = [t for t in tasks if t["version"] != versions[t["id"]]]
        assert all(t["version"] == versions[t["id"]] + 1 for t in moved)
        runs[how] = {
            "status": (done["status"], api.get(f"/plans/{pid}").json()["data"]["status"]),
            "tasks": _same_shape(tasks, keys),
            "events": [(kind, _same_shape(data, keys)) for _, kind, data in events],
        }
    at_once, in_turn = runs["at once"], runs["step by step"]
    assert at_once["status"] == in_turn["status"] == ("completed", "completed")
    assert at_once["tasks"] == in_turn["tasks"]
    assert {t["status"] for t in at_once["tasks"] if t["parent_id"]} == {"completed"}  # every work task
    progress = [data for kind, data in at_once["events"] if kind == "prometheus.task.progress"]
    assert len(progress) == 50 - PHASES - 3  # every work task not done yet (3 were), once
    assert at_once["events"] == in_turn["events"]


def _progress_plan(db: Database) -> tuple[str, list[str]]:
    with db.store() as store:
        pid = store.create_plan(PlanCreate(name="p", start_date=date(2026, 12, 1))).id
        tasks = store.add_tasks(pid, [TaskCreate(name=f"t{i}", duration=1 + i % 3) for i in range(8)])
        store.add_dependency(pid, DependencyCreate(predecessor_id=tasks[0].id, successor_id=tasks[1].id))
        store.update_progress(pid, tasks[5].id, ProgressUpdate(status=TaskStatus.completed), None)
        store.update_progress(pid, tasks[6].id, ProgressUpdate(percent_complete=20, notes="a"), None)
    return pid, [t.id for t in tasks]


MONDAY = datetime(2026, 11, 30, 8, tzinfo=UTC)
UPDATES = [
    ProgressUpdate(status=TaskStatus.completed),
    ProgressUpdate(percent_complete=40, actual_cost=12.5, notes="half way"),
    ProgressUpdate(percent_complete=100),
    ProgressUpdate(status=TaskStatus.in_progress, actual_start=datetime(2026, 12, 2, 9, tzinfo=UTC)),
    ProgressUpdate(percent_complete=10, remaining_duration=4, resume=datetime(2026, 12, 8, 8, tzinfo=UTC)),
    ProgressUpdate(status=TaskStatus.pending),  # reopens a completed task
    ProgressUpdate(status=TaskStatus.completed, notes="done"),
]


def test_progress_of_many_tasks_at_once_is_each_tasks_progress_in_turn(db: Database) -> None:
    runs = []
    for at_once in (True, False):
        pid, ids = _progress_plan(db)
        keys = {pid: "plan"} | {tid: f"t{i}" for i, tid in enumerate(ids)}
        with db.store() as store:
            last = store.last_event_id()
            schedule = cache(partial(analysis.schedule_plan, store.get_plan(pid), date.today()))
            updates = dict(zip([ids[i] for i in (0, 1, 2, 3, 4, 5, 6)], UPDATES, strict=True))
            if at_once:
                store.update_progress_many(pid, updates, schedule)
            else:
                for tid, p in updates.items():
                    store.update_progress(pid, tid, p, None, schedule)
        with db.store(write=False) as store:
            tasks = [t.model_dump(mode="json") for t in store.get_plan(pid).tasks or []]
            events = [[e.type, e.data] for e in store.events_after(last, plan_id=pid)]
        runs.append((_same_shape(tasks, keys), _same_shape(events, keys)))
    assert runs[0] == runs[1]
    assert [e[0] for e in runs[0][1]] == ["prometheus.task.progress"] * len(UPDATES)


def test_progress_of_many_tasks_refused_for_one_stores_none(db: Database) -> None:
    pid, ids = _progress_plan(db)
    with db.store(write=False) as store:
        before, last = store.get_plan(pid), store.last_event_id()
    wrong = {
        "unknown task": {ids[0]: ProgressUpdate(status=TaskStatus.completed), "nope": ProgressUpdate()},
        "finish before start": {
            ids[0]: ProgressUpdate(status=TaskStatus.completed),
            ids[1]: ProgressUpdate(actual_start=datetime(2026, 12, 3, tzinfo=UTC), actual_finish=MONDAY),
        },
    }
    for updates in wrong.values():
        with pytest.raises((NotFound, ValidationFailed)), db.store() as store:
            store.update_progress_many(pid, updates, lambda: analysis.schedule_plan(before, date.today()))
    with db.store(write=False) as store:
        assert store.get_plan(pid) == before and store.events_after(last, plan_id=pid) == []
