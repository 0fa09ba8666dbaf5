"""The messages of live updates (`/ws` and SSE): what a client may send over /ws, and what it is answered."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from prometheus.core.bounds import MAX_ID, check_text

MAX_EVENT_ID = 2**63 - 1  # event ids are 64-bit: a resume point beyond is no event's (SSE and /ws alike)
ACTIONS = "actions: subscribe, unsubscribe (plan_id, last_event_id?), update_task, ping"


class ClientMessage(BaseModel):
    """One message a client sends over /ws; anything else is answered with a VALIDATION_ERROR."""

    action: Literal["subscribe", "unsubscribe", "ping", "update_task"]
    plan_id: str | None = Field(None, min_length=1, max_length=MAX_ID)
    last_event_id: int | None = Field(None, ge=0, le=MAX_EVENT_ID, strict=True)
    task_id: str | None = Field(None, min_length=1, max_length=MAX_ID)
    changes: dict[str, Any] = Field(default_factory=dict)
    version: int | None = Field(None, strict=True)

    @field_validator("plan_id", "task_id")
    @classmethod
    def _plain(cls, value: str | None, info: Any) -> str | None:  # noqa: ANN401
        if value is not None:
            check_text(value, info.field_name)
        return value

    @model_validator(mode="after")
    def _complete(self) -> ClientMessage:
        if self.action != "ping" and self.plan_id is None:
            raise ValueError(f"{self.action} needs a plan_id")
        if self.action == "update_task" and self.task_id is None:
            raise ValueError("update_task needs a task_id")
        return self


def parse_message(raw: str | bytes) -> ClientMessage | str:
    """The client's message, or why it is not one (malformed JSON, nesting too deep, a wrong field)."""
    try:
        return ClientMessage.model_validate_json(raw)
    except ValidationError as exc:
        return (
            "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'message'}: {e['msg']}"
                for e in exc.errors(include_url=False)
            )
            + f" ({ACTIONS})"
        )


def event_message(e) -> dict:  # noqa: ANN001
    return {
        "type": e.type,
        "event_id": e.id,
        "plan_id": e.plan_id,
        "data": e.data,
        "at": e.created_at.isoformat(),
    }


def not_found(plan_ids: list[str]) -> dict:
    """The answer to a subscription naming plans that do not exist: an error listing them."""
    said = ", ".join(plan_ids)
    message = (
        f"no plan {said}: nothing to subscribe to (subscribe to an existing plan, or '*' for every plan)"
    )
    return {"type": "error", "error_code": "NOT_FOUND", "message": message, "plan_ids": plan_ids}


def reload_message(reason: str, last_event_id: int) -> dict:
    return {"type": "reload", "reason": reason, "last_event_id": last_event_id}
