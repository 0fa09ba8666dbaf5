"""Every code block of the integration guide (docs/integration-guide.md, a verbatim copy of the guide that
specifies Prometheus), run as a Tekton developer would run it: the text itself, with only hosts and ports
changed, against the real service (a server process) and contract fakes of the peers (tests/peers.py).
The helpers the guide leaves undefined (`get_plan_data`, `transform_to_execution_plan`, ...) get small
stand-ins; each test checks what its example is for (the plan, its tasks and links exist; Synthesis received
the steps with their dependencies; Hermes has the registration; Engram has the memory; the event was
handled). The webhook and export examples add routes to `prometheus.api.app.app`: they run in-process."""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import logging
import re
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import HTTPException
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel

from prometheus.client import PrometheusClient, SyncPrometheusClient
from prometheus.config import PEER_DEFAULTS, Settings
from prometheus.core.analysis import schedule_plan
from prometheus.core.model import Plan
from prometheus.core.webhook import WebhookCreate
from prometheus.formats.registry import export_plan
from tests.conftest import Server
from tests.peers import (
    FakeEngram,
    FakeExternal,
    FakeHermes,
    FakeRhetor,
    FakeSynthesis,
    FakeTelos,
    WebhookReceiver,
)

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "integration-guide.md"
NAMES = [
    "telos",
    "rhetor",
    "engram",
    "synthesis",
    "hermes",
    "http_api",
    "webhooks",
    "file_export",
    "event_driven",
    "request_response",
    "shared_memory",
    "plan_from_telos",
    "send_to_synthesis",
    "logging",
]
BLOCKS = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
EXAMPLES = dict(zip(NAMES, BLOCKS, strict=True))  # a block added to the guide must get its test here
FAST = {
    "INTEGRATION_RETRY_COUNT": "1",
    "INTEGRATION_RETRY_DELAY": "0.01",
    "INTEGRATION_TIMEOUT": "5",
    "HERMES_HEARTBEAT_INTERVAL": "0.2",
    "SYNTHESIS_POLL_INTERVAL": "0.2",
}
REQUIREMENTS = [
    {"requirement_id": "R1", "title": "User login", "description": "OAuth", "priority": "high"},
    {"requirement_id": "R2", "title": "Password reset", "dependencies": ["R1"]},
    {"requirement_id": "R3", "title": "Audit trail", "dependencies": ["R1", "R2"], "priority": "low"},
]


@dataclass
class World:
    server: Server
    telos: FakeTelos
    rhetor: FakeRhetor
    engram: FakeEngram
    synthesis: FakeSynthesis
    hermes: FakeHermes
    external: FakeExternal

    def hosts(self) -> dict[str, str]:
        """The guide's hosts and ports -> the running ones (nothing else in a block changes)."""
        ws = self.server.url.replace("http://", "ws://")
        return {
            "http://localhost:8008": self.telos.url,
            "http://localhost:8003": self.rhetor.url,
            "http://localhost:8001": self.engram.url,
            "http://localhost:8009": self.synthesis.url,
            "http://localhost:8000": self.hermes.url,
            "http://localhost:8006": self.server.url,
            "ws://localhost:8006": ws,
            "https://external-system.example.com": self.external.url,
        }


@pytest.fixture(scope="module")
def world(make_database_url, tmp_path_factory) -> Iterator[World]:
    fakes = [FakeTelos(), FakeRhetor(), FakeEngram(), FakeSynthesis(), FakeHermes(), FakeExternal()]
    telos, rhetor, engram, synthesis, hermes, external = fakes
    env = FAST | {  # the guide's way of writing peer URLs, with /api
        "TELOS_URL": telos.url + "/api",
        "RHETOR_URL": rhetor.url + "/api",
        "ENGRAM_URL": engram.url + "/api",
        "SYNTHESIS_URL": synthesis.url + "/api",
        "HERMES_URL": hermes.url + "/api",
    }
    log = tmp_path_factory.mktemp("log") / "server.log"
    server = Server(make_database_url("sqlite"), log, env=env).start()
    telos.add_project("telos-project-id", "Customer portal", REQUIREMENTS)
    with pytest.MonkeyPatch.context() as env:  # where connectors in this process find Prometheus
        env.setenv("PROMETHEUS_URL", server.url)
        yield World(server, telos, rhetor, engram, synthesis, hermes, external)
    server.stop()
    for fake in fakes:
        fake.close()


