"""The MCP server driven by the SDK's own client over both transports: streamable HTTP at /mcp of a real
server process, and stdio by spawning `prometheus mcp` (in-process on a SQLite file). An agent's session
from Telos requirements to a leveled, measured plan; every number is checked against the REST API."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator

import anyio
import httpx
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from prometheus.mcp.api import Api
from prometheus.mcp.server import build
from tests.conftest import Server
from tests.peers import FakeTelos

FAST = {"INTEGRATION_RETRY_COUNT": "1", "INTEGRATION_RETRY_DELAY": "0.01", "INTEGRATION_TIMEOUT": "2"}
REQUIREMENTS = [
    {"requirement_id": "R1", "title": "Login", "metadata": {"estimated_days": 3}},
    {
        "requirement_id": "R2",
        "title": "Password reset",
        "dependencies": ["R1"],
        "metadata": {"estimated_days": 2},
    },
    {
        "requirement_id": "R3",
        "title": "Audit trail",
        "dependencies": ["R1"],
        "metadata": {"estimated_days": 4},
    },
]


@pytest.fixture(scope="module")
def telos() -> Iterator[FakeTelos]:
    fake = FakeTelos()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('mcp') / 'prometheus.db'}"


@pytest.fixture(scope="module")
def served(telos: FakeTelos, sqlite_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = FAST | {"TELOS_URL": telos.url}
    srv = Server(sqlite_url, tmp_path_factory.mktemp("log") / "server.log", env=env).start()
    yield srv
    srv.stop()


def call(result) -> dict:  # noqa: ANN001
    assert not result.is_error, result.content[0].text
    return result.structured_content


def rest(r: httpx.Response) -> dict:
    assert r.is_success, r.text
    return r.json()["data"]


async def agent_session(mcp: Client, api: httpx.Client, telos: FakeTelos) -> None:
    """What an agent does, each answer checked against the REST API's."""
    project = f"p-{uuid.uuid4().hex[:6]}"
    telos.add_project(project, "Auth service", REQUIREMENTS)
    made = call(await mcp.call_tool("create_plan_from_telos", {"project_id": project}))
    pid = made["plan_id"]
    assert (made["name"], made["requirements"], made["tasks"], made["links"]) == ("Auth service", 3, 3, 2)
    assert (
        len(rest(api.get(f"/plans/{pid}/tasks"))) == 3
        and len(rest(api.get(f"/plans/{pid}/dependencies"))) == 2
    )
    call(await mcp.call_tool("update_plan", {"plan_id": pid, "changes": {"start_date": "2026-12-01"}}))
    assert rest(api.get(f"/plans/{pid}"))["start_date"] == "2026-12-01"

    # resources, new tasks linked by key and to existing tasks (a cycle refused, the rest kept), changes
    ana = call(await mcp.call_tool("add_resources", {"plan_id": pid, "resources": [{"name": "Ana"}]}))[
        "items"
    ][0]["id"]
    plan = call(await mcp.call_tool("get_plan", {"plan_id": pid}))
    ids = {t["name"]: t["id"] for t in plan["tasks"]}
    assert ids == {t["name"]: t["id"] for t in rest(api.get(f"/plans/{pid}/tasks"))}
    added = call(
        await mcp.call_tool(
            "add_tasks",
            {
                "plan_id": pid,
                "tasks": [
                    {"key": "qa", "name": "QA", "duration": 2},
                    {"key": "ship", "name": "Ship", "duration": 0, "milestone": True},
                ],
                "links": [
                    {"predecessor_id": ids["Password reset"], "successor_id": "qa"},
                    {"predecessor_id": ids["Audit trail"], "successor_id": "qa"},
                    {"predecessor_id": "qa", "successor_id": "ship"},
                    {"predecessor_id": "ship", "successor_id": ids["Login"]},
                ],
            },
        )
    )
    assert (added["done"], added["failed"]) == (5, 1)
    assert added["items"][-1]["error_code"] == "DEPENDENCY_ERROR" and "cycle" in added["items"][-1]["message"]
    ids |= {i["key"]: i["id"] for i in added["items"][:2]}
    three_point = {"optimistic_duration": 3, "most_likely_duration": 4, "pessimistic_duration": 9}
    changed = call(
        await mcp.call_tool(
            "update_tasks",
            {
                "plan_id": pid,
                "changes": [
                    {"task_id": ids["Password reset"], "assigned_resources": [ana]},
                    {"task_id": ids["Audit trail"], "assigned_resources": [ana], **three_point},
                ],
            },
        )
    )
    assert changed["done"] == 2 and rest(api.get(f"/plans/{pid}/tasks/{ids['Audit trail']}"))[
        "assigned_resources"
    ] == [ana]

    # schedule and critical path, with the driving chain of the milestone
    cp = call(await mcp.call_tool("critical_path", {"plan_id": pid, "task_id": ids["ship"]}))
    cp_rest = rest(api.get(f"/plans/{pid}/critical-path"))
    assert (
        cp["project_finish"] == cp_rest["project_finish"] and cp["critical_path"] == cp_rest["critical_path"]
    )
    assert [t["name"] for t in cp["critical_path"]] == ["Login", "Audit trail", "QA", "Ship"]
    chain = rest(api.get(f"/plans/{pid}/tasks/{ids['ship']}/explain"))
    assert cp["driving_chain"]["text"] == chain["text"] and cp["driving_chain"]["origin"] == "project_start"
    assert [s["task_id"] for s in cp["driving_chain"]["steps"]] == [s["task_id"] for s in chain["steps"]]
    timeline = rest(api.get(f"/plans/{pid}/timeline"))
    view = call(await mcp.call_tool("get_schedule", {"plan_id": pid}))
    assert view["project_finish"] == timeline["project_finish"]
    assert [(t["task_id"], t["start"], t["finish"], t["total_slack_days"]) for t in view["tasks"]] == [
        (t["task_id"], t["start"], t["finish"], t["total_slack_days"]) for t in timeline["tasks"]
    ]

    # leveling: the preview is the API's preview; applied, the schedule follows and the wait is explained
    preview = call(await mcp.call_tool("level_resources", {"plan_id": pid}))
    preview_rest = rest(api.post(f"/plans/{pid}/level"))
    assert preview["moved"] == preview_rest["moved"]
    waiting = [m["name"] for m in preview["moved"] if m["name"] in ("Password reset", "Audit trail")]
    assert len(waiting) == 1 and preview["project_finish_after"] > preview["project_finish_before"]
    assert preview["project_finish_after"] == preview_rest["project_finish_after"]
    assert (preview["over_allocations_before"], preview["over_allocations_after"], preview["applied"]) == (
        1,
        0,
        False,
    )
    applied = call(await mcp.call_tool("level_resources", {"plan_id": pid, "apply": True}))
    assert applied["applied"] and applied["project_finish_after"] == preview["project_finish_after"]
    assert rest(api.get(f"/plans/{pid}/critical-path"))["project_finish"] == applied["project_finish_after"]
    why = call(await mcp.call_tool("explain_date", {"plan_id": pid, "task_id": ids["ship"]}))
    why_rest = rest(api.get(f"/plans/{pid}/tasks/{ids['ship']}/explain"))
    assert {k: why[k] for k in ("start", "finish", "origin", "text")} == {
        k: why_rest[k] for k in ("start", "finish", "origin", "text")
    }
    assert [s["driver"] for s in why["steps"]] == [s["driver"] for s in why_rest["steps"]]
    assert (
        "resource_wait" in [s["driver"]["kind"] for s in why["steps"]]
        and why["finish"] == applied["project_finish_after"]
    )
    short = call(
        await mcp.call_tool("explain_date", {"plan_id": pid, "task_id": ids["ship"], "max_steps": 2})
    )
    assert short["steps_total"] == len(why_rest["steps"]) > 2 and " <- ... <- " in short["text"]
    assert [s["task_id"] for s in short["steps"]] == [
        why_rest["steps"][0]["task_id"],
        why_rest["steps"][-1]["task_id"],
    ]

    # risk: P50/P80 and drivers are the API's for the same seed
    risk = call(await mcp.call_tool("analyze_risk", {"plan_id": pid, "iterations": 2000, "seed": 11}))
    risk_rest = rest(api.post(f"/plans/{pid}/risk", json={"iterations": 2000, "seed": 11}))
    assert (risk["P50"], risk["P80"]) == (risk_rest["percentiles"]["P50"], risk_rest["percentiles"]["P80"])
    assert (
        risk["top_drivers"] == risk_rest["sensitivity"][:5]
        and risk["top_drivers"][0]["name"] == "Audit trail"
    )

    # baseline, progress, earned value and variance
    saved = call(await mcp.call_tool("save_baseline", {"plan_id": pid, "name": "agreed"}))
    assert (
        rest(api.get(f"/plans/{pid}/baselines/{saved['number']}"))["project_finish"]
        == saved["project_finish"]
    )
    progress = {"task_id": ids["Login"], "percent_complete": 50, "actual_start": "2026-12-01T08:00:00"}
    assert call(await mcp.call_tool("record_progress", {"plan_id": pid, "reports": [progress]}))["done"] == 1
    ev = call(await mcp.call_tool("earned_value", {"plan_id": pid, "status_date": "2026-12-03"}))
    ev_rest = rest(api.get(f"/plans/{pid}/earned-value", params={"status_date": "2026-12-03"}))
    assert ev == {k: ev_rest[k] for k in ev} and ev["EV"] > 0 and ev["SPI"] is not None
    call(
        await mcp.call_tool(
            "update_tasks", {"plan_id": pid, "changes": [{"task_id": ids["qa"], "duration": 5}]}
        )
    )
    variance = call(await mcp.call_tool("baseline_variance", {"plan_id": pid, "number": saved["number"]}))
    variance_rest = rest(api.get(f"/plans/{pid}/baselines/{saved['number']}/variance"))
    assert variance["plan"] == variance_rest["plan"] and variance["plan"]["finish_variance_days"] == 3
    assert variance["most_late"][0]["finish_variance_days"] == 3

    # estimate, export, the plan as a document, and an error that is the API's error
    estimate = call(
        await mcp.call_tool("estimate_task", {"plan_id": pid, "name": "Audit log export", "duration": 2})
    )
    estimate_rest = rest(api.post(f"/plans/{pid}/estimate", json={"name": "Audit log export", "duration": 2}))
    assert estimate == {k: estimate_rest[k] for k in estimate if k != "precedents"} | {
        "precedents": estimate["precedents"]
    }
    assert estimate["recommended_duration_days"] == estimate_rest["recommended_duration_days"] is not None
    csv = call(await mcp.call_tool("export_plan", {"plan_id": pid, "format": "csv"}))
    assert csv["content"] == api.get(f"/plans/{pid}/export", params={"format": "csv"}).text and csv[
        "filename"
    ].endswith(".csv")
    doc = (await mcp.read_resource(f"prometheus://plans/{pid}")).contents[0].text
    assert doc.startswith("# Auth service") and all(name in doc for name in ids if name not in ("qa", "ship"))
    missing = await mcp.call_tool("explain_date", {"plan_id": pid, "task_id": "nope"})
    expected = api.get(f"/plans/{pid}/tasks/nope/explain").json()
    assert (
        missing.is_error and missing.structured_content["error_code"] == expected["error_code"] == "NOT_FOUND"
    )
    assert (
        missing.structured_content["message"] == expected["message"]
        and missing.structured_content["http_status"] == 404
    )
    found = call(await mcp.call_tool("list_plans", {"search": "Auth service"}))
    assert pid in [p["id"] for p in found["plans"]]
    prompts = {p.name for p in (await mcp.list_prompts()).prompts}
    assert prompts == {"plan_this_project", "recover_late_plan"}


