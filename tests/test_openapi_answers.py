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


def _bare(schema: dict) -> bool:
    """An object with no declared properties (a bare dict), or a list of them."""
    if schema.get("type") == "array":
        return _bare(schema.get("items", {}))
    return schema.get("type") == "object" and "properties" not in schema and "$ref" not in schema


def test_every_json_answer_is_a_declared_model(server) -> None:  # noqa: ANN001
    spec = httpx.get(server.url + "/openapi.json", timeout=30).json()
    bare, typed = [], 0
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for code, answer in op["responses"].items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if not code.startswith("2") or not schema:
                    continue
                if "$ref" not in schema:
                    bare.append((method, path, code, schema))
                    continue
                data = _schema(spec, schema).get("properties", {}).get("data")
                if data is not None and (_bare(data) or not data):
                    bare.append((method, path, code, data))
                typed += 1
    assert typed > 90 and bare == []
    level = spec["paths"]["/api/plans/{plan_id}/level"]["post"]["responses"]["200"]["content"]
    answer = _schema(spec, _schema(spec, level["application/json"]["schema"])["properties"]["data"])
    assert {"moved", "applied", "project_finish_after"} <= set(answer["required"])


def test_every_operation_has_its_own_id(server) -> None:  # noqa: ANN001
    """Client generators name one function per operationId: two operations of one id clash (the export's
    GET and POST were one function registered for both methods)."""
    spec = httpx.get(server.url + "/openapi.json", timeout=30).json()
    ids = [op["operationId"] for item in spec["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    exports = spec["paths"]["/api/plans/{plan_id}/export"]
    assert set(exports) >= {"get", "post"}
