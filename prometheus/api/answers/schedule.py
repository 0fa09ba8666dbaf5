"""Answers of the schedule views: critical path, timeline, summary, costs, leveling, analysis, estimate."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Conflict(BaseModel):
    """Something the schedule cannot honour (a missed deadline, a constraint against its links...)."""

    task_id: str | None
    kind: str
    message: str


class CriticalStep(BaseModel):
    task_id: str
    name: str
    start: datetime
    finish: datetime
    duration_days: float


class Bottleneck(BaseModel):
    task_id: str
    name: str
    reasons: list[str]
    duration_days: float
    successors: int


class CriticalPathReport(BaseModel):
    plan_id: str
    project_start: datetime
    project_finish: datetime
    deadline: datetime | None
    critical_path: list[CriticalStep] = Field(description="the longest critical path, task by task")
    critical_paths: list[list[str]] = Field(description="every critical path, as task ids, longest first")
    paths_truncated: bool
    critical_tasks: list[str]
    bottlenecks: list[Bottleneck]
    conflicts: list[Conflict]


class CostAssignment(BaseModel):
    resource_id: str
    name: str
    units: float
    work_hours: float
    cost: float


class TaskCost(BaseModel):
    task_id: str
    name: str
    parent_id: str | None
    summary: bool
    duration_hours: float
    work_hours: float = Field(description="summary tasks roll up their subtasks")
    cost: float
    actual_cost: float | None
    assignments: list[CostAssignment]


class ResourceCost(BaseModel):
    resource_id: str
    name: str
    cost_rate: float
    work_hours: float
    cost: float


class Costs(BaseModel):
    plan_id: str
    work_hours: float
    cost: float
    resources: list[ResourceCost]
    tasks: list[TaskCost]


class Utilization(BaseModel):
    resource_id: str
    name: str
    type: str
    assigned_hours: float
    available_hours: float
    utilization: float | None = Field(description="assigned / available; null when nothing is available")
    cost: float
    tasks: list[str]


class GanttLink(BaseModel):
    id: str
    source: str
    target: str
    type: str
    lag: float
    lag_unit: str


class Timeline(BaseModel):
    plan_id: str
    format: str = Field(description="default, or gantt (the rows of a Gantt chart library)")
    project_start: datetime
    project_finish: datetime
    tasks: list[dict[str, Any]] = Field(
        description="default: each task's dates, slack, status, priority, predecessors, entered duration "
        "and unit, constraint and version (with its assignments when include_resources; a split task's "
        "worked parts as parts); gantt: id, name, start, end, progress, dependencies, parent"
    )
    critical_path: list[CriticalStep]
    conflicts: list[Conflict]
    links: list[GanttLink] | None = Field(None, description="gantt format only")
    resources: list[Utilization] | None = Field(None, description="with include_resources only")


class PlanSummary(BaseModel):
    plan_id: str
    name: str
    status: str
    task_count: int
    status_breakdown: dict[str, int]
    priority_breakdown: dict[str, int]
    completion_percentage: float
    completed_tasks: int
    milestone_count: int
    start_date: datetime
    end_date: datetime
    deadline: datetime | None
    critical_task_count: int
    conflict_count: int
    resource_count: int
    resource_utilization: list[Utilization]
    work_hours: float
    cost: float
    skill_gaps: list[dict[str, Any]]


class Moved(BaseModel):
    task_id: str
    name: str
    delay_days: float
    start_before: datetime
    start_after: datetime


class Leveling(BaseModel):
    plan_id: str
    project_finish_before: datetime
    project_finish_after: datetime
    solver: str
    moved: list[Moved]
    over_allocations_before: list[dict[str, Any]]
    over_allocations_after: list[dict[str, Any]]
    impossible: list[dict[str, Any]] = Field(description="demand above a resource's capacity")
    applied: bool = Field(description="whether the new starts were kept (apply=true)")


class Finding(BaseModel):
    title: str
    probability: float
    impact: str
    mitigation: str
    evidence: list[Any]


class RhetorText(BaseModel):
    """Rhetor's free text on the facts, or why there is none."""

    model_config = ConfigDict(extra="allow")

    available: bool
    reason: str | None = None
    source: str | None = None
    model: str | None = None
    text: str | None = None


class PlanAnalysis(BaseModel):
    plan_id: str
    project_finish: datetime
    risks: list[Finding]
    optimizations: list[Finding]
    recommendations: list[Finding]
    source: str
    rhetor: RhetorText


class Precedent(BaseModel):
    model_config = ConfigDict(extra="allow")  # Engram's precedents carry what Engram remembered

    task_id: str | None = None
    name: str | None = None
    similarity: float | None = None


class Estimate(BaseModel):
    method: str
    history_size: int
    min_similarity: float
    precedents: list[Precedent]
    proposed_duration_days: float | None
    range_days: dict[str, float] | None
    calibration_factor: float | None
    calibrated_estimate_days: float | None
    recommended_duration_days: float | None
    use: str | None
    reason: str
    engram: dict[str, Any] = Field(description="whether Engram was asked: available, reason or precedents")


class Candidate(BaseModel):
    """A resource for a task: those with every required skill first, then the least loaded."""

    resource_id: str
    name: str
    skills: list[str]
    matches: bool
    missing_skills: list[str]
    coverage: float = Field(description="share of the required skills it has (0-1)")
    utilization: float | None
    assigned: bool


class LoadPeriod(BaseModel):
    start: date
    booked_hours: float
    available_hours: float
    over: bool


class Loading(BaseModel):
    resource_id: str
    periods: list[LoadPeriod]
    over_allocated: bool