async def run(world: World, ns: dict, *names: str) -> dict:
    """Run guide blocks, as written apart from hosts and ports, in one namespace (like one module)."""
    for name in names:
        source = EXAMPLES[name]
        for guide_host, host in world.hosts().items():
            source = source.replace(guide_host, host)
        assert "localhost" not in source and "example.com" not in source, name
        code = compile(source, f"<guide: {name}>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        result = eval(code, ns)  # noqa: S307 - the guide's own code
        if inspect.iscoroutine(result):  # a block with `await` at its top level
            await result
    return ns


def standins(world: World) -> dict[str, Any]:
    """The helpers the guide uses without defining them."""
    prometheus = PrometheusClient(world.server.url)

    async def get_plan_data(plan_id: str) -> dict:
        return await prometheus.get_plan(plan_id)

    def transform_to_execution_plan(plan_data: dict) -> dict:  # what GET .../for-execution gives
        r = httpx.get(f"{world.server.url}/api/plans/{plan_data['id']}/for-execution", timeout=30)
        return r.json()["data"]

    def extract_relationships(plan_data: dict) -> list[dict]:
        return [
            {"type": "requirement", "target_id": t["metadata"]["requirement_id"], "task_id": t["id"]}
            for t in plan_data["tasks"]
            if "requirement_id" in t["metadata"]
        ]

    return {
        "httpx": httpx,  # imported by the guide's HTTP example, used by others
        "datetime": datetime,
        "timedelta": timedelta,
        "PrometheusClient": PrometheusClient,
        "get_plan_data": get_plan_data,
        "transform_to_execution_plan": transform_to_execution_plan,
        "extract_relationships": extract_relationships,
        "determine_step_type": lambda task: "notify",
        "determine_step_parameters": lambda task: {"message": task["name"], "task_id": task["id"]},
    }


def wait_for(check, timeout: float = 15.0):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def api(world: World) -> SyncPrometheusClient:
    return SyncPrometheusClient(world.server.url)


def plan_from_telos(world: World) -> dict:
    """A plan made the guide's way (the Telos example), for the examples that start from one."""
    ns = asyncio.run(run(world, standins(world), "telos"))
    return asyncio.run(ns["initialize_telos_integration"]())


# -- the Tekton components -------------------------------------------------------------------------------


def test_telos_example_makes_a_plan_with_tasks_and_links(world: World) -> None:
    plan = plan_from_telos(world)
    with api(world) as prometheus:
        stored = prometheus.get_plan(plan["id"])
        tasks = {t["metadata"]["requirement_id"]: t for t in prometheus.get_tasks(plan["id"])}
    assert stored["name"] == "Customer portal" and plan["issues"] == []
    assert [t["name"] for t in stored["tasks"]] == ["User login", "Password reset", "Audit trail"]
    assert tasks["R1"]["priority"] == "high" and tasks["R1"]["description"] == "OAuth"
    assert sorted(tasks["R3"]["dependencies"]) == sorted([tasks["R1"]["id"], tasks["R2"]["id"]])
    assert tasks["R2"]["dependencies"] == [tasks["R1"]["id"]] and tasks["R1"]["dependencies"] == []
    assert tasks["R2"]["metadata"]["telos_project_id"] == "telos-project-id"  # traceable both ways
    assert ("GET", "/api/v1/projects/telos-project-id/requirements", {}) in world.telos.calls


def test_rhetor_example_analyses_a_plan(world: World) -> None:
    plan = plan_from_telos(world)
    world.rhetor.answer = json.dumps(
        {
            "risks": [{"title": "Login is on every path", "severity": "high"}],
            "optimizations": [],
            "recommendations": [{"title": "Start early"}],
        }
    )
    ns = asyncio.run(run(world, standins(world), "rhetor"))
    analysis = asyncio.run(ns["analyze_plan_with_llm"](plan["id"]))
    assert analysis["result"]["risks"][0]["title"] == "Login is on every path"
    assert analysis["result"]["recommendations"][0]["title"] == "Start early"
    assert analysis["source"] == "rhetor" and "Password reset" in world.rhetor.prompts[-1]["prompt"]


def test_engram_example_stores_the_plan_and_its_relationships(world: World) -> None:
    plan = plan_from_telos(world)
    ns = asyncio.run(run(world, standins(world), "engram"))
    plan_data = SyncPrometheusClient(world.server.url).get_plan(plan["id"])
    memory_id = asyncio.run(ns["store_project_knowledge"](plan["id"], plan_data, {"owner": "ana"}))
    stored = world.engram.memories[int(memory_id) - 1]["context"]
    assert stored["namespace"] == "prometheus.plans" and stored["key"] == plan["id"]
    assert stored["data"]["name"] == "Customer portal" and stored["metadata"] == {"owner": "ana"}
    links = next(
        m["context"]
        for m in reversed(world.engram.memories)
        if m["context"].get("key") == plan["id"]
        and m["context"]["namespace"] == "prometheus.plan_relationships"
    )
    assert sorted(x["target_id"] for x in links["data"]) == ["R1", "R2", "R3"]


def test_synthesis_example_hands_the_plan_over_and_follows_it(world: World) -> None:
    plan = plan_from_telos(world)
    ns = asyncio.run(run(world, standins(world), "synthesis"))
    execution_id = asyncio.run(ns["execute_plan"](plan["id"]))
    sent = world.synthesis.executions[execution_id]["request"]["plan"]
    ids = {t["metadata"]["requirement_id"]: t["id"] for t in plan["tasks"]}
    assert [s["id"] for s in sent["steps"]] == [ids["R1"], ids["R2"], ids["R3"]]
    assert sorted(sent["steps"][2]["dependencies"]) == sorted([ids["R1"], ids["R2"]])
    assert sent["metadata"]["source_id"] == plan["id"]
    follow_to_the_end(world, plan["id"], execution_id, 3)


def follow_to_the_end(world: World, plan_id: str, execution_id: str, steps: int) -> None:
    """Synthesis runs the steps; Prometheus, subscribed, moves tasks and the plan, and remembers in Engram."""
    with api(world) as prometheus:
        (execution,) = [e for e in prometheus.list_executions(plan_id) if e["synthesis_id"] == execution_id]
        assert prometheus.get_plan(plan_id, include_tasks=False)["status"] == "active"
        world.synthesis.advance(execution_id)
        first = execution["steps"][0]["id"]
        wait_for(lambda: prometheus.get_task(plan_id, first)["status"] == "completed")
        for _ in range(steps - 1):
            world.synthesis.advance(execution_id)
        wait_for(lambda: prometheus.get_plan(plan_id, include_tasks=False)["status"] == "completed")
        assert {t["status"] for t in prometheus.get_tasks(plan_id)} == {"completed"}

    def remembered() -> set[str]:
        return {
            m["context"]["task_id"]
            for m in world.engram.memories
            if m["context"].get("kind") == "prometheus.task" and m["context"].get("plan_id") == plan_id
        }

    wait_for(lambda: len(remembered()) == steps)  # each finished task, for later estimates


def test_hermes_example_registers_and_subscribes(world: World) -> None:
    world.hermes.callbacks.clear()
    ns = asyncio.run(run(world, standins(world), "hermes"))
    result = asyncio.run(ns["register_with_hermes"]())
    assert result["success"] and result["componentId"] == "prometheus"
    me = world.hermes.components["prometheus"]
    assert me["name"] == "Prometheus Planning Engine" and me["version"] == "0.1.0"
    assert me["capabilities"] == ["planning", "critical_path_analysis", "retrospectives"]
    assert me["metadata"]["endpoints"] == {
        "http": world.server.url + "/api",
        "ws": world.server.url.replace("http", "ws") + "/ws",
    }
    for event in ("telos.requirement.updated", "synthesis.execution.completed"):
        assert world.hermes.callbacks[event] == world.server.url + "/api/events"
    # Hermes delivers an event there: Prometheus handles it
    plan = plan_from_telos(world)
    callback = world.hermes.callbacks["telos.requirement.updated"]
    body = {
        "type": "telos.requirement.updated",
        "payload": {"project_id": "telos-project-id", "requirement_id": "R2", "title": "Reset by e-mail"},
    }
    answer = httpx.post(callback, json=body, timeout=30).json()["data"]
    r2 = next(t for t in plan["tasks"] if t["metadata"]["requirement_id"] == "R2")
    assert answer["handled"] and r2["id"] in answer["tasks_updated"]
    assert api(world).get_task(plan["id"], r2["id"])["name"] == "Reset by e-mail"


# -- external systems --------------------------------------------------------------------------------------


def test_http_api_example_reads_plans_and_passes_them_on(world: World) -> None:
    plan = plan_from_telos(world)
    ns = asyncio.run(run(world, standins(world), "http_api"))
    answer = asyncio.run(ns["integrate_with_external_system"]())
    path, sent = world.external.received[-1]
    assert path == "/api/import-plans" and answer == {"received": len(world.external.received), "path": path}
    assert sent["status"] == "success" and plan["id"] in [p["id"] for p in sent["data"]]


@contextmanager
def settings_changed(settings: Settings, **values: Any) -> Iterator[None]:
    before = {k: getattr(settings, k) for k in values}, set(settings.model_fields_set)
    for key, value in values.items():
        setattr(settings, key, value)
    try:
        yield
    finally:
        for key, value in before[0].items():
            setattr(settings, key, value)
        settings.__pydantic_fields_set__ = before[1]


@asynccontextmanager
async def served_in_process(app: Any):  # noqa: ANN201
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://prometheus.test") as http:
            yield http


def test_webhook_and_export_examples_on_the_served_app(tmp_path: Path) -> None:
    from prometheus.api.app import app

    receiver = WebhookReceiver()
    peers_off = {f"{peer}_url": "" for peer in PEER_DEFAULTS}
    change = {"database_url": f"sqlite:///{tmp_path / 'inprocess.db'}", "webhook_allow_private": True}

    async def scenario() -> None:
        async with served_in_process(app) as http:
            prometheus = PrometheusClient("http://prometheus.test", transport=httpx.ASGITransport(app=app))

            class WebhookManager:  # stand-in: the guide names it without defining it
                async def register(self, url: str, events: list[str], secret: str | None) -> str:
                    return (await prometheus.register_webhook(url, events, secret))["id"]

            async def get_plan_data(plan_id: str) -> dict:
                return await prometheus.get_plan(plan_id)

            def generate(fmt: str):  # noqa: ANN202
                def write(plan_data: dict) -> Iterator[bytes]:
                    plan = Plan.model_validate(plan_data)
                    yield export_plan(plan, schedule_plan(plan, date(2026, 12, 1)), fmt)[0]

                return write

            ns = {
                "WebhookRegistration": WebhookCreate,
                "webhook_manager": WebhookManager(),
                "get_plan_data": get_plan_data,
                "generate_csv": generate("csv"),
                "generate_mpp": generate("mpp"),
                "JSONResponse": JSONResponse,
                "StreamingResponse": StreamingResponse,
                "HTTPException": HTTPException,
            }
            await run_offline(ns, "webhooks", "file_export")
            assert ns["app"] is app
            # the guide's handler, called as FastAPI would, and the route as a system calls it
            hook = await ns["register_webhook"](WebhookCreate(url=receiver.url, events=["prometheus.plan.*"]))
            r = await http.post(
                "/api/webhooks/register", json={"url": receiver.url, "events": ["prometheus.*"]}
            )
            assert r.status_code == 201 and r.json()["webhook_id"]
            listed = {h["id"] for h in (await http.get("/api/webhooks")).json()["data"]}
            assert {hook["webhook_id"], r.json()["webhook_id"]} <= listed
            plan_id = await prometheus.create_plan(name="Exported", start_date="2026-12-01")
            await prometheus.add_task(plan_id, "Only task", duration=2)
            await asyncio.to_thread(wait_for, lambda: len(receiver.events()) >= 2)  # both hooks got it
            assert {e["type"] for e in receiver.events().values()} >= {"prometheus.plan.created"}
            direct = await ns["export_plan"](plan_id, "json")
            assert json.loads(direct.body)["name"] == "Exported"
            mpp = await ns["export_plan"](plan_id, "mpp")
            assert mpp.media_type == "application/vnd.ms-project"
            assert mpp.headers["content-disposition"] == f"attachment; filename=plan_{plan_id}.mpp"
            with pytest.raises(HTTPException):
                await ns["export_plan"](plan_id, "pdf")
            as_json = await http.post(f"/api/plans/{plan_id}/export", params={"format": "json"})
            assert "Only task" in as_json.text
            as_csv = await http.post(f"/api/plans/{plan_id}/export", params={"format": "csv"})
            assert as_csv.headers["content-type"].startswith("text/csv") and "Only task" in as_csv.text
            as_mpp = await http.post(f"/api/plans/{plan_id}/export", params={"format": "mpp"})
            assert b"schemas.microsoft.com/project" in as_mpp.content
            assert (
                await http.post(f"/api/plans/{plan_id}/export", params={"format": "pdf"})
            ).status_code >= 400

    try:
        with settings_changed(app.state.settings, **change, **peers_off):
            asyncio.run(scenario())
    finally:
        receiver.stop()


async def run_offline(ns: dict, *names: str) -> None:
    """Blocks that name no host (they add routes to the app)."""
    for name in names:
        assert "localhost" not in EXAMPLES[name]
        exec(compile(EXAMPLES[name], f"<guide: {name}>", "exec"), ns)  # noqa: S102 - the guide's own code


# -- integration patterns ----------------------------------------------------------------------------------


class Event(BaseModel):  # stand-in: the guide's handler takes an `Event`
    type: str
    payload: dict = {}


def test_event_driven_example_publishes_and_handles_events(world: World) -> None:
    from prometheus.utils.hermes_helper import HermesHelper

    plan = plan_from_telos(world)
    ns = standins(world)
    handled: list[tuple[str, dict]] = []

    async def forward(kind: str, payload: dict) -> dict:
        handled.append((kind, payload))
        return await PrometheusClient(world.server.url).send_event(kind, payload)

    async def scenario() -> None:
        hermes_helper = HermesHelper(base_url=world.hermes.url + "/api")
        await hermes_helper.register_component()  # done once at start-up (the Hermes example)
        from prometheus.api.app import app

        ns.update(
            hermes_helper=hermes_helper,
            app=app,
            Event=Event,
            plan_id=plan["id"],
            user_id="ana",
            changes=[{"field": "name", "to": "Portal v2"}],
            handle_requirement_update=lambda p: forward("telos.requirement.updated", p),
            handle_execution_completed=lambda p: forward("synthesis.execution.completed", p),
        )
        await run(world, ns, "event_driven")  # publishes at its top level
        await ns["handle_event"](
            Event(type="telos.requirement.updated", payload={"requirement_id": "R1", "title": "Sign-in"})
        )

    asyncio.run(scenario())
    (published,) = [p for p in world.hermes.published if p["message"].get("updated_by") == "ana"]
    assert published["channel"] == "prometheus.plan.updated" and published["sender_id"] == "prometheus"
    assert set(published["message"]) == {"plan_id", "updated_by", "timestamp", "changes"}
    assert published["message"]["plan_id"] == plan["id"] and published["message"]["updated_by"] == "ana"
    assert handled == [("telos.requirement.updated", {"requirement_id": "R1", "title": "Sign-in"})]
    r1 = next(t for t in plan["tasks"] if t["metadata"]["requirement_id"] == "R1")
    assert api(world).get_task(plan["id"], r1["id"])["name"] == "Sign-in"
    # Prometheus's own POST /api/events takes the guide's body
    r = httpx.post(
        world.server.url + "/api/events", json={"type": "nothing.we.know", "payload": {}}, timeout=30
    )
    assert r.status_code == 200 and r.json()["data"]["handled"] is False


def test_request_response_example_finds_telos_through_hermes(world: World) -> None:
    from prometheus.api.app import app
    from prometheus.utils.hermes_helper import HermesHelper

    world.hermes.components["telos"] = {"name": "telos", "endpoint": world.telos.url, "componentId": "telos"}
    plan = plan_from_telos(world)
    ns = standins(world) | {"hermes_helper": HermesHelper(base_url=world.hermes.url + "/api"), "app": app}

    async def scenario() -> tuple[dict, dict]:
        await run(world, ns, "request_response")
        requirements = await ns["get_requirements_from_telos"]("telos-project-id")
        return requirements, await ns["get_plan_for_execution"](plan["id"])

    requirements, execution_plan = asyncio.run(scenario())
    assert [r["requirement_id"] for r in requirements["requirements"]] == ["R1", "R2", "R3"]
    assert execution_plan["source_id"] == plan["id"] and execution_plan["name"] == "Customer portal"
    steps = {s["name"]: s for s in execution_plan["steps"]}
    assert steps["Password reset"]["dependencies"] == [steps["User login"]["id"]]
    assert all(
        {"id", "name", "description", "type", "parameters", "dependencies"} <= set(s) for s in steps.values()
    )


def test_shared_memory_example_stores_and_reads_other_components_data(world: World) -> None:
    from prometheus.utils.engram_connector import EngramConnector

    plan = plan_from_telos(world)
    world.engram.memories.append(
        {  # what Telos stored in Engram (ESR), found by namespace and key
            "content": "telos.requirements R1\nUser login with OAuth",
            "thought_type": "FACT",
            "context": {"namespace": "telos.requirements", "key": "R1", "data": {"title": "User login"}},
        }
    )
    engram_connector = EngramConnector(base_url=world.engram.url + "/api")
    ns = standins(world) | {"engram_connector": engram_connector}

    async def scenario() -> tuple[str, Any, Any]:
        await run(world, ns, "shared_memory")
        memory_id = await ns["store_shared_plan_data"](plan["id"], {"name": plan["name"]})
        telos_data = await ns["get_shared_requirement_data"]("R1")
        return memory_id, telos_data, await engram_connector.retrieve("prometheus.plans", plan["id"])

    memory_id, telos_data, ours = asyncio.run(scenario())
    stored = world.engram.memories[int(memory_id) - 1]["context"]
    assert stored["namespace"] == "prometheus.plans" and stored["metadata"]["component"] == "prometheus"
    assert telos_data == {"title": "User login"} and ours == {"name": "Customer portal"}


# -- the implementation examples ---------------------------------------------------------------------------


def test_plan_from_telos_requirements_example(world: World) -> None:
    breakdown = [
        {"name": "Login form", "estimated_effort": 12, "requirement_id": "R1"},
        {"name": "OAuth callback", "estimated_effort": 4, "requirement_id": "R1"},
        {"name": "Reset mail", "estimated_effort": 20, "requirement_id": "R2"},
    ]
    world.rhetor.answer = json.dumps(breakdown)
    ns = asyncio.run(run(world, standins(world), "telos", "rhetor", "synthesis", "plan_from_telos"))
    plan_id = asyncio.run(ns["create_plan_from_telos_requirements"]("telos-project-id"))
    with api(world) as prometheus:
        plan = prometheus.get_plan(plan_id)
        tasks = {t["key"]: t for t in prometheus.get_tasks(plan_id)}
    assert plan["name"] == "Plan for telos-project-id" and plan["metadata"] == {
        "requirements_source": "telos-project-id"
    }
    assert plan["start_date"] == date.today().isoformat()
    assert plan["end_date"] == (date.today() + timedelta(days=30)).isoformat()
    assert [(t["name"], t["duration"]) for t in tasks.values()] == [
        ("User login", 2.0),
        ("Password reset", 2.5),
        ("Audit trail", 5),  # 16 h, 20 h, the guide's default
    ]
    assert tasks["task-1"]["priority"] == "high" and tasks["task-3"]["priority"] == "low"
    assert tasks["task-2"]["dependencies"] == [tasks["task-1"]["id"]]
    assert sorted(tasks["task-3"]["dependencies"]) == sorted([tasks["task-1"]["id"], tasks["task-2"]["id"]])
    assert tasks["task-3"]["metadata"] == {"requirement_id": "R3"}


def test_send_plan_to_synthesis_example(world: World) -> None:
    world.rhetor.answer = "[]"
    ns = asyncio.run(
        run(world, standins(world), "telos", "rhetor", "synthesis", "plan_from_telos", "send_to_synthesis")
    )
    plan_id = asyncio.run(ns["create_plan_from_telos_requirements"]("telos-project-id"))
    execution_id = asyncio.run(ns["send_plan_to_synthesis"](plan_id))
    sent = world.synthesis.executions[execution_id]["request"]["plan"]
    assert [(s["id"], s["dependencies"]) for s in sent["steps"]] == [
        ("step_1", []),
        ("step_2", ["step_1"]),
        ("step_3", ["step_1", "step_2"]),
    ]
    assert sent["metadata"]["source"] == "prometheus" and sent["metadata"]["source_id"] == plan_id
    metadata = api(world).get_plan(plan_id)["metadata"]
    assert metadata == {"requirements_source": "telos-project-id", "execution_id": execution_id}  # merged
    follow_to_the_end(world, plan_id, execution_id, 3)


def test_logging_example_logs_integration_calls(world: World, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)  # the guide writes integration.log where it runs
    logger = logging.getLogger("prometheus.integration")
    level, handlers = logger.level, list(logger.handlers)
    try:
        ns = asyncio.run(run(world, standins(world), "logging", "telos"))
        asyncio.run(ns["log_integration_event"]("telos", "requirements.imported", {"count": 3}))
        asyncio.run(ns["initialize_telos_integration"]())  # the connectors log on the same logger
        for handler in logger.handlers:
            handler.flush()
        text = (tmp_path / "integration.log").read_text()
    finally:
        for handler in logger.handlers[len(handlers) :]:
            handler.close()
        logger.handlers, logger.level = handlers, level
    assert "prometheus.integration - INFO - Integration with telos: requirements.imported" in text
    assert "DEBUG - Details: {'count': 3}" in text
    assert (
        "peer=telos method=GET url=" + world.telos.url + "/api/v1/projects/telos-project-id/requirements"
        in text
    )


# -- the guide's environment table -------------------------------------------------------------------------


def test_environment_defaults_are_the_guides(monkeypatch) -> None:  # noqa: ANN001
    table = re.findall(r"^\| `(\w+)` \| .*? \| (.*?) \|$", GUIDE.read_text(encoding="utf-8"), re.M)
    for name, _ in table:
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    current = {
        "PROMETHEUS_PORT": str(settings.port),
        "INTEGRATION_TIMEOUT": f"{settings.integration_timeout:g}",
        "INTEGRATION_RETRY_COUNT": str(settings.integration_retry_count),
        "INTEGRATION_RETRY_DELAY": f"{settings.integration_retry_delay:g}",
        "WEBHOOK_SECRET": "random" if settings.webhook_secret is None else settings.webhook_secret,
    }
    current |= {f"{peer.upper()}_URL": settings.peer_url(peer)[0] for peer in PEER_DEFAULTS}
    assert dict(table) == current


def test_the_examples_are_the_guides_own() -> None:
    """docs/integration-guide.md is the guide, verbatim (checked where the shared reference is at hand)."""
    here = Path(__file__).resolve()
    found = [p / "shared" / "reference" / "prometheus-integration-guide.md" for p in here.parents]
    reference = next((p for p in found if p.is_file()), None)
    if reference is None:
        pytest.skip("the shared reference is not beside this checkout")
    assert GUIDE.read_text(encoding="utf-8") == reference.read_text(encoding="utf-8")
