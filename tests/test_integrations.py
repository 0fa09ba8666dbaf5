"""The Tekton peers, each a small HTTP server on loopback that follows the peer's recorded contract, and
Prometheus as a real server process talking to them."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, add_task, link
from tests.peers import FakeEngram, FakeHermes, FakeRhetor, FakeSynthesis, FakeTelos

FAST = {"INTEGRATION_RETRY_COUNT": "1", "INTEGRATION_RETRY_DELAY": "0.01", "INTEGRATION_TIMEOUT": "3",
        "HERMES_HEARTBEAT_INTERVAL": "0.2", "SYNTHESIS_POLL_INTERVAL": "0.2",
        "INTEGRATION_BREAKER_THRESHOLD": "3", "INTEGRATION_BREAKER_RESET": "3"}  # fmt: skip


def workers(pid: int) -> list[int]:
    """The worker processes uvicorn started under `pid` (Linux /proc: children running spawn_main)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if parent == pid and b"spawn_main" in (stat.parent / "cmdline").read_bytes():
                found.append(int(stat.parent.name))
    return found


def wait_for(check, timeout: float = 10.0):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture(scope="module")
def peers():
    made = {
        "telos": FakeTelos(),
        "synthesis": FakeSynthesis(),
        "hermes": FakeHermes(),
        "rhetor": FakeRhetor(),
        "engram": FakeEngram(),
    }
    yield made
    for p in made.values():
        p.close()


@pytest.fixture(scope="module")
def connected(peers, make_database_url, tmp_path_factory):
    env = FAST | {f"{name.upper()}_URL": p.url for name, p in peers.items()}
    srv = Server(make_database_url("sqlite"), tmp_path_factory.mktemp("log") / "server.log", env=env).start()
    yield srv
    srv.stop()


@pytest.fixture
def capi(connected):
    with httpx.Client(base_url=connected.url + "/api", timeout=30) as client:
        yield client


@pytest.fixture(autouse=True)
def healthy_peers(peers):
    for p in peers.values():
        p.mode = "ok"
    yield


REQUIREMENTS = [
    {"requirement_id": "R1", "title": "User login", "priority": "high", "metadata": {"estimated_days": 3}},
    {
        "requirement_id": "R2",
        "title": "Password reset",
        "dependencies": ["R1"],
        "metadata": {"estimated_hours": 12},
    },
    {"requirement_id": "R3", "title": "Audit trail", "dependencies": ["R1", "R2"], "status": "accepted"},
    {"requirement_id": "R4", "title": "Reports", "dependencies": ["R99"]},
    {"requirement_id": "R5", "title": "  "},
    {"requirement_id": "R6", "title": "Export", "dependencies": ["R7"]},
    {"requirement_id": "R7", "title": "Import", "dependencies": ["R6"]},
]


