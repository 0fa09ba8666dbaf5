"""What-if scenarios: the overlay on hand-built plans, and over HTTP (changes, views, compare, promote with
its conflicts, discard, events) on both databases."""

from __future__ import annotations

from datetime import date, datetime

import httpx
import pytest

from prometheus.core import scenario as sc
from prometheus.core.analysis import schedule_plan
from prometheus.core.compare import compare, plan_cost
from prometheus.core.critical import critical_path_report
from prometheus.core.inputs import DependencyCreate, TaskCreate, TaskPatch
from prometheus.core.model import Assignment, Dependency, Plan, Resource, Task
from prometheus.core.resources import costs
from prometheus.errors import DependencyError, NotFound, ValidationFailed
from prometheus.store import Database
from tests.conftest import add_task, link
from tests.plan_generator import random_plan_with_resources

DAY = date(2026, 12, 1)  # a Tuesday


def base_plan() -> Plan:
    res = [
        Resource(id="r1", plan_id="p", name="Ann", cost_rate=10),
        Resource(id="r2", plan_id="p", name="Bob"),
    ]
    tasks = [
        Task(id="a", plan_id="p", key="task-1", name="A", duration=2, position=1,
             assignments=[Assignment(resource_id="r1")]),
        Task(id="b", plan_id="p", key="task-2", name="B", duration=3, position=2, dependencies=["a"],
             assignments=[Assignment(resource_id="r1"), Assignment(resource_id="r2")]),
        Task(id="c", plan_id="p", key="task-3", name="C", duration=1, position=3, dependencies=["b"]),
    ]  # fmt: skip
    deps = [
        Dependency(id="ab", plan_id="p", predecessor_id="a", successor_id="b"),
        Dependency(id="bc", plan_id="p", predecessor_id="b", successor_id="c"),
    ]
    return Plan(id="p", name="P", start_date=DAY, tasks=tasks, dependencies=deps, resources=res)


def test_overlay_changes_only_what_the_scenario_changes_and_leaves_the_base_alone() -> None:
    base, ch = base_plan(), sc.ScenarioChanges()
    assert sc.edit_task(base, ch, "task-2", TaskPatch(duration=5)) == "b"
    new = sc.add_task(base, ch, TaskCreate(name="D", duration=4, assigned_resources=["r2"]))
    sc.add_link(base, ch, DependencyCreate(predecessor_id="c", successor_id=new))
    sc.remove_link(base, ch, "ab")
    sc.remove_resource(base, ch, "r1")
    view = sc.overlay(base, ch)
    tasks = {t.id: t for t in view.tasks or []}
    assert tasks["b"].duration == 5 and [a.resource_id for a in tasks["b"].assignments] == ["r2"]
    assert tasks["a"].assignments == [] and tasks["b"].dependencies == [] and tasks[new].dependencies == ["c"]
    assert [r.id for r in view.resources or []] == ["r2"]
    assert ch.base_versions == {"task:b": 1, "resource:r1": 1} and ch.count() == 5
    # the base is untouched
    assert (
        base.tasks[1].duration == 3 and len(base.dependencies or []) == 2 and len(base.resources or []) == 2
    )
    s = schedule_plan(view, DAY)
    assert s.tasks["b"].start == datetime(2026, 12, 1, 8)  # no longer waits for A
    assert s.tasks["c"].finish == datetime(2026, 12, 8, 17)  # B: five days Tue..Mon, then C
    assert s.tasks[new].start == datetime(2026, 12, 9, 8)


def test_edits_are_checked_against_the_scenario_view() -> None:
    base, ch = base_plan(), sc.ScenarioChanges()
    sc.remove_resource(base, ch, "Bob")
    with pytest.raises(ValidationFailed, match="resource r2 not found"):
        sc.edit_task(base, ch, "a", TaskPatch(assigned_resources=["r2"]))
    with pytest.raises(DependencyError):
        sc.add_link(base, ch, DependencyCreate(predecessor_id="a", successor_id="b"))
    sc.remove_task(base, ch, "c")
    with pytest.raises(NotFound):
        sc.edit_task(base, ch, "c", TaskPatch(duration=1))
    # assignments given again replace the earlier ones, whichever way each was given
    sc.edit_task(base, ch, "a", TaskPatch(assignments=[Assignment(resource_id="r1", units=0.5)]))
    sc.edit_task(base, ch, "a", TaskPatch(assigned_resources=[]))
    assert next(t for t in sc.overlay(base, ch).tasks or [] if t.id == "a").assignments == []
    with pytest.raises(ValidationFailed, match="needs a constraint_date"):
        sc.edit_task(base, ch, "a", TaskPatch(constraint_type="SNET"))
    # an added task removed again leaves nothing behind, nor its links
    new = sc.add_task(base, ch, TaskCreate(name="X"))
    sc.add_link(base, ch, DependencyCreate(predecessor_id="a", successor_id=new))
    sc.remove_task(base, ch, new)
    assert ch.added_tasks == {} and ch.added_links == {}


