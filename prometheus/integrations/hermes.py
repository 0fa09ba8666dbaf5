"""Hermes, the registry and message bus (`/api`): `POST /api/register` -> `{componentId, token}`,
`POST /api/heartbeat` and `POST /api/unregister?component_id=` with `X-Authentication-Token`,
`GET /api/components/{name}` for discovery, and A2A JSON-RPC at `POST /api/a2a/v1/`
(`channel.subscribe`, `channel.publish`) for events."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from typing import Any

from prometheus import __version__
from prometheus.config import Settings
from prometheus.integrations.http import IntegrationUnavailable, PeerClient, unavailable

log = logging.getLogger("prometheus.integration")
SUBSCRIBES = ("telos.requirement.updated", "synthesis.execution.completed")
PUBLISHES = "prometheus.plan.updated"
CAPABILITIES = [
    "planning",
    "scheduling",
    "critical_path",
    "resource_leveling",
    "risk_analysis",
    "earned_value",
    "retrospectives",
    "plan_export",
]
_ids = itertools.count(1)


class HermesConnector:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.client = PeerClient("hermes", settings)
        self.component_id: str | None = None
        self.token: str | None = None
        self._task: asyncio.Task | None = None

    @property
    def configured(self) -> bool:
        return self.client.configured

    @property
    def endpoint(self) -> str:
        return self.settings.public_url or f"http://{self.settings.host}:{self.settings.port}"

    def _auth(self) -> dict:
        return {"X-Authentication-Token": self.token} if self.token else {}

    async def register_component(self) -> str:
        data = await self.client.request(
            "POST",
            "/api/register",
            json={
                "name": "prometheus",
                "version": __version__,
                "type": "planning",
                "endpoint": self.endpoint,
                "capabilities": CAPABILITIES,
                "metadata": {
                    "api": f"{self.endpoint}/api",
                    "events": f"{self.endpoint}/api/events",
                    "websocket": f"{self.endpoint}/ws",
                    "publishes": [PUBLISHES],
                    "subscribes": list(SUBSCRIBES),
                },
            },
        )
        if not isinstance(data, dict) or not data.get("success") or not data.get("componentId"):
            raise unavailable("hermes", f"registration refused: {data!r:.200}")
        self.component_id, self.token = data["componentId"], data.get("token")
        return self.component_id

    async def heartbeat(self) -> None:
        await self.client.request(
            "POST",
            "/api/heartbeat",
            headers=self._auth(),
            json={
                "component_id": self.component_id,
                "status": {"healthy": True, "version": __version__},
            },
        )

    async def unregister(self) -> None:
        if self.component_id:
            await self.client.request(
                "POST", "/api/unregister", params={"component_id": self.component_id}, headers=self._auth()
            )
            self.component_id = None

    async def discover(self, name: str) -> dict:
        data = await self.client.request("GET", f"/api/components/{name}")
        if not isinstance(data, dict) or not data.get("endpoint"):
            raise unavailable("hermes", f"knows no endpoint for {name}")
        return data

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

    async def subscribe(self, channel: str) -> Any:
        return await self._rpc(
            "channel.subscribe",
            {
                "channel": channel,
                "subscriber_id": self.component_id,
                "callback_url": f"{self.endpoint}/api/events",
            },
        )

    async def publish(self, channel: str, message: dict) -> Any:
        return await self._rpc(
            "channel.publish",
            {"channel": channel, "message": message, "sender_id": self.component_id or "prometheus"},
        )

    # -- life cycle --------------------------------------------------------------------------------------

    async def _run(self) -> None:
        """Register (retrying while Hermes is away), subscribe, then beat; re-register if forgotten."""
        delay = max(self.settings.hermes_heartbeat, 0.05)
        while True:
            try:
                if not self.component_id:
                    await self.register_component()
                    log.info("hermes: registered as %s", self.component_id)
                    for channel in SUBSCRIBES:
                        try:
                            await self.subscribe(channel)
                        except IntegrationUnavailable as exc:
                            log.warning("hermes: cannot subscribe to %s: %s", channel, exc.message)
                else:
                    await self.heartbeat()
            except IntegrationUnavailable as exc:
                log.warning("hermes: %s", exc.message)
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
