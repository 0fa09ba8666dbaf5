"""Hostile input, round two: the WebSocket, the SSE stream and `/mcp` of a real server on both databases."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import httpx
import websockets

from prometheus.core.inputs import PlanCreate
from prometheus.store import Database
from tests.conftest import Server


def _ws(server: Server) -> str:
    return server.url.replace("http", "ws") + "/ws"


def _live(server: Server) -> dict:
    return httpx.get(server.url + "/health", timeout=30).json()["live"]


def _plans(server: Server, n: int) -> list[str]:
    """`n` new plans, written straight into the server's database (one transaction)."""
    db = Database(server.database_url)
    try:
        with db.store() as store:
            return [store.create_plan(PlanCreate(name=f"followed {i}")).id for i in range(n)]
    finally:
        db.dispose()


def test_subscriptions_leave_nothing_behind_in_the_hub(server: Server, plan: dict) -> None:
    """Every plan a socket subscribed to is gone from the hub when the socket goes (each stayed a key for
    good: an unbounded leak, and every later socket's close walked them all); an id longer than any id, or
    one subscription past the limit, is a VALIDATION_ERROR."""
    before = _live(server)

    async def main() -> list[dict]:
        async with websockets.connect(_ws(server)) as watch:  # once the hub hands on an event made after
            await watch.send(json.dumps({"action": "subscribe", "plan_id": plan["id"]}))  # the plans, it has
            await asyncio.wait_for(watch.recv(), 30)  # passed their own events (else those would fill up
            followed = await asyncio.to_thread(_plans, server, 1000)  # the queue of the socket below)
            changed = {"description": "after the plans"}
            await asyncio.to_thread(httpx.patch, f"{server.url}/api/plans/{plan['id']}", json=changed)
            while json.loads(await asyncio.wait_for(watch.recv(), 30))["type"] != "prometheus.plan.updated":
                pass  # (the plan's own `created` may come first)
        async with websockets.connect(_ws(server), max_size=None) as ws:
            for pid in followed:
                await ws.send(json.dumps({"action": "subscribe", "plan_id": pid}))
            await ws.send(json.dumps({"action": "unsubscribe", "plan_id": "never-subscribed"}))
            await ws.send(json.dumps({"action": "subscribe", "plan_id": "one too many"}))
            await ws.send(json.dumps({"action": "subscribe", "plan_id": "x" * 201}))
            answers = [json.loads(await asyncio.wait_for(ws.recv(), 30)) for _ in range(1003)]
            during = _live(server)
        assert {a["type"] for a in answers[:1000]} == {"subscribed"}
        assert during["followed"] >= before["followed"] + 1000
        return answers[1000:]

    unsubscribed, too_many, too_long = asyncio.run(main())
    assert unsubscribed == {"type": "unsubscribed", "plan_id": "never-subscribed"}
    assert too_many["error_code"] == "VALIDATION_ERROR" and "at most 1000" in too_many["message"]
    assert too_long["error_code"] == "VALIDATION_ERROR" and "plan_id" in too_long["message"]
    for _ in range(100):  # the server sees the close a moment after the client
        if _live(server)["followed"] <= before["followed"]:
            break
        asyncio.run(asyncio.sleep(0.05))
    assert _live(server)["followed"] <= before["followed"]