def test_an_agent_session_over_streamable_http(served: Server, telos: FakeTelos) -> None:
    async def main() -> None:
        async with Client(f"{served.url}/mcp") as mcp:
            tools = {t.name: t for t in (await mcp.list_tools()).tools}
            assert {"create_plan", "explain_date", "level_resources", "analyze_risk", "earned_value"} <= set(
                tools
            )
            assert tools["get_schedule"].annotations.read_only_hint and tools["get_schedule"].output_schema
            with httpx.Client(base_url=served.url + "/api", timeout=60) as api:
                await agent_session(mcp, api, telos)

    anyio.run(main)


def test_an_agent_session_over_stdio_without_a_server(
    served: Server, telos: FakeTelos, sqlite_url: str
) -> None:
    """`prometheus mcp` works in its own process on the database; the server on the same file checks it."""
    env = FAST | {"TELOS_URL": telos.url, "PROMETHEUS_DATABASE_URL": sqlite_url, "PROMETHEUS_URL": ""}
    params = StdioServerParameters(command=sys.executable, args=["-m", "prometheus", "mcp"], env=env)

    async def main() -> None:
        async with Client(params) as mcp:
            with httpx.Client(base_url=served.url + "/api", timeout=60) as api:
                await agent_session(mcp, api, telos)

    anyio.run(main)


