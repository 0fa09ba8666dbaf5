"""Webhooks: Standard Webhooks signatures, and the dispatcher that turns the outbox into deliveries and sends
them, with a delivery log.

Failures are retried with exponential backoff and jitter for days (PROMETHEUS_WEBHOOK_RETRY_BASE doubling up
to ..._RETRY_MAX, ..._MAX_ATTEMPTS attempts: by default 5 s, 10 s, 20 s ... 10 h, about three days in all). A
webhook is disabled only when it has failed for a whole period (..._DISABLE_AFTER_SECONDS, 5 days) with no
success; its deliveries then wait, and re-enabling it (PATCH active=true) sends them again from the first
undelivered event. A webhook registered with `ordered` gets each plan's events one after the other, in
order: a later event waits while an earlier one of the same plan is pending.

Due deliveries are sent each on its own (up to 20 at a time), each bounded by PROMETHEUS_WEBHOOK_TIMEOUT as
a whole: a receiver that answers late holds up no other delivery. Delivery is at least once: a receiver
dedupes on the `webhook-id` header (the event id). Several replicas
can run the dispatcher on one PostgreSQL: the fan-out cursor and each due delivery are claimed with
`FOR UPDATE SKIP LOCKED`, so every delivery is sent by one replica.
"""

from __future__ import annotations

import asyncio
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
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import anyio
import httpx

from prometheus import tls
from prometheus.config import Settings
from prometheus.events.addresses import pinned
from prometheus.store import Database
from prometheus.store.dispatch import OutgoingEvent

log = logging.getLogger("prometheus.webhooks")
FAN_OUT_BATCH = 500  # events turned into deliveries per round
DUE_BATCH = 20  # deliveries sent per round
COALESCE = 0.1  # seconds a woken dispatcher waits for the rest of a burst of commits


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


class Sender:
    """Deliveries' HTTP exchanges, each bounded as a whole by `timeout` (a receiver that sends its answer a
    byte at a time cannot hold the dispatcher, and every other webhook, longer), and the answer's body never
    read (one of any size costs nothing); on one pooled client in an event loop of its own thread, which
    any thread may call (the dispatcher's, and the API's ping and redeliver)."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="webhook-sender", daemon=True).start()
        self.client = httpx.AsyncClient(timeout=timeout, follow_redirects=False, verify=tls.context())

    def post(self, target: str, body: bytes, headers: dict, extensions: dict) -> int:
        """The receiver's HTTP status."""
        exchange = self._post(target, body, headers, extensions)
        return asyncio.run_coroutine_threadsafe(exchange, self.loop).result()

    async def _post(self, target: str, body: bytes, headers: dict, extensions: dict) -> int:
        try:
            with anyio.fail_after(self.timeout):
                request = self.client.build_request(
                    "POST", target, content=body, headers=headers, extensions=extensions
                )
                answer = await self.client.send(request, stream=True)
                await answer.aclose()
                return answer.status_code
        except TimeoutError:
            raise TimeoutError(f"no whole answer within {self.timeout:g} s") from None

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.client.aclose(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)


