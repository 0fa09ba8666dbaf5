"""Webhooks: registration checks, Standard Webhooks signatures, and the dispatcher that turns the outbox into
deliveries and sends them, with retries, backoff and jitter, a delivery log, and auto-disable.

Delivery is at least once: a receiver dedupes on the `webhook-id` header (the event id). Several replicas
can run the dispatcher on one PostgreSQL: the fan-out cursor and each due delivery are claimed with
`FOR UPDATE SKIP LOCKED`, so every delivery is sent by one replica.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import hmac
import ipaddress
import json
import logging
import random
import secrets
import socket
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from prometheus.config import Settings
from prometheus.errors import ValidationFailed
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


# not global, though some Python versions' `ipaddress` still call them so
_ALSO_LOCAL = [ipaddress.ip_network(n) for n in ("192.0.0.0/24", "100.64.0.0/10")]
_NAT64 = [ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48")]


def _embedded_v4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (IPv4-mapped, 6to4, NAT64, Teredo), if any."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if any(ip in n for n in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.teredo[1] if ip.teredo else None


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Global by `ipaddress`'s own judgement, and so is any IPv4 address it carries."""
    inner = _embedded_v4(ip)
    return all(
        a.is_global and not any(a in n for n in _ALSO_LOCAL if n.version == a.version)
        for a in (ip, *([inner] if inner else []))
    )


def check_url(url: str, settings: Settings) -> None:
    """Refuse URLs that are not http(s), or that resolve to any address that is not global (SSRF): private,
    loopback, link-local, shared (100.64.0.0/10), reserved, and IPv6 forms carrying such an IPv4 address;
    unless PROMETHEUS_WEBHOOK_ALLOW_PRIVATE is set."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValidationFailed(f"not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed("a webhook URL must be http:// or https:// with a host")
    if settings.webhook_allow_private:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, port or 443)}
    except (socket.gaierror, UnicodeError, ValueError):
        raise ValidationFailed(f"cannot resolve {parts.hostname}") from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not is_public(ip):
            raise ValidationFailed(
                f"{parts.hostname} resolves to {ip}, a private or local address, where webhooks may not go "
                "(set PROMETHEUS_WEBHOOK_ALLOW_PRIVATE=true to allow it)"
            )


def _now() -> datetime:
    return datetime.now(UTC)


class Dispatcher:
    """Runs in a thread of each server process."""

    def __init__(self, db: Database, settings: Settings):
        self.db, self.settings = db, settings
        self.stop = threading.Event()
        self.woken = threading.Event()
        self.thread = threading.Thread(target=self.run, name="webhook-dispatcher", daemon=True)
        self.client = httpx.Client(timeout=settings.webhook_timeout, follow_redirects=False)

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
        return stmt.with_for_update(skip_locked=True) if self.db.backend == "postgresql" else stmt

    def fan_out(self, batch: int = 500) -> int:
        """New events become one pending delivery per matching active webhook."""
        with self.db.store() as store:
            session = store.session
            cursor = session.scalars(
                self._locked(select(CursorRow).where(CursorRow.name == "webhooks"))
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
            hooks = list(session.scalars(select(WebhookRow).where(WebhookRow.active.is_(True))))
            for e in events:
                if e.type == "prometheus.webhook.ping":
                    continue  # pings are addressed when they are made
                for h in hooks:
                    if matches(h.events, e.type):
                        session.add(DeliveryRow(id=str(uuid.uuid4()), webhook_id=h.id, event_id=e.id))
            cursor.last_event_id = events[-1].id
            return len(events)

    def deliver_due(self, batch: int = 20) -> int:
        now = _now()
        with self.db.store() as store:
            session = store.session
            due = list(
                session.scalars(
                    self._locked(
                        select(DeliveryRow)
                        .where(DeliveryRow.status == "pending", DeliveryRow.next_attempt_at <= now)
                        .order_by(DeliveryRow.next_attempt_at)
                        .limit(batch)
                    )
                )
            )
            # a lease: nobody else sends it meanwhile; if this process dies, another one retries after it
            lease = timedelta(seconds=max(self.settings.webhook_lease, 2 * self.settings.webhook_timeout))
            for d in due:
                d.next_attempt_at = now + lease
            jobs = []
            for d in due:
                hook = session.get(WebhookRow, d.webhook_id)
                event = session.get(EventRow, d.event_id)
                jobs.append((d.id, hook.url, hook.secret, hook.active, event))
        for delivery_id, url, secret, active, event in jobs:
            self._send(delivery_id, url, secret, active, event)
        return len(jobs)

    def _send(self, delivery_id: str, url: str, secret: str, active: bool, event: EventRow) -> None:
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
        status, error = None, None
        try:
            if not active:
                raise RuntimeError("webhook disabled")
            check_url(url, self.settings)
            r = self.client.post(
                url,
                content=body,
                headers={
                    "content-type": "application/json",
                    "webhook-id": msg_id,
                    "webhook-timestamp": str(ts),
                    "webhook-signature": sign(secret, msg_id, ts, body),
                    "user-agent": "Prometheus-Webhooks/1",
                },
            )
            status = r.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except Exception as exc:  # noqa: BLE001 - whatever stops a delivery is recorded and retried
            error = f"{type(exc).__name__}: {exc}"[:500]
        self._record(delivery_id, status, error)

    def _record(self, delivery_id: str, status: int | None, error: str | None) -> None:
        s = self.settings
        with self.db.store() as store:
            session = store.session
            d = session.get(DeliveryRow, delivery_id)
            hook = session.get(WebhookRow, d.webhook_id) if d else None
            if d is None or hook is None:
                return
            d.attempts += 1
            d.last_status, d.last_error = status, error
            if error is None:
                d.status, d.delivered_at = "delivered", _now()
                hook.consecutive_failures = 0
                return
            hook.consecutive_failures += 1
            if hook.consecutive_failures >= s.webhook_disable_after and hook.active:
                hook.active = False
                hook.disabled_reason = (
                    f"disabled after {hook.consecutive_failures} failed attempts in a row: {error}"
                )
                log.warning("webhook %s disabled: %s", hook.id, hook.disabled_reason)
            if d.attempts >= s.webhook_max_attempts or not hook.active:
                d.status = "failed"
                return
            delay = min(s.webhook_retry_max, s.webhook_retry_base * 2 ** (d.attempts - 1)) * random.uniform(
                0.8, 1.2
            )
            d.next_attempt_at = _now() + timedelta(seconds=delay)


def _iso(dt: datetime) -> str:
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).isoformat()


def redeliver(db: Database, webhook_id: str, delivery_id: str) -> None:
    with db.store() as store:
        n = store.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id, DeliveryRow.webhook_id == webhook_id)
            .values(status="pending", next_attempt_at=_now())
        ).rowcount
    if not n:
        from prometheus.errors import NotFound

        raise NotFound(f"delivery {delivery_id} not found for webhook {webhook_id}")
