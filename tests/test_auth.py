"""Bearer tokens and scopes, the loopback rule, and the request size limit, on real servers."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time

import httpx
import pytest
import websockets

from tests.cli_runner import run_prometheus
from tests.conftest import Server

READ, WRITE, ADMIN = "reader-token-0001", "writer-token-0001", "admin-token-00001"
TOKENS = {"PROMETHEUS_API_TOKENS": f"{READ}:read,{WRITE}:write,{ADMIN}:admin"}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def secured(make_database_url, tmp_path_factory):  # noqa: ANN001, ANN201
    """A server with configured tokens, shared by the tests that only read through it or write plans."""
    log = tmp_path_factory.mktemp("secured") / "log"
    srv = Server(make_database_url("sqlite"), log, env={**TOKENS, "PROMETHEUS_MAX_BODY_BYTES": "20000"})
    yield srv.start()
    srv.stop()


def test_scopes(secured) -> None:  # noqa: ANN001
    api = httpx.Client(base_url=secured.url, timeout=30)
    assert api.get("/health").status_code == 200 and api.get("/openapi.json").status_code == 200
    r = api.get("/api/plans")
    assert (
        r.status_code == 401
        and r.json()["error_code"] == "UNAUTHORIZED"
        and r.headers["www-authenticate"] == "Bearer"
    )
    assert api.get("/api/plans", headers=bearer("wrong-token-00000")).status_code == 401
    assert api.get("/api/plans", headers=bearer(READ)).status_code == 200
    r = api.post("/api/plans", json={"name": "x"}, headers=bearer(READ))
    assert r.status_code == 403 and "'write'" in r.json()["message"]
    assert api.post("/api/plans", json={"name": "x"}, headers=bearer(WRITE)).status_code == 201
    hook = {"url": "https://example.com/hook"}
    assert api.post("/api/webhooks/register", json=hook, headers=bearer(WRITE)).status_code == 403
    assert api.get("/api/webhooks", headers=bearer(ADMIN)).status_code == 200
    assert api.post("/api/plans", json={"name": "y"}, headers=bearer(ADMIN)).status_code == 201
    big = api.post("/api/plans", json={"name": "z", "description": "x" * 30_000}, headers=bearer(WRITE))
    assert big.status_code == 413 and big.json()["error_code"] == "PAYLOAD_TOO_LARGE"

    from prometheus.client import PrometheusAPIError, SyncPrometheusClient

    with SyncPrometheusClient(secured.url, token=READ) as client:
        assert isinstance(client.list_plans(), list)
    with SyncPrometheusClient(secured.url) as client, pytest.raises(PrometheusAPIError) as err:
        client.list_plans()
    assert err.value.status == 401


def test_websocket_needs_a_token(secured) -> None:  # noqa: ANN001
    url = secured.url.replace("http", "ws") + "/ws"

    async def run() -> tuple[int | None, dict]:
        async with websockets.connect(url) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            code = closed.value.rcvd.code if closed.value.rcvd else None
        async with websockets.connect(url + f"?token={READ}") as ws:
            await ws.send(json.dumps({"action": "ping"}))
            return code, json.loads(await ws.recv())

    code, pong = asyncio.run(run())
    assert code == 4401 and pong == {"type": "pong"}


def test_websocket_writes_need_the_write_scope(secured) -> None:  # noqa: ANN001
    """A read-only token may subscribe over /ws but not change a task there; a write token may."""
    api = httpx.Client(base_url=secured.url + "/api", timeout=30, headers=bearer(WRITE))
    pid = api.post("/plans", json={"name": "ws"}).json()["data"]["id"]
    tid = api.post(f"/plans/{pid}/tasks", json={"name": "before"}).json()["data"]["id"]
    url = secured.url.replace("http", "ws") + "/ws"
    change = {"action": "update_task", "plan_id": pid, "task_id": tid, "changes": {"name": "hacked"}}

    async def send(token: str) -> dict:
        async with websockets.connect(url + f"?token={token}") as ws:
            await ws.send(json.dumps(change))
            return json.loads(await ws.recv())

    denied = asyncio.run(send(READ))
    assert denied["type"] == "error" and denied["error_code"] == "FORBIDDEN", denied
    assert "'write'" in denied["message"]
    assert api.get(f"/plans/{pid}/tasks/{tid}").json()["data"]["name"] == "before"
    allowed = asyncio.run(send(WRITE))
    assert allowed["type"] == "task.updated" and allowed["task"]["name"] == "hacked", allowed


def test_a_chunked_body_over_the_limit_gets_413(secured) -> None:  # noqa: ANN001
    """No Content-Length (chunked transfer): the body is counted as it arrives and refused past the limit."""

    def chunks():  # noqa: ANN202
        yield b'{"name": "big", "description": "'
        for _ in range(50):
            yield b"x" * 1000
        yield b'"}'

    headers = {**bearer(WRITE), "content-type": "application/json"}
    r = httpx.post(secured.url + "/api/plans", content=chunks(), headers=headers, timeout=30)
    assert "content-length" not in r.request.headers
    assert r.status_code == 413, r.text
    assert r.json()["error_code"] == "PAYLOAD_TOO_LARGE"
    r = httpx.post(secured.url + "/api/plans/import", content=chunks(), headers=headers, timeout=30)
    assert r.status_code == 413, r.text


def test_stored_tokens_and_revocation(make_database_url, tmp_path) -> None:
    url = make_database_url("sqlite")
    env = {"PROMETHEUS_DATABASE_URL": url}
    run = lambda *a: run_prometheus("tokens", *a, env=env)  # noqa: E731
    made = run_prometheus("tokens", "create", "ci-bot", "--scope", "write", env=env, own_process=True)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    from pathlib import Path

    from prometheus.api.auth import hash_token

    files = [Path(url.removeprefix("sqlite:///")), Path(url.removeprefix("sqlite:///") + "-wal")]
    stored = "".join(f.read_bytes().decode("latin-1") for f in files if f.exists())
    assert token.startswith("pmt_") and token not in stored and hash_token(token) in stored  # only its hash
    assert "ci-bot" in run("list").stdout
    srv = Server(url, tmp_path / "log").start()  # loopback, but a stored token exists: authentication is on
    try:
        api = httpx.Client(base_url=srv.url, timeout=30)
        assert api.get("/api/plans").status_code == 401
        assert api.post("/api/plans", json={"name": "bot"}, headers=bearer(token)).status_code == 201
        assert run("revoke", "ci-bot").returncode == 0
        time.sleep(5.5)  # tokens are cached for 5 s
        assert api.get("/api/plans", headers=bearer(token)).status_code == 401
    finally:
        srv.stop()
    assert "authentication is ON" in (tmp_path / "log").read_text()


def test_open_only_on_loopback(make_database_url, tmp_path) -> None:
    srv = Server(make_database_url("sqlite"), tmp_path / "log", env={"PROMETHEUS_HOST": "0.0.0.0"}).start()
    try:
        r = httpx.get(srv.url + "/api/plans")
        assert r.status_code == 401  # bound to every interface with no token: nothing is open
    finally:
        srv.stop()
    log = (tmp_path / "log").read_text()
    assert "no token exists, so every API call is refused" in log


def test_a_malformed_authorization_header_is_401(secured) -> None:  # noqa: ANN001
    """Header bytes that are not UTF-8, a bare scheme, another scheme, a token with a tail: 401 (the bytes
    that are not UTF-8 were a 500), and the socket's `?token=` likewise."""
    for value in (b"Bearer \xe9", b"Bearer \xff\xfe", b"Bearer", b"Basic d3Q6", f"Bearer {WRITE} x".encode()):
        r = httpx.post(f"{secured.url}/api/plans", json={"name": "no"}, headers={"Authorization": value})
        assert r.status_code == 401 and r.json()["error_code"] == "UNAUTHORIZED", (value, r.text)
    r = httpx.post(
        f"{secured.url}/api/plans", json={"name": "yes"}, headers={"Authorization": f"bearer {WRITE}"}
    )
    assert r.status_code == 201, r.text

    async def refused(query: str) -> int:
        async with websockets.connect(secured.url.replace("http", "ws") + "/ws" + query) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
            return closed.value.rcvd.code

    for query in ("?token=%ff", "?token=%00", "?token="):
        assert asyncio.run(refused(query)) == 4401


