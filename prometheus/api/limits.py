"""Limits on the request itself, before any route: bodies above PROMETHEUS_MAX_BODY_BYTES get 413 before they
are read whole, whether they announce a Content-Length or arrive chunked (counted as they arrive); a URL
holding a NUL character is refused (PostgreSQL cannot compare one, and SQLite would)."""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from prometheus.api.envelope import error


class _TooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = over = False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    over = True
                    raise _TooLarge
            return message

        async def watch(message: Message) -> None:
            nonlocal started
            if over and not started:  # the app's answer to a body cut short (a 400): ours is the 413
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(_TooLarge):
            await self.app(scope, counted, watch)
        if over and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error(413, "PAYLOAD_TOO_LARGE", f"request bodies are limited to {self.max_bytes:,} bytes")
        await response(scope, receive, send)


class PlainURL:
    """The one rule for a NUL character in the URL, for every route: in the path it names nothing (404), in
    a query parameter it is refused (422). A body's texts are checked by the inputs (`core/bounds.py`)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"")
            if "\x00" in scope["path"]:
                await error(404, "NOT_FOUND", "no resource's id holds a NUL character (\\u0000)")(
                    scope, receive, send
                )
                return
            if b"%00" in query or b"\x00" in query:
                names = [
                    k
                    for k, v in parse_qsl(query.decode("latin-1"), keep_blank_values=True)
                    if "\x00" in k + v
                ]
                message = f"query parameter {names[0] if names else ''!r} holds a NUL character (\\u0000)"
                await error(422, "VALIDATION_ERROR", message)(scope, receive, send)
                return
        await self.app(scope, receive, send)
