"""The acceptance test of planning for agents: the `mcp` SDK's own client drives the MCP server over both
transports (streamable HTTP at /mcp, and stdio by spawning `prometheus mcp --url`), creates a plan from
requirements held by the contract fake of Telos, schedules it, levels it, opens a scenario that removes a
resource, compares it and promotes it; every number is checked against the REST API's answers."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator

import anyio
import httpx
import pytest
from mcp import Client, StdioServerParameters

from tests.conftest import Server
from tests.peers import FakeTelos

FAST = {"INTEGRATION_RETRY_COUNT": "1", "INTEGRATION_RETRY_DELAY": "0.01", "INTEGRATION_TIMEOUT": "2"}
REQUIREMENTS = [
    {"requirement_id": "R1", "title": "Schema", "metadata": {"estimated_days": 3}},
    {"requirement_id": "R2", "title": "API", "dependencies": ["R1"], "metadata": {"estimated_days": 2}},
    {"requirement_id": "R3", "title": "Reports", "dependencies": ["R1"], "metadata": {"estimated_days": 4}},
]


@pytest.fixture(scope="module")
def telos() -> Iterator[FakeTelos]:
    fake = FakeTelos()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def served(telos: FakeTelos, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path_factory.mktemp('agent') / 'prometheus.db'}"
    srv = Server(
        url, tmp_path_factory.mktemp("log") / "server.log", env=FAST | {"TELOS_URL": telos.url}
    ).start()
    yield srv
    srv.stop()


def call(result) -> dict:  # noqa: ANN001
    assert not result.is_error, result.content[0].text
    return result.structured_content


def rest(r: httpx.Response) -> dict:
    assert r.is_success, r.text
    return r.json()["data"]


async def session(mcp: Client, api: httpx.Client, telos: FakeTelos) -> None:
    # a plan from the requirements Telos holds
    project = f"p-{uuid.uuid4().hex[:6]}"
    telos.add_project(project, "Data platform", REQUIREMENTS)
    made = call(await mcp.call_tool("create_plan_from_telos", {"project_id": project}))
    pid = made["plan_id"]
    assert (made["tasks"], made["links"]) == (3, 2)
    call(await mcp.call_tool("update_plan", {"plan_id": pid, "changes": {"start_date": "2026-12-01"}}))
    ids = {t["name"]: t["id"] for t in rest(api.get(f"/plans/{pid}/tasks"))}
    assert set(ids) == {"Schema", "API", "Reports"}

    # two people: Ana designs the schema and builds both the API and the reports (at the same time)
    people = [{"name": "Ana", "cost_rate": 50}, {"name": "Ben", "cost_rate": 70}]
    added = call(await mcp.call_tool("add_resources", {"plan_id": pid, "resources": people}))
    ana, ben = (i["id"] for i in added["items"])
    changes = [{"task_id": ids[n], "assigned_resources": [ana]} for n in ("Schema", "API", "Reports")]
    assert call(await mcp.call_tool("update_tasks", {"plan_id": pid, "changes": changes}))["done"] == 3

    # schedule: the tool's dates are the timeline's
    view = call(await mcp.call_tool("get_schedule", {"plan_id": pid}))
    timeline = rest(api.get(f"/plans/{pid}/timeline"))
    assert view["project_finish"] == timeline["project_finish"]
    assert [(t["task_id"], t["start"], t["finish"]) for t in view["tasks"]] == [
        (t["task_id"], t["start"], t["finish"]) for t in timeline["tasks"]
    ]

    # level: API and Reports cannot both be Ana's at once
    leveled = call(await mcp.call_tool("level_resources", {"plan_id": pid, "apply": True}))
    assert leveled["applied"] and len(leveled["moved"]) == 1 and leveled["over_allocations_after"] == 0
    plan_cp = rest(api.get(f"/plans/{pid}/critical-path"))
    assert plan_cp["project_finish"] == leveled["project_finish_after"] > leveled["project_finish_before"]
    waiting = leveled["moved"][0]["task_id"]

    # a scenario without Ana: Ben takes over the task that waited for her, which need not wait any more
    opened = call(await mcp.call_tool("open_scenario", {"plan_id": pid, "name": "without Ana"}))
    sid = opened["scenario_id"]
    assert (
        opened["change_count"] == 0
        and opened["base_revision"] == rest(api.get(f"/plans/{pid}/scenarios/{sid}"))["base_revision"]
    )
    changed = call(
        await mcp.call_tool(
            "change_scenario",
            {
                "plan_id": pid,
                "scenario_id": sid,
                "remove_resources": ["Ana"],
                "update_tasks": [
                    {"task_id": waiting, "assigned_resources": [ben], "constraint_type": "ASAP"},
                    {"task_id": ids["Schema"], "assigned_resources": [ben]},
                ],
            },
        )
    )
    assert (changed["done"], changed["failed"]) == (3, 0)
    assert changed["change_count"] == rest(api.get(f"/plans/{pid}/scenarios/{sid}"))["change_count"] == 3
    assert [r["name"] for r in rest(api.get(f"/plans/{pid}/scenarios/{sid}/resources"))] == ["Ben"]
    assert {r["name"] for r in rest(api.get(f"/plans/{pid}/resources"))} == {"Ana", "Ben"}  # plan untouched

    # compare: each number is the REST API's, for the plan and for the scenario
    cmp = call(await mcp.call_tool("compare_scenario", {"plan_id": pid, "scenario_id": sid}))
    cmp_rest = rest(api.get(f"/plans/{pid}/scenarios/{sid}/compare", params={"limit": 50}))
    scen_cp = rest(api.get(f"/plans/{pid}/scenarios/{sid}/critical-path"))
    scen_costs = rest(api.get(f"/plans/{pid}/scenarios/{sid}/costs"))
    plan_costs = rest(api.get(f"/plans/{pid}/costs"))
    assert cmp["difference"] == cmp_rest["difference"] and cmp["tasks_moved"] == cmp_rest["tasks"]
    assert cmp["plan"]["project_finish"] == plan_cp["project_finish"]
    assert cmp["plan"]["cost"] == plan_costs["cost"] == 9 * 8 * 50  # nine days of Ana
    assert cmp["plan"]["critical_path"] == [t["task_id"] for t in plan_cp["critical_path"]]
    assert cmp["scenario"]["project_finish"] == scen_cp["project_finish"] == leveled["project_finish_before"]
    ben_days = 3 + rest(api.get(f"/plans/{pid}/tasks/{waiting}"))["duration"]
    assert (
        cmp["scenario"]["cost"] == scen_costs["cost"] == ben_days * 8 * 70
    )  # Ben: Schema and the waiting task
    assert cmp["scenario"]["critical_path"] == [t["task_id"] for t in scen_cp["critical_path"]]
    assert cmp["difference"]["cost"] == round(scen_costs["cost"] - plan_costs["cost"], 2)
    assert cmp["difference"]["duration_days"] < 0  # the finish comes earlier
    scen_timeline = {
        t["task_id"]: t for t in rest(api.get(f"/plans/{pid}/scenarios/{sid}/timeline"))["tasks"]
    }
    plan_timeline = {t["task_id"]: t for t in rest(api.get(f"/plans/{pid}/timeline"))["tasks"]}
    for m in cmp["tasks_moved"]:
        assert (m["base_start"], m["base_finish"]) == (
            plan_timeline[m["task_id"]]["start"],
            plan_timeline[m["task_id"]]["finish"],
        )
        assert (m["scenario_start"], m["scenario_finish"]) == (
            scen_timeline[m["task_id"]]["start"],
            scen_timeline[m["task_id"]]["finish"],
        )
    assert waiting in {m["task_id"] for m in cmp["tasks_moved"]}
    cp_tool = call(await mcp.call_tool("scenario_critical_path", {"plan_id": pid, "scenario_id": sid}))
    assert (
        cp_tool["project_finish"] == scen_cp["project_finish"]
        and cp_tool["critical_path"] == scen_cp["critical_path"]
    )

    # promote: the plan is now what the scenario was
    promoted = call(
        await mcp.call_tool(
            "promote_scenario", {"plan_id": pid, "scenario_id": sid, "base_revision": opened["base_revision"]}
        )
    )
    assert promoted == {"promoted": True, "changes": 3, "new_ids": {}}
    after_cp = rest(api.get(f"/plans/{pid}/critical-path"))
    assert after_cp["project_finish"] == cmp["scenario"]["project_finish"]
    assert [t["task_id"] for t in after_cp["critical_path"]] == cmp["scenario"]["critical_path"]
    assert rest(api.get(f"/plans/{pid}/costs"))["cost"] == cmp["scenario"]["cost"]
    assert [r["name"] for r in rest(api.get(f"/plans/{pid}/resources"))] == ["Ben"]
    after_timeline = {t["task_id"]: t for t in rest(api.get(f"/plans/{pid}/timeline"))["tasks"]}
    assert {k: (v["start"], v["finish"]) for k, v in after_timeline.items()} == {
        k: (v["start"], v["finish"]) for k, v in scen_timeline.items()
    }
    assert call(await mcp.call_tool("list_scenarios", {"plan_id": pid}))["scenarios"] == []

    # an error is the API's error: promoting it again
    again = await mcp.call_tool("promote_scenario", {"plan_id": pid, "scenario_id": sid})
    expected = api.post(f"/plans/{pid}/scenarios/{sid}/promote").json()
    assert again.is_error and again.structured_content["error_code"] == expected["error_code"] == "NOT_FOUND"


def test_agent_session_over_streamable_http(served: Server, telos: FakeTelos) -> None:
    async def main() -> None:
        async with Client(f"{served.url}/mcp") as mcp:
            tools = {t.name for t in (await mcp.list_tools()).tools}
            assert {"open_scenario", "change_scenario", "compare_scenario", "promote_scenario"} <= tools
            with httpx.Client(base_url=served.url + "/api", timeout=60) as api:
                await session(mcp, api, telos)

    anyio.run(main)


def test_agent_session_over_stdio_against_the_server(served: Server, telos: FakeTelos) -> None:
    """`prometheus mcp --url`: a desktop agent's process talking to the running server."""
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "prometheus", "mcp", "--url", served.url]
    )

    async def main() -> None:
        async with Client(params) as mcp:
            with httpx.Client(base_url=served.url + "/api", timeout=60) as api:
                await session(mcp, api, telos)

    anyio.run(main)