def test_compare_reports_finish_cost_critical_path_and_moved_tasks() -> None:
    base, ch = base_plan(), sc.ScenarioChanges()
    sc.edit_task(base, ch, "a", TaskPatch(duration=4))
    view = sc.overlay(base, ch)
    bs, vs = schedule_plan(base, DAY), schedule_plan(view, DAY)
    result = compare(base, bs, view, vs)
    assert result["base"]["project_finish"] == bs.project_finish
    assert result["scenario"]["project_finish"] == vs.project_finish
    assert result["difference"]["duration_days"] == 2.0
    assert result["difference"]["cost"] == pytest.approx(2 * 8 * 10)  # Ann's two more days at 10 an hour
    assert {m["task_id"] for m in result["tasks"]} == {"a", "b", "c"}
    assert result["scenario"]["critical_path"] == ["a", "b", "c"]


def test_compare_agrees_with_the_schedules_and_the_costs_on_random_plans() -> None:
    """On random plans (summaries, every link type, calendars, resources with costs): the compare's cost is
    the cost report's, a plan against itself differs in nothing, and every moved task's dates are its
    schedules' dates."""
    for seed in range(40):
        tasks, deps, start, cal, resources = random_plan_with_resources(seed)
        resources = [r.model_copy(update={"cost_rate": 10 + i * 7.5}) for i, r in enumerate(resources)]
        base = Plan(id="p", name="R", start_date=start.date(), calendar=cal, tasks=tasks, dependencies=deps,
                    resources=resources)  # fmt: skip
        bs = schedule_plan(base, start.date())
        assert plan_cost(base, bs) == costs(base, bs)["cost"]
        same = compare(base, bs, base, bs)
        assert (
            same["tasks"] == [] and same["difference"]["cost"] == 0 and same["difference"]["tasks_moved"] == 0
        )
        ch = sc.ScenarioChanges()
        leaves = [t for t in tasks if not any(x.parent_id == t.id for x in tasks)]
        sc.edit_task(base, ch, leaves[seed % len(leaves)].id, TaskPatch(duration=9, duration_unit="days"))
        if resources:
            sc.remove_resource(base, ch, resources[0].id)
        view = sc.overlay(base, ch)
        vs = schedule_plan(view, start.date())
        result = compare(base, bs, view, vs, limit=10_000)
        assert result["scenario"]["cost"] == costs(view, vs)["cost"]
        assert result["base"]["critical_path"] == [
            t["task_id"] for t in critical_path_report(base, bs)["critical_path"]
        ]
        moved = {m["task_id"]: m for m in result["tasks"]}
        for tid, x in bs.tasks.items():
            y = vs.tasks[tid]
            if (x.start, x.finish) == (y.start, y.finish):
                assert tid not in moved
            else:
                m = moved[tid]
                assert (m["base_start"], m["base_finish"], m["scenario_start"], m["scenario_finish"]) == (
                    x.start, x.finish, y.start, y.finish)  # fmt: skip
        assert len(moved) == result["difference"]["tasks_moved"]


# -- over HTTP ----------------------------------------------------------------------------------------------


def _setup(api: httpx.Client, plan: dict) -> tuple[str, dict, dict, dict]:
    pid = plan["id"]
    ann = api.post(f"/plans/{pid}/resources", json={"name": "Ann", "cost_rate": 50}).json()["data"]
    bob = api.post(f"/plans/{pid}/resources", json={"name": "Bob", "cost_rate": 80}).json()["data"]
    a = add_task(api, pid, "Design", duration=3, assigned_resources=[ann["id"]])
    b = add_task(api, pid, "Build", duration=4, assigned_resources=[ann["id"]])
    c = add_task(api, pid, "Test", duration=2, assigned_resources=[bob["id"]])
    assert link(api, pid, a["id"], c["id"]).status_code == 201
    return pid, {"ann": ann, "bob": bob}, {"a": a, "b": b, "c": c}, {}


def _data(r: httpx.Response, code: int = 200) -> dict:
    assert r.status_code == code, r.text
    return r.json()["data"]


