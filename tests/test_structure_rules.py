"""The structure rules (`prometheus/core/structure.py`: a task's parent, a task moved under a summary task, a
link) on every route that changes structure, the plan's and the scenario's, over HTTP on both databases; a
hierarchy loop that reaches a scenario's view anyway is a 409 naming it, never an endless request."""

from __future__ import annotations

import asyncio
import json

import httpx
import websockets

from tests.conftest import Server, add_task, link


def _error(r: httpx.Response, status: int, code: str, *names: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["status"] == "error" and body["error_code"] == code, body
    for name in names:
        assert f"'{name}'" in body["message"], body["message"]
    return body


def _through_summary(api: httpx.Client, pid: str) -> dict[str, str]:
    """S1 holds p; q and r at the top; S1 -> q -> r. r under S1 would follow S1 and finish within it."""
    s1 = add_task(api, pid, "S1")["id"]
    p = add_task(api, pid, "p", parent_id=s1)["id"]
    q, r = add_task(api, pid, "q")["id"], add_task(api, pid, "r")["id"]
    assert link(api, pid, s1, q).status_code == 201 and link(api, pid, q, r).status_code == 201
    return {"S1": s1, "p": p, "q": q, "r": r}


def _linked_to_ancestor(api: httpx.Client, pid: str) -> dict[str, str]:
    """S2 holds S3, which holds x; d -> S2. d under S3 would be linked to its own summary task S2."""
    s2 = add_task(api, pid, "S2")["id"]
    s3 = add_task(api, pid, "S3", parent_id=s2)["id"]
    x = add_task(api, pid, "x", parent_id=s3)["id"]
    d = add_task(api, pid, "d")["id"]
    assert link(api, pid, d, s2).status_code == 201
    return {"S2": s2, "S3": s3, "x": x, "d": d}


def test_a_move_under_a_summary_its_links_reach_is_refused(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    a, b = _through_summary(api, pid), _linked_to_ancestor(api, pid)
    r = api.patch(f"/plans/{pid}/tasks/{a['r']}", json={"parent_id": a["S1"]})
    body = _error(r, 409, "DEPENDENCY_ERROR", "S1", "q", "r")
    assert "cycle" in body["message"] and body["details"]["cycle"][0] == body["details"]["cycle"][-1]
    r = api.put(f"/plans/{pid}/tasks/{a['r']}", json={"name": "r", "parent_id": a["S1"]})
    _error(r, 409, "DEPENDENCY_ERROR", "S1", "q", "r")
    r = api.patch(f"/plans/{pid}/tasks/{b['d']}", json={"parent_id": b["S3"]})  # S2 is above S3
    assert "summary task" in _error(r, 409, "DEPENDENCY_ERROR", "d", "S2")["message"]
    # nothing stored: every view and the export still answer
    tasks = {t["name"]: t for t in api.get(f"/plans/{pid}/tasks").json()["data"]}
    assert tasks["r"]["parent_id"] is None and tasks["d"]["parent_id"] is None and tasks["r"]["version"] == 1
    for view in ("timeline", "critical-path", "export?format=json", "export?format=mspdi"):
        assert api.get(f"/plans/{pid}/{view}").status_code == 200, view
    # the moves the links allow are made
    r = api.patch(f"/plans/{pid}/tasks/{b['x']}", json={"parent_id": b["S2"]})
    assert r.status_code == 200 and r.json()["data"]["parent_id"] == b["S2"], r.text
    r = api.patch(f"/plans/{pid}/tasks/{a['p']}", json={"parent_id": b["S3"]})
    assert r.status_code == 200, r.text


def test_the_websocket_refuses_the_same_move(server: Server, api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    a = _through_summary(api, pid)

    async def update() -> dict:
        async with websockets.connect(server.url.replace("http", "ws") + "/ws") as ws:
            change = {"parent_id": a["S1"]}
            msg = {"action": "update_task", "plan_id": pid, "task_id": a["r"], "changes": change}
            await ws.send(json.dumps(msg))
            return json.loads(await asyncio.wait_for(ws.recv(), 20))

    answer = asyncio.run(update())
    assert answer["type"] == "error" and answer["error_code"] == "DEPENDENCY_ERROR", answer
    assert api.get(f"/plans/{pid}/tasks/{a['r']}").json()["data"]["parent_id"] is None


def test_a_scenario_refuses_what_the_plan_refuses(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    a, b = _through_summary(api, pid), _linked_to_ancestor(api, pid)
    sid = api.post(f"/plans/{pid}/scenarios", json={"name": "what if"}).json()["data"]["id"]
    url = f"/plans/{pid}/scenarios/{sid}"
    # a parent loop: S1 under its own subtask p
    r = api.patch(f"{url}/tasks/{a['S1']}", json={"parent_id": a["p"]})
    assert r.status_code == 422 and "own ancestor" in r.json()["message"], r.text
    r = api.post(f"{url}/dependencies", json={"predecessor_id": a["S1"], "successor_id": a["p"]})
    assert "summary task and its subtask" in _error(r, 409, "DEPENDENCY_ERROR", "S1", "p")["message"]
    # the moves the plan refuses, and a link closing a cycle
    _error(api.patch(f"{url}/tasks/{a['r']}", json={"parent_id": a["S1"]}), 409, "DEPENDENCY_ERROR", "q")
    _error(api.patch(f"{url}/tasks/{b['d']}", json={"parent_id": b["S3"]}), 409, "DEPENDENCY_ERROR", "S2")
    r = api.post(f"{url}/dependencies", json={"predecessor_id": a["r"], "successor_id": a["p"]})
    _error(r, 409, "DEPENDENCY_ERROR", "S1", "q", "r", "p")
    # a new task under a task of the scenario, then a loop through it
    new = api.post(f"{url}/tasks", json={"name": "n", "parent_id": a["p"]}).json()["data"]["id"]
    r = api.patch(f"{url}/tasks/{a['S1']}", json={"parent_id": new})
    assert r.status_code == 422 and "own ancestor" in r.json()["message"], r.text
    # nothing else stored: one change, and the scenario's views answer
    assert api.get(url).json()["data"]["change_count"] == 1
    for view in ("timeline", "critical-path", "costs", "compare"):
        assert api.get(f"{url}/{view}", timeout=20).status_code == 200, view
    # with the link removed in the scenario, the move it barred is made, and promoted
    dep = next(d for d in api.get(f"{url}/dependencies").json()["data"] if d["predecessor_id"] == b["d"])
    assert api.delete(f"{url}/dependencies/{dep['id']}").status_code == 200
    assert api.patch(f"{url}/tasks/{b['d']}", json={"parent_id": b["S3"]}).status_code == 200
    assert api.post(f"{url}/promote").status_code == 200
    assert api.get(f"/plans/{pid}/tasks/{b['d']}").json()["data"]["parent_id"] == b["S3"]


def test_a_hierarchy_loop_in_a_scenario_view_is_a_409_never_a_hang(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    x, y, z = (add_task(api, pid, n)["id"] for n in ("Loop X", "Loop Y", "Z"))
    add_task(api, pid, "under Y", parent_id=y)
    sid = api.post(f"/plans/{pid}/scenarios", json={"name": "what if"}).json()["data"]["id"]
    url = f"/plans/{pid}/scenarios/{sid}"
    assert api.patch(f"{url}/tasks/{x}", json={"parent_id": y}).status_code == 200  # X under Y here...
    assert api.patch(f"/plans/{pid}/tasks/{y}", json={"parent_id": x}).status_code == 200  # Y under X there
    for view in ("timeline", "critical-path", "costs"):  # was a 500 (a summary rolled up from a loop)
        loop = _error(api.get(f"{url}/{view}", timeout=20), 409, "HIERARCHY_LOOP", "Loop X", "Loop Y")
        assert loop["details"]["loop"][0] == loop["details"]["loop"][-1], loop
    assert link(api, pid, x, z).status_code == 201  # a summary link: its subtasks are looked up (was endless)
    _error(api.get(f"{url}/timeline", timeout=20), 409, "HIERARCHY_LOOP", "Loop X", "Loop Y")
    # the way out, as in a plan: clear one of the parents
    assert api.patch(f"{url}/tasks/{x}", json={"parent_id": None}).status_code == 200
    assert api.get(f"{url}/timeline", timeout=20).status_code == 200
