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


def test_effort_driven_durations_costs_and_skills(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]

    def resource(name: str, skills: list[str], rate: float) -> str:
        r = api.post(f"/plans/{pid}/resources", json={"name": name, "skills": skills, "cost_rate": rate})
        assert r.status_code == 201, r.text
        return r.json()["data"]["id"]

    ana, ben, cy = (
        resource("ana", ["Python", "sql"], 100),
        resource("ben", ["design"], 50),
        resource("cy", ["python"], 80),
    )
    # effort-driven: 16 hours of work by one full-time resource last 16 hours; a second halves it
    coding = add_task(
        api, pid, "code", work=16, effort_driven=True, required_skills=["python"],
        assignments=[{"resource_id": ana, "units": 1}],
    )  # fmt: skip
    assert (coding["duration"], coding["duration_unit"]) == (16, "hours")
    r = api.patch(
        f"/plans/{pid}/tasks/{coding['id']}",
        json={"assignments": [{"resource_id": ana, "units": 1}, {"resource_id": cy, "units": 1}]},
    )
    assert r.json()["data"]["duration"] == 8
    r = api.patch(f"/plans/{pid}/tasks/{coding['id']}", json={"work": 24})
    assert r.json()["data"]["duration"] == 12 and r.json()["data"]["work"] == 24
    r = api.post(f"/plans/{pid}/tasks", json={"name": "vague", "effort_driven": True})
    assert r.status_code == 422 and "work" in r.json()["message"]

    # not effort-driven: 2 days (16 working hours) at half time is 8 hours of work
    phase = add_task(api, pid, "phase")
    drawing = add_task(
        api, pid, "draw", duration=2, parent_id=phase["id"], required_skills=["python"],
        assignments=[{"resource_id": ben, "units": 0.5}],
    )  # fmt: skip
    add_task(api, pid, "review", duration=1, parent_id=phase["id"], assigned_resources=[ana])

    c = api.get(f"/plans/{pid}/costs").json()["data"]
    rows = {t["name"]: t for t in c["tasks"]}
    assert rows["code"]["work_hours"] == 24 and rows["code"]["cost"] == 12 * 100 + 12 * 80
    assert rows["draw"]["work_hours"] == 8 and rows["draw"]["cost"] == 400
    assert rows["review"]["cost"] == 800
    assert rows["phase"]["summary"] and rows["phase"]["work_hours"] == 16 and rows["phase"]["cost"] == 1200
    assert c["work_hours"] == 40 and c["cost"] == 2160 + 1200
    spent = {r["name"]: r["cost"] for r in c["resources"]}
    assert spent == {"ana": 2000, "ben": 400, "cy": 960}

    summary = api.get(f"/plans/{pid}/summary").json()["data"]
    assert summary["cost"] == c["cost"]
    assert [(g["task"], g["resource"], g["missing_skills"]) for g in summary["skill_gaps"]] == [
        ("draw", "ben", ["python"])
    ]
    util = {r["name"]: r for r in summary["resource_utilization"]}
    assert util["ana"]["assigned_hours"] == 20 and util["ana"]["cost"] == 2000

    found = api.get(f"/plans/{pid}/tasks/{drawing['id']}/candidates").json()["data"]
    assert [(x["name"], x["matches"], x["assigned"]) for x in found] == [
        ("cy", True, False),  # matches, and less loaded than ana
        ("ana", True, False),
        ("ben", False, True),
    ]
    assert found[2]["missing_skills"] == ["python"]
    r = api.get(f"/plans/{pid}/tasks/nope/candidates")
    assert r.status_code == 404 and r.json()["error_code"] == "NOT_FOUND"

    # the portable document keeps work, effort-driven and skills
    doc = api.get(f"/plans/{pid}/export", params={"format": "json"}).json()
    back = api.post("/plans/import", params={"format": "json"}, json=doc)
    assert back.status_code == 201, back.text
    again = {t["name"]: t for t in api.get(f"/plans/{back.json()['data']['id']}").json()["data"]["tasks"]}
    assert again["code"]["effort_driven"] and again["code"]["work"] == 24
    assert again["draw"]["required_skills"] == ["python"]