def test_telos_requirements_become_a_traced_plan_and_statuses_flow_back(capi, peers) -> None:
    telos: FakeTelos = peers["telos"]
    telos.add_project("p-auth", "Auth service", REQUIREMENTS)
    r = capi.post("/plans/from-telos", json={"project_id": "p-auth"})
    assert r.status_code == 201, r.text
    d = r.json()["data"]
    assert d["plan"]["name"] == "Auth service" and d["requirements"] == 7 and d["tasks"] == 6
    rules = {(i["rule"], i.get("requirement_id")) for i in d["issues"]}
    assert ("missing_title", "R5") in rules and ("unknown_dependency", "R4") in rules
    cyc = next(i for i in d["issues"] if i["rule"] == "cyclic_dependency")
    assert set(cyc["requirement_ids"]) == {"R6", "R7"} and "R6" in cyc["message"] and "R7" in cyc["message"]
    pid = d["plan"]["id"]
    tasks = {t["metadata"]["requirement_id"]: t for t in capi.get(f"/plans/{pid}/tasks").json()["data"]}
    assert (
        tasks["R1"]["duration"] == 3 and tasks["R1"]["priority"] == "high" and tasks["R2"]["duration"] == 1.5
    )
    deps = {
        (x["predecessor_id"], x["successor_id"])
        for x in capi.get(f"/plans/{pid}/dependencies").json()["data"]
    }
    ids = {k: t["id"] for k, t in tasks.items()}
    assert deps == {(ids["R1"], ids["R2"]), (ids["R1"], ids["R3"]), (ids["R2"], ids["R3"])}
    # traces both ways
    by_req = capi.get(f"/plans/{pid}/traces", params={"requirement_id": "R2"}).json()["data"]
    assert [t["task_id"] for t in by_req] == [ids["R2"]]
    by_task = capi.get(f"/plans/{pid}/traces", params={"task_id": ids["R3"]}).json()["data"]
    assert [t["requirement_id"] for t in by_task] == ["R3"]
    # a task's status reaches its requirement (PUT .../requirements/{rid} {status})
    assert (
        capi.put(f"/plans/{pid}/tasks/{ids['R1']}/progress", json={"status": "in_progress"}).status_code
        == 200
    )
    wait_for(lambda: telos.requirement("p-auth", "R1")["status"] == "in-progress")
    r = capi.post(f"/plans/{pid}/telos/sync")
    assert r.status_code == 200 and len(r.json()["data"]["pushed"]) == 6
    assert telos.requirement("p-auth", "R3")["status"] == "accepted"
    # Telos says a requirement changed (through Hermes): its task follows
    pushes = lambda: sum(c[:2] == ("PUT", "/api/v1/projects/p-auth/requirements/R3") for c in telos.calls)  # noqa: E731
    before = pushes()
    r = capi.post("/events", json={"type": "telos.requirement.updated",
                                   "data": {"project_id": "p-auth", "requirement_id": "R3",
                                            "changes": {"title": "Audit trail v2"}}})  # fmt: skip
    assert r.status_code == 200 and r.json()["data"]["tasks_updated"] == [ids["R3"]]
    assert capi.get(f"/plans/{pid}/tasks/{ids['R3']}").json()["data"]["name"] == "Audit trail v2"
    wait_for(lambda: pushes() > before)  # the changed task's status is pushed back (in the background)


def test_telos_failures_are_503_naming_telos(capi, peers) -> None:
    telos: FakeTelos = peers["telos"]
    r = capi.post("/plans/from-telos", json={"project_id": "nope"})
    assert r.status_code == 503 and r.json()["error_code"] == "INTEGRATION_UNAVAILABLE"
    assert r.json()["details"]["peer"] == "telos" and "404" in r.json()["message"]
    telos.add_project("p-x", "X", REQUIREMENTS[:1])
    ok = capi.post("/plans/from-telos", json={"project_id": "p-x"})  # a success: no failure of before counts
    assert ok.status_code == 201, ok.text
    for mode in ("error", "garbage"):
        telos.mode = mode
        r = capi.post("/plans/from-telos", json={"project_id": "p-x"})
        assert r.status_code == 503 and r.json()["details"]["peer"] == "telos", r.text
        if mode == "error":  # retried: the message says where Telos was asked and how often
            assert f"telos is unavailable at {telos.url.removesuffix('/api')}" in r.json()["message"]
            assert "HTTP 500 (" in r.json()["message"] and " tries in " in r.json()["message"], r.text
    telos.mode, telos.delay = "slow", 6  # past INTEGRATION_TIMEOUT=3, which bounds the call in all
    calls = len(telos.calls)
    r = capi.post("/plans/from-telos", json={"project_id": "p-x"})
    assert r.status_code == 503 and "no answer within 3 s (INTEGRATION_TIMEOUT)" in r.json()["message"]
    assert len(telos.calls) == calls + 1  # no retry after the deadline
    # three failed calls in a row (the 404 does not count: Telos was up and said no): the circuit opened
    calls = len(telos.calls)
    r = capi.post("/plans/from-telos", json={"project_id": "p-x"})
    assert r.status_code == 503 and r.json()["details"].get("circuit") == "open"
    assert len(telos.calls) == calls  # failed fast, Telos not even asked
    status = {p["peer"]: p for p in capi.get("/integrations").json()["data"]}
    assert status["telos"]["circuit"] == "open" and status["rhetor"]["circuit"] == "closed"
    telos.mode = "ok"
    time.sleep(3.1)  # half-open: one trial call, which succeeds and closes the circuit
    assert capi.post("/plans/from-telos", json={"project_id": "p-x", "name": "X again"}).status_code == 201
    status = {p["peer"]: p for p in capi.get("/integrations").json()["data"]}
    assert status["telos"]["circuit"] == "closed"


