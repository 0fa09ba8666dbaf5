"""Answers of the routes that work with the peers: executions (Synthesis), events (Hermes), plans from
requirements and their sync (Telos), Rhetor's texts and Engram's memory."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from prometheus.core.model import Plan


class ExecutionPlan(BaseModel):
    """The plan as Synthesis steps, in the integration guide's shape."""

    plan_id: str
    name: str
    description: str | None
    source: str
    source_id: str
    steps: list[dict[str, Any]] = Field(description="in an order that respects every link")


class Execution(BaseModel):
    id: str
    plan_id: str
    synthesis_id: str | None
    status: str
    plan_version: int
    steps: list[dict[str, Any]]
    adjustments: list[dict[str, Any]] | None
    error: str | None
    created_at: datetime
    updated_at: datetime
    refreshed: bool | None = Field(None, description="whether Synthesis was asked (GET only)")
    reason: str | None = Field(
        None, description="why the answer is not fresher, when Synthesis did not answer"
    )


class EventHandled(BaseModel):
    handled: bool
    type: str
    reason: str | None = Field(None, description="why an event was ignored")
    tasks_updated: int | None = None
    execution: str | None = None
    status: str | None = None


class PlanFromRequirements(BaseModel):
    plan: Plan
    requirements: int
    tasks: int
    dependencies: int
    issues: list[dict[str, Any]] = Field(description="requirements skipped or read with a warning")


class Pushed(BaseModel):
    task_id: str
    requirement_id: str
    status: Any = Field(description="the state Telos answered")


class TelosSync(BaseModel):
    pushed: list[Pushed]


class RhetorResult(BaseModel):
    """A language model's answer, validated by its template."""

    model_config = ConfigDict(extra="allow")

    result: Any = Field(description="Rhetor's answer as its template validated it (free-form)")
    model: str | None
    template: str
    source: str


class RequirementBreakdown(RhetorResult):
    estimates: dict[str, dict[str, Any]] = Field(
        description="requirement id: duration (days), duration_unit, effort_hours, tasks"
    )


class MemoryRecord(BaseModel):
    """A record as Engram or the local store keeps it."""

    model_config = ConfigDict(extra="allow")  # the record is Engram's (or the local store's) own

    namespace: str | None = None
    key: str | None = None
    data: Any = Field(None, description="what was stored (free-form)")
    metadata: dict[str, Any] | None = None
    memory_id: str | int | None = None
    backend: str = Field(description="engram, or local")
    fallback_reason: str | None = None


class MemorySearch(BaseModel):
    backend: str = Field(description="engram, or local")
    results: list[dict[str, Any]] = Field(description="records with their similarity, best first")
    fallback_reason: str | None = None


class PeerStatus(BaseModel):
    peer: str
    url: str | None
    source: str = Field(description="where its address comes from (hermes, settings...)")
    configured: bool
    available: bool | None
    last_ok_at: str | None
    circuit: str
    last_error: str | None


class Trace(BaseModel):
    task_id: str
    task_key: str | None
    task_name: str
    status: str
    requirement_id: str
    telos_project_id: str | None
