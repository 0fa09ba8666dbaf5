"""What the use cases are given instead of module globals: the database, kept plans, a clock, the peers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from prometheus.services.kept import KeptPlans
from prometheus.store import Database


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_today() -> date:
    return utc_now().date()


async def forget(_record: dict[str, Any]) -> None:
    """No peer to tell."""


@dataclass(frozen=True)
class Context:
    db: Database
    plans: KeptPlans = field(default_factory=KeptPlans)
    clock: Callable[[], datetime] = utc_now
    # Engram: remember a finished task (run after the answer; it never raises)
    remember: Callable[[dict[str, Any]], Awaitable[None]] = forget

    def today(self) -> date:
        return self.clock().date()
