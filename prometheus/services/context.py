"""What the use cases are given instead of module globals: the database, kept plans, a clock, the peers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from prometheus.integrations.engram import EngramConnector
from prometheus.services.kept import KeptPlans
from prometheus.store import Database

if TYPE_CHECKING:
    from prometheus.events.webhooks import Dispatcher


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_today() -> date:
    return utc_now().date()


@dataclass(frozen=True)
class Context:
    db: Database
    plans: KeptPlans = field(default_factory=KeptPlans)
    clock: Callable[[], datetime] = utc_now
    engram: EngramConnector | None = None  # remembers finished tasks, finds similar ones; None: off
    webhooks: Dispatcher | None = None  # sends webhook deliveries (and knows the settings they obey)

    def today(self) -> date:
        return self.clock().date()
