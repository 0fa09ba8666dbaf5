"""Use cases of webhooks: register, change (re-enable), delete, send a ping or a delivery again now."""

from __future__ import annotations

from typing import Any

from prometheus.core.webhook import Webhook, WebhookCreate, WebhookPatch
from prometheus.events.addresses import check_url
from prometheus.events.webhooks import Dispatcher, new_secret, redeliver
from prometheus.services.context import Context


def _sender(ctx: Context) -> Dispatcher:
    if ctx.webhooks is None:
        raise RuntimeError("this context has no webhook dispatcher")
    return ctx.webhooks


def register(ctx: Context, data: WebhookCreate) -> tuple[Webhook, bool]:
    """A webhook whose URL may be reached (the SSRF guard), with its secret, and whether it is new: the same
    registration again (URL, events, ordering, secret if given) answers the webhook it made."""
    settings = _sender(ctx).settings
    check_url(data.url, settings)
    given = data.secret or settings.webhook_secret
    with ctx.db.store() as store:
        same = store.same_webhook(data, given)
        if same is not None:
            return same, False
        return store.register_webhook(data, given or new_secret()), True


def change(ctx: Context, webhook_id: str, changes: WebhookPatch) -> tuple[Webhook, int]:
    """Change a webhook; enabling it queues its undelivered deliveries again (how many), sent at once."""
    sender = _sender(ctx)
    if changes.url is not None:
        check_url(changes.url, sender.settings)
    with ctx.db.store() as store:
        hook, requeued = store.update_webhook(webhook_id, changes)
    sender.wake()
    return hook, requeued


def delete(ctx: Context, webhook_id: str) -> None:
    with ctx.db.store() as store:
        store.delete_webhook(webhook_id)


def ping(ctx: Context, webhook_id: str) -> tuple[str, dict[str, Any]]:
    """A `prometheus.webhook.ping` sent now (also to a disabled webhook): the delivery and what happened."""
    sender = _sender(ctx)
    with ctx.db.store() as store:
        delivery = store.ping_webhook(webhook_id, lease=sender.lease)
    return delivery.id, sender.send(delivery.id, even_if_disabled=True)


def send_again(ctx: Context, webhook_id: str, delivery_id: str) -> dict[str, Any]:
    """A delivery sent again now (then retried as any other): what happened."""
    sender = _sender(ctx)
    redeliver(ctx.db, webhook_id, delivery_id, lease=sender.lease)
    return sender.send(delivery_id, even_if_disabled=True)
