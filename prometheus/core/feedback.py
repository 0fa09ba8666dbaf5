"""Retrospectives and their feedback (lessons learned, action items)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import (
    BaseModel,
    Field,
    model_validator,
)

from prometheus.core.inputs import Input, Name


class FeedbackType(StrEnum):
    went_well = "went_well"
    went_wrong = "went_wrong"
    idea = "idea"
    action_item = "action_item"


class ActionStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"


class Retrospective(BaseModel):
    id: str
    plan_id: str | None = None
    title: str
    held_on: date | None = None
    facilitator: str = ""
    participants: list[str] = Field(default_factory=list)
    notes: str = ""
    created_at: datetime | None = None
    feedback_count: int = 0


class RetrospectiveCreate(Input):
    title: str = Name
    plan_id: str | None = None
    held_on: date | None = None
    facilitator: str = Field("", max_length=200)
    participants: list[str] = Field(default_factory=list, max_length=200)
    notes: str = Field("", max_length=20_000)


class Feedback(BaseModel):
    id: str
    retrospective_id: str
    type: FeedbackType
    content: str
    author: str = ""
    votes: int = 0
    owner: str | None = None
    due_date: date | None = None
    status: ActionStatus | None = None
    created_at: datetime | None = None


class FeedbackCreate(Input):
    type: FeedbackType
    content: str = Field(min_length=1, max_length=5000)
    author: str = Field("", max_length=200)
    owner: str | None = Field(None, max_length=200)
    due_date: date | None = None

    @model_validator(mode="after")
    def _action_fields(self) -> FeedbackCreate:
        if self.type is not FeedbackType.action_item and (self.owner or self.due_date):
            raise ValueError("only action items have an owner and a due date")
        return self


class FeedbackPatch(Input):
    content: str | None = Field(None, min_length=1, max_length=5000)
    owner: str | None = Field(None, max_length=200)
    due_date: date | None = None
    status: ActionStatus | None = None
