"""Webhooks and their deliveries."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    Field,
    StringConstraints,
    field_validator,
)

from prometheus.core.bounds import webhook_url
from prometheus.core.inputs import Input

# an event type, `*` matching any part of one (`prometheus.task.*`, `*.created`)
EventPattern = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.*-]{1,200}$")]


class WebhookCreate(Input):
    url: str = Field(min_length=8, max_length=2000)
    events: list[EventPattern] = Field(default_factory=lambda: ["prometheus.*"], min_length=1, max_length=100)
    secret: str | None = Field(
        None,
        min_length=16,
        max_length=200,
        description="Standard Webhooks secret: `whsec_` + base64 of 16 to 64 bytes (the prefix may be left "
        "out); default: WEBHOOK_SECRET or random",
    )
    ordered: bool = Field(False, description="each plan's events one after the other, in order")

    @field_validator("url")
    @classmethod
    def _url(cls, url: str) -> str:
        return webhook_url(url)

    @field_validator("secret")
    @classmethod
    def _secret(cls, secret: str | None) -> str | None:
        if secret is None:
            return None
        try:
            key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("the secret must be base64 (`whsec_` + base64 of 16 to 64 bytes)") from None
        if not 16 <= len(key) <= 64:
            raise ValueError("the secret must be base64 of 16 to 64 bytes")
        return "whsec_" + secret.removeprefix("whsec_")


class WebhookPatch(Input):
    url: str | None = Field(None, min_length=8, max_length=2000)
    events: list[EventPattern] | None = Field(None, min_length=1, max_length=100)
    active: bool | None = Field(None, description="true re-enables: undelivered events are sent again")
    ordered: bool | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, url: str | None) -> str | None:
        return None if url is None else webhook_url(url)


class Webhook(BaseModel):
    id: str
    url: str
    events: list[str]
    active: bool
    ordered: bool = False
    consecutive_failures: int = 0
    failing_since: datetime | None = Field(None, description="the first failure of the current streak")
    disabled_reason: str | None = None
    created_at: datetime | None = None
    secret: str | None = Field(None, description="shown once, when the webhook is registered")


class Delivery(BaseModel):
    id: str
    webhook_id: str
    event_id: int
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None = None
    last_status: int | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None
    created_at: datetime | None = None
