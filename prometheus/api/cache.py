"""Answers about one plan, kept per plan revision so that repeated reads skip the ORM and the scheduler.

Every request still reads the plan's revision token from the database (one indexed row), so a change made
through any replica is seen at once; only what that revision determines is reused.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from fastapi.responses import Response

from prometheus.errors import NotFound
from prometheus.services.kept import KeptPlans
from prometheus.store import Database

MAX_ENTRIES = 512


# what a kept answer says again besides its body: its ETag, its type, an exported file's name
_KEPT_HEADERS = frozenset({"etag", "content-type", "content-disposition"})


class PlanCache:
    """At most `max_entries` answers of at most `max_bytes` together (PROMETHEUS_CACHE_MB), the least
    recently used going first; an answer over a quarter of that is rebuilt each time rather than kept."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = 256 * 2**20):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.bytes = 0  # of the answers kept
        self._entries: OrderedDict[Hashable, tuple[str, int, bytes, dict[str, str]]] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}
        self.hits = self.misses = 0
        self.plans = KeptPlans()

    def answer(
        self,
        db: Database,
        plan_id: str,
        key: Hashable,
        build: Callable[[], Response],
        revision: str | None = None,
    ) -> Response:
        """The cached answer for (plan, key) at the plan's current revision, or `build()` kept for next time.

        The revision (read here unless the caller just read it) comes before `build` loads anything, so a
        kept answer is never older than its label."""
        revision = revision or db.plan_revision(plan_id)
        if revision is None:
            raise NotFound(f"plan {plan_id} not found", details={"plan_id": plan_id})
        full_key = (plan_id, key)
        hit = self._lookup(full_key, revision)
        if hit is not None:
            return hit
        with self._lock:
            building = self._building.setdefault(full_key, threading.Lock())
        try:
            with building:  # one build per answer at a time; the others wait for it and take it
                hit = self._lookup(full_key, revision)
                if hit is not None:
                    return hit
                with self._lock:
                    self.misses += 1
                response = build()
                body = bytes(response.body)
                if response.status_code == 200 and len(body) <= self.max_bytes // 4 and revision:
                    headers = {k: v for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS}
                    self._keep(full_key, (revision, response.status_code, body, headers))
                return response
        finally:  # also when build() raises (a cycle's 409): no lock left behind per key
            with self._lock:
                if self._building.get(full_key) is building:
                    del self._building[full_key]

    def _keep(self, key: Hashable, entry: tuple[str, int, bytes, dict[str, str]]) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            self.bytes += len(entry[2]) - (len(old[2]) if old else 0)
            self._entries[key] = entry
            while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
                self.bytes -= len(self._entries.popitem(last=False)[1][2])

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {
                "entries": len(self._entries),
                "bytes": self.bytes,
                "hits": self.hits,
                "misses": self.misses,
            }

    def _lookup(self, full_key: Hashable, revision: str) -> Response | None:
        with self._lock:
            hit = self._entries.get(full_key)
            if hit is None or hit[0] != revision:  # only answers with a revision are kept
                return None
            self._entries.move_to_end(full_key)
            self.hits += 1
        return Response(hit[2], status_code=hit[1], headers=hit[3])