def test_two_authorization_headers_are_refused(secured) -> None:  # noqa: ANN001
    """Authorization is not a list: a request carrying two is refused (401, whatever their order), never
    granted on one of them (a proxy checking the first while Prometheus took the last would disagree)."""
    for first, second in ((READ, WRITE), (WRITE, READ), (WRITE, "forged")):
        headers = [("Authorization", f"Bearer {first}"), ("Authorization", f"Bearer {second}")]
        r = httpx.post(f"{secured.url}/api/plans", json={"name": "two"}, headers=headers)
        assert r.status_code == 401 and r.json()["error_code"] == "UNAUTHORIZED", r.text
        assert "one Authorization header" in r.json()["message"]
    r = httpx.post(f"{secured.url}/api/plans", json={"name": "one"}, headers=bearer(WRITE))
    assert r.status_code == 201, r.text


def test_made_up_tokens_are_not_remembered_for_good(backend: str, make_database_url, monkeypatch) -> None:  # noqa: ANN001
    """Every token tried was cached for good (its 5 seconds over, still kept): unauthenticated callers
    flooding made-up tokens grew the server without bound. The cache stays within CACHED (made 200 here:
    10,000 lookups of the database took 15 s)."""
    import uuid

    from prometheus.api import auth
    from prometheus.api.auth import AuthPolicy
    from prometheus.config import Settings
    from prometheus.store import Database

    monkeypatch.setattr(auth, "CACHED", 200)
    CACHED = auth.CACHED  # noqa: N806

    db = Database(make_database_url(backend))
    db.migrate()
    policy = AuthPolicy(Settings().model_copy(update={"api_tokens": f"{READ}:read"}))
    try:
        for _ in range(CACHED + 50):
            assert policy.scopes(db, uuid.uuid4().hex) is None
        assert len(policy._cache) <= CACHED
        assert policy.scopes(db, READ) == {"read"}
    finally:
        db.dispose()


def test_a_token_name_that_is_no_name_is_refused_on_both_databases(backend: str, make_database_url) -> None:
    """201 characters: PostgreSQL's unexpected DataError where SQLite stored it; a name not UTF-8 (a lone
    surrogate): an unexpected UnicodeEncodeError; empty: a token nobody could name. Each is refused
    clearly and nothing is stored."""
    env = {"PROMETHEUS_DATABASE_URL": make_database_url(backend)}

    def run(*args: str) -> subprocess.CompletedProcess:
        return run_prometheus("tokens", *args, env=env)

    for name, said in (
        ("n" * 201, "1 to 200 characters"),
        ("", "1 to 200"),
        ("a\udcffb", "lone surrogate"),  # as a name of bytes not UTF-8 reaches the program
    ):
        out = run("create", name)
        text = out.stdout + out.stderr
        assert out.returncode == 1 and said in text and "unexpected" not in text, (name[:10], text)
    assert run("create", "n" * 200).returncode == 0
    assert "n" * 201 not in run("list").stdout