def test_following_a_plan_that_does_not_exist_is_refused(server: Server, plan: dict) -> None:
    """A subscription to a plan that does not exist was accepted and waited for events that never come:
    over /ws it is a NOT_FOUND error naming the plan and no subscription (the socket goes on; "*" and a
    plan that exists are followed), over SSE a 404 with the API's envelope."""
    before = _live(server)
    made_up = f"no-such-plan-{uuid.uuid4().hex[:8]}"

    async def main() -> tuple[list[dict], dict]:
        async with websockets.connect(_ws(server)) as ws:

            async def answer() -> dict:
                """The next answer to a request: the plan's own creation may still be on its way to
                subscribers when it is subscribed to, and arrive among the answers."""
                while "event_id" in (message := json.loads(await asyncio.wait_for(ws.recv(), 10))):
                    assert message["plan_id"] == plan["id"], message
                return message

            await ws.send(json.dumps({"action": "subscribe", "plan_id": made_up}))
            answers = [await answer()]
            during = _live(server)
            burst = [f"{made_up}-2", plan["id"], made_up, "*"]  # "*" last: events of any plan may follow
            for pid in burst:  # sent at once: answered together, in order
                await ws.send(json.dumps({"action": "subscribe", "plan_id": pid}))
            answers += [await answer() for _ in burst]
            return answers, during

    (refused, second, subscribed, again, everything), during = asyncio.run(main())
    assert refused["type"] == "error" and refused["error_code"] == "NOT_FOUND", refused
    assert refused["plan_ids"] == [made_up] and made_up in refused["message"]
    assert during["followed"] <= before["followed"]  # nothing subscribed
    assert second["error_code"] == "NOT_FOUND" and second["plan_ids"] == [f"{made_up}-2"], second
    assert subscribed == {"type": "subscribed", "plan_id": plan["id"]}
    assert again == refused
    assert everything == {"type": "subscribed", "plan_id": "*"}

    r = httpx.get(f"{server.url}/api/events/stream", params={"plan_id": made_up}, timeout=10)
    assert r.status_code == 404 and r.json()["error_code"] == "NOT_FOUND", r.text
    assert made_up in r.json()["message"]


INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


def _mcp_refusal(r: httpx.Response, status: int, code: str) -> str:
    """The refusal an MCP client reads back: a JSON-RPC error without an id, the API's envelope in it."""
    assert r.status_code == status and r.headers["content-type"].startswith("application/json"), r.text
    body = r.json()
    assert body["jsonrpc"] == "2.0" and body["id"] is None and body["error"]["code"] == -32600, body
    assert body["error"]["data"]["status"] == "error" and body["error"]["data"]["error_code"] == code, body
    return body["error"]["message"]


def test_mcp_refusals_are_json_rpc_errors_carrying_the_envelope(server: Server) -> None:
    """A foreign Origin (403), a foreign Host (421) and a body that is not said to be JSON (400) were
    answered in plain text, which an MCP client shows as a bare "Server returned an error response"."""
    mcp = server.url + "/mcp"
    assert httpx.post(mcp, json=INIT, headers=MCP_HEADERS, timeout=30).status_code == 200
    foreign = MCP_HEADERS | {"origin": "http://evil.example"}
    assert "Origin" in _mcp_refusal(httpx.post(mcp, json=INIT, headers=foreign, timeout=30), 403, "FORBIDDEN")
    rebound = MCP_HEADERS | {"host": "evil.example"}
    r = httpx.post(mcp, json=INIT, headers=rebound, timeout=30)
    assert "Host" in _mcp_refusal(r, 421, "MISDIRECTED_REQUEST")
    plain = MCP_HEADERS | {"content-type": "text/plain"}
    r = httpx.post(mcp, content=json.dumps(INIT), headers=plain, timeout=30)
    assert "Content-Type" in _mcp_refusal(r, 400, "VALIDATION_ERROR")


def test_a_get_of_mcp_is_refused_at_once_not_held_open(server: Server) -> None:
    """A stateless server never writes to the stream a GET opens: it was held open until the client went
    (a hang, and a task held per request); the spec's answer for no such stream is 405."""
    r = httpx.get(server.url + "/mcp", headers={"accept": "text/event-stream"}, timeout=10)
    _mcp_refusal(r, 405, "METHOD_NOT_ALLOWED")
    assert r.headers["allow"] == "POST"


