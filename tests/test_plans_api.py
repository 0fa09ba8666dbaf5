"""Plans over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import httpx

from prometheus.api.routes.health import Health
from tests.conftest import add_task


def test_health_reports_version_port_and_database(server) -> None:
    body = httpx.get(server.url + "/health").json()
    assert body["status"] == "healthy"
    assert body["version"] == "0.1.0"
    assert body["port"] == server.port
    assert body["database"]["reachable"] is True
    assert body["database"]["backend"] in ("sqlite", "postgresql")
    assert Health.model_validate(body).peers["telos"].circuit == "closed"  # the answer the document declares
    spec = httpx.get(server.url + "/openapi.json").json()["paths"]["/health"]["get"]["responses"]
    for code in ("200", "503"):
        assert spec[code]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Health"}


def test_create_read_list_and_delete_plan(api: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:8]
    r = api.post(
        "/plans",
        json={
            "name": "Launch",
            "description": "Ship v1",
            "start_date": "2026-12-01",
            "end_date": "2027-03-01",
            "tags": [tag, "product"],
            "metadata": {"owner": "ana"},
        },
    )
    assert r.status_code == 201
    body = r.json()
    assert body["status"] == "success" and body["message"] == "plan created"
    plan = body["data"]
    assert plan["version"] == 1 and plan["status"] == "draft"
    assert r.headers["etag"] == '"1"'

    got = api.get(f"/plans/{plan['id']}").json()["data"]
    assert got["name"] == "Launch" and got["metadata"] == {"owner": "ana"}
    assert got["tasks"] == [] and got["dependencies"] == [] and got["resources"] == []

    listed = api.get("/plans", params={"tag": tag}).json()
    assert [p["id"] for p in listed["data"]] == [plan["id"]]
    assert listed["pagination"]["total"] == 1
    assert api.get("/plans", params={"tag": "no-such-" + tag}).json()["data"] == []
    assert [p["id"] for p in api.get("/plans", params={"search": "ship V1", "tag": tag}).json()["data"]] == [
        plan["id"]
    ]

    r = api.delete(f"/plans/{plan['id']}")
    assert r.status_code == 200
    r = api.get(f"/plans/{plan['id']}")
    assert r.status_code == 404
    assert r.json() == {
        "status": "error",
        "error_code": "NOT_FOUND",
        "message": f"plan {plan['id']} not found",
        "details": {"plan_id": plan["id"]},
    }


def test_pagination_and_task_counts(api: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:8]
    ids = [api.post("/plans", json={"name": f"p{i}", "tags": [tag]}).json()["data"]["id"] for i in range(5)]
    add_task(api, ids[0], "only task")
    page1 = api.get("/plans", params={"tag": tag, "limit": 2}).json()
    page3 = api.get("/plans", params={"tag": tag, "limit": 2, "offset": 4}).json()
    assert page1["pagination"] == {"total": 5, "limit": 2, "offset": 0}
    assert len(page1["data"]) == 2 and len(page3["data"]) == 1
    seen = {p["id"] for p in api.get("/plans", params={"tag": tag}).json()["data"]}
    assert seen == set(ids)
    counts = {p["id"]: p["task_count"] for p in api.get("/plans", params={"tag": tag}).json()["data"]}
    assert counts[ids[0]] == 1 and counts[ids[1]] == 0


def test_put_replaces_and_patch_changes_only_what_is_sent(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    r = api.patch(f"/plans/{pid}", json={"description": "new text", "status": "active"})
    assert r.status_code == 200
    patched = r.json()["data"]
    assert patched["description"] == "new text" and patched["status"] == "active"
    assert patched["name"] == plan["name"] and patched["start_date"] == "2026-12-01"
    assert patched["version"] == 2

    r = api.put(f"/plans/{pid}", json={"name": "Renamed"})
    replaced = r.json()["data"]
    assert replaced["name"] == "Renamed" and replaced["description"] == "" and replaced["start_date"] is None
    assert replaced["status"] == "draft" and replaced["version"] == 3


def test_bad_input_gets_the_error_envelope(api: httpx.Client, plan: dict) -> None:
    r = api.post("/plans", json={"description": "no name"})
    assert r.status_code == 422
    body = r.json()
    assert (
        body["status"] == "error" and body["error_code"] == "VALIDATION_ERROR" and "name" in body["message"]
    )

    r = api.post("/plans", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error_code"] == "VALIDATION_ERROR"

    r = api.post("/plans", json={"name": "x", "colour": "red"})
    assert r.status_code == 422 and "colour" in r.json()["message"]

    r = api.post("/plans", json={"name": "x", "start_date": "2026-05-02", "end_date": "2026-05-01"})
    assert r.status_code == 422 and "end_date is before start_date" in r.json()["message"]

    r = api.patch(f"/plans/{plan['id']}", json={"end_date": "2026-01-01"})
    assert r.status_code == 422 and r.json()["error_code"] == "VALIDATION_ERROR"
    assert api.get(f"/plans/{plan['id']}").json()["data"]["end_date"] is None  # nothing half-applied

    r = api.get("/plans", params={"limit": 0})
    assert r.status_code == 422

    r = api.get("/no-such-route")
    assert r.status_code == 404 and r.json()["error_code"] == "NOT_FOUND"


def test_openapi_docs_are_served(server) -> None:
    assert httpx.get(server.url + "/docs").status_code == 200
    spec = httpx.get(server.url + "/openapi.json").json()
    for path in (
        "/api/plans",
        "/api/plans/{plan_id}/tasks/{task_id}/progress",
        "/api/plans/{plan_id}/dependencies",
    ):
        assert path in spec["paths"]