def test_synthesis_runs_the_plan_in_link_order_and_adjusts_to_changes(capi, peers) -> None:
    synthesis: FakeSynthesis = peers["synthesis"]
    pid = capi.post("/plans", json={"name": "Release", "start_date": "2026-12-01"}).json()["data"]["id"]
    build = add_task(capi, pid, "Build", duration=2)
    deploy = add_task(capi, pid, "Deploy", duration=1)
    test = add_task(capi, pid, "Test", duration=1)
    assert link(capi, pid, build["id"], test["id"]).status_code == 201
    assert link(capi, pid, test["id"], deploy["id"]).status_code == 201
    fx = capi.get(f"/plans/{pid}/for-execution").json()["data"]
    assert [s["name"] for s in fx["steps"]] == ["Build", "Test", "Deploy"]
    assert fx["steps"][2]["dependencies"] == [test["id"]]
    r = capi.post(f"/plans/{pid}/executions")
    assert r.status_code == 201, r.text
    ex = r.json()["data"]
    sent = synthesis.executions[ex["synthesis_id"]]["request"]["plan"]["steps"]
    assert [s["id"] for s in sent] == [build["id"], test["id"], deploy["id"]]
    assert set(sent[0]) == {"id", "type", "parameters", "dependencies", "timeout"}
    synthesis.advance(ex["synthesis_id"])  # Build done, Test running: found by polling
    wait_for(lambda: capi.get(f"/plans/{pid}/tasks/{test['id']}").json()["data"]["status"] == "in_progress")
    assert capi.get(f"/plans/{pid}/tasks/{build['id']}").json()["data"]["status"] == "completed"
    # the plan changes while it runs: an adjustment is recorded
    docs = add_task(capi, pid, "Write notes", duration=1)
    got = capi.get(f"/executions/{ex['id']}").json()["data"]
    assert got["adjustments"] and got["adjustments"][-1]["added"] == [docs["id"]]
    assert got["adjustments"][-1]["remaining_order"][0] == test["id"]
    # progress pushed by callback
    r = capi.post("/executions/callbacks", json={"execution_id": ex["synthesis_id"], "step_id": test["id"],
                                                 "step_status": "completed"})  # fmt: skip
    assert r.status_code == 200
    assert capi.get(f"/plans/{pid}/tasks/{test['id']}").json()["data"]["status"] == "completed"
    bad = capi.post(
        "/executions/callbacks", json={"execution_id": ex["id"], "step_id": "nope", "step_status": "failed"}
    )
    assert bad.status_code == 404
    assert capi.get(f"/plans/{pid}").json()["data"]["status"] == "active"  # the plan runs
    synthesis.advance(ex["synthesis_id"])
    synthesis.advance(ex["synthesis_id"])
    wait_for(lambda: capi.get(f"/executions/{ex['id']}").json()["data"]["status"] == "completed")
    assert capi.get(f"/plans/{pid}/tasks/{deploy['id']}").json()["data"]["status"] == "completed"
    # "Write notes" came after the start and is not done: the plan is not complete
    assert capi.get(f"/plans/{pid}").json()["data"]["status"] == "active"

    def remembered() -> set[str]:
        return {
            m["context"].get("task_id")
            for m in peers["engram"].memories
            if m["context"].get("plan_id") == pid
        }

    # finished tasks are remembered for estimates, as those finished through the progress route are
    wait_for(lambda: {build["id"], test["id"], deploy["id"]} <= remembered())
    assert capi.post("/executions/callbacks", json={"execution_id": "unknown"}).status_code == 404
    # an execution registered for the plan but unknown to Synthesis: an error, no longer followed
    ghost = {"execution_id": "ghost-1", "plan_id": pid, "steps": [{"id": build["key"], "name": "Build"}]}
    r = capi.post("/executions/callbacks", json=ghost)
    assert r.status_code == 200 and r.json()["data"]["steps"][0]["step_id"] == build["key"]
    wait_for(
        lambda: capi.get("/executions/ghost-1", params={"refresh": False}).json()["data"]["status"] == "error"
    )
    assert "does not know" in capi.get("/executions/ghost-1").json()["data"]["error"]
    # Synthesis not answering: a running execution is shown as recorded, and says why it is not fresher
    synthesis.mode = "error"
    capi.post("/executions/callbacks", json=ghost | {"execution_id": "ghost-2"})
    got = capi.get("/executions/ghost-2").json()["data"]
    assert got["refreshed"] is False and got["status"] == "running" and "synthesis" in got["reason"]
    # Synthesis down: starting is refused with 503, the attempt is recorded as an error
    synthesis.mode = "error"
    r = capi.post(f"/plans/{pid}/executions")
    assert r.status_code == 503 and r.json()["details"]["peer"] == "synthesis"
    assert capi.get(f"/plans/{pid}/executions").json()["data"][0]["status"] == "error"