def test_refusals_before_the_mcp_sdk_are_json_rpc_errors_too(
    backend: str,
    make_database_url,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    """TokenAuth's 401 (no token, a bad one) and BodyLimit's 413 (announced, or counted as it arrives) were
    the REST envelope at /mcp, which an MCP client shows as a bare "Server returned an error response";
    the status and WWW-Authenticate stay, and other paths keep the envelope."""
    env = {"PROMETHEUS_API_TOKENS": "look:read", "PROMETHEUS_MAX_BODY_BYTES": "10000"}
    srv = Server(make_database_url(backend), tmp_path / "server.log", env=env).start()
    try:
        mcp = srv.url + "/mcp"
        for given in ({}, {"authorization": "Bearer nope"}):
            r = httpx.post(mcp, json=INIT, headers=MCP_HEADERS | given, timeout=30)
            assert "bearer token" in _mcp_refusal(r, 401, "UNAUTHORIZED")
            assert r.headers["www-authenticate"] == "Bearer"
        look = MCP_HEADERS | {"authorization": "Bearer look"}
        big = json.dumps(INIT | {"padding": "x" * 20_000}).encode()
        for body in (big, iter([big])):  # with a Content-Length, and chunked
            r = httpx.post(mcp, content=body, headers=look, timeout=30)
            assert "10,000 bytes" in _mcp_refusal(r, 413, "PAYLOAD_TOO_LARGE")
        assert httpx.post(mcp, json=INIT, headers=look, timeout=30).status_code == 200
        rest = httpx.post(srv.url + "/api/plans", json={"name": "x"}, timeout=30)
        assert rest.status_code == 401 and rest.json()["error_code"] == "UNAUTHORIZED", rest.text
    finally:
        srv.stop()


def test_reading_a_plan_that_does_not_exist_is_resource_not_found(server: Server, plan: dict) -> None:
    """It was -32603 (internal error) with the text "NOT_FOUND: ..."; it is MCP's resource not found, its
    message naming the URI, the API's envelope its data."""

    def read(uri: str) -> dict:
        body = {"jsonrpc": "2.0", "id": 8, "method": "resources/read", "params": {"uri": uri}}
        r = httpx.post(server.url + "/mcp", json=body, headers=MCP_HEADERS, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()

    uri = f"prometheus://plans/{plan['id']}"
    assert plan["name"] in read(uri)["result"]["contents"][0]["text"]
    missing = f"prometheus://plans/no-such-{uuid.uuid4().hex[:8]}"
    error = read(missing)["error"]
    assert error["code"] == -32602 and missing in error["message"], error  # as the SDK's unknown URI
    assert error["data"]["status"] == "error" and error["data"]["error_code"] == "NOT_FOUND", error
    assert error["data"]["details"]["uri"] == missing


def _call(server: Server, tool: str, arguments: dict) -> dict:
    body = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {"name": tool, "arguments": arguments},
    }
    r = httpx.post(server.url + "/mcp", json=body, headers=MCP_HEADERS, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["result"]


def test_a_tool_call_the_sdk_refuses_carries_the_envelope_too(server: Server) -> None:
    """An unknown tool, a missing argument, one of the wrong type: the SDK's own text ("Error executing
    tool ...: 1 validation error for ...Arguments", pydantic's links) with no error_code, where every other
    tool error carries the API's envelope, as the server's instructions promise."""
    cases = [
        ("no_such_tool", {}, "NOT_FOUND", "no_such_tool"),
        ("get_schedule", {}, "VALIDATION_ERROR", "plan_id: Field required"),
        ("get_schedule", {"plan_id": 5}, "VALIDATION_ERROR", "plan_id: Input should be a valid string"),
        ("list_plans", {"limit": "abc"}, "VALIDATION_ERROR", "limit"),
    ]
    for tool, arguments, code, said in cases:
        result = _call(server, tool, arguments)
        envelope = result.get("structuredContent") or {}
        assert result["isError"] and envelope.get("error_code") == code, (tool, result)
        assert said in envelope["message"] and "pydantic.dev" not in json.dumps(result), (tool, result)
    assert _call(server, "list_plans", {"limit": 1})["isError"] is False


def test_callbacks_racing_to_adopt_an_execution_make_one(server: Server, plan: dict) -> None:
    """Each callback looked the execution up before taking the plan's lock, so several adopted it: two or
    more records for one Synthesis execution, and later progress reached only one of them."""
    import threading

    httpx.post(f"{server.url}/api/plans/{plan['id']}/tasks", json={"name": "A", "duration": 1}, timeout=30)
    synthesis_id = f"race-{uuid.uuid4().hex}"
    ready = threading.Barrier(12)
    answers: list[httpx.Response] = []

    def adopt() -> None:
        body = {"execution_id": synthesis_id, "plan_id": plan["id"], "status": "running"}
        ready.wait()
        answers.append(httpx.post(f"{server.url}/api/executions/callbacks", json=body, timeout=60))

    threads = [threading.Thread(target=adopt) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in answers] == [200] * 12, [r.text for r in answers if r.status_code != 200]
    assert len({r.json()["data"]["id"] for r in answers}) == 1
    listed = httpx.get(f"{server.url}/api/plans/{plan['id']}/executions", timeout=30).json()["data"]
    assert [e["synthesis_id"] for e in listed] == [synthesis_id]


def test_a_late_callback_does_not_reopen_a_finished_execution(server: Server, plan: dict) -> None:
    """A `running` callback after `completed` (late, or replayed) set the execution running again and its
    plan's status back with it; it is a 409, and both stay as they were. The same final word is fine."""
    callbacks = f"{server.url}/api/executions/callbacks"
    httpx.post(f"{server.url}/api/plans/{plan['id']}/tasks", json={"name": "A", "duration": 1}, timeout=30)
    sid = f"late-{uuid.uuid4().hex}"
    body = {"execution_id": sid, "plan_id": plan["id"], "status": "running"}
    assert httpx.post(callbacks, json=body, timeout=30).status_code == 200
    done = httpx.post(callbacks, json={"execution_id": sid, "status": "completed"}, timeout=30)
    assert done.status_code == 200 and done.json()["data"]["status"] == "completed", done.text
    status = httpx.get(f"{server.url}/api/plans/{plan['id']}", timeout=30).json()["data"]["status"]
    late = httpx.post(callbacks, json={"execution_id": sid, "status": "running"}, timeout=30)
    assert late.status_code == 409 and late.json()["error_code"] == "RESOURCE_CONFLICT", late.text
    again = httpx.post(callbacks, json={"execution_id": sid, "status": "completed"}, timeout=30)
    assert again.status_code == 200, again.text
    listed = httpx.get(f"{server.url}/api/plans/{plan['id']}/executions", timeout=30).json()["data"]
    assert [e["status"] for e in listed] == ["completed"]
    assert httpx.get(f"{server.url}/api/plans/{plan['id']}", timeout=30).json()["data"]["status"] == status


def test_a_bad_change_over_the_socket_is_said_as_the_rest_api_says_it(server: Server, plan: dict) -> None:
    """`update_task` with changes the task cannot take answered pydantic's own text ("1 validation error
    for TaskPatch", its links), where every other refusal names the field as the REST API does."""
    task = httpx.post(f"{server.url}/api/plans/{plan['id']}/tasks", json={"name": "A"}, timeout=30).json()
    changes = [{"duration": -1}, {"bogus": 1}, {"name": "a\u0000"}]

    async def main() -> list[dict]:
        async with websockets.connect(_ws(server)) as ws:
            for change in changes:
                msg = {"action": "update_task", "plan_id": plan["id"], "task_id": task["data"]["id"]}
                await ws.send(json.dumps(msg | {"changes": change}))
            return [json.loads(await asyncio.wait_for(ws.recv(), 30)) for _ in changes]

    for change, answer in zip(changes, asyncio.run(main()), strict=True):
        assert answer["type"] == "error" and answer["error_code"] == "VALIDATION_ERROR", answer
        assert answer["message"].startswith("changes"), answer
        assert "TaskPatch" not in answer["message"] and "pydantic" not in answer["message"], (change, answer)


def test_a_search_for_a_percent_sign_or_an_underscore_finds_only_those(server: Server) -> None:
    """`search` went into LIKE as it came: `%` and `_` were wildcards, so `search=%` found every plan and
    task, and `100%` also `100 tasks`."""
    api = f"{server.url}/api/plans"
    mark = uuid.uuid4().hex[:8]
    plain = httpx.post(api, json={"name": f"{mark} 100 tasks"}, timeout=30).json()["data"]
    percent = httpx.post(api, json={"name": f"{mark} 100% done"}, timeout=30).json()["data"]
    under = httpx.post(api, json={"name": f"{mark} a_b"}, timeout=30).json()["data"]
    for tid, name in ((plain["id"], "axb"), (under["id"], "A_B")):
        httpx.post(f"{api}/{tid}/tasks", json={"name": name}, timeout=30)

    def found(url: str, search: str) -> set[str]:
        return {p["name"] for p in httpx.get(url, params={"search": search}, timeout=30).json()["data"]}

    assert found(api, f"{mark} 100%") == {percent["name"]}
    assert found(api, f"{mark} a_b") == {under["name"]}
    assert found(api, "%") >= {percent["name"]} and plain["name"] not in found(api, "%")
    assert found(f"{api}/{plain['id']}/tasks", "_") == set()
    assert found(f"{api}/{under['id']}/tasks", "a_b") == {"A_B"}  # in any case, as before


def test_an_export_name_cannot_steer_how_the_download_shows(server: Server) -> None:
    """A plan named `\\u202eexe.txt` was offered for download as `filename*=...%E2%80%AEexe.txt.csv`,
    which shows as `vsc.txt.exe`; bidi and other format characters, controls and line separators are
    left out of the name."""
    from urllib.parse import unquote

    name = "\u202eexe.txt\u2028\u200b\x1b[31m"
    pid = httpx.post(f"{server.url}/api/plans", json={"name": name}, timeout=30).json()["data"]["id"]
    header = httpx.get(f"{server.url}/api/plans/{pid}/export?format=csv", timeout=60).headers
    disposition = header["content-disposition"]
    star = unquote(disposition.split("filename*=UTF-8''")[1])
    assert star.startswith("exe.txt") and star.endswith(".csv"), disposition
    assert not any(c in star for c in "\u202e\u2028\u200b\x1b"), disposition


def test_prometheus_mcp_with_a_url_that_is_none_says_so() -> None:
    """`prometheus mcp --url http://[::1` ended in "unexpected InvalidURL" (the CLI's crash line)."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "prometheus", "mcp", "--url", "http://[::1"],
        capture_output=True,
        text=True,
        input="",
        timeout=120,
    )
    said = out.stdout + out.stderr
    assert out.returncode == 2 and "is not a URL" in said and "unexpected" not in said, said


def test_a_page_of_another_site_cannot_open_the_websocket_while_auth_is_off(server: Server) -> None:
    """A WebSocket has no CORS: with authentication off (loopback, no token), any site the user visited
    could follow every plan over /ws and change tasks. Its own page (Origin as Host) and clients that
    send no Origin still may."""
    port = server.url.rsplit(":", 1)[1]

    async def opened(origin: str | None) -> object:
        try:
            async with websockets.connect(_ws(server), origin=origin) as ws:
                await ws.send(json.dumps({"action": "ping"}))
                return json.loads(await asyncio.wait_for(ws.recv(), 10))
        except websockets.ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None

    assert asyncio.run(opened("http://evil.example")) == 4403
    assert asyncio.run(opened("null")) == 4403
    assert asyncio.run(opened(f"http://127.0.0.1:{port}")) == {"type": "pong"}
    assert asyncio.run(opened(None)) == {"type": "pong"}
