"""Small HTTP servers on loopback that follow the Tekton peers' real contracts (shared/reference)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _JsonHandler(BaseHTTPRequestHandler):
    """Reads a JSON body, answers JSON, logs nothing."""

    def body(self) -> dict:
        return json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")

    def _send(self, status: int, data: object, raw: bytes | None = None) -> None:
        payload = raw if raw is not None else json.dumps(data).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


def _serve(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


class _Peer:
    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeRhetor(_Peer):
    """Rhetor's `POST /api/v1/generate` -> `{response, model, usage}`; `mode` switches to failures."""

    def __init__(self) -> None:
        self.mode = "ok"  # ok | error (HTTP 500) | garbage (malformed JSON)
        self.answer: str | None = None  # the response text to give, when set
        self.prompts: list[dict] = []
        outer = self

        class Handler(_JsonHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.body()
                if self.path != "/api/v1/generate":
                    return self._send(404, {"detail": "Not Found"})
                outer.prompts.append(body)
                if outer.mode == "error":
                    return self._send(500, {"detail": "provider error"})
                if outer.mode == "garbage":
                    return self._send(200, None, raw=b"{not json")
                text = (
                    outer.answer
                    or f"Advice on {len(body.get('prompt', ''))} characters of facts: keep a buffer."
                )
                return self._send(
                    200, {"response": text, "model": "fake-model", "usage": {"total_tokens": 42}}
                )

        self.httpd, self.url = _serve(Handler)


class FakeEngram(_Peer):
    """Engram's ESR API: `POST /api/esr/store`, `GET /api/esr/recall/{id}`, `POST /api/esr/search` (word
    overlap for vectors)."""

    def __init__(self) -> None:
        self.memories: list[dict] = []
        self.down = False
        outer = self

        class Handler(_JsonHandler):
            def do_GET(self) -> None:  # noqa: N802
                if outer.down:
                    return self._send(500, {"detail": "storage error"})
                if self.path.startswith("/api/esr/recall/"):
                    n = self.path.rsplit("/", 1)[1]
                    if not n.isdigit() or not 0 < int(n) <= len(outer.memories):
                        return self._send(404, {"detail": "memory not found"})
                    m = outer.memories[int(n) - 1]
                    memory = {
                        "content": m["content"],
                        "type": m.get("thought_type"),
                        "context": m.get("context", {}),
                    }
                    return self._send(200, {"status": "success", "memory": memory})
                return self._send(404, {"detail": "Not Found"})

            def do_POST(self) -> None:  # noqa: N802
                body = self.body()
                if outer.down:
                    return self._send(500, {"detail": "storage error"})
                if self.path == "/api/esr/store":
                    outer.memories.append(body)
                    return self._send(200, {"status": "stored", "memory_id": str(len(outer.memories))})
                if self.path == "/api/esr/search":
                    words = set(body.get("query", "").lower().split())
                    scored = [
                        (len(words & set(m["content"].lower().split())) / max(1, len(words)), m)
                        for m in outer.memories
                    ]
                    hits = sorted((x for x in scored if x[0] > 0), key=lambda x: -x[0])[
                        : body.get("limit", 5)
                    ]
                    results = [
                        {"content": m["content"], "context": m.get("context", {}), "score": s}
                        for s, m in hits
                    ]
                    return self._send(200, {"status": "success", "results": results, "count": len(results)})
                return self._send(404, {"detail": "Not Found"})

        self.httpd, self.url = _serve(Handler)


class WebhookReceiver:
    """A webhook endpoint on loopback that records what arrives; it can fail, and stop and start again."""

    def __init__(self, port: int | None = None) -> None:
        self.received: list[dict] = []
        self.fail_next = 0
        self.slow_next = 0  # answer this many requests only after `delay` seconds
        self.delay = 0.0
        self.port = port or 0
        self.httpd: ThreadingHTTPServer | None = None
        self.start()

    def start(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(length)
                if len(body) < length:  # the sender died mid-request (a test kills Prometheus): no delivery
                    return
                if outer.slow_next > 0:
                    outer.slow_next -= 1
                    time.sleep(outer.delay)
                if outer.fail_next > 0:
                    outer.fail_next -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.received.append({"headers": headers, "body": body, "at": time.perf_counter()})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def stop(self) -> None:
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def events(self) -> dict[str, dict]:
        """Received events by webhook-id (a redelivered event counts once)."""
        return {r["headers"]["webhook-id"]: json.loads(r["body"]) for r in self.received}


class TcpProxy:
    """Forwards a loopback port to another; `stop()` cuts every connection, as a database outage would."""

    def __init__(self, target_port: int, port: int = 0) -> None:
        import socket

        self.target_port = target_port
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", port))
        self.port = self.server.getsockname()[1]
        self.server.close()
        self.running = False
        self.start()

    def start(self) -> None:
        import socket

        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", self.port))
        self.server.listen(50)
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket

        while self.running:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                if not self.running:  # stopped meanwhile: this connection must not survive the outage
                    client.close()
                    upstream.close()
                    return
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b) -> None:  # noqa: ANN001
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()

    def stop(self) -> None:
        import socket

        with self.lock:
            self.running = False
        self.server.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.sockets = []


class _Scripted(_Peer):
    """A peer whose next answers can fail on purpose: `mode` ok | error (HTTP 500) | garbage (malformed
    JSON) | slow (answers after `delay` seconds)."""

    mode = "ok"
    delay = 0.0

    def failure(self, handler: _JsonHandler) -> bool:
        if self.mode == "slow":
            time.sleep(self.delay)
            return False
        if self.mode == "error":
            handler._send(500, {"detail": "internal error"})
            return True
        if self.mode == "garbage":
            handler._send(200, None, raw=b"{not json")
            return True
        return False


class FakeTelos(_Scripted):
    """Telos `/api/v1`: projects and requirements (no envelope), `PUT .../requirements/{rid} {status}`."""

    def __init__(self) -> None:
        self.projects: dict[str, dict] = {}
        self.calls: list[tuple[str, str, dict]] = []
        outer = self

        class Handler(_JsonHandler):
            def _route(self, method: str) -> None:
                body = self.body() if method == "PUT" else {}
                outer.calls.append((method, self.path, body))
                if outer.failure(self):
                    return None
                parts = self.path.split("?")[0].strip("/").split("/")
                if parts[:3] != ["api", "v1", "projects"] or len(parts) < 4 or parts[3] not in outer.projects:
                    return self._send(404, {"detail": "Project not found"})
                project = outer.projects[parts[3]]
                if len(parts) == 4 and method == "GET":
                    return self._send(
                        200,
                        {
                            "project_id": parts[3],
                            "name": project["name"],
                            "requirements": {r["requirement_id"]: r for r in project["reqs"]},
                        },
                    )
                if len(parts) == 5 and parts[4] == "requirements" and method == "GET":
                    return self._send(200, {"requirements": project["reqs"], "count": len(project["reqs"])})
                if len(parts) == 6 and parts[4] == "requirements" and method == "PUT":
                    for r in project["reqs"]:
                        if r["requirement_id"] == parts[5]:
                            r.update(body)
                            return self._send(200, {"project_id": parts[3], "requirement_id": parts[5]})
                    return self._send(404, {"detail": "Requirement not found"})
                return self._send(404, {"detail": "Not Found"})

            def do_GET(self) -> None:  # noqa: N802
                self._route("GET")

            def do_PUT(self) -> None:  # noqa: N802
                self._route("PUT")

        self.httpd, self.url = _serve(Handler)

    def add_project(self, pid: str, name: str, requirements: list[dict]) -> None:
        full = [
            {
                "title": "",
                "description": "",
                "requirement_type": "functional",
                "priority": "medium",
                "status": "new",
                "tags": [],
                "parent_id": None,
                "dependencies": [],
                "metadata": {},
                "history": [],
                **r,
            }
            for r in requirements
        ]
        self.projects[pid] = {"name": name, "reqs": full}

    def requirement(self, pid: str, rid: str) -> dict:
        return next(r for r in self.projects[pid]["reqs"] if r["requirement_id"] == rid)


class FakeSynthesis(_Scripted):
    """Synthesis `/api/v1/executions`: start (`{executionId, status}`), get (404 unknown), cancel. Steps run
    in list order; `advance()` finishes the next one (`data.step_results`), as the real engine would."""

    def __init__(self) -> None:
        self.executions: dict[str, dict] = {}
        outer = self

        class Handler(_JsonHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.body()
                if outer.failure(self):
                    return None
                if self.path == "/api/v1/executions":
                    steps = body.get("plan", {}).get("steps")
                    if not isinstance(steps, list):
                        return self._send(
                            200, {"executionId": None, "status": "error", "message": "no steps"}
                        )
                    eid = f"exec-{len(outer.executions) + 1}"
                    outer.executions[eid] = {"request": body, "status": "running", "done": 0}
                    return self._send(
                        200,
                        {
                            "executionId": eid,
                            "status": "running",
                            "message": "started",
                            "data": {},
                            "errors": [],
                        },
                    )
                return self._send(404, {"detail": "Not Found"})

            def do_GET(self) -> None:  # noqa: N802
                if outer.failure(self):
                    return None
                eid = self.path.rsplit("/", 1)[1]
                if not self.path.startswith("/api/v1/executions/") or eid not in outer.executions:
                    return self._send(404, {"detail": "Execution not found"})
                e = outer.executions[eid]
                steps = e["request"]["plan"]["steps"]
                results = {s["id"]: {"status": "completed"} for s in steps[: e["done"]]}
                if e["status"] == "running" and e["done"] < len(steps):
                    results[steps[e["done"]]["id"]] = {"status": "running"}
                return self._send(
                    200,
                    {
                        "executionId": eid,
                        "status": e["status"],
                        "data": {"step_results": results},
                        "errors": [],
                    },
                )

        self.httpd, self.url = _serve(Handler)

    def advance(self, eid: str) -> None:
        e = self.executions[eid]
        e["done"] += 1
        if e["done"] >= len(e["request"]["plan"]["steps"]):
            e["status"] = "completed"


class FakeHermes(_Scripted):
    """Hermes `/api`: register (token; the component's id is the one it asks for, else `{name}-1`),
    heartbeat and unregister (token header required, else 422 as the real one), components by id or name
    for discovery, A2A JSON-RPC `channel.subscribe` / `channel.publish` (token required)."""

    def __init__(self) -> None:
        self.components: dict[str, dict] = {}
        self.heartbeats = 0
        self.unregistered: list[str] = []
        self.subscriptions: list[str] = []
        self.callbacks: dict[str, str] = {}  # channel -> where its events go
        self.published: list[dict] = []
        outer = self

        class Handler(_JsonHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.body()
                if outer.failure(self):
                    return None
                path, _, query = self.path.partition("?")
                token = self.headers.get("X-Authentication-Token")
                if path == "/api/register":
                    cid = body.get("component_id") or f"{body['name']}-1"
                    outer.components[cid] = body | {"componentId": cid}
                    return self._send(
                        200,
                        {"success": True, "componentId": cid, "token": "tok-" + cid, "message": "registered"},
                    )
                if path == "/api/heartbeat":
                    if not token:
                        return self._send(422, {"detail": "missing X-Authentication-Token"})
                    outer.heartbeats += 1
                    return self._send(200, {"success": True, "timestamp": time.time(), "message": "ok"})
                if path == "/api/unregister":
                    if not token:
                        return self._send(422, {"detail": "missing X-Authentication-Token"})
                    outer.unregistered.append(query.partition("=")[2])
                    return self._send(200, {"success": True, "message": "unregistered"})
                if path == "/api/a2a/v1/":
                    if not (self.headers.get("Authorization") or "").startswith("Bearer tok-"):
                        return self._send(
                            200,
                            {
                                "jsonrpc": "2.0",
                                "id": body.get("id"),
                                "error": {"code": -32002, "message": "Invalid authorization header format"},
                            },
                        )
                    params = body.get("params", {})
                    if body.get("method") == "channel.subscribe":
                        outer.subscriptions.append(params["channel"])
                        outer.callbacks[params["channel"]] = params.get("callback_url")
                    elif body.get("method") == "channel.publish":
                        outer.published.append(params)
                    return self._send(200, {"jsonrpc": "2.0", "id": body.get("id"), "result": {"ok": True}})
                return self._send(404, {"detail": "Not Found"})

            def do_GET(self) -> None:  # noqa: N802
                if outer.failure(self):
                    return None
                name = self.path.rsplit("/", 1)[1]
                found = outer.components.get(name) or next(
                    (c for c in outer.components.values() if c.get("name") == name), None
                )
                if self.path.startswith("/api/components/") and found:
                    return self._send(200, found)
                return self._send(404, {"detail": "Component not found"})

        self.httpd, self.url = _serve(Handler)


class FakeExternal(_Peer):
    """Any external system with a JSON API: records what is posted to it and answers `{received, path}`."""

    def __init__(self) -> None:
        self.received: list[tuple[str, object]] = []
        outer = self

        class Handler(_JsonHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"null")
                outer.received.append((self.path, body))
                return self._send(200, {"received": len(outer.received), "path": self.path})

        self.httpd, self.url = _serve(Handler)