def test_scenario_round_trip_level_compare_and_promote(api: httpx.Client, plan: dict, server) -> None:  # noqa: ANN001
    pid, res, tasks, _ = _setup(api, plan)
    before = _data(api.get(f"/plans/{pid}/critical-path"))
    s = _data(api.post(f"/plans/{pid}/scenarios", json={"name": "without Bob"}), 201)
    url = f"/plans/{pid}/scenarios/{s['id']}"
    assert s["change_count"] == 0 and s["base_revision"]
    # removing Bob leaves Test unassigned; the plan still has him
    edited = _data(api.delete(f"{url}/resources/{res['bob']['id']}"))
    assert edited["id"] == res["bob"]["id"] and edited["scenario"]["change_count"] == 1
    assert [r["name"] for r in _data(api.get(f"{url}/resources"))] == ["Ann"]
    assert len(_data(api.get(f"/plans/{pid}/resources"))) == 2
    # Ann does Test too, and the scenario is leveled (Design and Build both need her)
    _data(api.patch(f"{url}/tasks/{tasks['c']['key']}", json={"assigned_resources": [res["ann"]["id"]]}))
    lev = _data(api.post(f"{url}/level", params={"apply": True}))
    assert lev["applied"] and lev["moved"] and lev["over_allocations_after"] == []
    cp = _data(api.get(f"{url}/critical-path"))
    costs = _data(api.get(f"{url}/costs"))
    cmp = _data(api.get(f"{url}/compare"))
    assert cmp["base"]["project_finish"] == before["project_finish"]
    assert cmp["scenario"]["project_finish"] == cp["project_finish"]
    assert cmp["scenario"]["cost"] == costs["cost"] == 9 * 8 * 50  # all nine days are Ann's
    assert cmp["base"]["cost"] == _data(api.get(f"/plans/{pid}/costs"))["cost"] == 7 * 8 * 50 + 2 * 8 * 80
    assert cmp["difference"]["cost"] == round(cmp["scenario"]["cost"] - cmp["base"]["cost"], 2)
    assert cmp["scenario"]["critical_path"] == [t["task_id"] for t in cp["critical_path"]]
    moved = {m["task_id"]: m for m in cmp["tasks"]}
    timeline = {t["task_id"]: t for t in _data(api.get(f"{url}/timeline"))["tasks"]}
    for tid, m in moved.items():
        assert (
            m["scenario_start"] == timeline[tid]["start"] and m["scenario_finish"] == timeline[tid]["finish"]
        )
    assert cmp["difference"]["duration_days"] > 0
    # promote: the plan now schedules as the scenario did, and the scenario is gone
    count = _data(api.get(url))["change_count"]
    promoted = _data(api.post(f"{url}/promote"))
    assert promoted["changes"] == count >= 3
    assert _data(api.get(f"/plans/{pid}/critical-path"))["project_finish"] == cp["project_finish"]
    assert _data(api.get(f"/plans/{pid}/costs"))["cost"] == costs["cost"]
    assert [r["name"] for r in _data(api.get(f"/plans/{pid}/resources"))] == ["Ann"]
    assert api.get(url).status_code == 404
    events = _events(server.database_url, pid)
    assert events.count("prometheus.scenario.created") == 1 and events[-1] == "prometheus.scenario.promoted"
    assert "prometheus.resource.deleted" in events  # the changes themselves, as any change of the plan


def _events(database_url: str, pid: str) -> list[str]:
    """The outbox's event types of a plan, in order."""
    db = Database(database_url)
    with db.store(write=False) as store:
        types = [e.type for e in store.events_after(0, limit=100_000) if e.plan_id == pid]
    db.dispose()
    return types


def test_promote_refuses_when_the_plan_changed_what_the_scenario_changes(
    api: httpx.Client, plan: dict
) -> None:
    pid, _res, tasks, _ = _setup(api, plan)
    s = _data(api.post(f"/plans/{pid}/scenarios", json={"name": "longer design"}), 201)
    url = f"/plans/{pid}/scenarios/{s['id']}"
    _data(api.patch(f"{url}/tasks/{tasks['a']['id']}", json={"duration": 10}))
    # a change elsewhere in the plan does not conflict ...
    _data(api.patch(f"/plans/{pid}/tasks/{tasks['b']['id']}", json={"name": "Build it"}))
    # ... a change of the same task does
    _data(api.patch(f"/plans/{pid}/tasks/{tasks['a']['id']}", json={"duration": 5}))
    r = api.post(f"{url}/promote")
    assert r.status_code == 409 and r.json()["error_code"] == "RESOURCE_CONFLICT"
    assert r.json()["details"]["conflicts"][0]["id"] == tasks["a"]["id"]
    assert _data(api.get(f"/plans/{pid}/tasks/{tasks['a']['id']}"))["duration"] == 5  # nothing applied
    # the base revision check refuses any change
    s2 = _data(api.post(f"/plans/{pid}/scenarios", json={"name": "other"}), 201)
    _data(api.patch(f"/plans/{pid}/tasks/{tasks['c']['id']}", json={"name": "Test it"}))
    r = api.post(f"/plans/{pid}/scenarios/{s2['id']}/promote", params={"base_revision": s2["base_revision"]})
    assert r.status_code == 409
    # discard leaves the plan as it is
    assert _data(api.delete(url))["id"] == s["id"]
    assert api.get(url).status_code == 404
    assert _data(api.get(f"/plans/{pid}/tasks/{tasks['a']['id']}"))["duration"] == 5


