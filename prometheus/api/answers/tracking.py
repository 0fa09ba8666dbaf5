"""Answers of tracking and explanation: baselines, variance, earned value, risk, why a task starts then."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class BaselineDeleted(BaseModel):
    number: int


class BaselineRef(BaseModel):
    number: int
    name: str
    saved_at: datetime


class TaskVariance(BaseModel):
    task_id: str
    name: str
    baseline_start: datetime
    start: datetime
    start_variance_days: float
    baseline_finish: datetime
    finish: datetime
    finish_variance_days: float
    baseline_duration_days: float
    duration_days: float
    duration_variance_days: float
    baseline_cost: float
    cost: float
    cost_variance: float


class PlanVariance(BaseModel):
    baseline_finish: datetime
    finish: datetime
    finish_variance_days: float
    baseline_cost: float
    cost: float
    cost_variance: float


class Variance(BaseModel):
    """Positive variances: later, longer, dearer than the baseline."""

    plan_id: str
    baseline: BaselineRef
    plan: PlanVariance
    tasks: list[TaskVariance]
    added_tasks: list[str]
    removed_tasks: list[str]


class EarnedSchedule(BaseModel):
    ES_days: float
    AT_days: float
    SV_t_days: float
    SPI_t: float | None
    planned_duration_days: float
    IEAC_t_days: float | None


class EarnedValue(BaseModel):
    """PMI earned value (in money, or in work hours when nobody has a rate) and earned schedule."""

    plan_id: str
    status_date: datetime = Field(description="the end of the status day")
    progress_as_of: datetime
    basis: str = Field(description="cost, or hours")
    against: str
    BAC: float
    PV: float
    EV: float
    AC: float
    SV: float
    CV: float
    SPI: float | None
    CPI: float | None
    EAC: float | None
    ETC: float | None
    VAC: float | None
    TCPI: float | None
    earned_schedule: EarnedSchedule


class Risk(BaseModel):
    """Monte Carlo simulation of the finish date."""

    plan_id: str
    iterations: int
    seed: int | None
    distribution: str
    uncertain_tasks: int
    deterministic_finish: datetime
    percentiles: dict[str, datetime]
    mean_finish: datetime
    std_days: float
    target_date: datetime | None
    probability_on_time: float | None
    criticality: dict[str, float] = Field(description="task id: how often it was critical (0-1)")
    sensitivity: list[dict[str, Any]]


class Explanation(BaseModel):
    """The chain of drivers that fixes a task's start, from the task back to its origin."""

    task_id: str
    name: str
    start: datetime
    finish: datetime
    critical: bool
    total_slack_days: float
    origin: str
    steps: list[dict[str, Any]] = Field(description="each step: the task, its driver (kind...) and a text")
    text: str