def test_hermes_registration_heartbeat_subscriptions_and_publishing(capi, peers, connected) -> None:
    hermes: FakeHermes = peers["hermes"]
    wait_for(lambda: "prometheus" in hermes.components and hermes.heartbeats >= 2)
    me = hermes.components["prometheus"]
    assert me["capabilities"][:3] == ["planning", "critical_path_analysis", "retrospectives"]
    assert me["name"] == "Prometheus Planning Engine" and me["endpoint"] == connected.url + "/api"
    assert me["metadata"]["endpoints"]["ws"] == connected.url.replace("http", "ws") + "/ws"
    assert set(hermes.subscriptions) >= {"telos.requirement.updated", "synthesis.execution.completed"}
    assert hermes.callbacks["telos.requirement.updated"] == connected.url + "/api/events"
    health = httpx.get(connected.url + "/health").json()
    assert health["hermes_registration"] == "prometheus" and health["peers"]["hermes"]["available"] is True
    pid = capi.post("/plans", json={"name": "Published"}).json()["data"]["id"]
    wait_for(lambda: any(p["message"]["plan_id"] == pid for p in hermes.published))
    msg = next(p for p in hermes.published if p["message"]["plan_id"] == pid)
    assert msg["channel"] == "prometheus.plan.updated" and msg["sender_id"] == "prometheus"
    assert {"plan_id", "updated_by", "timestamp", "changes"} <= set(msg["message"])
    assert msg["message"]["changes"] == [{"event": "prometheus.plan.created", "id": pid, "name": "Published"}]
    r = capi.post("/events", json={"type": "something.else", "data": {}})
    assert r.status_code == 200 and r.json()["data"]["handled"] is False
    as_hermes = {
        "channel": "synthesis.execution.completed",
        "message": {"execution_id": "nope"},
        "sender_id": "s",
    }
    assert capi.post("/events", json=as_hermes).status_code == 404  # the channel's form, handled: no such run
    assert capi.post("/events", json={"payload": {}}).status_code == 422


