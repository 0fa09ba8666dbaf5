"""Bulk writes over real HTTP: a list of tasks or links in one transaction, all or nothing, one event."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from prometheus.client import SyncPrometheusClient, ValidationError
from prometheus.store import Database
from prometheus.store.mapping import new_id, new_ids
from tests.conftest import add_task


def _events(database_url: str, plan_id: str) -> list[tuple[str, dict]]:
    db = Database(database_url)
    try:
        with db.store(write=False) as store:
            return [(e.type, e.data) for e in store.events_after(0, plan_id=plan_id)]
    finally:
        db.dispose()


def test_a_batch_of_tasks_is_one_transaction_and_one_event(
    api: httpx.Client, plan: dict, database_url: str
) -> None:
    pid = plan["id"]
    first = add_task(api, pid, "Before")
    res = api.post(f"/plans/{pid}/resources", json={"name": "Ana"}).json()["data"]
    half = [{"resource_id": res["id"], "units": 0.5}]
    batch = [
        {"name": "Phase", "duration": 0},
        {"name": "Dig", "parent_id": "task-2", "duration": 3, "assignments": half},
        {
            "name": "Pour",
            "parent_id": "task-2",
            "effort_driven": True,
            "work": 16,
            "assigned_resources": [res["id"]],
        },
        {"name": "Done", "milestone": True, "status": "completed"},
    ]
    r = api.post(f"/plans/{pid}/tasks", json=batch)
    assert r.status_code == 201, r.text
    phase, dig, pour, done = r.json()["data"]
    assert [t["key"] for t in (phase, dig, pour, done)] == ["task-2", "task-3", "task-4", "task-5"]
    assert dig["parent_id"] == pour["parent_id"] == phase["id"]
    assert dig["assignments"] == [{"resource_id": res["id"], "units": 0.5}]
    assert (pour["duration"], pour["duration_unit"]) == (16.0, "hours")
    assert done["duration"] == 0 and done["percent_complete"] == 100
    assert [t["position"] for t in (phase, dig, pour, done)] == [2, 3, 4, 5]
    stored = api.get(f"/plans/{pid}/tasks").json()["data"]
    assert [t["name"] for t in stored] == ["Before", "Phase", "Dig", "Pour", "Done"]
    assert stored[2] == dig
    kinds = [k for k, _ in _events(database_url, pid)]
    assert kinds.count("prometheus.task.batch_created") == 1 and kinds.count("prometheus.task.created") == 1
    batch = dict(_events(database_url, pid))["prometheus.task.batch_created"]
    assert batch == {"ids": [phase["id"], dig["id"], pour["id"], done["id"]], "count": 4}
    assert first["key"] == "task-1"


def test_a_batch_with_bad_rows_stores_nothing_and_names_each(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    add_task(api, pid, "Kept")
    r = api.post(
        f"/plans/{pid}/tasks",
        json=[
            {"name": "ok"},
            {"name": "orphan", "parent_id": "no-such-task"},
            {"name": "fine"},
            {"name": "nobody", "assigned_resources": ["no-such-resource"]},
            {"name": "lazy", "effort_driven": True},
        ],
    )
    assert r.status_code == 422
    body = r.json()
    assert body["error_code"] == "VALIDATION_ERROR"
    assert [(e["index"], e["message"].split(" ")[0]) for e in body["details"]["errors"]] == [
        (1, "parent"),
        (3, "resource"),
        (4, "an"),
    ]
    assert "3 of 5 tasks refused" in body["message"]
    assert [t["name"] for t in api.get(f"/plans/{pid}/tasks").json()["data"]] == ["Kept"]
    assert add_task(api, pid, "Next")["key"] == "task-2"  # no number was used up


def test_invalid_rows_of_a_batch_are_named_by_index(api: httpx.Client, plan: dict) -> None:
    r = api.post(f"/plans/{plan['id']}/tasks", json=[{"name": "a"}, {"name": ""}, {"nme": "b"}])
    assert r.status_code == 422
    locs = [e["loc"] for e in r.json()["details"]["errors"]]
    assert ["body", 1, "name"] in locs and ["body", 2, "nme"] in locs
    assert api.post(f"/plans/{plan['id']}/tasks", json=[]).status_code == 422
    # the one-object form answers as it always did
    r = api.post(f"/plans/{plan['id']}/tasks", json={"name": ""})
    assert r.status_code == 422 and r.json()["details"]["errors"][0]["loc"] == ["body", "name"]


def test_a_batch_of_links_is_checked_against_the_plan_and_itself(
    api: httpx.Client, plan: dict, database_url: str
) -> None:
    pid = plan["id"]
    tasks = api.post(f"/plans/{pid}/tasks", json=[{"name": n} for n in "ABCD"]).json()["data"]
    a, b, c, d = (t["id"] for t in tasks)
    bad = api.post(
        f"/plans/{pid}/dependencies",
        json=[
            {"predecessor_id": a, "successor_id": b},
            {"predecessor_id": "task-2", "successor_id": "task-2"},
            {"predecessor_id": a, "successor_id": b},
            {"predecessor_id": a, "successor_id": "missing"},
        ],
    )
    assert bad.status_code == 422
    assert [e["index"] for e in bad.json()["details"]["errors"]] == [1, 2, 3]
    cycle = api.post(
        f"/plans/{pid}/dependencies",
        json=[{"predecessor_id": a, "successor_id": b}, {"predecessor_id": b, "successor_id": c},
              {"predecessor_id": c, "successor_id": a}],
    )  # fmt: skip
    assert cycle.status_code == 422
    (problem,) = cycle.json()["details"]["errors"]
    assert problem["index"] == 2 and problem["error_code"] == "DEPENDENCY_ERROR"
    assert "'C' -> 'A'" in problem["message"] or "'A'" in problem["message"]
    assert api.get(f"/plans/{pid}/dependencies").json()["data"] == []
    r = api.post(
        f"/plans/{pid}/dependencies",
        json=[{"predecessor_id": "task-1", "successor_id": "task-2", "type": "SS", "lag": 1},
              {"predecessor_id": b, "successor_id": c}, {"predecessor_id": c, "successor_id": d}],
    )  # fmt: skip
    assert r.status_code == 201, r.text
    links = r.json()["data"]
    assert [(x["predecessor_id"], x["successor_id"], x["type"]) for x in links] == [
        (a, b, "SS"), (b, c, "FS"), (c, d, "FS")
    ]  # fmt: skip
    assert {x["id"] for x in api.get(f"/plans/{pid}/dependencies").json()["data"]} == {x["id"] for x in links}
    assert api.get(f"/plans/{pid}/tasks/{d}").json()["data"]["dependencies"] == [c]
    batches = [e for k, e in _events(database_url, pid) if k == "prometheus.dependency.batch_created"]
    assert batches == [{"ids": [x["id"] for x in links], "count": 3}]


def test_client_adds_tasks_and_links_in_batches(server) -> None:  # noqa: ANN001
    with SyncPrometheusClient(server.url) as api:
        plan_id = api.create_plan("Batches")
        tasks = api.add_tasks(plan_id, [{"name": "A", "duration": 2}, {"name": "B"}, {"name": "C"}])
        assert [t["key"] for t in tasks] == ["task-1", "task-2", "task-3"]
        pairs = [("task-1", "task-2"), ("task-2", "task-3")]
        links = api.add_dependencies(plan_id, [{"predecessor_id": p, "successor_id": s} for p, s in pairs])
        assert [x["successor_id"] for x in links] == [tasks[1]["id"], tasks[2]["id"]]
        with pytest.raises(ValidationError) as err:
            api.add_tasks(plan_id, [{"name": "D"}, {"name": "E", "parent_id": "task-99"}])
        assert [e["index"] for e in err.value.details["errors"]] == [1]
        assert len(api.get_tasks(plan_id)) == 3


def test_rows_written_at_once_get_time_ordered_ids(api: httpx.Client, plan: dict) -> None:
    """The rows of a batch (or an import) get UUIDs of version 7 (RFC 9562): the millisecond they were made,
    then random bits, in ascending order, so they go in at the end of a table's primary-key index together.
    A plan's id and a task added alone stay random (version 4): people name plans by an id's first
    characters, which two ids made one after the other must not share."""
    pid = plan["id"]
    first = api.post(f"/plans/{pid}/tasks", json=[{"name": f"a{i}"} for i in range(50)]).json()["data"]
    time.sleep(0.002)
    later = api.post(f"/plans/{pid}/tasks", json=[{"name": f"b{i}"} for i in range(50)]).json()["data"]
    ids = [t["id"] for t in first + later]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert {(uuid.UUID(i).version, uuid.UUID(i).variant) for i in ids} == {(7, uuid.RFC_4122)}
    now_ms = time.time_ns() // 1_000_000
    assert now_ms - 60_000 < int(ids[-1].replace("-", "")[:12], 16) <= now_ms
    pairs = [{"predecessor_id": a["id"], "successor_id": b["id"]} for a, b in zip(first, later, strict=True)]
    links = [d["id"] for d in api.post(f"/plans/{pid}/dependencies", json=pairs).json()["data"]]
    assert links == sorted(links) and {uuid.UUID(i).version for i in links} == {7}
    alone = add_task(api, pid, "Alone")
    other = api.post("/plans", json={"name": "Next"}).json()["data"]
    assert uuid.UUID(alone["id"]).version == uuid.UUID(pid).version == uuid.UUID(other["id"]).version == 4
    assert pid[:8] != other["id"][:8]


def test_new_ids_are_unique_sorted_and_of_version_7_and_new_id_random() -> None:
    made = new_ids(20_000)
    assert made == sorted(made) and len(set(made)) == len(made)
    assert {uuid.UUID(i).version for i in made} == {7}
    assert new_ids(0) == [] and uuid.UUID(new_id()).version == 4
