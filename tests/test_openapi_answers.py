"""The OpenAPI document describes both forms of the bulk routes and the typed answers (import, delete)."""

from __future__ import annotations

import httpx


def _schema(spec: dict, ref: dict) -> dict:
    return spec["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_the_document_describes_bulk_bodies_and_typed_answers(server) -> None:  # noqa: ANN001
    spec = httpx.get(server.url + "/openapi.json", timeout=30).json()
    for path, model in (("tasks", "TaskCreate"), ("dependencies", "DependencyCreate")):
        op = spec["paths"][f"/api/plans/{{plan_id}}/{path}"]["post"]
        one, many = op["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
        assert one == {"$ref": f"#/components/schemas/{model}"} and many["items"] == one
        assert many["type"] == "array" and many["maxItems"] == 10_000
        answer = _schema(spec, op["responses"]["201"]["content"]["application/json"]["schema"])
        data = answer["properties"]["data"]["anyOf"]
        assert {"type": "array", "items": data[0]} in data  # one object or the list of them
    imported = spec["paths"]["/api/plans/import"]["post"]
    answer = _schema(spec, imported["responses"]["201"]["content"]["application/json"]["schema"])
    plan = _schema(spec, answer["properties"]["data"])
    assert set(_schema(spec, plan["properties"]["counts"])["properties"]) == {
        "tasks",
        "dependencies",
        "resources",
    }
    assert any(p["name"] == "include" for p in imported["parameters"])
    for path in (
        "/api/plans/{plan_id}",
        "/api/plans/{plan_id}/tasks/{task_id}",
        "/api/webhooks/{webhook_id}",
    ):
        answer = spec["paths"][path]["delete"]["responses"]["200"]["content"]["application/json"]["schema"]
        deleted = _schema(spec, _schema(spec, answer)["properties"]["data"])
        assert deleted["properties"] == {"id": {"type": "string", "title": "Id"}}