def test_engram_stores_plans_and_finds_them(capi, peers) -> None:
    engram: FakeEngram = peers["engram"]
    pid = capi.post("/plans", json={"name": "Payment gateway migration"}).json()["data"]["id"]
    add_task(capi, pid, "Move card vault", duration=2)
    r = capi.post(f"/plans/{pid}/memory")
    assert r.status_code == 200 and r.json()["data"]["backend"] == "engram"
    assert any(m["context"].get("key") == pid for m in engram.memories)
    got = capi.get(f"/memory/prometheus.plans/{pid}").json()["data"]
    assert got["backend"] == "engram" and got["data"]["name"] == "Payment gateway migration"
    found = capi.get("/memory/search", params={"q": "payment gateway"}).json()["data"]
    assert found["backend"] == "engram" and found["results"][0]["key"] == pid
    engram.down = True
    try:
        r = capi.get("/memory/search", params={"q": "payment"})
        assert r.status_code == 503 and r.json()["details"]["peer"] == "engram"
    finally:
        engram.down = False


def test_rhetor_analysis_and_documents_are_validated(capi, peers) -> None:
    rhetor: FakeRhetor = peers["rhetor"]
    pid = capi.post("/plans", json={"name": "Launch"}).json()["data"]["id"]
    add_task(capi, pid, "Marketing site", duration=4)
    rhetor.answer = "```json\n" + json.dumps({"risks": [{"title": "Single designer", "detail": "no backup",
                                                         "severity": "high"}]}) + "\n```"  # fmt: skip
    r = capi.post(f"/plans/{pid}/llm-analysis", json={"analysis_types": ["risks", "recommendations"]})
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["result"]["risks"][0]["title"] == "Single designer" and d["result"]["recommendations"] == []
    assert d["template"] == "plan_analysis@1.0.0" and "Marketing site" in rhetor.prompts[-1]["prompt"]
    rhetor.answer = '{"risks": [{"title": 3}]}'  # not what the template declares
    r = capi.post(f"/plans/{pid}/llm-analysis", json={"analysis_types": ["risks"]})
    assert r.status_code == 503 and "template plan_analysis" in r.json()["message"]
    rhetor.answer = "# Status report\nAll on track."
    r = capi.post(f"/plans/{pid}/documents", json={"document_type": "status report"})
    assert r.status_code == 200 and r.json()["data"]["result"].startswith("# Status report")
    rhetor.answer = None
    assert capi.post(f"/plans/{pid}/llm-analysis", json={"analysis_types": ["bogus"]}).status_code == 422
    # requirement analysis: estimates by requirement, from the tasks Rhetor broke them into
    rhetor.answer = json.dumps(
        [
            {"name": "Form", "estimated_effort": 6, "requirement_id": "R1"},
            {"name": "Mail", "estimated_effort": 10, "requirement_id": "R1"},
            {"name": "Stray", "estimated_effort": 3, "requirement_id": "R42"},
        ]
    )
    r = capi.post("/requirements/analysis", json={"requirements": REQUIREMENTS[:2]})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["estimates"] == {
        "R1": {"effort_hours": 16.0, "tasks": ["Form", "Mail"], "duration": 2.0, "duration_unit": "days"}
    }
    assert capi.post("/requirements/analysis", json={}).status_code == 422
    # a retrospective summarised by Rhetor
    retro = capi.post("/retrospectives", json={"title": "Launch retro", "plan_id": pid}).json()["data"]
    capi.post(
        f"/retrospectives/{retro['id']}/feedback", json={"type": "went_wrong", "content": "late design"}
    )
    rhetor.answer = json.dumps({"summary": "Design was late.", "themes": ["design"], "recommendations": []})
    r = capi.post(f"/retrospectives/{retro['id']}/llm-summary")
    assert r.status_code == 200 and r.json()["data"]["result"]["themes"] == ["design"]
    assert "late design" in rhetor.prompts[-1]["prompt"]
    rhetor.answer = None


