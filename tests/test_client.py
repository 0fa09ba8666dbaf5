"""The Python clients, async (`PrometheusClient`) and sync (`SyncPrometheusClient`), against a real server."""

from __future__ import annotations

import asyncio
from datetime import datetime

import httpx
import pytest

from prometheus.client import (
    AuthenticationError,
    ConflictError,
    DependencyError,
    NotFoundError,
    PermissionDeniedError,
    PrometheusAPIError,
    PrometheusClient,
    PrometheusError,
    ServerUnreachableError,
    SyncPrometheusClient,
    UnavailableError,
    ValidationError,
)
from tests.conftest import free_port


def test_sync_client_covers_plans_tasks_links_and_errors(server) -> None:  # noqa: ANN001
    with SyncPrometheusClient(server.url + "/api") as api:  # with /api, as the guide writes it
        assert api.health()["status"] == "healthy"
        plan_id = api.create_plan("Via client", start_date="2026-11-30", metadata={"team": "a"})
        assert isinstance(plan_id, str)
        a = api.add_task(plan_id, "A", duration=2)
        b = api.add_task(plan_id, "B", duration=1, status="pending", priority="high", metadata={"k": 1})
        link = api.add_dependency(plan_id, b["id"], a["id"])  # B depends on A
        assert (link["predecessor_id"], link["successor_id"]) == (a["id"], b["id"])
        with pytest.raises(DependencyError) as err:
            api.add_link(plan_id, b["id"], a["id"])
        assert err.value.status == 409 and err.value.details["cycle"][0] == b["id"]
        assert [t["name"] for t in api.get_tasks(plan_id)] == ["A", "B"]
        assert api.get_task(plan_id, b["id"])["priority"] == "high"
        # metadata merges: what is there stays, null removes, a stale version is refused
        api.update_plan(plan_id, metadata={"execution_id": "x-1"})
        plan = api.update_plan(plan_id, metadata={"team": None, "phase": {"n": 2}}, description="v2")
        assert plan["metadata"] == {"execution_id": "x-1", "phase": {"n": 2}} and plan["description"] == "v2"
        with pytest.raises(ConflictError):
            api.update_plan(plan_id, version=1, metadata={"late": True})
        assert api.update_task(plan_id, b["id"], metadata={"j": 2})["metadata"] == {"k": 1, "j": 2}
        with pytest.raises(NotFoundError) as missing:
            api.get_plan("missing")
        assert isinstance(missing.value, PrometheusAPIError) and missing.value.error_code == "NOT_FOUND"
        with pytest.raises(ValidationError):
            api.add_task(plan_id, "")
        assert api.critical_path(plan_id)["project_finish"] == "2026-12-02T17:00:00"
        assert [t["name"] for t in api.timeline(plan_id)["tasks"]] == ["A", "B"]
        assert [x["id"] for x in api.list_links(plan_id)] == [link["id"]]
        api.delete_link(plan_id, predecessor_id=a["id"], successor_id=b["id"])
        assert api.list_links(plan_id) == []
        api.delete_task(plan_id, b["id"])
        with pytest.raises(NotFoundError):
            api.get_task(plan_id, b["id"])
        assert plan_id in [p["id"] for p in api.list_plans(search="Via client")]
        api.delete_plan(plan_id)
        with pytest.raises(NotFoundError):
            api.get_plan(plan_id)


def test_sync_client_covers_resources_tracking_files_and_retrospectives(server) -> None:  # noqa: ANN001
    with SyncPrometheusClient(server.url) as api:  # without /api
        plan_id = api.create_plan("Tracked", start_date="2026-11-30")
        ann = api.add_resource(plan_id, "ann", cost_rate=10, skills=["go"])
        a = api.add_task(plan_id, "A", duration=2, assigned_resources=[ann["id"]])
        c = api.add_task(plan_id, "C", duration=1, assigned_resources=[ann["id"]], required_skills=["go"])
        assert api.get_resource(plan_id, ann["id"])["name"] == "ann"
        assert api.update_resource(plan_id, ann["id"], cost_rate=20)["cost_rate"] == 20
        assert [r["id"] for r in api.list_resources(plan_id, skill="go")] == [ann["id"]]
        assert api.costs(plan_id)["cost"] == (16 + 8) * 20
        assert api.candidates(plan_id, c["id"])[0]["matches"]
        assert api.loading(plan_id)[0]["over_allocated"]  # ann is booked twice on the first day
        preview = api.level(plan_id)
        assert [m["task_id"] for m in preview["moved"]] == [c["id"]] and not preview["applied"]
        assert api.level(plan_id, apply=True)["applied"] and api.level(plan_id)["moved"] == []
        assert api.summary(plan_id)["task_count"] == 2 and "risks" in api.analysis(plan_id)
        base = api.save_baseline(plan_id, name="signed off")
        assert [b["number"] for b in api.list_baselines(plan_id)] == [base["number"]]
        assert api.get_baseline(plan_id, base["number"])["name"] == "signed off"
        assert api.baseline_variance(plan_id, base["number"])["baseline"]["name"] == "signed off"
        api.update_progress(plan_id, a["id"], percent_complete=50)
        assert api.earned_value(plan_id, status_date="2026-12-01")["against"] == "baseline 0"
        assert api.risk(plan_id, iterations=200, seed=1)["iterations"] == 200
        assert api.estimate(plan_id, "A again", duration=2)["recommended_duration_days"] > 0
        api.delete_baseline(plan_id, base["number"])
        assert api.list_baselines(plan_id) == []
        data = api.export_plan(plan_id, "json")
        copy = api.import_plan(data, format="json", name="Copy")
        assert copy["name"] == "Copy" and copy["counts"] == {"tasks": 2, "dependencies": 0, "resources": 1}
        assert copy["tasks"] is None and copy["task_count"] == 2
        retro = api.create_retrospective("Sprint 1", plan_id=plan_id)
        item = api.add_feedback(retro["id"], "went_wrong", "ann was overbooked")
        assert api.vote_feedback(retro["id"], item["id"])["votes"] == 1
        assert api.list_feedback(retro["id"])[0]["id"] == item["id"]
        assert api.get_retrospective(retro["id"])["title"] == "Sprint 1"
        assert [r["id"] for r in api.list_retrospectives(plan_id=plan_id)] == [retro["id"]]
        assert api.retrospective_summary(retro["id"])["plan_id"] == plan_id
        assert "suggestions" in api.improvement_suggestions(retro["id"])
        with pytest.raises(ConflictError):
            api.delete_resource(plan_id, ann["id"])  # still assigned
        api.delete_resource(plan_id, ann["id"], force=True)


