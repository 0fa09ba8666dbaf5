"""Engram, the memory component, through its ESR API (the one that works):
`POST /api/esr/store {content, thought_type, context}` -> `{memory_id}`,
`GET /api/esr/recall/{id}` -> `{memory}`, `POST /api/esr/search {query, limit}` -> `{results}`.

Every record is also kept in the local database (namespace, key), so `retrieve` by key works and, without
Engram, the same interface runs entirely locally (similarity by TF-IDF). Answers say which backend served.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from prometheus.config import Settings
from prometheus.core.text import similarities, words
from prometheus.integrations.http import IntegrationUnavailable, PeerClient, unavailable
from prometheus.store import Database

log = logging.getLogger("prometheus.integration")
KIND = "prometheus.task"
PLANS = "prometheus.plans"
RELATIONSHIPS = "prometheus.plan_relationships"


def _text(data: Any, metadata: dict) -> str:
    """What similarity search reads: names, descriptions, tags, and any other strings."""
    if isinstance(data, dict):
        parts = [str(data.get(k, "")) for k in ("name", "title", "description")]
        parts += [_text(v, {}) for k, v in data.items() if k not in ("name", "title", "description")]
    elif isinstance(data, list):
        parts = [_text(v, {}) for v in data]
    else:
        parts = [data] if isinstance(data, str) else []
    parts += [str(v) for v in metadata.values() if isinstance(v, str)]
    return " ".join(p for p in parts if p).strip()[:20_000]


class EngramConnector:
    def __init__(self, settings: Settings, db: Database | None = None):
        self.client = PeerClient("engram", settings)
        self.db = db

    @property
    def configured(self) -> bool:
        return self.client.configured

    @property
    def backend(self) -> str:
        return "engram" if self.configured else "local"

    async def _search_remote(self, query: str, limit: int) -> list[tuple[dict, Any]]:
        """Engram's ESR search: (context stored with each hit, its similarity score)."""
        answer = await self.client.request("POST", "/api/esr/search", json={"query": query, "limit": limit})
        if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
            raise unavailable("engram", "answered without results")
        hits = []
        for item in answer["results"]:
            memory = (item.get("memory") or item) if isinstance(item, dict) else {}
            context = memory.get("context") if isinstance(memory, dict) else None
            if isinstance(context, dict):
                hits.append((context, item.get("score") or item.get("similarity")))
        return hits

    # -- the generic interface --------------------------------------------------------------------------

    async def store(
        self, namespace: str, key: str, data: Any, metadata: dict | None = None, *, vector_embed: bool = True
    ) -> dict:
        """Keep `data` under namespace/key (locally always; in Engram too when configured)."""
        metadata = metadata or {}
        text = _text(data, metadata) if vector_embed else ""
        remote_id = None
        if self.configured:
            answer = await self.client.request(
                "POST",
                "/api/esr/store",
                json={
                    "content": text or json.dumps(data, default=str)[:20_000],
                    "thought_type": "FACT",
                    "context": {"namespace": namespace, "key": key, "data": data, "metadata": metadata},
                    "confidence": 1.0,
                    "ci_id": "prometheus",
                },
            )
            remote_id = answer.get("memory_id") if isinstance(answer, dict) else None
            if not remote_id:
                raise unavailable("engram", "stored nothing (no memory_id in its answer)")
        with self.db.store() as s:
            record = s.put_memory(namespace, key, data, metadata, text, remote_id)
        return record | {"backend": self.backend}

    async def retrieve(self, namespace: str, key: str) -> dict:
        """What was stored under namespace/key; from Engram when it holds it, else the local copy."""
        with self.db.store(write=False) as s:
            record = s.get_memory(namespace, key)
        if self.configured and record["remote_id"]:
            answer = await self.client.request("GET", f"/api/esr/recall/{record['remote_id']}")
            memory = answer.get("memory") if isinstance(answer, dict) else None
            context = memory.get("context") if isinstance(memory, dict) else None
            if not isinstance(context, dict) or "data" not in context:
                raise unavailable("engram", f"recall of {record['remote_id']} returned no data")
            return record | {
                "data": context["data"],
                "metadata": context.get("metadata", {}),
                "backend": "engram",
            }
        return record | {"backend": "local"}

    async def search(self, query: str, *, namespace: str | None = None, limit: int = 5) -> dict:
        """Records most similar to `query`: Engram's vector search, or TF-IDF over the local store."""
        if self.configured:
            found = []
            for context, similarity in await self._search_remote(query, limit):
                if namespace is None or context.get("namespace") == namespace:
                    found.append(
                        {
                            "namespace": context.get("namespace"),
                            "key": context.get("key"),
                            "data": context.get("data"),
                            "metadata": context.get("metadata", {}),
                            "similarity": similarity,
                        }
                    )
            return {"backend": "engram", "results": found[:limit]}
        with self.db.store(write=False) as s:
            rows = s.memories(namespace)
        sims = similarities(words(query), [words(text) for _, text in rows])
        best = [i for i in (-sims).argsort()[:limit].tolist() if sims[i] > 0.05]
        results = [rows[i][0] | {"similarity": round(float(sims[i]), 4)} for i in best]
        return {"backend": "local", "results": results}

    # -- plans ------------------------------------------------------------------------------------------

    async def store_plan(
        self, plan_id: str, plan_data: dict, metadata: dict | None = None, vector_embed: bool = True
    ) -> dict:
        return await self.store(PLANS, plan_id, plan_data, metadata, vector_embed=vector_embed)

    async def store_plan_relationships(self, plan_id: str, relationships: list[dict]) -> dict:
        """Links of a plan to other things: `[{type, target_id, ...}]` (requirements, executions, plans)."""
        return await self.store(
            RELATIONSHIPS, plan_id, relationships, {"plan_id": plan_id}, vector_embed=False
        )

    async def search_similar_plans(self, query: str, limit: int = 5) -> dict:
        return await self.search(query, namespace=PLANS, limit=limit)

    # -- finished tasks, for estimates -------------------------------------------------------------------

    async def remember_task(self, record: dict) -> None:
        """Store a finished task (name, words, estimate and actual) so that later estimates can find it."""
        content = " ".join([record["name"], record.get("description", ""), *record.get("tags", [])]).strip()
        await self.client.request(
            "POST",
            "/api/esr/store",
            json={
                "content": content,
                "thought_type": "FACT",
                "context": {"kind": KIND, **record},
            },
        )

    async def similar_tasks(self, text: str, limit: int = 5) -> list[dict]:
        """Finished tasks Engram finds similar to `text` (records stored by remember_task)."""
        return [
            context | {"similarity": similarity}
            for context, similarity in await self._search_remote(text, limit)
            if context.get("kind") == KIND and "actual_days" in context
        ]

    async def remember_safely(self, record: dict) -> None:
        if not self.configured:
            return
        try:
            await self.remember_task(record)
        except IntegrationUnavailable as exc:
            log.warning("engram: could not store finished task %s: %s", record.get("task_id"), exc.message)
