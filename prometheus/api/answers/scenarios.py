"""Answers of the scenario routes and the retrospectives."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from prometheus.core.scenario import Scenario


class Side(BaseModel):
    """One side of a compare: the plan or the scenario."""

    project_start: datetime
    project_finish: datetime
    duration_days: float
    cost: float
    critical_tasks: list[str]
    critical_path: list[str]
    tasks: int


class Difference(BaseModel):
    finish_shift_hours: float
    duration_days: float
    cost: float
    critical_added: list[str]
    critical_removed: list[str]
    tasks_moved: int
    tasks_added: int
    tasks_removed: int


class TaskShift(BaseModel):
    task_id: str
    key: str | None
    name: str
    change: str = Field(description="added, removed or moved")
    base_start: datetime | None
    base_finish: datetime | None
    scenario_start: datetime | None
    scenario_finish: datetime | None
    start_shift_hours: float | None
    finish_shift_hours: float | None


class Comparison(BaseModel):
    plan_id: str
    base: Side
    scenario: Side
    difference: Difference
    tasks: list[TaskShift] = Field(description="the tasks whose dates moved, biggest first")
    tasks_truncated: bool


class Promoted(BaseModel):
    scenario_id: str
    plan_id: str
    changes: int
    new_ids: dict[str, str] = Field(description="the scenario's ids of added things: their ids in the plan")


class RetroSummary(BaseModel):
    """Planned against actual; without a linked plan, only the feedback counts."""

    retrospective_id: str
    plan_id: str | None
    feedback: dict[str, int]
    finished_tasks: int | None = None
    open_tasks: int | None = None
    plan: dict[str, Any] | None = Field(None, description="finish and cost against the baseline, if any")
    estimation_accuracy: dict[str, Any] | None = None
    most_slipped: list[dict[str, Any]] | None = None
    tasks: list[dict[str, Any]] | None = None
    baseline: int | None = None


class Suggestion(BaseModel):
    rule: str
    severity: str
    title: str
    suggestion: str
    evidence: list[Any]


class RhetorNote(BaseModel):
    """Rhetor's free text, or why there is none."""

    model_config = ConfigDict(extra="allow")

    available: bool
    reason: str | None = None
    text: str | None = None


class Suggestions(BaseModel):
    retrospective_id: str
    suggestions: list[Suggestion]
    rhetor: RhetorNote


class RetroLlmSummary(BaseModel):
    """Rhetor's validated summary of a retrospective."""

    model_config = ConfigDict(extra="allow")

    retrospective_id: str
    result: dict[str, Any] = Field(description="Rhetor's answer, validated by its template (free-form)")
    model: str | None
    template: str
    source: str


class ScenarioEdit(BaseModel):
    id: str = Field(description="the id of the task, link or resource changed (in the scenario)")
    scenario: Scenario
