"""Webhooks, their deliveries and the outbox of events (part of the one repository, `Store`)."""

from __future__ import annotations

import contextlib
import hmac
from datetime import timedelta

from sqlalchemy import Row, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from prometheus.core.webhook import Delivery, Webhook, WebhookCreate, WebhookPatch
from prometheus.errors import (
    NotFound,
    ValidationFailed,
)
from prometheus.store.base import StoreBase
from prometheus.store.mapping import (
    delivery_model,
    new_id,
    webhook_model,
)
from prometheus.store.tables import (
    CursorRow,
    DeliveryRow,
    EventRow,
    QueuedEventRow,
    WebhookRow,
    utcnow,
)

SEQUENCER_LOCK = 0x45564E54  # PostgreSQL advisory lock of the mover of queued events


class Outbox(StoreBase):
    """Webhooks, deliveries and events of the Store."""

    # -- webhooks ----------------------------------------------------------------------------------------

    def register_webhook(self, data: WebhookCreate, secret: str) -> Webhook:
        if not self.has_webhooks():  # the first one: the dispatcher, idle without webhooks, starts from now
            self._cursor_to_newest()
        row = WebhookRow(id=new_id(), url=data.url, events=data.events, secret=secret, active=True,
                         consecutive_failures=0, ordered=data.ordered)  # fmt: skip
        self.session.add(row)
        self._flush()
        return webhook_model(row).model_copy(update={"secret": secret})

    def same_webhook(self, data: WebhookCreate, secret: str | None) -> Webhook | None:
        """The webhook registered before as `data` asks (URL, events, ordering and, where one is given, the
        secret), with its secret: a receiver registering itself at every start gets each event once, not
        once per start."""
        rows = self.session.scalars(
            select(WebhookRow)
            .where(WebhookRow.url == data.url, WebhookRow.ordered == data.ordered)
            .order_by(WebhookRow.created_at, WebhookRow.id)
        )
        for row in rows:
            if set(row.events) == set(data.events) and (
                secret is None or hmac.compare_digest(row.secret, secret)
            ):
                return webhook_model(row).model_copy(update={"secret": row.secret})
        return None

    def has_webhooks(self) -> bool:
        """Whether a webhook is registered (without one, the dispatcher has nothing to do)."""
        return self.session.execute(select(WebhookRow.id).limit(1)).first() is not None

    def _cursor_to_newest(self) -> None:
        """The fan-out's cursor past every event there is: events from before any webhook go to none."""
        self.sequence_events()
        last = self.session.scalar(select(func.max(EventRow.id))) or 0
        cursor = self.session.get(CursorRow, "webhooks")
        if cursor is None:
            with contextlib.suppress(IntegrityError), self.session.begin_nested():  # made meanwhile: kept
                self.session.add(CursorRow(name="webhooks", last_event_id=last))
        elif cursor.last_event_id < last:
            cursor.last_event_id = last

    def _webhook_row(self, webhook_id: str) -> WebhookRow:
        row = self.session.get(WebhookRow, webhook_id)
        if row is None:
            raise NotFound(f"webhook {webhook_id} not found", details={"webhook_id": webhook_id})
        return row

    def list_webhooks(self) -> list[Webhook]:
        return [
            webhook_model(r) for r in self.session.scalars(select(WebhookRow).order_by(WebhookRow.created_at))
        ]

    def get_webhook(self, webhook_id: str) -> Webhook:
        return webhook_model(self._webhook_row(webhook_id))

    def delete_webhook(self, webhook_id: str) -> None:
        self.session.delete(self._webhook_row(webhook_id))
        self._flush()

    def update_webhook(self, webhook_id: str, changes: WebhookPatch) -> tuple[Webhook, int]:
        """Change a webhook; enabling a disabled one sends again every delivery not yet delivered, from the
        first undelivered event on. The webhook and how many deliveries were queued again."""
        row = self._webhook_row(webhook_id)
        requeued = 0
        for key, value in changes.model_dump(exclude_unset=True, exclude={"active"}).items():
            if value is None:
                raise ValidationFailed(f"{key} cannot be null")
            setattr(row, key, value)
        if changes.active is False and row.active:
            row.active, row.disabled_reason = False, "disabled through the API"
        elif changes.active and not row.active:
            row.active, row.disabled_reason = True, None
            row.consecutive_failures, row.failing_since = 0, None
            requeued = self.session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.webhook_id == row.id, DeliveryRow.status.in_(("pending", "failed")))
                .values(status="pending", attempts=0, next_attempt_at=utcnow())
            ).rowcount
        self._flush()
        return webhook_model(row), requeued

    def ping_webhook(self, webhook_id: str, lease: float = 0.0) -> Delivery:
        """A `prometheus.webhook.ping` event, delivered to this webhook only (by the caller first: nobody
        else sends it for `lease` seconds)."""
        hook = self._webhook_row(webhook_id)
        event = EventRow(type="prometheus.webhook.ping", plan_id=None, data={"webhook_id": webhook_id})
        if (
            self.dialect == "postgresql"
        ):  # straight into the outbox: numbered as the mover does, under its lock
            self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SEQUENCER_LOCK})
            event.id = (self.session.scalar(select(func.max(EventRow.id))) or 0) + 1
        self.session.add(event)
        self.info["emitted"] = True
        self._flush()
        row = DeliveryRow(id=new_id(), webhook_id=hook.id, event_id=event.id, status="pending", attempts=0,
                          next_attempt_at=utcnow() + timedelta(seconds=lease))  # fmt: skip
        self.session.add(row)
        self._flush()
        return delivery_model(row, event.type)

    def list_deliveries(
        self, webhook_id: str, *, status: str | None = None, limit: int = 100, delivery_id: str | None = None
    ) -> list[Delivery]:
        self._webhook_row(webhook_id)
        stmt = (
            select(DeliveryRow, EventRow.type)
            .join(EventRow, EventRow.id == DeliveryRow.event_id)
            .where(DeliveryRow.webhook_id == webhook_id)
            .order_by(DeliveryRow.event_id.desc())
            .limit(limit)
        )
        if status:
            stmt = stmt.where(DeliveryRow.status == status)
        if delivery_id:
            stmt = stmt.where(DeliveryRow.id == delivery_id)
        return [delivery_model(d, t) for d, t in self.session.execute(stmt)]

    def sequence_events(self, batch: int = 5000) -> int:
        """PostgreSQL: move the committed events of the queue into the outbox, numbered on from its last id in
        queue order, in a transaction of its own under one lock (a mover at a time: an id, once visible,
        has no earlier id still to come); how many. Nothing to do on SQLite (one writer at a time)."""
        if self.dialect != "postgresql":
            return 0
        queue, events = QueuedEventRow.__table__, EventRow.__table__
        if self.session.execute(select(queue.c.id).limit(1)).first() is None:
            return 0
        with self.connection.engine.begin() as conn:  # a transaction of its own
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SEQUENCER_LOCK})
            oldest = select(queue.c.id).order_by(queue.c.id).limit(batch)
            taken = conn.execute(
                delete(queue)
                .where(queue.c.id.in_(oldest))
                .returning(queue.c.id, queue.c.type, queue.c.plan_id, queue.c.data, queue.c.created_at)
            ).all()
            if not taken:
                return 0
            last = conn.scalar(select(func.max(events.c.id))) or 0
            rows = [
                {"id": last + n, "type": t, "plan_id": p, "data": d, "created_at": c}
                for n, (_, t, p, d, c) in enumerate(sorted(taken, key=lambda r: r[0]), start=1)
            ]
            conn.execute(insert(events), rows)
        # no NOTIFY of its own: the writers' woke every follower, and one that found the queue not yet
        # moved waited for this lock, so it reads the moved events next
        return len(rows)

    def events_after(self, last_id: int, limit: int = 500, plan_id: str | None = None) -> list[Row]:
        """The events after `last_id`, oldest first: rows (id, type, plan_id, data, created_at) read with
        Core, as their readers only read them once (no ORM objects, no identity map)."""
        self.sequence_events()
        events = EventRow.__table__
        stmt = select(events).where(events.c.id > last_id)
        if plan_id is not None:
            stmt = stmt.where(events.c.plan_id == plan_id)
        return list(self.connection.execute(stmt.order_by(events.c.id).limit(limit)))

    def hold_cursor(self, name: str, start: int | None = None) -> CursorRow | None:
        """The named cursor of the outbox, locked by this transaction until it ends; None while another
        replica holds it. A cursor that does not exist yet starts at `start` (the newest event when None)."""
        stmt = select(CursorRow).where(CursorRow.name == name)
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        cursor = self.session.scalars(stmt).first()
        if cursor is not None:
            return cursor
        if self.session.scalar(select(CursorRow.name).where(CursorRow.name == name)) is not None:
            return None  # another replica holds it
        at = self.last_event_id() if start is None else start
        try:
            with self.session.begin_nested():  # replicas starting together race to create it
                cursor = CursorRow(name=name, last_event_id=at)
                self.session.add(cursor)
        except IntegrityError:
            return None
        return cursor

    def take_events(self, name: str, limit: int = 500) -> list[Row]:
        """The events after the named cursor, oldest first, with the cursor moved past them when the
        transaction commits: of replicas taking events from one cursor, each event goes to one (a new
        cursor starts after the newest event)."""
        cursor = self.hold_cursor(name)
        if cursor is None:
            return []
        rows = self.events_after(cursor.last_event_id, limit)
        if rows:
            cursor.last_event_id = rows[-1].id
        return rows

    def last_event_id(self) -> int:
        self.sequence_events()
        return self.session.scalar(select(func.max(EventRow.id))) or 0