def test_async_client_as_the_guide_uses_it(server) -> None:  # noqa: ANN001
    async def run() -> tuple[list[str], dict]:
        client = PrometheusClient(base_url=server.url + "/api")  # no context manager, as in the guide
        plan_id = await client.create_plan(name="Async", description="d", metadata={"a": 1})
        await asyncio.gather(*(client.add_task(plan_id=plan_id, name=f"T{i}") for i in range(5)))
        await client.update_plan(plan_id=plan_id, metadata={"execution_id": "e-1"})
        async with PrometheusClient(server.url) as pooled:
            names = sorted(t["name"] for t in await pooled.get_tasks(plan_id))
            return names, (await pooled.get_plan(plan_id))["metadata"]

    names, metadata = asyncio.run(run())
    assert names == [f"T{i}" for i in range(5)] and metadata == {"a": 1, "execution_id": "e-1"}


def test_nothing_listening_is_one_clear_error(monkeypatch) -> None:  # noqa: ANN001
    port = free_port()
    monkeypatch.delenv("PROMETHEUS_URL", raising=False)
    monkeypatch.setenv("PROMETHEUS_PORT", str(port))
    with SyncPrometheusClient() as api, pytest.raises(ServerUnreachableError) as err:
        api.list_plans()
    assert str(err.value) == f"no Prometheus at http://127.0.0.1:{port} — start it with `prometheus serve`"
    assert isinstance(err.value, PrometheusError) and not isinstance(err.value, PrometheusAPIError)
    with pytest.raises(ServerUnreachableError):
        asyncio.run(PrometheusClient().get_plan("x"))
    monkeypatch.setenv("PROMETHEUS_URL", f"http://127.0.0.1:{port}/api")
    assert PrometheusClient().url == f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (401, {"status": "error", "error_code": "UNAUTHORIZED", "message": "token"}, AuthenticationError),
        (403, {"status": "error", "error_code": "FORBIDDEN", "message": "scope"}, PermissionDeniedError),
        (422, {"status": "error", "error_code": "DEPENDENCY_ERROR", "message": "unknown"}, DependencyError),
        (503, {"status": "error", "error_code": "INTEGRATION_UNAVAILABLE", "message": "x"}, UnavailableError),
        (502, "<html>bad gateway</html>", PrometheusAPIError),
    ],
)
def test_error_answers_become_the_documented_errors(status: int, body: object, expected: type) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return httpx.Response(status, json=body)

    mock = httpx.MockTransport(answer)
    with SyncPrometheusClient("http://p.test", transport=mock) as api, pytest.raises(expected) as err:
        api.list_plans()
    assert type(err.value) is expected and err.value.status == status