def test_create_plan_from_a_task_list_checked_whole(served: Server) -> None:
    async def main() -> None:
        async with Client(f"{served.url}/mcp") as mcp:
            doc = {
                "plan": {"name": "Website", "start_date": "2026-12-07"},
                "resources": [{"key": "ana", "name": "Ana Web"}],
                "tasks": [
                    {"key": "phase", "name": "Build"},
                    {
                        "key": "ui",
                        "name": "UI",
                        "parent": "phase",
                        "duration": 3,
                        "assignments": [{"resource": "ana"}],
                    },
                    {"key": "api", "name": "API", "parent": "phase", "duration": 2},
                    {"key": "go", "name": "Go live", "duration": 0, "milestone": True},
                ],
                "links": [
                    {"predecessor": "phase", "successor": "go"},
                    {"predecessor": "api", "successor": "ui", "type": "SS", "lag": 1},
                ],
            }
            made = call(await mcp.call_tool("create_plan", doc))
            assert set(made["task_ids"]) == {"phase", "ui", "api", "go"} and made["links"] == 2
            with httpx.Client(base_url=served.url + "/api") as api:
                tasks = {t["id"]: t for t in rest(api.get(f"/plans/{made['plan_id']}/tasks"))}
                assert tasks[made["task_ids"]["ui"]]["parent_id"] == made["task_ids"]["phase"]
                assert tasks[made["task_ids"]["ui"]]["assigned_resources"] == [made["resource_ids"]["ana"]]
            bad = doc | {
                "links": [
                    {"predecessor": "go", "successor": "api"},
                    {"predecessor": "api", "successor": "go"},
                ]
            }
            refused = await mcp.call_tool("create_plan", bad | {"plan": {"name": "Loop"}})
            assert refused.is_error and refused.structured_content["error_code"] == "DEPENDENCY_ERROR"
            assert "cycle" in refused.structured_content["message"]
            with httpx.Client(base_url=served.url + "/api") as api:
                assert all(p["name"] != "Loop" for p in rest(api.get("/plans", params={"limit": 1000})))

    anyio.run(main)