def test_added_tasks_links_and_resources_get_real_ids_on_promotion(api: httpx.Client, plan: dict) -> None:
    pid, res, tasks, _ = _setup(api, plan)
    s = _data(api.post(f"/plans/{pid}/scenarios", json={"name": "more"}), 201)
    url = f"/plans/{pid}/scenarios/{s['id']}"
    cy = _data(api.post(f"{url}/resources", json={"name": "Cy", "cost_rate": 20}), 201)["id"]
    new = _data(
        api.post(f"{url}/tasks", json={"name": "Docs", "duration": 2, "assigned_resources": [cy]}), 201
    )
    _data(
        api.post(f"{url}/dependencies", json={"predecessor_id": tasks["b"]["id"], "successor_id": new["id"]}),
        201,
    )
    dep = _data(api.get(f"/plans/{pid}/dependencies"))[0]
    _data(api.delete(f"{url}/dependencies/{dep['id']}"))
    _data(api.delete(f"{url}/tasks/{tasks['a']['id']}"))
    view = {t["name"]: t for t in _data(api.get(f"{url}/tasks"))}
    assert set(view) == {"Build", "Test", "Docs"} and view["Docs"]["dependencies"] == [tasks["b"]["id"]]
    cmp = _data(api.get(f"{url}/compare"))
    assert cmp["difference"]["tasks_added"] == 1 and cmp["difference"]["tasks_removed"] == 1
    result = _data(api.post(f"{url}/promote"))
    real = result["new_ids"][new["id"]]
    after = {t["name"]: t for t in _data(api.get(f"/plans/{pid}/tasks"))}
    assert set(after) == {"Build", "Test", "Docs"} and after["Docs"]["id"] == real
    assert after["Docs"]["dependencies"] == [tasks["b"]["id"]]
    cy_row = next(r for r in _data(api.get(f"/plans/{pid}/resources")) if r["name"] == "Cy")
    assert after["Docs"]["assigned_resources"] == [cy_row["id"]] == [result["new_ids"][cy]]
    assert res["ann"]["id"] in after["Build"]["assigned_resources"]


def test_scenario_errors_are_the_api_errors(api: httpx.Client, plan: dict) -> None:
    pid, _res, tasks, _ = _setup(api, plan)
    assert api.post("/plans/nope/scenarios", json={"name": "x"}).status_code == 404
    assert api.post(f"/plans/{pid}/scenarios", json={"name": ""}).status_code == 422
    s = _data(api.post(f"/plans/{pid}/scenarios", json={"name": "x"}), 201)
    url = f"/plans/{pid}/scenarios/{s['id']}"
    assert api.get(f"/plans/{pid}/scenarios/nope").status_code == 404
    assert api.patch(f"{url}/tasks/nope", json={"duration": 1}).status_code == 404
    assert api.patch(f"{url}/tasks/{tasks['a']['id']}", json={"duration": -1}).status_code == 422
    cyc = api.post(
        f"{url}/dependencies", json={"predecessor_id": tasks["c"]["id"], "successor_id": tasks["a"]["id"]}
    )
    assert cyc.status_code == 409 and cyc.json()["error_code"] == "DEPENDENCY_ERROR"  # as the plan does
    assert "cycle" in cyc.json()["message"] and cyc.json()["details"]["cycle"][0] == tasks["c"]["id"]
    _data(api.patch(f"{url}/tasks/{tasks['a']['id']}", json={"duration": 2}))
    assert api.get(f"{url}/critical-path").status_code == 200
    # refused changes left the scenario at version 2 (one change recorded)
    renamed = _data(api.patch(url, json={"name": "renamed"}, headers={"If-Match": "2"}))
    assert renamed["name"] == "renamed" and renamed["version"] == 3
    assert api.patch(url, json={"name": "again"}, headers={"If-Match": "2"}).status_code == 409