def test_task_keys_work_wherever_a_task_id_does(server) -> None:  # noqa: ANN001
    with SyncPrometheusClient(server.url) as api:
        plan_id = api.create_plan("Keys", start_date=datetime(2026, 12, 1, 9, 30).isoformat())
        assert api.get_plan(plan_id)["start_date"] == "2026-12-01"  # a date-time means its day
        made = [api.add_task(plan_id, name, duration=1) for name in ("A", "B", "C")]
        assert [t["key"] for t in made] == ["task-1", "task-2", "task-3"]
        api.add_dependency(plan_id, "task-2", "task-1")  # B depends on A
        api.add_link(plan_id, "task-2", "task-3", type="SS")
        tasks = {t["key"]: t for t in api.get_tasks(plan_id)}
        assert tasks["task-2"]["dependencies"] == [made[0]["id"]]
        assert tasks["task-3"]["dependencies"] == [made[1]["id"]] and tasks["task-1"]["dependencies"] == []
        assert api.get_task(plan_id, "task-3")["id"] == made[2]["id"]
        assert api.update_task(plan_id, "task-3", name="C2")["name"] == "C2"
        assert api.update_progress(plan_id, "task-1", percent_complete=40)["percent_complete"] == 40
        child = api.add_task(plan_id, "A.1", parent_id="task-1")
        assert child["parent_id"] == made[0]["id"] and child["key"] == "task-4"
        assert [t["key"] for t in api.get_tasks(plan_id, parent_id="task-1")] == ["task-4"]
        with pytest.raises(DependencyError):
            api.add_dependency(plan_id, "task-1", "task-2")  # A after B closes a cycle
        with pytest.raises(DependencyError) as unknown:
            api.add_dependency(plan_id, "task-1", "task-99")
        assert unknown.value.status == 422 and "task-99" in unknown.value.message
        api.delete_link(plan_id, predecessor_id="task-2", successor_id="task-3")
        assert api.get_task(plan_id, "task-3")["dependencies"] == []
        assert api.delete_task(plan_id, "task-4") == {"id": child["id"]}
        assert api.add_task(plan_id, "D")["key"] == "task-5"  # keys are never reused
        with pytest.raises(NotFoundError):
            api.get_task(plan_id, "task-4")
        copy = api.import_plan(api.export_plan(plan_id, "json"), format="json", include_plan=True)
        assert sorted(t["key"] for t in copy["tasks"]) == ["task-1", "task-2", "task-3", "task-4"]


def test_client_reaches_the_peer_routes_and_names_absent_peers(server) -> None:  # noqa: ANN001
    requirements = [{"id": "R1", "title": "Login"}, {"id": "R2", "title": "Reset", "dependencies": ["R1"]}]
    with SyncPrometheusClient(server.url) as api:
        made = api.plan_from_requirements(requirements, name="From requirements")
        plan_id = made["plan"]["id"]
        assert made["dependencies"] == 1 and made["issues"] == []
        assert [t["task_key"] for t in api.traces(plan_id, requirement_id="R2")] == ["task-2"]
        steps = api.for_execution(plan_id)["steps"]
        assert [s["key"] for s in steps] == ["task-1", "task-2"] and steps[1]["dependencies"] == [
            steps[0]["id"]
        ]
        put = api.memory_put("notes", "k1", {"a": 1})
        assert put["backend"] == "local"  # Engram absent at its default
        got = api.memory_get("notes", "k1")
        assert got["data"] == {"a": 1}
        assert got["updated_at"] == put["updated_at"] and put["updated_at"].endswith("+00:00"), (put, got)
        assert api.send_event("unknown.event", {})["handled"] is False
        peers = {p["peer"]: p for p in api.integrations()}
        assert set(peers) == {"telos", "rhetor", "engram", "synthesis", "hermes"}
        with pytest.raises(UnavailableError) as err:
            api.start_execution(plan_id)
        assert err.value.error_code == "INTEGRATION_UNAVAILABLE" and err.value.details["peer"] == "synthesis"
        with pytest.raises(UnavailableError):
            api.analyze_requirements(requirements)
        assert api.list_executions(plan_id)[0]["status"] == "error"


def test_an_id_stays_an_id_and_bad_input_is_the_clients_own_error(server) -> None:  # noqa: ANN001
    """An id is one path segment: `../../<plan>` as a task id cannot delete another plan, nor `?` add a
    query; a NUL id is the API's 404; what cannot be sent at all (a NaN, a lone surrogate, a token or URL
    that is not one) is a ValidationError, never httpx's or the codec's exception."""
    with SyncPrometheusClient(server.url) as api:
        mine = api.create_plan("mine")
        other = api.create_plan("someone else's")
        for call in (
            lambda: api.delete_task(mine, f"../../{other}"),
            lambda: api.update_task(mine, f"../../{other}", name="taken"),
            lambda: api.get_plan(f"{other}?include_tasks=false"),
            lambda: api.get_task(mine, ".."),
            lambda: api.get_plan(""),
        ):
            with pytest.raises(NotFoundError):
                call()
        with pytest.raises(NotFoundError) as nul:
            api.get_plan("a\x00b")
        assert nul.value.message == httpx.get(f"{server.url}/api/plans/a%00b").json()["message"]
        assert api.get_plan(other)["name"] == "someone else's"
        for call in (
            lambda: api.get_plan("x" * 70_000),
            lambda: api.create_plan("n", metadata={"x": float("nan")}),
            lambda: api.create_plan("\ud800"),
        ):
            with pytest.raises(ValidationError):
                call()
    for options in ({"token": "é"}, {"token": "a\nb"}):
        with pytest.raises(ValidationError):
            SyncPrometheusClient(server.url, **options).list_plans()
        with pytest.raises(ValidationError):
            asyncio.run(PrometheusClient(server.url, **options).list_plans())
    with pytest.raises(ValidationError):
        SyncPrometheusClient("http://[::1")