def test_tokens_and_scopes_are_the_apis(sqlite_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    env = {"PROMETHEUS_API_TOKENS": "look:read,work:write"}
    log = tmp_path_factory.mktemp("log") / "auth.log"
    srv = Server(sqlite_url.replace(".db", "-auth.db"), log, env=env).start()
    try:
        hello = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        r = httpx.post(f"{srv.url}/mcp", json=hello)
        assert r.status_code == 401 and r.json()["error"]["data"]["error_code"] == "UNAUTHORIZED"
        wrong = httpx.post(f"{srv.url}/mcp", json=hello, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        look = {"Authorization": "Bearer look", "Accept": "application/json, text/event-stream"}
        rebinding = httpx.post(
            f"{srv.url}/mcp", json=hello, headers=look | {"Host": "evil.example"}, timeout=60
        )
        assert rebinding.status_code == 421  # bound to loopback: another Host is refused
        foreign = httpx.post(
            f"{srv.url}/mcp", json=hello, headers=look | {"Origin": "http://evil.example"}, timeout=60
        )
        assert foreign.status_code == 403

        async def session(token: str) -> Client:
            http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=60)
            return Client(streamable_http_client(f"{srv.url}/mcp", http_client=http))

        async def main() -> None:
            async with await session("look") as mcp:
                assert "plans" in call(await mcp.call_tool("list_plans", {}))
                refused = await mcp.call_tool("create_plan", {"plan": {"name": "Nope"}, "tasks": []})
                api_says = httpx.post(
                    f"{srv.url}/api/plans/import?format=json",
                    content=b"{}",
                    headers={"Authorization": "Bearer look"},
                ).json()
                assert refused.is_error and refused.structured_content["http_status"] == 403
                assert refused.structured_content["error_code"] == api_says["error_code"] == "FORBIDDEN"
                assert refused.structured_content["message"] == api_says["message"]
            async with await session("work") as mcp:
                made = call(await mcp.call_tool("create_plan", {"plan": {"name": "Allowed"}, "tasks": []}))
                assert (
                    call(await mcp.call_tool("get_plan", {"plan_id": made["plan_id"]}))["name"] == "Allowed"
                )

        anyio.run(main)
    finally:
        srv.stop()


def test_stdio_against_a_running_server(served: Server) -> None:
    """`prometheus mcp --url`: the tools work on a server elsewhere; one that cannot be reached is a 503."""
    made = httpx.post(f"{served.url}/api/plans", json={"name": f"Remote {uuid.uuid4().hex[:6]}"}).json()[
        "data"
    ]
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "prometheus", "mcp", "--url", served.url]
    )

    async def main() -> None:
        async with Client(params) as mcp:
            found = call(await mcp.call_tool("get_plan", {"plan_id": made["id"]}))
            assert found["name"] == made["name"] and found["tasks_total"] == 0
            missing = await mcp.call_tool("get_plan", {"plan_id": "nope"})
            assert missing.is_error and missing.structured_content["error_code"] == "NOT_FOUND"
        nobody = Api.remote("http://127.0.0.1:9")  # the same tools, no server there
        async with Client(build(nobody)) as mcp:
            down = await mcp.call_tool("list_plans", {})
            assert down.is_error and down.structured_content["error_code"] == "SERVICE_UNAVAILABLE"
        await nobody.aclose()

    anyio.run(main)


