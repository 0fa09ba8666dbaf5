"""Engram, the memory component, through its ESR API (the one that works):
`POST /api/esr/store {content, thought_type, context}` -> `{memory_id}`,
`GET /api/esr/recall/{id}` -> `{memory}`, `POST /api/esr/search {query, limit}` -> `{results}`.

Records are kept under (namespace, key): Engram holds them as memories whose context is `{namespace, key,
data, metadata}` and whose content starts with "namespace key", so a record any component stored that way
is found again by searching for it. In the service the connector also keeps each record in the local
database: `retrieve` by key is then exact, and Engram can be absent. Which backend served is in each answer:

- ENGRAM_URL set (or `base_url=` given): Engram is required; when it fails, the call fails (503).
- ENGRAM_URL left at the guide's default: Engram is used when it answers there, else the local database
  (with `fallback_reason`), so a lone Prometheus remembers and finds plans without Engram.
- ENGRAM_URL empty: the local database only.

The integration guide's surface (`prometheus.utils.engram_connector`):

    engram = EngramConnector(base_url="http://localhost:8001/api")
    memory_id = await engram.store_plan(plan_id=..., plan_data=..., metadata=..., vector_embed=True)
    memory_id = await engram.store(namespace="prometheus.plans", key=plan_id, data=..., metadata={...})
    data = await engram.retrieve(namespace="telos.requirements", key=requirement_id)  # None if absent
"""

from __future__ import annotations

import json
import logging
from typing import Any

from prometheus.config import Settings
from prometheus.core.calendar import DAYS_PER_UNIT
from prometheus.core.estimate import actual_days
from prometheus.core.model import Calendar, Task
from prometheus.core.text import similarities, words
from prometheus.errors import NotFound
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


def completion_record(task: Task, plan_id: str, calendar: Calendar | None) -> dict:
    """What is remembered of a finished task: its words, its estimate and how long it really took."""
    return {
        "task_id": task.id,
        "plan_id": plan_id,
        "name": task.name,
        "description": task.description,
        "tags": task.tags,
        "estimate_days": task.duration * DAYS_PER_UNIT[task.duration_unit.value],
        "actual_days": actual_days(task, calendar),
    }


