"""With authentication off (loopback, no token), what a web page the user visits can do: nothing.

A page of a site whose name it points at 127.0.0.1 once loaded (DNS rebinding) is, to the browser, the
server's own page: no CORS stops it. A page of any site can send a form or a no-CORS fetch: the answer is
unread, the change made. Both are refused; scripts, the CLI, the client and the server's own page are not.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import httpx
import pytest
import websockets

from tests.conftest import Server


def _names(server: Server) -> set[str]:
    return {p["name"] for p in httpx.get(f"{server.url}/api/plans", timeout=30).json()["data"]}


def test_a_rebound_name_can_neither_read_nor_change_plans(server: Server) -> None:
    port = server.port
    mark = f"rebound {uuid.uuid4().hex[:8]}"
    for host in (f"attacker.example.com:{port}", f"127.0.0.1.nip.io:{port}", "evil.com."):
        headers = {"host": host}
        for method, path, body in (
            ("GET", "/api/plans", None),
            ("GET", "/", None),
            ("POST", "/api/plans", {"name": mark}),
        ):
            r = httpx.request(method, f"{server.url}{path}", json=body, headers=headers, timeout=30)
            assert r.status_code == 421, (host, path, r.status_code, r.text[:200])
            assert (
                r.json()["error_code"] == "MISDIRECTED_REQUEST"
                and "PROMETHEUS_PUBLIC_URL" in r.json()["message"]
            )
    assert mark not in _names(server)
    # the names a browser cannot be steered to by a public DNS answer still reach it
    for host in (
        f"localhost:{port}",
        f"127.0.0.1:{port}",
        f"[::1]:{port}",
        f"devbox:{port}",
        "app.localhost",
    ):
        r = httpx.get(f"{server.url}/api/plans", headers={"host": host}, timeout=30)
        assert r.status_code == 200, (host, r.text[:200])


def test_a_page_of_another_site_cannot_change_plans(server: Server) -> None:
    api = f"{server.url}/api/plans"
    mark = f"cross-site {uuid.uuid4().hex[:8]}"
    plan = httpx.post(api, json={"name": f"{mark} kept"}, timeout=30).json()["data"]
    for origin in ("http://evil.example", "null", f"http://127.0.0.1:{server.port + 1}"):
        foreign = {"origin": origin}
        refused = [
            httpx.post(api, json={"name": mark}, headers=foreign, timeout=30),
            # a form's body: a simple request, sent without asking the server first
            httpx.post(
                f"{api}/import",
                params={"format": "json"},
                content=json.dumps({"plan": {"name": mark}, "tasks": []}),
                headers=foreign | {"content-type": "text/plain"},
                timeout=30,
            ),
            httpx.patch(f"{api}/{plan['id']}", json={"name": mark}, headers=foreign, timeout=30),
            httpx.delete(f"{api}/{plan['id']}", headers=foreign, timeout=30),
        ]
        for r in refused:
            assert r.status_code == 403, (origin, r.request.method, r.status_code, r.text[:200])
            assert r.json()["error_code"] == "FORBIDDEN" and origin in r.json()["message"]
        # reading is not refused: without CORS the page cannot see the answer
        assert httpx.get(api, headers=foreign, timeout=30).status_code == 200
    assert mark not in _names(server) and f"{mark} kept" in _names(server)
    # the server's own page (Origin as Host) and clients that send no Origin may
    own = {"origin": server.url}
    r = httpx.patch(f"{api}/{plan['id']}", json={"name": f"{mark} renamed"}, headers=own, timeout=30)
    assert r.status_code == 200, r.text
    assert httpx.delete(f"{api}/{plan['id']}", timeout=30).status_code == 200


def test_a_websocket_to_a_rebound_name_is_closed(server: Server) -> None:
    """The WebSocket's Origin check compared the Origin with the Host: a rebound name makes them agree."""

    async def opened(host: str) -> object:
        uri = f"ws://{host}/ws"
        try:
            async with websockets.connect(
                uri, origin=f"http://{host}", host="127.0.0.1", port=server.port
            ) as ws:
                await ws.send(json.dumps({"action": "ping"}))
                return json.loads(await asyncio.wait_for(ws.recv(), 10))
        except websockets.ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None

    assert asyncio.run(opened(f"attacker.example.com:{server.port}")) == 4403
    assert asyncio.run(opened(f"localhost:{server.port}")) == {"type": "pong"}


@pytest.fixture
def public(make_database_url, tmp_path: Path):  # noqa: ANN001, ANN201
    srv = Server(
        make_database_url("sqlite"),
        tmp_path / "log",
        env={"PROMETHEUS_PUBLIC_URL": "https://plans.example.org"},
    ).start()
    yield srv
    srv.stop()


def test_the_public_url_is_let_in(public: Server) -> None:
    """Behind a proxy that keeps the Host, PROMETHEUS_PUBLIC_URL names the server."""
    api = f"{public.url}/api/plans"
    headers = {"host": "plans.example.org", "origin": "https://plans.example.org"}
    r = httpx.post(api, json={"name": "through the proxy"}, headers=headers, timeout=30)
    assert r.status_code == 201, r.text
    assert httpx.get(api, headers={"host": "other.example.org"}, timeout=30).status_code == 421
