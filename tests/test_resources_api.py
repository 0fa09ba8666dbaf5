"""Resources and assignments over real HTTP."""

from __future__ import annotations

import httpx

from tests.conftest import add_task


def test_resource_lifecycle_and_assignment(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    r = api.post(
        f"/plans/{pid}/resources",
        json={
            "name": "Ana",
            "type": "human",
            "skills": ["python", "sql"],
            "availability": 0.5,
            "cost_rate": 80,
            "calendar": {"working_days": [0, 1, 2, 3], "working_hours": [["09:00", "13:00"]]},
        },
    )
    assert r.status_code == 201, r.text
    ana = r.json()["data"]
    assert ana["availability"] == 0.5 and ana["calendar"]["working_days"] == [0, 1, 2, 3]
    bot = api.post(f"/plans/{pid}/resources", json={"name": "bot", "type": "agent"}).json()["data"]

    r = api.post(f"/plans/{pid}/resources", json={"name": "Ana"})
    assert r.status_code == 409 and r.json()["error_code"] == "RESOURCE_CONFLICT"
    r = api.post(f"/plans/{pid}/resources", json={"name": "Bad", "availability": 1.5})
    assert r.status_code == 422
    r = api.post(f"/plans/{pid}/resources", json={"name": "Bad", "type": "alien"})
    assert r.status_code == 422
    r = api.post(f"/plans/{pid}/resources", json={"name": "Bad", "calendar": {"working_days": [9]}})
    assert r.status_code == 422

    assert [
        x["name"] for x in api.get(f"/plans/{pid}/resources", params={"skill": "sql"}).json()["data"]
    ] == ["Ana"]
    assert [
        x["name"] for x in api.get(f"/plans/{pid}/resources", params={"type": "agent"}).json()["data"]
    ] == ["bot"]

    t = add_task(api, pid, "Build", assignments=[{"resource_id": ana["id"], "units": 0.5}])
    assert t["assignments"] == [{"resource_id": ana["id"], "units": 0.5}]
    assert t["assigned_resources"] == [ana["id"]]
    t = api.patch(
        f"/plans/{pid}/tasks/{t['id']}", json={"assigned_resources": [ana["id"], bot["id"]]}
    ).json()["data"]
    assert sorted(t["assigned_resources"]) == sorted([ana["id"], bot["id"]]) and t["version"] == 2

    r = api.post(f"/plans/{pid}/tasks", json={"name": "x", "assigned_resources": ["ghost"]})
    assert r.status_code == 422 and "ghost" in r.json()["message"]

    r = api.patch(f"/plans/{pid}/resources/{ana['id']}", json={"cost_rate": 95, "version": 1})
    assert r.status_code == 200 and r.json()["data"]["cost_rate"] == 95
    r = api.patch(f"/plans/{pid}/resources/{ana['id']}", json={"name": "bot"})
    assert r.status_code == 409

    r = api.delete(f"/plans/{pid}/resources/{ana['id']}")
    assert r.status_code == 409 and r.json()["error_code"] == "RESOURCE_CONFLICT"
    assert r.json()["details"]["tasks"][0]["name"] == "Build"
    assert api.delete(f"/plans/{pid}/resources/{ana['id']}", params={"force": True}).status_code == 200
    t = api.get(f"/plans/{pid}/tasks/{t['id']}").json()["data"]
    assert t["assigned_resources"] == [bot["id"]]
    assert api.get(f"/plans/{pid}/resources/{ana['id']}").status_code == 404
