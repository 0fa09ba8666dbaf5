"""`Idempotency-Key` on POST: a retry of a request whose answer was lost gets that answer again instead of
creating a second time (Stripe's and the IETF draft's semantics).

The key is scoped to the bearer token. The first request claims it; a success (2xx) is kept for 24 hours
and replayed with `Idempotent-Replayed: true`; the same key with another method, path or body is 422
IDEMPOTENCY_KEY_REUSED; while the first request runs, another with its key gets 409 IDEMPOTENCY_KEY_IN_USE
(retry a moment later); a refused request frees its key.
"""

from __future__ import annotations

import hashlib

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from prometheus.api.envelope import error
from prometheus.store import idempotency

MAX_KEY = 255
KEPT_HEADERS = ("content-type", "content-disposition", "etag", "location")  # what a replay answers again


class Idempotency:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        key = headers.get(b"idempotency-key")
        if key is None or scope.get("method") != "POST" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= MAX_KEY:
            await error(400, "VALIDATION_ERROR", f"Idempotency-Key: 1 to {MAX_KEY} characters")(
                scope, receive, send
            )
            return
        body, more = b"", True
        while more:  # the whole body (BodyLimit, outside, bounds it), then handed on unchanged
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        token = headers.get(b"authorization", b"")
        key_hash = hashlib.sha256(token + b"\n" + key).hexdigest()
        fingerprint = hashlib.sha256(
            b"\n".join([scope["path"].encode(), scope.get("query_string", b""), body])
        ).hexdigest()
        db = scope["app"].state.db
        claim = await run_in_threadpool(idempotency.claim, db, key_hash, fingerprint)
        if claim.outcome == "reused":
            msg = "this Idempotency-Key was used for another request; use a new key for a new request"
            await error(422, "IDEMPOTENCY_KEY_REUSED", msg)(scope, receive, send)
            return
        if claim.outcome == "busy":
            msg = "a request with this Idempotency-Key is still running; retry in a moment"
            await error(409, "IDEMPOTENCY_KEY_IN_USE", msg)(scope, receive, send)
            return
        if claim.outcome == "replay":
            kept = [(k.encode(), v.encode()) for k, v in (claim.headers or {}).items()]
            await send(
                {
                    "type": "http.response.start",
                    "status": claim.status,
                    "headers": [*kept, (b"idempotent-replayed", b"true")],
                }
            )
            await send({"type": "http.response.body", "body": claim.body.encode()})
            return
        await self._run(scope, send, body, db, key_hash)

    async def _run(self, scope: Scope, send: Send, body: bytes, db, key_hash: str) -> None:  # noqa: ANN001
        """Run the request; its answer is recorded before its last part is sent (a retry that follows the
        answer finds it)."""
        sent = done = False
        status, kept, chunks = 500, {}, []

        async def record() -> None:
            nonlocal done
            if not done:
                done = True
                text = b"".join(chunks).decode("utf-8", "replace")
                await run_in_threadpool(idempotency.finish, db, key_hash, status, kept, text)

        async def replayed() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for k, v in message.get("headers", []):
                    if k.decode().lower() in KEPT_HEADERS:
                        kept[k.decode().lower()] = v.decode()
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await record()
            await send(message)

        try:
            await self.app(scope, replayed, recording)
        finally:
            await record()  # an answer cut short (status 500) frees the key
