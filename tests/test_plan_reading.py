"""Reading a whole plan with one Core select per table gives exactly what the ORM reads give."""

from __future__ import annotations

import httpx

from prometheus.store import Database
from prometheus.store.mapping import plan_model
from tests.conftest import add_task, link


def test_a_plan_read_in_five_queries_is_the_plan_the_orm_reads(
    api: httpx.Client, plan: dict, database_url: str
) -> None:
    pid = plan["id"]
    week = {"working_days": [0, 1, 2, 3], "hours_per_day": 6}
    ana = api.post(f"/plans/{pid}/resources", json={"name": "Ana", "calendar": week, "skills": ["x"]}).json()
    bob = api.post(f"/plans/{pid}/resources", json={"name": "Bob", "availability": 0.5}).json()
    a, b = ana["data"]["id"], bob["data"]["id"]
    phase = add_task(api, pid, "Phase", tags=["p"], metadata={"k": [1, 2]})
    dig = add_task(
        api,
        pid,
        "Dig",
        parent_id=phase["id"],
        assignments=[{"resource_id": b}, {"resource_id": a, "units": 0.5}],
    )
    pour = add_task(
        api,
        pid,
        "Pour",
        parent_id=phase["id"],
        calendar=week,
        constraint_type="SNET",
        constraint_date="2026-12-03T08:00:00Z",
        optimistic_duration=1,
        pessimistic_duration=4,
    )
    ship = add_task(api, pid, "Ship", milestone=True, assigned_resources=[a])
    assert link(api, pid, pour["id"], ship["id"], type="SS", lag=2).status_code == 201
    assert link(api, pid, dig["id"], pour["id"]).status_code == 201
    assert link(api, pid, dig["id"], ship["id"], lag=-1, lag_unit="hours").status_code == 201
    r = api.put(
        f"/plans/{pid}/tasks/{dig['id']}/progress",
        json={"percent_complete": 40, "actual_start": "2026-12-01T08:00:00Z"},
    )
    assert r.status_code == 200, r.text
    db = Database(database_url)
    try:
        with db.store(write=False) as store:
            fast = store.read_plan(pid)
            slow = plan_model(store._plan_row(pid), 4)
            slow.tasks = store.list_tasks(pid, limit=None)[0]
            slow.dependencies = store.list_dependencies(pid)
            slow.resources = store.list_resources(pid)
            assert store.get_plan(pid) == fast
    finally:
        db.dispose()
    assert fast == slow
    assert fast.model_dump(mode="json") == slow.model_dump(mode="json")
    by_name = {t.name: t for t in fast.tasks}
    assert [x.resource_id for x in by_name["Dig"].assignments] == [b, a]  # the order given
    assert by_name["Ship"].dependencies == [dig["id"], pour["id"]]  # predecessors in plan order
    assert by_name["Pour"].calendar is not None and by_name["Dig"].actual_start is not None
    assert by_name["Dig"].actual_start.tzinfo is None  # a plan-local date
    assert api.get(f"/plans/{pid}").json()["data"] == fast.model_dump(mode="json")