def test_without_peers_everything_local_still_works_and_peer_endpoints_say_503(api, plan) -> None:
    pid = plan["id"]
    add_task(api, pid, "Design database schema", duration=2)
    r = api.post(f"/plans/{pid}/memory")
    assert r.status_code == 200 and r.json()["data"]["backend"] == "local"
    got = api.get(f"/memory/prometheus.plans/{pid}").json()["data"]
    assert got["backend"] == "local" and got["data"]["tasks"][0]["name"] == "Design database schema"
    found = api.get("/memory/search", params={"q": "database schema design"}).json()["data"]
    assert found["backend"] == "local" and found["results"][0]["key"] == pid
    assert api.put("/memory/notes/k1", json={"data": {"a": 1}}).json()["data"]["data"] == {"a": 1}
    assert api.get("/memory/notes/missing").status_code == 404
    assert "ENGRAM_URL" in found["fallback_reason"]  # Engram was only assumed at its default URL
    for method, path, body in (("post", "/plans/from-telos", {"project_id": "p"}),
                               ("post", f"/plans/{pid}/executions", None),
                               ("post", f"/plans/{pid}/llm-analysis", {}),
                               ("post", f"/plans/{pid}/documents", {})):  # fmt: skip
        r = api.request(method.upper(), path, json=body)
        assert r.status_code == 503, (path, r.text)
        e = r.json()
        assert (
            e["status"] == "error" and e["error_code"] == "INTEGRATION_UNAVAILABLE" and e["details"]["peer"]
        )
    # the attempt is on record, as a failure that says why
    (attempt,) = api.get(f"/plans/{pid}/executions").json()["data"]
    assert attempt["status"] == "error" and "SYNTHESIS_URL" in attempt["error"]
    assert api.get(f"/plans/{pid}/for-execution").status_code == 200
    health = api.get("/health").json()  # absent peers are listed, and are no ill health
    assert health["status"] == "healthy" and health["peers"]["synthesis"]["available"] is False
    assert health["peers"]["telos"]["source"] == "default" and health["hermes_registration"] is None
    # requirements sent in the body need no peer
    r = api.post("/plans/from-requirements", json={"requirements": REQUIREMENTS[:3]})
    assert r.status_code == 201 and r.json()["data"]["dependencies"] == 3
    assert r.json()["data"]["plan"]["name"] == "Plan from 3 requirements"
    bad = [{"requirement_id": "R1", "title": "Log\u0000in"}]  # a NUL no text may hold
    r = api.post("/plans/from-requirements", json={"requirements": bad})
    assert r.status_code == 422 and "NUL" in r.json()["message"], r.text
    long = [{"requirement_id": "R1", "title": "Login", "description": "x" * 20_001}]  # over a task's bound
    r = api.post("/plans/from-requirements", json={"requirements": long})
    assert r.status_code == 422 and "requirement R1" in r.json()["message"], r.text


def test_peers_are_discovered_through_hermes(peers, make_database_url, tmp_path) -> None:
    hermes: FakeHermes = peers["hermes"]
    hermes.components["telos"] = {"name": "telos", "endpoint": peers["telos"].url, "componentId": "telos-1"}
    peers["telos"].add_project("p-disc", "Discovered", REQUIREMENTS[:2])
    srv = Server(make_database_url("sqlite"), tmp_path / "log", env=FAST | {"HERMES_URL": hermes.url}).start()
    try:
        with httpx.Client(base_url=srv.url + "/api", timeout=30) as api:
            r = api.post("/plans/from-telos", json={"project_id": "p-disc"})
            assert r.status_code == 201, r.text
            assert r.json()["data"]["tasks"] == 2
            status = {p["peer"]: p for p in api.get("/integrations").json()["data"]}
            assert status["telos"]["url"] == peers["telos"].url + "/api/v1"
            assert status["telos"]["source"] == "hermes" and status["telos"]["available"] is True
    finally:
        srv.stop()
    wait_for(lambda: "prometheus" in hermes.unregistered)


