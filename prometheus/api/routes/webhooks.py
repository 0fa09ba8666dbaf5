"""Webhooks (register, list, get, delete, ping, delivery log, redelivery) and the SSE event stream."""

from __future__ import annotations

import asyncio
import json

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from prometheus.api.deps import get_ctx, get_db
from prometheus.api.envelope import ERROR_RESPONSES, Deleted, Envelope, ok
from prometheus.core.webhook import Delivery, Webhook, WebhookCreate, WebhookPatch
from prometheus.errors import NotFound
from prometheus.events.messages import MAX_EVENT_ID, reload_message
from prometheus.services import Context, webhooks
from prometheus.store import Database

router = APIRouter(prefix="/api", tags=["events"], responses=ERROR_RESPONSES)


@router.post(
    "/webhooks/register",
    status_code=201,
    response_model=Envelope[Webhook],
    responses={200: {"model": Envelope[Webhook], "description": "Registered before, just so: that webhook"}},
    summary="Register a webhook",
)
def register(body: WebhookCreate, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    """201 with a new webhook; 200 with the one the same registration made before."""
    hook, new = webhooks.register(ctx, body)
    if new:
        message = "webhook registered; keep the secret to verify signatures"
    else:
        message = f"already registered as webhook {hook.id} (the same URL, events and secret): nothing added"
        if not hook.active:
            message += "; it is disabled: PATCH it with active=true to send to it again"
    return ok(hook, message, status_code=201 if new else 200, webhook_id=hook.id)


@router.get("/webhooks", response_model=Envelope[list[Webhook]], summary="Registered webhooks")
def list_webhooks(db: Database = Depends(get_db)) -> JSONResponse:
    with db.store(write=False) as store:
        return ok(store.list_webhooks())


@router.get("/webhooks/{webhook_id}", response_model=Envelope[Webhook], summary="A webhook")
def get_webhook(webhook_id: str, db: Database = Depends(get_db)) -> JSONResponse:
    with db.store(write=False) as store:
        return ok(store.get_webhook(webhook_id))


@router.delete("/webhooks/{webhook_id}", response_model=Envelope[Deleted], summary="Delete a webhook")
def delete_webhook(webhook_id: str, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    webhooks.delete(ctx, webhook_id)
    return ok({"id": webhook_id}, "webhook deleted")


@router.patch(
    "/webhooks/{webhook_id}", response_model=Envelope[Webhook], summary="Change or re-enable a webhook"
)
def patch_webhook(webhook_id: str, body: WebhookPatch, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    hook, requeued = webhooks.change(ctx, webhook_id, body)
    return ok(hook, f"webhook updated; {requeued} undelivered deliveries queued again", requeued=requeued)


def _sent(db: Database, webhook_id: str, delivery_id: str, outcome: dict) -> JSONResponse:
    """The delivery as it stands after sending it, and what the receiver answered."""
    with db.store(write=False) as store:
        delivery = store.list_deliveries(webhook_id, delivery_id=delivery_id, limit=1)[0]
    if outcome.get("status") == "delivered":
        said = f"delivered: the receiver answered HTTP {outcome['last_status']}"
    else:
        said = f"not delivered ({outcome.get('last_error')}); it is retried as any delivery"
    return ok(delivery, said, delivered=outcome.get("status") == "delivered")


@router.post("/webhooks/{webhook_id}/test", response_model=Envelope[Delivery], summary="Send a test ping now")
def ping(webhook_id: str, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    delivery_id, outcome = webhooks.ping(ctx, webhook_id)  # a disabled webhook can be tried
    return _sent(ctx.db, webhook_id, delivery_id, outcome)


@router.get(
    "/webhooks/{webhook_id}/deliveries", response_model=Envelope[list[Delivery]], summary="Delivery log"
)
def deliveries(
    webhook_id: str,
    status: str | None = Query(None, pattern="^(pending|delivered|failed)$"),
    limit: int = Query(100, ge=1, le=1000),
    db: Database = Depends(get_db),
) -> JSONResponse:
    with db.store(write=False) as store:
        return ok(store.list_deliveries(webhook_id, status=status, limit=limit))


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response_model=Envelope[Delivery],
    summary="Send a delivery again, now",
)
def redeliver_one(webhook_id: str, delivery_id: str, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    return _sent(ctx.db, webhook_id, delivery_id, webhooks.send_again(ctx, webhook_id, delivery_id))


@router.get("/events/stream", summary="Server-sent events: the outbox, live (Last-Event-ID resumes)")
async def stream(
    request: Request,
    plan_id: str | None = None,
    last_event_id: int | None = Header(None, alias="Last-Event-ID", ge=0, le=MAX_EVENT_ID),
) -> StreamingResponse:
    """Resuming sends every event missed since Last-Event-ID, or `event: reload` when more than the backlog
    limit were missed or the id is past the newest event; a client that falls behind by the queue limit
    also gets `reload` (then the stream ends): read the plan again, then reconnect without Last-Event-ID."""
    hub = request.app.state.hub
    if plan_id and await hub.unknown([plan_id]):  # a stream that would wait for events that never come
        raise NotFound(f"plan {plan_id} not found", details={"plan_id": plan_id})

    def sse(e: dict) -> str:
        return f"id: {e['event_id']}\nevent: {e['type']}\ndata: {json.dumps(e)}\n\n"

    async def events():  # noqa: ANN202
        with hub.subscription(plan_id or "*") as sub:
            if last_event_id is not None:  # catch up from the outbox, then go live
                missed, why = await hub.missed(last_event_id, plan_id)
                if why:
                    yield f"event: reload\ndata: {json.dumps(reload_message(why, last_event_id))}\n\n"
                    return
                sub.resumed_from(plan_id or "*", last_event_id, missed)
                for e in missed:
                    yield sse(e)
            yield ": connected\n\n"
            while not await request.is_disconnected():
                try:
                    e = await asyncio.wait_for(sub.queue.get(), timeout=15)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if sub.dropped:
                    why = f"fell more than {hub.limit} events behind"
                    yield f"event: reload\ndata: {json.dumps(reload_message(why, sub.seen))}\n\n"
                    return
                if sub.fresh(e):
                    sub.seen = e["event_id"]
                    yield sse(e)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
