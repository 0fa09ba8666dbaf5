"""Webhooks: Standard Webhooks signatures, and the dispatcher that turns the outbox into deliveries and sends
them, with a delivery log.

Failures are retried with exponential backoff and jitter for days (PROMETHEUS_WEBHOOK_RETRY_BASE doubling up
to ..._RETRY_MAX, ..._MAX_ATTEMPTS attempts: by default 5 s, 10 s, 20 s ... 10 h, about three days in all). A
webhook is disabled only when it has failed for a whole period (..._DISABLE_AFTER_SECONDS, 5 days) with no
success; its deliveries then wait, and re-enabling it (PATCH active=true) sends them again from the first
undelivered event. A webhook registered with `ordered` gets each plan's events one after the other, in
order: a later event waits while an earlier one of the same plan is pending.

Delivery is at least once: a receiver dedupes on the `webhook-id` header (the event id). Several replicas
can run the dispatcher on one PostgreSQL: the fan-out cursor and each due delivery are claimed with
`FOR UPDATE SKIP LOCKED`, so every delivery is sent by one replica.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import hmac
import json
import logging
import random
import secrets
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from prometheus.config import Settings
from prometheus.errors import NotFound
from prometheus.events.addresses import pinned
from prometheus.store import Database
from prometheus.store.tables import CursorRow, DeliveryRow, EventRow, WebhookRow

log = logging.getLogger("prometheus.webhooks")


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_")) if secret.startswith("whsec_") else secret.encode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks: base64 HMAC-SHA256 over "id.timestamp.body", as "v1,<signature>"."""
    digest = hmac.new(_key(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def matches(patterns: list[str], event_type: str) -> bool:
    return any(fnmatch.fnmatchcase(event_type, p) for p in patterns)


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(dt: datetime | None) -> datetime | None:
    return dt.replace(tzinfo=UTC) if dt is not None and dt.tzinfo is None else dt


class Dispatcher:
    """Runs in a thread of each server process."""

    def __init__(self, db: Database, settings: Settings):
        self.db, self.settings = db, settings
        self.stop = threading.Event()
        self.woken = threading.Event()
        self.thread = threading.Thread(target=self.run, name="webhook-dispatcher", daemon=True)
        self.client = httpx.Client(timeout=settings.webhook_timeout, follow_redirects=False)

    @property
    def lease(self) -> float:
        """Seconds a delivery being sent is kept from other senders."""
        return max(self.settings.webhook_lease, 2 * self.settings.webhook_timeout)

    def start(self) -> None:
        self.thread.start()

    def wake(self) -> None:
        self.woken.set()

    def close(self) -> None:
        self.stop.set()
        self.woken.set()
        self.thread.join(timeout=10)
        self.client.close()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                busy = self.fan_out() + self.deliver_due()
            except Exception:  # noqa: BLE001 - the database may be away for a while: keep trying
                log.exception("dispatcher round failed")
                busy = 0
            if not busy:
                self.woken.wait(self.settings.dispatch_interval)
                self.woken.clear()

    def _locked(self, stmt):  # noqa: ANN001, ANN202
        if self.db.backend != "postgresql":
            return stmt
        return stmt.with_for_update(skip_locked=True, of=DeliveryRow)

    def fan_out(self, batch: int = 500) -> int:
        """New events become one pending delivery per matching webhook (a disabled one's wait for it)."""
        with self.db.store() as store:
            session = store.session
            cursor = session.scalars(
                select(CursorRow).where(CursorRow.name == "webhooks").with_for_update(skip_locked=True)
                if self.db.backend == "postgresql"
                else select(CursorRow).where(CursorRow.name == "webhooks")
            ).first()
            if cursor is None:
                if session.scalar(select(CursorRow.name).where(CursorRow.name == "webhooks")) is not None:
                    return 0  # another replica holds it
                cursor = CursorRow(name="webhooks", last_event_id=0)
                try:
                    with session.begin_nested():  # replicas starting together race to create it
                        session.add(cursor)
                except IntegrityError:
                    return 0
            events = list(
                session.scalars(
                    select(EventRow)
                    .where(EventRow.id > cursor.last_event_id)
                    .order_by(EventRow.id)
                    .limit(batch)
                )
            )
            if not events:
                return 0
            hooks = list(session.scalars(select(WebhookRow)))
            for e in events:
                if e.type == "prometheus.webhook.ping":
                    continue  # pings are addressed when they are made
                for h in hooks:
                    if matches(h.events, e.type):
                        session.add(DeliveryRow(id=str(uuid.uuid4()), webhook_id=h.id, event_id=e.id))
            cursor.last_event_id = events[-1].id
            return len(events)

    def _due(self, now: datetime, batch: int):  # noqa: ANN202
        """Pending deliveries of active webhooks whose time has come; for an ordered webhook, only those with
        no earlier pending delivery of the same plan."""
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
        return self._locked(
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

    def deliver_due(self, batch: int = 20) -> int:
        now = _now()
        with self.db.store() as store:
            session = store.session
            due = list(session.scalars(self._due(now, batch)))
            # a lease: nobody else sends it meanwhile; if this process dies, another one retries after it
            for d in due:
                d.next_attempt_at = now + timedelta(seconds=self.lease)
            jobs = [d.id for d in due]
        for delivery_id in jobs:
            self.send(delivery_id)
        return len(jobs)

    def send(self, delivery_id: str, *, even_if_disabled: bool = False) -> dict:
        """Send one delivery now and record the answer; what happened (status, last_status, last_error)."""
        with self.db.store(write=False) as store:
            d = store.session.get(DeliveryRow, delivery_id)
            hook = store.session.get(WebhookRow, d.webhook_id) if d else None
            event = store.session.get(EventRow, d.event_id) if d else None
            if d is None or hook is None or event is None:
                return {"status": "gone"}
            url, secret, active = hook.url, hook.secret, hook.active or even_if_disabled
        status, error = self._post(url, secret, active, event)
        return self._record(delivery_id, status, error)

    def _post(self, url: str, secret: str, active: bool, event: EventRow) -> tuple[int | None, str | None]:
        msg_id = f"evt_{event.id}"
        body = json.dumps(
            {
                "id": msg_id,
                "type": event.type,
                "timestamp": _iso(event.created_at),
                "plan_id": event.plan_id,
                "data": event.data,
            }  # fmt: skip
        ).encode()
        ts = int(time.time())
        try:
            if not active:
                raise RuntimeError("webhook disabled")
            target, host, extensions = pinned(url, self.settings)
            r = self.client.post(
                target,
                content=body,
                extensions=extensions,
                headers={
                    **host,
                    "content-type": "application/json",
                    "webhook-id": msg_id,
                    "webhook-timestamp": str(ts),
                    "webhook-signature": sign(secret, msg_id, ts, body),
                    "user-agent": "Prometheus-Webhooks/1",
                },
            )
        except Exception as exc:  # noqa: BLE001 - whatever stops a delivery is recorded and retried
            return None, f"{type(exc).__name__}: {exc}"[:500]
        return r.status_code, None if 200 <= r.status_code < 300 else f"HTTP {r.status_code}"

    def _record(self, delivery_id: str, status: int | None, error: str | None) -> dict:
        s = self.settings
        now = _now()
        with self.db.store() as store:
            session = store.session
            d = session.get(DeliveryRow, delivery_id)
            hook = session.get(WebhookRow, d.webhook_id) if d else None
            if d is None or hook is None:
                return {"status": "gone"}
            d.attempts += 1
            d.last_status, d.last_error = status, error
            if error is None:
                d.status, d.delivered_at = "delivered", now
                hook.consecutive_failures, hook.failing_since = 0, None
            else:
                hook.consecutive_failures += 1
                hook.failing_since = _aware(hook.failing_since) or now
                failing = (now - hook.failing_since).total_seconds()
                if failing >= s.webhook_disable_after and hook.active:
                    hook.active = False
                    hook.disabled_reason = (
                        f"disabled after failing for {failing:,.0f} s ({hook.consecutive_failures} attempts "
                        f"in a row, none delivered): {error}; re-enable with PATCH active=true"
                    )
                    log.warning("webhook %s disabled: %s", hook.id, hook.disabled_reason)
                if d.attempts >= s.webhook_max_attempts:
                    d.status = "failed"
                else:  # a disabled webhook's deliveries stay pending until it is enabled again
                    delay = min(s.webhook_retry_max, s.webhook_retry_base * 2 ** (d.attempts - 1))
                    d.next_attempt_at = now + timedelta(seconds=delay * random.uniform(0.8, 1.2))
            return {"status": d.status, "last_status": status, "last_error": error, "attempts": d.attempts}


def _iso(dt: datetime) -> str:
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).isoformat()


def redeliver(db: Database, webhook_id: str, delivery_id: str, lease: float = 0.0) -> None:
    """Make a delivery pending again, leased for `lease` seconds to the caller who sends it now (and then
    retried as any other)."""
    with db.store() as store:
        n = store.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id, DeliveryRow.webhook_id == webhook_id)
            .values(status="pending", next_attempt_at=_now() + timedelta(seconds=lease))
        ).rowcount
    if not n:
        raise NotFound(f"delivery {delivery_id} not found for webhook {webhook_id}")
