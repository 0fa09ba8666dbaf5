"""Python client for the Prometheus API, sync (`PrometheusClient`) and async (`AsyncPrometheusClient`).

    with PrometheusClient("http://127.0.0.1:8006") as api:
        plan = api.create_plan("Launch", start_date="2026-12-01")
        a = api.add_task(plan["id"], "Design", duration=3)

Errors raise `PrometheusAPIError` subclasses carrying the status, error code, message and details.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx


class PrometheusAPIError(Exception):
    def __init__(self, status: int, error_code: str, message: str, details: dict | None = None):
        super().__init__(f"{status} {error_code}: {message}")
        self.status, self.error_code, self.message, self.details = status, error_code, message, details or {}


class ValidationError(PrometheusAPIError):
    pass


class NotFoundError(PrometheusAPIError):
    pass


class ConflictError(PrometheusAPIError):
    """A stale version or a duplicate (RESOURCE_CONFLICT)."""


class DependencyError(PrometheusAPIError):
    """A link that would close a cycle, or names unknown tasks."""


class UnavailableError(PrometheusAPIError):
    pass


_BY_CODE = {
    "VALIDATION_ERROR": ValidationError,
    "NOT_FOUND": NotFoundError,
    "RESOURCE_CONFLICT": ConflictError,
    "DEPENDENCY_ERROR": DependencyError,
    "SERVICE_UNAVAILABLE": UnavailableError,
    "INTEGRATION_UNAVAILABLE": UnavailableError,
}


def _raise_for(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        body = response.json()
    except ValueError:
        body = {}
    code = body.get("error_code", "HTTP_ERROR")
    cls = _BY_CODE.get(code, PrometheusAPIError)
    raise cls(response.status_code, code, body.get("message", response.text[:200]), body.get("details"))


@dataclass
class _Call:
    method: str
    path: str
    json: Any = None
    params: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    content: bytes | None = None
    raw: bool = False  # the body itself, not the envelope's data
    envelope: bool = True


def _result(call: _Call, response: httpx.Response) -> Any:
    _raise_for(response)
    if call.raw:
        return response.content
    return response.json()["data"] if call.envelope else response.json()


def _if_match(version: int | None) -> dict:
    return {"If-Match": f'"{version}"'} if version is not None else {}


class _Api:
    """Every operation, once; the sync and async clients only differ in how a call is sent."""

    def _call(self, call: _Call) -> Any:  # pragma: no cover - replaced below
        raise NotImplementedError

    # plans
    def create_plan(self, name: str, **fields: Any) -> Any:
        return self._call(_Call("POST", "/api/plans", {"name": name, **fields}))

    def list_plans(self, **params: Any) -> Any:
        return self._call(_Call("GET", "/api/plans", params=params))

    def get_plan(self, plan_id: str, include_tasks: bool = True) -> Any:
        return self._call(_Call("GET", f"/api/plans/{plan_id}", params={"include_tasks": include_tasks}))

    def update_plan(self, plan_id: str, version: int | None = None, **changes: Any) -> Any:
        return self._call(_Call("PATCH", f"/api/plans/{plan_id}", changes, headers=_if_match(version)))

    def delete_plan(self, plan_id: str, version: int | None = None) -> Any:
        return self._call(_Call("DELETE", f"/api/plans/{plan_id}", headers=_if_match(version)))

    # tasks and links
    def add_task(self, plan_id: str, name: str, **fields: Any) -> Any:
        return self._call(_Call("POST", f"/api/plans/{plan_id}/tasks", {"name": name, **fields}))

    def get_tasks(self, plan_id: str, **filters: Any) -> Any:
        return self._call(_Call("GET", f"/api/plans/{plan_id}/tasks", params=filters))

    def update_task(self, plan_id: str, task_id: str, version: int | None = None, **changes: Any) -> Any:
        path = f"/api/plans/{plan_id}/tasks/{task_id}"
        return self._call(_Call("PATCH", path, changes, headers=_if_match(version)))

    def update_progress(self, plan_id: str, task_id: str, version: int | None = None, **progress: Any) -> Any:
        path = f"/api/plans/{plan_id}/tasks/{task_id}/progress"
        return self._call(_Call("PUT", path, progress, headers=_if_match(version)))

    def add_dependency(self, plan_id: str, predecessor_id: str, successor_id: str, **fields: Any) -> Any:
        body = {"predecessor_id": predecessor_id, "successor_id": successor_id, **fields}
        return self._call(_Call("POST", f"/api/plans/{plan_id}/dependencies", body))

    def add_resource(self, plan_id: str, name: str, **fields: Any) -> Any:
        return self._call(_Call("POST", f"/api/plans/{plan_id}/resources", {"name": name, **fields}))

    # computed views
    def critical_path(self, plan_id: str) -> Any:
        return self._call(_Call("GET", f"/api/plans/{plan_id}/critical-path"))

    def timeline(self, plan_id: str, format: str = "default", include_resources: bool = False) -> Any:
        params = {"format": format, "include_resources": include_resources}
        return self._call(_Call("GET", f"/api/plans/{plan_id}/timeline", params=params))

    def summary(self, plan_id: str) -> Any:
        return self._call(_Call("GET", f"/api/plans/{plan_id}/summary"))

    def costs(self, plan_id: str) -> Any:
        return self._call(_Call("GET", f"/api/plans/{plan_id}/costs"))

    def candidates(self, plan_id: str, task_id: str) -> Any:
        return self._call(_Call("GET", f"/api/plans/{plan_id}/tasks/{task_id}/candidates"))

    def level(
        self, plan_id: str, *, apply: bool = False, solver: str = "heuristic", time_limit: float = 10
    ) -> Any:
        params = {"apply": apply, "solver": solver, "time_limit": time_limit}
        return self._call(_Call("POST", f"/api/plans/{plan_id}/level", params=params))

    # files
    def export_plan(self, plan_id: str, format: str = "json") -> Any:
        return self._call(_Call("GET", f"/api/plans/{plan_id}/export", params={"format": format}, raw=True))

    def import_plan(self, data: bytes, *, format: str | None = None, filename: str | None = None,
                    name: str | None = None) -> Any:  # fmt: skip
        params = {k: v for k, v in {"format": format, "filename": filename, "name": name}.items() if v}
        return self._call(_Call("POST", "/api/plans/import", params=params, content=data))

    # webhooks
    def register_webhook(self, url: str, events: list[str] | None = None, secret: str | None = None) -> Any:
        body = {k: v for k, v in {"url": url, "events": events, "secret": secret}.items() if v}
        return self._call(_Call("POST", "/api/webhooks/register", body))

    def list_webhooks(self) -> Any:
        return self._call(_Call("GET", "/api/webhooks"))

    def get_webhook(self, webhook_id: str) -> Any:
        return self._call(_Call("GET", f"/api/webhooks/{webhook_id}"))

    def delete_webhook(self, webhook_id: str) -> Any:
        return self._call(_Call("DELETE", f"/api/webhooks/{webhook_id}"))

    def test_webhook(self, webhook_id: str) -> Any:
        return self._call(_Call("POST", f"/api/webhooks/{webhook_id}/test"))

    def webhook_deliveries(self, webhook_id: str, status: str | None = None) -> Any:
        params = {"status": status} if status else {}
        return self._call(_Call("GET", f"/api/webhooks/{webhook_id}/deliveries", params=params))

    def redeliver(self, webhook_id: str, delivery_id: str) -> Any:
        return self._call(_Call("POST", f"/api/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"))

    def health(self) -> Any:
        return self._call(_Call("GET", "/health", envelope=False))


class PrometheusClient(_Api):
    def __init__(
        self, base_url: str = "http://127.0.0.1:8006", *, token: str | None = None, timeout: float = 30
    ):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=base_url, timeout=timeout, headers=headers)

    def _call(self, call: _Call) -> Any:
        response = self.http.request(
            call.method,
            call.path,
            json=call.json,
            params=call.params,
            headers=call.headers,
            content=call.content,
        )
        return _result(call, response)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncPrometheusClient(_Api):
    def __init__(
        self, base_url: str = "http://127.0.0.1:8006", *, token: str | None = None, timeout: float = 30
    ):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.AsyncClient(base_url=base_url, timeout=timeout, headers=headers)

    async def _call(self, call: _Call) -> Any:
        response = await self.http.request(
            call.method,
            call.path,
            json=call.json,
            params=call.params,
            headers=call.headers,
            content=call.content,
        )
        return _result(call, response)

    async def close(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncPrometheusClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
