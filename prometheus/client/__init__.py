"""Python clients for the Prometheus API: `PrometheusClient` (async, as the integration guide awaits it)
and `SyncPrometheusClient` (the same methods and results, blocking).

    client = PrometheusClient(base_url="http://localhost:8006/api")
    plan_id = await client.create_plan(name="Launch", start_date=datetime.now().isoformat())
    await client.add_task(plan_id=plan_id, name="Design", duration=3, duration_unit="days")

    with SyncPrometheusClient() as api:        # PROMETHEUS_URL, else http://127.0.0.1:$PROMETHEUS_PORT
        print(api.get_tasks(plan_id))

The base URL may end in `/api` or not. Every failure raises a `PrometheusError` (see errors.py):
`ServerUnreachableError` when nothing answers, else a `PrometheusAPIError` subclass with the server's status,
error code, message and details. The async client opens a connection pool for an `async with` block and
otherwise one per call, so an instance can be used from any event loop.
"""

from __future__ import annotations

import os
from typing import Any

import httpx

from prometheus import tls
from prometheus.client.calls import Call, Op
from prometheus.client.errors import (
    AuthenticationError,
    ConflictError,
    DependencyError,
    NotFoundError,
    PermissionDeniedError,
    PrometheusAPIError,
    PrometheusError,
    ServerUnreachableError,
    UnavailableError,
    ValidationError,
    unreachable,
    unsendable,
)
from prometheus.client.tekton import TektonOperations
from prometheus.config import prometheus_url

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "DependencyError",
    "NotFoundError",
    "PermissionDeniedError",
    "PrometheusAPIError",
    "PrometheusClient",
    "PrometheusError",
    "ServerUnreachableError",
    "SyncPrometheusClient",
    "UnavailableError",
    "ValidationError",
]


class _Base(TektonOperations):
    def __init__(
        self,
        base_url: str | None = None,
        *,
        token: str | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
    ):
        """base_url: `http://host:port` or `http://host:port/api` (default: PROMETHEUS_URL, else
        http://127.0.0.1:$PROMETHEUS_PORT). token: an API token (default: PROMETHEUS_TOKEN)."""
        url = (base_url or prometheus_url()).rstrip("/")
        self.url = url.removesuffix("/api")
        token = token or os.environ.get("PROMETHEUS_TOKEN")
        self.timeout = timeout
        self._options: dict[str, Any] = {
            "base_url": self.url,
            "timeout": timeout,
            "headers": {"Authorization": f"Bearer {token}"} if token else {},
            "verify": tls.context(),
        }
        if transport is not None:
            self._options["transport"] = transport

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"

    @staticmethod
    def _request(call: Call) -> dict[str, Any]:
        return {"json": call.json, "params": call.params, "headers": call.headers, "content": call.content}


class PrometheusClient(_Base):
    """The async client: every method is a coroutine."""

    def __init__(self, base_url: str | None = None, **options: Any):
        super().__init__(base_url, **options)
        self._http: httpx.AsyncClient | None = None

    async def _send(self, call: Call) -> Any:
        try:
            if self._http is not None:
                response = await self._http.request(call.method, call.path, **self._request(call))
            else:
                async with httpx.AsyncClient(**self._options) as http:
                    response = await http.request(call.method, call.path, **self._request(call))
        except (httpx.InvalidURL, httpx.LocalProtocolError, ValueError) as exc:
            raise unsendable(exc) from None
        except httpx.TransportError as exc:
            raise unreachable(self.url, exc, self.timeout) from None
        return call.result(response)

    async def _drive(self, op: Op) -> Any:
        try:
            call = next(op)
            while True:
                try:
                    result = await self._send(call)
                except PrometheusError as exc:
                    call = op.throw(exc)
                else:
                    call = op.send(result)
        except StopIteration as done:
            return done.value

    def _run(self, op: Op) -> Any:
        return self._drive(op)

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> PrometheusClient:
        self._http = httpx.AsyncClient(**self._options)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class SyncPrometheusClient(_Base):
    """The blocking client: the same methods and results as PrometheusClient."""

    def __init__(self, base_url: str | None = None, **options: Any):
        super().__init__(base_url, **options)
        try:
            self._http = httpx.Client(**self._options)
        except (httpx.InvalidURL, ValueError) as exc:  # a URL or a token that is not one
            raise unsendable(exc) from None

    def _send(self, call: Call) -> Any:
        try:
            response = self._http.request(call.method, call.path, **self._request(call))
        except (httpx.InvalidURL, httpx.LocalProtocolError, ValueError) as exc:
            raise unsendable(exc) from None
        except httpx.TransportError as exc:
            raise unreachable(self.url, exc, self.timeout) from None
        return call.result(response)

    def _run(self, op: Op) -> Any:
        try:
            call = next(op)
            while True:
                try:
                    result = self._send(call)
                except PrometheusError as exc:
                    call = op.throw(exc)
                else:
                    call = op.send(result)
        except StopIteration as done:
            return done.value

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncPrometheusClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
