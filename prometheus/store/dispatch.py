"""The webhook dispatcher's tables: fan-out of the outbox into deliveries, claiming due deliveries, recording
attempts (part of the one repository, `Store`). The policy (what matches, when to retry or disable) is the
caller's: events/webhooks.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import aliased

from prometheus.errors import NotFound
from prometheus.store.base import StoreBase
from prometheus.store.mapping import aware, new_id
from prometheus.store.tables import DeliveryRow, EventRow, WebhookRow


@dataclass(frozen=True)
class OutgoingEvent:
    """The event a delivery sends."""

    id: int
    type: str
    plan_id: str | None
    data: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class Outgoing:
    """What one delivery sends, and where."""

    url: str
    secret: str
    active: bool
    event: OutgoingEvent


class Dispatch(StoreBase):
    """Deliveries of the Store."""

    def fan_out(self, matches: Callable[[list[str], str], bool], batch: int = 500) -> int:
        """New events become one pending delivery per matching webhook (a disabled one's wait for it); how
        many events were read (0 when another replica holds the cursor)."""
        self.sequence_events()
        cursor = self.hold_cursor("webhooks", start=0)
        if cursor is None:
            return 0  # another replica holds it
        last = self.session.scalar(select(func.max(EventRow.id))) or 0  # before the webhooks: see below
        hooks = list(self.session.scalars(select(WebhookRow)))
        if not hooks:  # no webhook was registered before these events: the cursor moves past them at once
            if last > cursor.last_event_id:
                cursor.last_event_id = last
            return 0
        events = list(
            self.session.scalars(
                select(EventRow).where(EventRow.id > cursor.last_event_id).order_by(EventRow.id).limit(batch)
            )
        )
        if not events:
            return 0
        for e in events:
            if e.type == "prometheus.webhook.ping":
                continue  # pings are addressed when they are made
            for h in hooks:
                if matches(h.events, e.type):
                    self.session.add(DeliveryRow(id=new_id(), webhook_id=h.id, event_id=e.id))
        cursor.last_event_id = events[-1].id
        return len(events)

    def any_due(self, now: datetime) -> bool:
        """Whether some delivery is pending and due (a read: the claim's write transaction only then)."""
        stmt = select(DeliveryRow.id).where(
            DeliveryRow.status == "pending", DeliveryRow.next_attempt_at <= now
        )
        return self.session.execute(stmt.limit(1)).first() is not None

    def claim_due(self, now: datetime, lease: float, batch: int = 20) -> list[str]:
        """Pending deliveries of active webhooks whose time has come (for an ordered webhook, only those with
        no earlier pending delivery of the same plan), leased for `lease` seconds: their ids."""
        this_event, earlier, earlier_event = aliased(EventRow), aliased(DeliveryRow), aliased(EventRow)
        waits = exists(
            select(earlier.id)
            .join(earlier_event, earlier_event.id == earlier.event_id)
            .where(
                earlier.webhook_id == DeliveryRow.webhook_id,
                earlier.status == "pending",
                earlier.event_id < DeliveryRow.event_id,
                earlier_event.plan_id == this_event.plan_id,
            )
        )
        stmt = (
            select(DeliveryRow)
            .join(WebhookRow, WebhookRow.id == DeliveryRow.webhook_id)
            .join(this_event, this_event.id == DeliveryRow.event_id)
            .where(
                DeliveryRow.status == "pending",
                DeliveryRow.next_attempt_at <= now,
                WebhookRow.active.is_(True),
                or_(WebhookRow.ordered.is_(False), ~waits),
            )
            .order_by(DeliveryRow.next_attempt_at, DeliveryRow.event_id)
            .limit(batch)
        )
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True, of=DeliveryRow)
        due = list(self.session.scalars(stmt))
        # a lease: nobody else sends it meanwhile; if this process dies, another one retries after it
        for d in due:
            d.next_attempt_at = now + timedelta(seconds=lease)
        return [d.id for d in due]

    def outgoing(self, delivery_id: str, *, even_if_disabled: bool = False) -> Outgoing | None:
        """What a delivery sends; None when it, its webhook or its event is gone."""
        d = self.session.get(DeliveryRow, delivery_id)
        hook = self.session.get(WebhookRow, d.webhook_id) if d else None
        event = self.session.get(EventRow, d.event_id) if d else None
        if d is None or hook is None or event is None:
            return None
        sent = OutgoingEvent(event.id, event.type, event.plan_id, event.data, aware(event.created_at))
        return Outgoing(hook.url, hook.secret, hook.active or even_if_disabled, sent)

    def record_attempt(
        self,
        delivery_id: str,
        status: int | None,
        error: str | None,
        *,
        now: datetime,
        disable: Callable[[float, int, str], str | None],
        retry_in: Callable[[int], float | None],
    ) -> dict[str, Any]:
        """Record an answer. On failure `disable(seconds failing, failures in a row, error)` gives the reason
        to disable the webhook (or None), `retry_in(attempts)` the seconds to the next try (None: failed
        for good)."""
        d = self.session.get(DeliveryRow, delivery_id)
        hook = self.session.get(WebhookRow, d.webhook_id) if d else None
        if d is None or hook is None:
            return {"status": "gone"}
        d.attempts += 1
        d.last_status, d.last_error = status, error
        disabled_now = None
        if error is None:
            d.status, d.delivered_at = "delivered", now
            hook.consecutive_failures, hook.failing_since = 0, None
        else:
            hook.consecutive_failures += 1
            hook.failing_since = aware(hook.failing_since) or now
            reason = disable((now - hook.failing_since).total_seconds(), hook.consecutive_failures, error)
            if reason and hook.active:
                hook.active, hook.disabled_reason = False, reason
                disabled_now = reason
            delay = retry_in(d.attempts)
            if delay is None:
                d.status = "failed"
            else:  # a disabled webhook's deliveries stay pending until it is enabled again
                d.next_attempt_at = now + timedelta(seconds=delay)
        return {"status": d.status, "last_status": status, "last_error": error, "attempts": d.attempts,
                "webhook_id": hook.id, "disabled_now": disabled_now}  # fmt: skip

    def redeliver(self, webhook_id: str, delivery_id: str, until: datetime) -> None:
        """Make a delivery pending again, not sent by anyone else before `until`."""
        n = self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id, DeliveryRow.webhook_id == webhook_id)
            .values(status="pending", next_attempt_at=until)
        ).rowcount
        if not n:
            raise NotFound(f"delivery {delivery_id} not found for webhook {webhook_id}")
