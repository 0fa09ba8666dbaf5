"""Scenarios through the Python clients (sync and async) and the `prometheus scenarios` commands, against a
real server; every number is checked against the REST answer."""

from __future__ import annotations

import asyncio
import json

import pytest

from prometheus.client import ConflictError, NotFoundError, PrometheusClient, SyncPrometheusClient
from tests.test_cli import run_cli, sqlite_only


def _plan(api: SyncPrometheusClient) -> tuple[str, dict, dict]:
    pid = api.create_plan("What if", start_date="2026-12-01")
    ann = api.add_resource(pid, "Ann", cost_rate=40)
    bob = api.add_resource(pid, "Bob", cost_rate=60)
    a = api.add_task(pid, "Design", duration=2, assigned_resources=[ann["id"]])
    b = api.add_task(pid, "Build", duration=3, assigned_resources=[bob["id"]])
    api.add_link(pid, a["id"], b["id"])
    return pid, {"ann": ann, "bob": bob}, {"a": a, "b": b}


def test_sync_client_opens_changes_compares_and_promotes_a_scenario(server) -> None:  # noqa: ANN001
    with SyncPrometheusClient(server.url) as api:
        pid, res, tasks = _plan(api)
        s = api.create_scenario(pid, "Ann builds")
        assert api.list_scenarios(pid)[0]["id"] == s["id"]
        api.scenario_remove_resource(pid, s["id"], "Bob")
        changed = api.scenario_update_task(pid, s["id"], "task-2", assigned_resources=[res["ann"]["id"]])
        assert changed["id"] == tasks["b"]["id"] and changed["scenario"]["change_count"] == 2
        cmp = api.compare_scenario(pid, s["id"])
        assert cmp["base"]["cost"] == api.costs(pid)["cost"] == 2 * 8 * 40 + 3 * 8 * 60
        assert cmp["scenario"]["cost"] == api.scenario_costs(pid, s["id"])["cost"] == 5 * 8 * 40
        assert cmp["scenario"]["project_finish"] == api.scenario_critical_path(pid, s["id"])["project_finish"]
        assert cmp["difference"]["finish_shift_hours"] == 0
        with pytest.raises(NotFoundError):
            api.scenario_update_task(pid, s["id"], "task-99", duration=1)
        api.update_task(pid, tasks["b"]["id"], duration=4)  # the plan changes the same task meanwhile
        with pytest.raises(ConflictError) as err:
            api.promote_scenario(pid, s["id"])
        assert err.value.details["conflicts"][0]["id"] == tasks["b"]["id"]
        api.discard_scenario(pid, s["id"])
        assert api.list_scenarios(pid) == []


def test_async_client_promotes(server) -> None:  # noqa: ANN001
    async def go() -> None:
        async with PrometheusClient(server.url) as api:
            pid = await api.create_plan("Async what if", start_date="2026-12-01")
            t = await api.add_task(pid, "Only", duration=2)
            s = await api.create_scenario(pid, "longer")
            await api.scenario_update_task(pid, s["id"], t["id"], duration=5)
            cmp = await api.compare_scenario(pid, s["id"])
            assert cmp["difference"]["duration_days"] == 3
            await api.promote_scenario(pid, s["id"], base_revision=s["base_revision"])
            assert (await api.get_task(pid, t["id"]))["duration"] == 5

    asyncio.run(go())


@sqlite_only
def test_scenarios_commands(server) -> None:  # noqa: ANN001
    env = {"PROMETHEUS_URL": server.url}

    def cli(*args: str) -> str:
        out = run_cli(*args, env=env)
        assert out.returncode == 0, (args, out.stdout, out.stderr)
        return out.stdout

    with SyncPrometheusClient(server.url) as api:
        pid, _res, tasks = _plan(api)
    assert "opened scenario 'faster'" in cli("scenarios", "create", pid, "faster")
    assert "faster" in cli("scenarios", "list", pid)
    assert "changed Design (1 changes" in cli("scenarios", "task", pid, "faster", "Design", "--duration", "1")
    assert "removed resource Bob" in cli("scenarios", "remove-resource", pid, "faster", "Bob")
    cmp = json.loads(cli("scenarios", "compare", pid, "faster", "--json"))
    with SyncPrometheusClient(server.url) as api:
        assert cmp == api.compare_scenario(pid, cmp_id(api, pid), limit=20)
    assert cmp["difference"]["duration_days"] == -1 and cmp["difference"]["cost"] == -(8 * 40 + 3 * 8 * 60)
    shown = cli("scenarios", "compare", pid, "faster")
    assert "finish" in shown and "-1" in shown and "tasks that moved" in shown
    out = run_cli("scenarios", "task", pid, "faster", "Design", env=env)
    assert out.returncode == 2  # nothing to change
    assert "promoted: 2 changes" in cli("scenarios", "promote", pid, "faster")
    with SyncPrometheusClient(server.url) as api:
        assert api.get_task(pid, tasks["a"]["id"])["duration"] == 1
        assert [r["name"] for r in api.list_resources(pid)] == ["Ann"]
    out = run_cli("scenarios", "discard", pid, "faster", env=env)
    assert out.returncode == 1 and "no scenario 'faster'" in out.stderr


def cmp_id(api: SyncPrometheusClient, pid: str) -> str:
    return api.list_scenarios(pid)[0]["id"]
