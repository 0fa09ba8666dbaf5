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
                text = f"Advice on {len(body.get('prompt', ''))} characters of facts: keep a buffer."
                return self._send(
                    200, {"response": text, "model": "fake-model", "usage": {"total_tokens": 42}}
                )

        self.httpd, self.url = _serve(Handler)


class FakeEngram(_Peer):
    """Engram's ESR API: `POST /api/esr/store`, `POST /api/esr/search` (word overlap for vectors)."""

    def __init__(self) -> None:
        self.memories: list[dict] = []
        self.down = False
        outer = self

        class Handler(_JsonHandler):
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
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
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
