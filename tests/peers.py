"""Small HTTP servers on loopback that follow the Tekton peers' real contracts (shared/reference)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeRhetor:
    """Rhetor's `POST /api/v1/generate` -> `{response, model, usage}`; `mode` switches to failures."""

    def __init__(self) -> None:
        self.mode = "ok"  # ok | error (HTTP 500) | garbage (malformed JSON)
        self.prompts: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
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

            def _send(self, status: int, data: object, raw: bytes | None = None) -> None:
                payload = raw if raw is not None else json.dumps(data).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
