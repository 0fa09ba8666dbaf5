"""Hermes, the registry and message bus (`/api`): `POST /api/register` -> `{componentId, token}`,
`POST /api/heartbeat` and `POST /api/unregister?component_id=` with `X-Authentication-Token`,
`GET /api/components/{name}` for discovery, and A2A JSON-RPC at `POST /api/a2a/v1/`
(`channel.subscribe`, `channel.publish`) for events.

The integration guide's surface (`prometheus.utils.hermes_helper`), also what the service runs for itself:

    hermes = HermesHelper(base_url="http://localhost:8000/api")
    await hermes.register_component(component_id="prometheus", name=..., version=..., description=...,
                                    capabilities=[...], endpoints={"http": ".../api", "ws": ".../ws"})
    await hermes.subscribe_to_events(events=["telos.requirement.updated"])  # delivered to {http}/events
    await hermes.publish_event(event_type="prometheus.plan.updated", payload={...})
    url = await hermes.get_component_endpoint("telos", "http")  # where Telos's resources are
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from typing import Any

from prometheus import __version__
from prometheus.config import Settings
from prometheus.integrations.http import API_ROOTS, IntegrationUnavailable, PeerClient, origin, unavailable

log = logging.getLogger("prometheus.integration")
SUBSCRIBES = ("telos.requirement.updated", "synthesis.execution.completed")
PUBLISHES = "prometheus.plan.updated"
COMPONENT_ID = "prometheus"
NAME = "Prometheus Planning Engine"
DESCRIPTION = "Planning and preparation component of Tekton"
# the guide's capabilities first, then what else other components may look Prometheus up by
CAPABILITIES = ["planning", "critical_path_analysis", "retrospectives", "scheduling", "resource_leveling",
                "risk_analysis", "earned_value", "plan_export"]  # fmt: skip
_ids = itertools.count(1)


class HermesHelper:
    def __init__(self, base_url: str | None = None, *, settings: Settings | None = None):
        """base_url: Hermes, with or without `/api` (default: HERMES_URL)."""
        self.client = PeerClient("hermes", settings, base_url=base_url)
        self.settings = self.client.settings
        self.component_id: str | None = None
        self.token: str | None = None
        self.endpoints: dict[str, str] = {}
        self._task: asyncio.Task | None = None

    @property
    def configured(self) -> bool:
        return self.client.configured

    @property
    def own_endpoints(self) -> dict[str, str]:
        """This Prometheus service's endpoints (PROMETHEUS_PUBLIC_URL, else its host and port)."""
        public = (self.settings.public_url or f"http://{self.settings.host}:{self.settings.port}").rstrip("/")
        return {"http": f"{public}/api", "ws": "ws" + public.removeprefix("http") + "/ws"}

    def _auth(self) -> dict:
        return {"X-Authentication-Token": self.token} if self.token else {}

    async def register_component(
        self,
        component_id: str = COMPONENT_ID,
        name: str = NAME,
        version: str = __version__,
        description: str = DESCRIPTION,
        capabilities: list[str] | None = None,
        endpoints: dict[str, str] | None = None,
        *,
        component_type: str = "planning",
        metadata: dict[str, Any] | None = None,
    ) -> dict:
        """Register a component (by default this Prometheus service); Hermes's answer `{success,
        componentId, token, message}`. The token authenticates heartbeats and events afterwards."""
        endpoints = dict(endpoints or self.own_endpoints)
        http = endpoints.get("http") or next(iter(endpoints.values()), "")
        data = await self.client.request(
            "POST",
            "/api/register",
            json={
                "component_id": component_id,
                "name": name,
                "version": version,
                "type": component_type,
                "endpoint": http,
                "capabilities": list(CAPABILITIES if capabilities is None else capabilities),
                "metadata": {"description": description, "endpoints": endpoints, **(metadata or {})},
            },
        )
        if not isinstance(data, dict) or not data.get("success") or not data.get("componentId"):
            raise unavailable("hermes", f"registration refused: {data!r:.200}")
        self.component_id, self.token, self.endpoints = data["componentId"], data.get("token"), endpoints
        return data

    async def heartbeat(self) -> None:
        await self.client.request(
            "POST",
            "/api/heartbeat",
            headers=self._auth(),
            json={"component_id": self.component_id, "status": {"healthy": True, "version": __version__}},
        )

    async def unregister(self) -> None:
        if self.component_id:
            await self.client.request(
                "POST", "/api/unregister", params={"component_id": self.component_id}, headers=self._auth()
            )
            self.component_id = None

    async def get_component_endpoint(self, component: str, kind: str = "http") -> str:
        """Where a registered component answers: the endpoint of that kind it registered, else, for
        "http", its REST root (Telos's `/api/v1`, a Tekton component's `/api`) and, for "ws", its `/ws`."""
        data = await self.client.request("GET", f"/api/components/{component}")
        if not isinstance(data, dict):
            raise unavailable("hermes", f"answered without component {component}")
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        declared = meta.get("endpoints") if isinstance(meta.get("endpoints"), dict) else {}
        if isinstance(declared.get(kind), str):
            return declared[kind].rstrip("/")
        endpoint = data.get("endpoint")
        if not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://")):
            raise unavailable("hermes", f"knows no endpoint for {component}")
        base = origin(endpoint)
        if kind == "http":
            return base + API_ROOTS.get(component, "/api")
        if kind in ("ws", "websocket"):
            return "ws" + base.removeprefix("http") + "/ws"
        raise unavailable("hermes", f"{component} registered no {kind} endpoint")

    async def _rpc(self, method: str, params: dict) -> Any:
        data = await self.client.request(
            "POST",
            "/api/a2a/v1/",
            headers={"Authorization": f"Bearer {self.token or self.settings.integration_token or ''}"},
            json={"jsonrpc": "2.0", "id": next(_ids), "method": method, "params": params},
        )
        if not isinstance(data, dict) or "error" in data:
            error = data.get("error") if isinstance(data, dict) else data
            raise unavailable("hermes", f"{method} failed: {error!r:.200}")
        return data.get("result")

    async def subscribe_to_events(self, events: list[str], callback_url: str | None = None) -> dict:
        """Subscribe the registered component to events (Hermes channels), delivered to `callback_url`
        (default: its registered http endpoint + `/events`, Prometheus's `POST /api/events`)."""
        if not self.component_id:
            raise ValueError("register_component first: Hermes subscribes registered components")
        callback = (
            callback_url or f"{(self.endpoints.get('http') or self.own_endpoints['http']).rstrip('/')}/events"
        )
        for channel in events:
            await self._rpc(
                "channel.subscribe",
                {"channel": channel, "subscriber_id": self.component_id, "callback_url": callback},
            )
        return {"subscribed": list(events), "callback_url": callback}

    async def publish_event(self, event_type: str, payload: dict[str, Any]) -> Any:
        """Publish an event on its channel (`prometheus.plan.updated`, ...); Hermes's result."""
        return await self._rpc(
            "channel.publish",
            {"channel": event_type, "message": payload, "sender_id": self.component_id or COMPONENT_ID},
        )

    # -- life cycle of the service's own registration ------------------------------------------------------

    async def _run(self) -> None:
        """Register (retrying in the background while Hermes is away), subscribe (again later to what
        failed), then beat; register again when Hermes forgot us. A Hermes only assumed at its default URL
        is logged once, quietly."""
        delay = max(self.settings.hermes_heartbeat, 0.05)
        meta = {"events": f"{self.own_endpoints['http']}/events", "publishes": [PUBLISHES],
                "subscribes": list(SUBSCRIBES)}  # fmt: skip
        told, pending = False, list(SUBSCRIBES)
        while True:
            try:
                if not self.component_id:
                    await self.register_component(metadata=meta)
                    log.info("hermes: registered as %s", self.component_id)
                    pending = list(SUBSCRIBES)
                else:
                    await self.heartbeat()
                for channel in list(pending):  # what failed is tried again on the next round
                    try:
                        await self.subscribe_to_events([channel])
                        pending.remove(channel)
                    except IntegrationUnavailable as exc:
                        log.warning("hermes: cannot subscribe to %s yet: %s", channel, exc.message)
            except IntegrationUnavailable as exc:
                if self.client.explicit:
                    log.warning("hermes: %s", exc.message)
                elif not told:
                    log.info("hermes: %s; registering when it answers", exc.message)
                told = True
                if exc.details.get("status") in (401, 403, 404):
                    self.component_id = None  # Hermes forgot us (restart, expired token): register again
            await asyncio.sleep(delay)

    def start(self) -> None:
        if self.configured:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.component_id:
            try:
                await self.unregister()
            except IntegrationUnavailable as exc:
                log.warning("hermes: unregister failed: %s", exc.message)
