"""Synthesis, the execution component: `POST /api/v1/executions {plan:{name, steps}}` -> `{executionId,
status}`, `GET /api/v1/executions/{id}` (404 unknown), `POST /api/v1/executions/{id}/cancel`.
Synthesis runs steps in list order and ignores `dependencies`, so the steps go in topological order;
it emits no lifecycle events, so progress is polled (and accepted on `POST /api/executions/callbacks`)."""

from __future__ import annotations

from prometheus.config import Settings
from prometheus.integrations.http import PeerClient, unavailable

FINAL = {"completed", "failed", "error", "cancelled"}


class SynthesisConnector:
    def __init__(self, settings: Settings):
        self.client = PeerClient("synthesis", settings)

    @property
    def configured(self) -> bool:
        return self.client.configured

    async def start_execution(self, plan: dict, *, priority: int = 5) -> dict:
        """Hand a plan's steps over; `{executionId, status, ...}`. An answer with status "error" (Synthesis
        reports refusals with HTTP 200) is a failure."""
        data = await self.client.request(
            "POST",
            "/api/v1/executions",
            json={
                "plan": plan,
                "priority": priority,
                "wait_for_completion": False,
            },
        )
        if not isinstance(data, dict) or not data.get("executionId"):
            reason = data.get("message") if isinstance(data, dict) else None
            raise unavailable("synthesis", f"did not start the execution: {reason or 'no executionId'}")
        if data.get("status") == "error":
            raise unavailable(
                "synthesis", f"refused the execution: {data.get('message') or data.get('errors')}"
            )
        return data

    async def get_execution(self, execution_id: str) -> dict:
        data = await self.client.request("GET", f"/api/v1/executions/{execution_id}")
        if not isinstance(data, dict):
            raise unavailable("synthesis", "answered without an execution")
        return data

    async def cancel_execution(self, execution_id: str) -> dict:
        return await self.client.request("POST", f"/api/v1/executions/{execution_id}/cancel")
