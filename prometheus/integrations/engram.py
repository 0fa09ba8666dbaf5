"""Engram, the memory component, through its ESR API (the one that exists):
`POST /api/esr/store {content, thought_type, context}` and `POST /api/esr/search {query, limit}`."""

from __future__ import annotations

import logging

from prometheus.config import Settings
from prometheus.integrations.http import IntegrationUnavailable, PeerClient

log = logging.getLogger("prometheus.integration")
KIND = "prometheus.task"


class EngramConnector:
    def __init__(self, settings: Settings):
        self.client = PeerClient("engram", settings.engram_url, settings)

    @property
    def configured(self) -> bool:
        return self.client.configured

    def remember_task(self, record: dict) -> None:
        """Store a finished task (name, words, estimate and actual) so that later estimates can find it."""
        content = " ".join([record["name"], record.get("description", ""), *record.get("tags", [])]).strip()
        self.client.request(
            "POST",
            "/api/esr/store",
            json={"content": content, "thought_type": "FACT", "context": {"kind": KIND, **record}},
        )

    def similar_tasks(self, text: str, limit: int = 5) -> list[dict]:
        """Finished tasks Engram finds similar to `text` (records stored by remember_task)."""
        data = self.client.request("POST", "/api/esr/search", json={"query": text, "limit": limit})
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise IntegrationUnavailable("engram answered without results", details={"peer": "engram"})
        found = []
        for item in data["results"]:
            context = (item.get("memory") or item).get("context") if isinstance(item, dict) else None
            if isinstance(context, dict) and context.get("kind") == KIND and "actual_days" in context:
                found.append(context | {"similarity": item.get("score") or item.get("similarity")})
        return found

    def remember_safely(self, record: dict) -> None:
        if not self.configured:
            return
        try:
            self.remember_task(record)
        except IntegrationUnavailable as exc:
            log.warning("engram: could not store finished task %s: %s", record.get("task_id"), exc.message)