class EngramConnector:
    def __init__(
        self, base_url: str | None = None, *, settings: Settings | None = None, db: Database | None = None
    ):
        """base_url: Engram, with or without `/api` (default: ENGRAM_URL). db: the local store kept beside
        Engram (the service passes its database; without one, records live in Engram only)."""
        self.client = PeerClient("engram", settings, base_url=base_url)
        self.db = db

    @property
    def configured(self) -> bool:
        return self.client.configured

    def _may_fall_back(self) -> bool:
        """Engram was only assumed to be at the default URL, and there is a local store to use instead."""
        return self.db is not None and not self.client.explicit

    async def _engram(self, call: Any) -> tuple[Any, str | None]:
        """Engram's answer to `call()`, or (None, why) when the local store should serve instead."""
        if not self.configured:
            if self.db is None:
                raise unavailable("engram", "turned off (ENGRAM_URL is empty) and no local store")
            return None, "Engram is turned off (ENGRAM_URL is empty)"
        try:
            return await call(), None
        except IntegrationUnavailable as exc:
            if not self._may_fall_back():
                raise
            log.debug("engram: serving from the local store: %s", exc.message)
            return None, exc.message

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

    async def _store_remote(self, namespace: str, key: str, data: Any, metadata: dict, text: str) -> str:
        answer = await self.client.request(
            "POST",
            "/api/esr/store",
            json={
                "content": f"{namespace} {key}\n{text or json.dumps(data, default=str)[:20_000]}",
                "thought_type": "FACT",
                "context": {"namespace": namespace, "key": key, "data": data, "metadata": metadata},
                "confidence": 1.0,
                "ci_id": "prometheus",
            },
        )
        remote_id = answer.get("memory_id") if isinstance(answer, dict) else None
        if not remote_id:
            raise unavailable("engram", "stored nothing (no memory_id in its answer)")
        return str(remote_id)

    async def _recall(self, remote_id: str) -> dict:
        answer = await self.client.request("GET", f"/api/esr/recall/{remote_id}")
        memory = answer.get("memory") if isinstance(answer, dict) else None
        context = memory.get("context") if isinstance(memory, dict) else None
        if not isinstance(context, dict) or "data" not in context:
            raise unavailable("engram", f"recall of {remote_id} returned no data")
        return context

    async def _find(self, namespace: str, key: str) -> dict | None:
        """The context of the memory stored under namespace/key (by anyone), or None."""
        for context, _ in await self._search_remote(f"{namespace} {key}", 20):
            if context.get("namespace") == namespace and str(context.get("key")) == key and "data" in context:
                return context
        return None

    # -- records: namespace/key -> data --------------------------------------------------------------

    async def store_record(
        self, namespace: str, key: str, data: Any, metadata: dict | None = None, *, vector_embed: bool = True
    ) -> dict:
        """Keep `data` under namespace/key; the record with `memory_id` and the `backend` that holds it."""
        metadata = metadata or {}
        text = _text(data, metadata) if vector_embed else ""
        remote_id, reason = await self._engram(
            lambda: self._store_remote(namespace, key, data, metadata, text)
        )
        if self.db is None:
            record = {"namespace": namespace, "key": key, "data": data, "metadata": metadata}
            return record | {"remote_id": remote_id, "memory_id": remote_id, "backend": "engram"}
        with self.db.store() as s:
            record = s.put_memory(namespace, key, data, metadata, text, remote_id)
        memory_id = remote_id or f"local:{namespace}/{key}"
        fallback = {"fallback_reason": reason} if reason else {}
        return record | {"memory_id": memory_id, "backend": "engram" if remote_id else "local"} | fallback

    async def retrieve_record(self, namespace: str, key: str) -> dict:
        """The record under namespace/key (from Engram when it holds it, else the local copy); NotFound."""
        local = None
        if self.db is not None:
            with self.db.store(write=False) as s:
                try:
                    local = s.get_memory(namespace, key)
                except NotFound:
                    local = None

        async def remote() -> dict | None:
            if local and local["remote_id"]:
                return await self._recall(local["remote_id"])
            return await self._find(namespace, key)

        context, reason = await self._engram(remote)
        if context is not None:
            found = {"namespace": namespace, "key": key, "data": context["data"]}
            return (local or {}) | found | {"metadata": context.get("metadata") or {}, "backend": "engram"}
        if local is None:
            raise NotFound(f"nothing stored under {namespace}/{key}")
        return local | {"backend": "local"} | ({"fallback_reason": reason} if reason else {})

    async def search(self, query: str, *, namespace: str | None = None, limit: int = 5) -> dict:
        """Records most similar to `query`: Engram's vector search, or TF-IDF over the local store."""
        hits, reason = await self._engram(
            lambda: self._search_remote(query, limit * 4 if namespace else limit)
        )
        if hits is not None:
            found = [
                {
                    "namespace": context.get("namespace"),
                    "key": context.get("key"),
                    "data": context.get("data"),
                    "metadata": context.get("metadata", {}),
                    "similarity": similarity,
                }
                for context, similarity in hits
                if "namespace" in context and (namespace is None or context.get("namespace") == namespace)
            ]
            return {"backend": "engram", "results": found[:limit]}
        with self.db.store(write=False) as s:
            rows = s.memories(namespace)
        sims = similarities(words(query), [words(text) for _, text in rows])
        best = [i for i in (-sims).argsort()[:limit].tolist() if sims[i] > 0.05]
        results = [rows[i][0] | {"similarity": round(float(sims[i]), 4)} for i in best]
        return {"backend": "local", "results": results} | ({"fallback_reason": reason} if reason else {})

    # -- the guide's names -----------------------------------------------------------------------------

    async def store(
        self, namespace: str, key: str, data: Any, metadata: dict | None = None, vector_embed: bool = True
    ) -> str:
        """Keep `data` under namespace/key; the memory id (Engram's, or `local:namespace/key`)."""
        record = await self.store_record(namespace, key, data, metadata, vector_embed=vector_embed)
        return record["memory_id"]

    async def retrieve(self, namespace: str, key: str) -> Any:
        """The data stored under namespace/key, by Prometheus or by another component; None if none is."""
        try:
            return (await self.retrieve_record(namespace, key))["data"]
        except NotFound:
            return None

    async def store_plan(
        self, plan_id: str, plan_data: dict, metadata: dict | None = None, vector_embed: bool = True
    ) -> str:
        """Remember a plan (namespace prometheus.plans); the memory id."""
        return await self.store(PLANS, plan_id, plan_data, metadata, vector_embed=vector_embed)

    async def store_plan_relationships(self, plan_id: str, relationships: list[dict]) -> str:
        """Links of a plan to other things, `[{type, target_id, ...}]` (requirements, executions, plans);
        the memory id."""
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
        """remember_task, logging instead of raising (quietly when Engram was only assumed at its default)."""
        if not self.configured:
            return
        try:
            await self.remember_task(record)
        except IntegrationUnavailable as exc:
            level = logging.WARNING if self.client.explicit else logging.DEBUG
            log.log(level, "engram: could not store finished task %s: %s", record.get("task_id"), exc.message)