def test_an_id_stays_an_id_whatever_it_holds(served: Server) -> None:
    """An id is one segment of the API path: `../` cannot reach another plan, `?` or `#` cannot add a query,
    and a NUL or an empty id is the API's 404 as a tool error (never 'Error executing tool')."""
    with httpx.Client(base_url=served.url + "/api", timeout=60) as api:
        pid = rest(api.post("/plans", json={"name": f"Mine {uuid.uuid4().hex[:6]}"}))["id"]
        other = rest(api.post("/plans", json={"name": "Someone else's"}))["id"]
        nul_answer = api.get(f"/plans/{pid}/tasks/a%00b").json()

        async def main() -> None:
            async with Client(f"{served.url}/mcp") as mcp:
                for tool, args in (
                    (
                        "update_tasks",
                        {"plan_id": pid, "changes": [{"task_id": f"../../{other}", "name": "X"}]},
                    ),
                    ("remove_tasks", {"plan_id": pid, "task_ids": [f"../../{other}", ".."]}),
                ):
                    result = call(await mcp.call_tool(tool, args))
                    assert result["done"] == 0 and {i["error_code"] for i in result["items"]} == {"NOT_FOUND"}
                for args in ({"plan_id": f"{pid}?include_tasks=false"}, {"plan_id": f"{pid}#x"}):
                    missing = await mcp.call_tool("get_plan", args)
                    assert missing.is_error and missing.structured_content["error_code"] == "NOT_FOUND"
                for tool, args in (
                    ("get_plan", {"plan_id": "a\x00b"}),
                    ("explain_date", {"plan_id": pid, "task_id": "a\x00b"}),
                    ("list_scenarios", {"plan_id": "a\x00b"}),
                    ("get_plan", {"plan_id": ""}),
                ):
                    refused = await mcp.call_tool(tool, args)
                    assert refused.is_error, (tool, refused.content[0].text)
                    assert refused.structured_content["http_status"] == 404, refused.content[0].text
                    assert refused.structured_content["error_code"] == "NOT_FOUND"
                    if "\x00" in str(args):
                        assert refused.structured_content["message"] == nul_answer["message"]
                too_long = await mcp.call_tool("get_plan", {"plan_id": "x" * 70_000})
                assert too_long.is_error and too_long.structured_content["error_code"] == "VALIDATION_ERROR"

        anyio.run(main)
        assert rest(api.get(f"/plans/{other}"))["name"] == "Someone else's"
        assert rest(api.get(f"/plans/{pid}"))["name"].startswith("Mine")