class Dispatcher:
    """Runs in a thread of each server process."""

    def __init__(self, db: Database, settings: Settings):
        self.db, self.settings = db, settings
        self.stop = threading.Event()
        self.woken = threading.Event()
        self.thread = threading.Thread(target=self.run, name="webhook-dispatcher", daemon=True)
        self.sender = Sender(settings.webhook_timeout)
        self.senders = ThreadPoolExecutor(DUE_BATCH, thread_name_prefix="webhook-delivery")
        self.in_flight = 0  # deliveries being sent (each by one of `senders`)
        self._counting = threading.Lock()

    @property
    def lease(self) -> float:
        """Seconds a delivery being sent is kept from other senders."""
        return max(self.settings.webhook_lease, 2 * self.settings.webhook_timeout)

    def start(self) -> None:
        self.thread.start()

    def wake(self) -> None:
        if not self.woken.is_set():  # set: the round that clears it reads the outbox after
            self.woken.set()

    def close(self) -> None:
        self.stop.set()
        self.woken.set()
        self.thread.join(timeout=10)
        self.senders.shutdown(wait=False, cancel_futures=True)
        self.sender.close()

    def run(self) -> None:
        look_after = 0.0  # without webhooks: when to look for one again (once a dispatch interval, however
        # many commits wake the dispatcher meanwhile, as when none wakes it)
        while not self.stop.is_set():
            try:  # another round at once only while a round finds a full batch
                more = False
                if time.monotonic() >= look_after:  # else there was none a moment ago
                    if self.has_webhooks():  # else no write transaction: the first webhook moves the cursor
                        more = self.fan_out() == FAN_OUT_BATCH
                        more = self.deliver_due() == DUE_BATCH or more
                    else:
                        look_after = time.monotonic() + self.settings.dispatch_interval
            except Exception:  # noqa: BLE001 - the database may be away for a while: keep trying
                log.exception("dispatcher round failed")
                more = False
            if not more:
                self.woken.wait(self.settings.dispatch_interval)
                self.stop.wait(COALESCE)  # a burst of commits (one wake each) becomes one round
                self.woken.clear()

    def has_webhooks(self) -> bool:
        with self.db.store(write=False) as store:
            return store.has_webhooks()

    def fan_out(self, batch: int = FAN_OUT_BATCH) -> int:
        """New events become one pending delivery per matching webhook (a disabled one's wait for it)."""
        with self.db.store() as store:
            return store.fan_out(matches, batch)

    def deliver_due(self, batch: int = DUE_BATCH) -> int:
        """Start sending the due deliveries, as many as there are free senders (of `batch`): each is sent
        on its own, so a receiver that answers late holds up no other delivery, nor the next rounds; an
        ordered webhook's next delivery of a plan is due only once the one before is delivered
        (`claim_due`), so order is kept. How many were started."""
        with self._counting:
            free = batch - self.in_flight
        if free <= 0:
            return 0
        with self.db.store(write=False) as store:
            if not store.any_due(_now()):
                return 0
        with self.db.store() as store:
            jobs = store.claim_due(_now(), self.lease, free)
        for delivery_id in jobs:
            with self._counting:
                self.in_flight += 1
            self.senders.submit(self.send, delivery_id).add_done_callback(self._sent)
        return len(jobs)

    def _sent(self, done: Future) -> None:
        with self._counting:
            self.in_flight -= 1
        if not done.cancelled() and done.exception() is not None and not self.stop.is_set():
            log.error("a webhook delivery failed to be recorded", exc_info=done.exception())
        self.wake()  # a sender is free: more may be due

    def send(self, delivery_id: str, *, even_if_disabled: bool = False) -> dict:
        """Send one delivery now and record the answer; what happened (status, last_status, last_error)."""
        with self.db.store(write=False) as store:
            out = store.outgoing(delivery_id, even_if_disabled=even_if_disabled)
        if out is None:
            return {"status": "gone"}
        status, error = self._post(out.url, out.secret, out.active, out.event)
        return self._record(delivery_id, status, error)

    def _post(
        self, url: str, secret: str, active: bool, event: OutgoingEvent
    ) -> tuple[int | None, str | None]:
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
            headers = {
                **host,
                "content-type": "application/json",
                "webhook-id": msg_id,
                "webhook-timestamp": str(ts),
                "webhook-signature": sign(secret, msg_id, ts, body),
                "user-agent": "Prometheus-Webhooks/1",
            }
            status = self.sender.post(target, body, headers, extensions)
        except Exception as exc:  # noqa: BLE001 - whatever stops a delivery is recorded and retried
            return None, f"{type(exc).__name__}: {exc}"[:500]
        return status, None if 200 <= status < 300 else f"HTTP {status}"

    def _record(self, delivery_id: str, status: int | None, error: str | None) -> dict:
        s = self.settings

        def disable(failing: float, in_a_row: int, error: str) -> str | None:
            if failing < s.webhook_disable_after:
                return None
            return (
                f"disabled after failing for {failing:,.0f} s ({in_a_row} attempts "
                f"in a row, none delivered): {error}; re-enable with PATCH active=true"
            )

        def retry_in(attempts: int) -> float | None:
            if attempts >= s.webhook_max_attempts:
                return None
            delay = min(s.webhook_retry_max, s.webhook_retry_base * 2 ** (attempts - 1))
            return delay * random.uniform(0.8, 1.2)

        with self.db.store() as store:
            outcome = store.record_attempt(
                delivery_id, status, error, now=_now(), disable=disable, retry_in=retry_in
            )
        webhook_id, disabled_now = outcome.pop("webhook_id", None), outcome.pop("disabled_now", None)
        if disabled_now:
            log.warning("webhook %s disabled: %s", webhook_id, disabled_now)
        return outcome


def redeliver(db: Database, webhook_id: str, delivery_id: str, lease: float = 0.0) -> None:
    """Make a delivery pending again, leased for `lease` seconds to the caller who sends it now (and then
    retried as any other)."""
    with db.store() as store:
        store.redeliver(webhook_id, delivery_id, _now() + timedelta(seconds=lease))


def _iso(dt: datetime) -> str:
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).isoformat()