def test_replicas_tell_hermes_and_telos_each_change_once(peers, backend, make_database_url, tmp_path) -> None:
    """Servers on one database (replicas, and `serve --workers 2`): every change is published to Hermes and
    pushed to Telos by one of them, once, whichever took the write."""
    hermes: FakeHermes = peers["hermes"]
    telos: FakeTelos = peers["telos"]
    project = f"p-twice-{backend}"
    telos.add_project(project, "Replicated", REQUIREMENTS[:2])
    url = make_database_url(backend)
    env = FAST | {"HERMES_URL": hermes.url, "TELOS_URL": telos.url}
    a = Server(url, tmp_path / "a.log", env=env | {"PROMETHEUS_WORKERS": "2"}).start()
    b = Server(url, tmp_path / "b.log", env=env).start()
    try:
        assert len(workers(a.proc.pid)) == 2
        with (
            httpx.Client(base_url=a.url + "/api", timeout=30) as one,
            httpx.Client(base_url=b.url + "/api", timeout=30) as other,
        ):
            r = one.post("/plans/from-telos", json={"project_id": project})
            assert r.status_code == 201, r.text
            pid = r.json()["data"]["plan"]["id"]
            tasks = other.get(f"/plans/{pid}/tasks").json()["data"]
            for n, t in enumerate(tasks):
                api = (one, other)[n % 2]
                r = api.put(f"/plans/{pid}/tasks/{t['id']}/progress", json={"percent_complete": 100})
                assert r.status_code == 200, r.text
            last = add_task(other, pid, "Untraced")["id"]

            def published() -> list[dict]:
                return [p["message"] for p in hermes.published if p["message"]["plan_id"] == pid]

            wait_for(lambda: any(m["changes"][0]["id"] == last for m in published()))
            time.sleep(1.0)  # the other replica's rounds (0.2 s) had time to publish again
            ids = [m["event_id"] for m in published()]
            assert len(ids) >= 4 and sorted(ids) == sorted(set(ids)), ids
            puts = [path for method, path, _ in telos.calls if method == "PUT" and f"/{project}/" in path]
            assert sorted(puts) == [f"/api/v1/projects/{project}/requirements/R{i}" for i in (1, 2)], puts
    finally:
        a.stop()
        b.stop()


def test_telos_hears_status_changes_with_no_hermes(peers, make_database_url, tmp_path) -> None:
    """Telos without Hermes (where Hermes should be, nothing answers): a traced task's new status still
    reaches it."""
    telos: FakeTelos = peers["telos"]
    telos.add_project("p-alone", "Alone", REQUIREMENTS[:1])
    env = FAST | {"HERMES_URL": "http://127.0.0.1:9", "TELOS_URL": telos.url}  # a closed port
    srv = Server(make_database_url("sqlite"), tmp_path / "log", env=env).start()
    try:
        with httpx.Client(base_url=srv.url + "/api", timeout=30) as api:
            pid = api.post("/plans/from-telos", json={"project_id": "p-alone"}).json()["data"]["plan"]["id"]
            task = api.get(f"/plans/{pid}/tasks").json()["data"][0]
            r = api.put(f"/plans/{pid}/tasks/{task['id']}/progress", json={"percent_complete": 100})
            assert r.status_code == 200, r.text
            put = ("PUT", "/api/v1/projects/p-alone/requirements/R1")
            wait_for(lambda: put in [c[:2] for c in telos.calls])
    finally:
        srv.stop()


def test_a_telos_project_id_stays_one_segment_of_telos_paths(capi, peers) -> None:  # noqa: ANN001
    """`../` in a project id cannot lead Prometheus (with its INTEGRATION_TOKEN) to another of Telos's
    routes: the id is percent-encoded as one segment, and Telos answers that no such project exists."""
    telos: FakeTelos = peers["telos"]
    calls = len(telos.calls)
    r = capi.post("/plans/from-telos", json={"project_id": "../../admin?x=1"})
    assert r.status_code == 503 and "404" in r.json()["message"], r.text
    paths = [path for _, path, _ in telos.calls[calls:]]
    assert paths and all(p.startswith("/api/v1/projects/..%2F..%2Fadmin%3Fx%3D1") for p in paths), paths
