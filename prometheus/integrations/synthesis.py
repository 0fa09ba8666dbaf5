"""Synthesis, the execution component: `POST /api/v1/executions {plan:{name, steps}}` -> `{executionId,
status}`, `GET /api/v1/executions/{id}` (404 unknown), `POST /api/v1/executions/{id}/cancel`.
Synthesis runs steps in list order and ignores `dependencies`, so the steps go in an order that respects
them; it emits no lifecycle events and has no subscription API, so progress is polled.

The integration guide's surface (`prometheus.utils.synthesis_connector`):

    synthesis = SynthesisConnector(base_url="http://localhost:8009/api")
    execution_id = await synthesis.start_execution(execution_plan)  # {name, description, source_id, steps}
    await synthesis.subscribe_to_execution_events(
        execution_id, callback_url="http://localhost:8006/api/executions/callbacks"
    )

`subscribe_to_execution_events` posts the execution (its plan and steps) to the callback URL, Prometheus's
`POST /api/executions/callbacks`: Prometheus then follows it itself, polling Synthesis every
SYNTHESIS_POLL_INTERVAL seconds and feeding what it finds through the same code as a callback (task
statuses, the plan's status, finished tasks remembered in Engram), for as long as it runs, whether or not
the caller's process still does.
"""

from __future__ import annotations

from typing import Any

import httpx

from prometheus import tls
from prometheus.client.errors import raise_for, unreachable
from prometheus.config import Settings
from prometheus.core.execution import synthesis_plan
from prometheus.integrations.http import PeerClient, unavailable

FINAL = {"completed", "failed", "error", "cancelled"}


class SynthesisConnector:
    def __init__(self, base_url: str | None = None, *, settings: Settings | None = None):
        """base_url: Synthesis, with or without `/api` (default: SYNTHESIS_URL)."""
        self.client = PeerClient("synthesis", settings, base_url=base_url)
        self._started: dict[str, dict] = {}  # execution id -> the plan id and steps this connector sent

    @property
    def configured(self) -> bool:
        return self.client.configured

    async def submit(self, plan: dict, *, priority: int = 5) -> dict:
        """Hand Synthesis a plan in its own shape (`{plan_id, name, steps, metadata}`); its answer
        `{executionId, status, ...}`. An answer with status "error" (Synthesis reports refusals with
        HTTP 200) is a failure."""
        data = await self.client.request(
            "POST",
            "/api/v1/executions",
            json={"plan": plan, "priority": priority, "wait_for_completion": False},
        )
        if not isinstance(data, dict) or not data.get("executionId"):
            reason = data.get("message") if isinstance(data, dict) else None
            raise unavailable("synthesis", f"did not start the execution: {reason or 'no executionId'}")
        if data.get("status") == "error":
            raise unavailable(
                "synthesis", f"refused the execution: {data.get('message') or data.get('errors')}"
            )
        return data

    async def start_execution(self, execution_plan: dict[str, Any], *, priority: int = 5) -> str:
        """Start executing a plan (the guide's `{name, description, source, source_id, steps}`, or what
        `GET /api/plans/{id}/for-execution` returns); the execution id. Steps are sent in an order that
        respects their dependencies; ValueError says what is wrong with a plan Synthesis could not run."""
        wire = synthesis_plan(execution_plan)
        answer = await self.submit(wire, priority=priority)
        execution_id = str(answer["executionId"])
        steps = [
            {k: s[k] for k in ("id", "name", "parameters") if k in s}
            for s in execution_plan.get("steps") or []
        ]
        self._started[execution_id] = {"plan_id": wire["plan_id"], "steps": steps}
        return execution_id

    async def subscribe_to_execution_events(
        self, execution_id: str, callback_url: str, *, plan_id: str | None = None
    ) -> dict:
        """Have the execution's progress reach `callback_url` (Prometheus's `.../api/executions/callbacks`).
        Synthesis has no subscriptions, so the execution is registered there and Prometheus polls Synthesis
        for it (see the module's documentation); the answer is the execution as Prometheus records it.
        `plan_id` is needed only for an execution this connector did not start."""
        started = self._started.get(execution_id, {})
        plan_id = plan_id or started.get("plan_id")
        if not plan_id:
            raise ValueError(f"which plan is execution {execution_id} running? pass plan_id=")
        body = {"execution_id": execution_id, "plan_id": plan_id, "steps": started.get("steps", [])}
        timeout = self.client.settings.integration_timeout
        try:
            async with httpx.AsyncClient(timeout=timeout, verify=tls.context()) as http:
                response = await http.post(callback_url, json=body)
        except httpx.TransportError as exc:
            raise unreachable(callback_url, exc, timeout) from None
        raise_for(response)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        return (
            answer.get("data", answer) if isinstance(answer, dict) else {"status_code": response.status_code}
        )

    async def get_execution(self, execution_id: str) -> dict:
        data = await self.client.request("GET", f"/api/v1/executions/{execution_id}")
        if not isinstance(data, dict):
            raise unavailable("synthesis", "answered without an execution")
        return data

    async def cancel_execution(self, execution_id: str) -> dict:
        return await self.client.request("POST", f"/api/v1/executions/{execution_id}/cancel")