def test_a_scenario_outlives_what_the_plan_removes_and_promotion_refuses_it(
    api: httpx.Client, plan: dict
) -> None:
    pid, res, tasks, _ = _setup(api, plan)
    s = _data(api.post(f"/plans/{pid}/scenarios", json={"name": "x"}), 201)
    url = f"/plans/{pid}/scenarios/{s['id']}"
    new = _data(api.post(f"{url}/tasks", json={"name": "Extra", "parent_id": tasks["a"]["id"]}), 201)["id"]
    _data(
        api.post(f"{url}/dependencies", json={"predecessor_id": tasks["b"]["id"], "successor_id": new}), 201
    )
    _data(
        api.patch(
            f"{url}/tasks/{tasks['c']['id']}",
            json={"assigned_resources": [res["bob"]["id"], res["ann"]["id"]]},
        )
    )
    # the plan loses Build (linked in the scenario), Design (the new task's parent) and Bob (assigned there)
    for path in (
        f"tasks/{tasks['b']['id']}",
        f"tasks/{tasks['a']['id']}",
        f"resources/{res['bob']['id']}?force=true",
    ):
        assert api.delete(f"/plans/{pid}/{path}").status_code == 200
    view = {t["name"]: t for t in _data(api.get(f"{url}/tasks"))}
    assert set(view) == {"Test", "Extra"} and view["Extra"]["parent_id"] is None
    assert view["Extra"]["dependencies"] == [] and view["Test"]["assigned_resources"] == [res["ann"]["id"]]
    assert _data(api.get(f"{url}/dependencies")) == []
    cmp = _data(api.get(f"{url}/compare"))
    assert cmp["difference"]["tasks_added"] == 1 and cmp["scenario"]["cost"] == 2 * 8 * 50
    r = api.post(f"{url}/promote")
    assert r.status_code == 409 and r.json()["error_code"] == "RESOURCE_CONFLICT", r.text
    assert {t["name"] for t in _data(api.get(f"/plans/{pid}/tasks"))} == {"Test"}  # nothing applied


def test_a_resource_change_a_scenario_cannot_hold_is_refused(api: httpx.Client, plan: dict) -> None:
    url = f"/plans/{plan['id']}/scenarios"
    sid = api.post(url, json={"name": "nulls"}).json()["data"]["id"]
    rid = api.post(f"{url}/{sid}/resources", json={"name": "R"}).json()["data"]["id"]
    r = api.patch(f"{url}/{sid}/resources/{rid}", json={"name": None})
    assert r.status_code == 422 and "name" in r.json()["message"], r.text
    assert api.patch(f"{url}/{sid}/resources/{rid}", json={"availability": 0.5}).status_code == 200
    views = api.get(f"{url}/{sid}/resources")  # the scenario still opens
    assert views.status_code == 200 and [(x["name"], x["availability"]) for x in views.json()["data"]] == [
        ("R", 0.5)
    ]


def test_nulls_in_scenario_edits_mean_what_they_mean_in_the_plan() -> None:
    """A null clears what the plan's PATCH clears, leaves what it leaves, and is refused where the plan
    refuses it: the scenario never stores a change that breaks its own view."""
    from prometheus.core.inputs import ResourceCreate, ResourcePatch

    base, ch = base_plan(), sc.ScenarioChanges()
    rid = sc.add_resource(base, ch, ResourceCreate(name="Cat", skills=["go"]))
    sc.edit_resource(base, ch, rid, ResourcePatch.model_validate({"type": None, "skills": None}))
    cat = next(r for r in sc.overlay(base, ch).resources or [] if r.id == rid)
    assert cat.type.value == "human" and cat.skills == []
    with pytest.raises(ValidationFailed, match="name cannot be null"):
        sc.edit_resource(base, ch, rid, ResourcePatch.model_validate({"name": None}))
    with pytest.raises(ValidationFailed, match="status cannot be null"):
        sc.edit_task(base, ch, "a", TaskPatch.model_validate({"status": None, "description": None}))
    sc.edit_task(base, ch, "a", TaskPatch.model_validate({"description": None, "parent_id": None}))
    assert next(t for t in sc.overlay(base, ch).tasks or [] if t.id == "a").description == ""
    before = next(t for t in sc.overlay(base, ch).tasks or [] if t.id == "a")
    sc.edit_task(
        base, ch, "a", TaskPatch.model_validate({"leveling_delay": None, "splits": None, "duration": None})
    )
    a = next(t for t in sc.overlay(base, ch).tasks or [] if t.id == "a")
    assert (a.leveling_delay, a.splits, a.duration) == (0.0, [], before.duration)  # cleared; not sent
