"""The Python client, sync and async, against a real server."""

from __future__ import annotations

import asyncio

import pytest

from prometheus.client import (
    AsyncPrometheusClient,
    ConflictError,
    DependencyError,
    NotFoundError,
    PrometheusClient,
    ValidationError,
)


def test_sync_client_end_to_end(server) -> None:  # noqa: ANN001
    with PrometheusClient(server.url) as api:
        assert api.health()["status"] == "healthy"
        plan = api.create_plan("Via client", start_date="2026-11-30")
        a = api.add_task(plan["id"], "A", duration=2)
        b = api.add_task(plan["id"], "B", duration=1)
        api.add_dependency(plan["id"], a["id"], b["id"])
        with pytest.raises(DependencyError) as err:
            api.add_dependency(plan["id"], b["id"], a["id"])
        assert err.value.details["cycle"][0] == b["id"]
        assert [t["name"] for t in api.get_tasks(plan["id"])] == ["A", "B"]
        api.update_plan(plan["id"], version=1, description="v2")
        with pytest.raises(ConflictError):
            api.update_plan(plan["id"], version=1, description="stale")
        with pytest.raises(NotFoundError):
            api.get_plan("missing")
        with pytest.raises(ValidationError):
            api.add_task(plan["id"], "")
        assert api.critical_path(plan["id"])["project_finish"] == "2026-12-02T17:00:00"
        ann = api.add_resource(plan["id"], "ann", cost_rate=10, skills=["go"])
        c = api.add_task(plan["id"], "C", duration=1, assigned_resources=[ann["id"]], required_skills=["go"])
        api.update_task(plan["id"], a["id"], assigned_resources=[ann["id"]])
        assert api.costs(plan["id"])["cost"] == (16 + 8) * 10
        assert api.candidates(plan["id"], c["id"])[0]["matches"]
        leveled = api.level(plan["id"], apply=True)  # A and C both need ann on day one: C moves
        assert leveled["applied"] and [m["task_id"] for m in leveled["moved"]] == [c["id"]]
        assert api.level(plan["id"])["moved"] == []
        data = api.export_plan(plan["id"], "json")
        copy = api.import_plan(data, format="json", name="Copy")
        assert copy["name"] == "Copy" and len(copy["tasks"]) == 3


def test_async_client(server) -> None:  # noqa: ANN001
    async def run() -> list[str]:
        async with AsyncPrometheusClient(server.url) as api:
            plan = await api.create_plan("Async")
            await asyncio.gather(*(api.add_task(plan["id"], f"T{i}") for i in range(5)))
            return sorted(t["name"] for t in await api.get_tasks(plan["id"]))

    assert asyncio.run(run()) == [f"T{i}" for i in range(5)]
