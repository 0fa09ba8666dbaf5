"""The portable form of a plan: JSON export/import and every other format read into it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from prometheus.core.bounds import MAX_MONEY, MAX_PER_TASK, Amount, Lag, Skills, Tags, Text, WorkHours
from prometheus.core.inputs import Input, Name
from prometheus.core.model import (
    Calendar,
    ConstraintType,
    DurationUnit,
    LagUnit,
    LinkType,
    PlanStatus,
    Priority,
    ResourceType,
    TaskSplit,
    TaskStatus,
    TaskType,
    TimeOfDay,
    WallTime,
    WorkContour,
    check_splits,
)


class DocAssignment(Input):
    resource: str
    units: float = Field(1.0, gt=0, le=100)
    work: WorkHours | None = None
    delay: WorkHours = 0.0
    contour: WorkContour = WorkContour.flat
    remaining_work: WorkHours | None = None


class DocResource(Input):
    key: str
    name: str = Name
    type: ResourceType = ResourceType.human
    skills: Skills = Field(default_factory=list)
    availability: float = Field(1.0, ge=0, le=1)
    cost_rate: float = Field(0.0, ge=0, le=MAX_MONEY)
    calendar: Calendar | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class DocTask(Input):
    key: str
    parent: str | None = None
    name: str = Name
    description: Text = ""
    duration: Amount = 1.0
    duration_unit: DurationUnit = DurationUnit.days
    status: TaskStatus = TaskStatus.pending
    priority: Priority = Priority.medium
    tags: Tags = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    milestone: bool = False
    constraint_type: ConstraintType = ConstraintType.ASAP
    constraint_date: WallTime | None = None
    deadline: WallTime | None = None
    optimistic_duration: Amount | None = None
    most_likely_duration: Amount | None = None
    pessimistic_duration: Amount | None = None
    percent_complete: float = Field(0.0, ge=0, le=100)
    actual_start: WallTime | None = None
    actual_finish: WallTime | None = None
    remaining_duration: Amount | None = None
    actual_cost: float | None = Field(None, ge=-MAX_MONEY, le=MAX_MONEY)
    notes: Text = ""
    work: WorkHours | None = None
    effort_driven: bool = False
    task_type: TaskType = TaskType.fixed_units
    required_skills: Tags = Field(default_factory=list)
    manual: bool = False
    manual_start: WallTime | None = None
    manual_finish: WallTime | None = None
    calendar: Calendar | None = None
    ignore_resource_calendar: bool = False
    leveling_delay: Amount = 0.0
    leveling_delay_unit: LagUnit = LagUnit.edays
    resume: WallTime | None = None
    splits: Annotated[list[TaskSplit], AfterValidator(check_splits)] = Field(
        default_factory=list, max_length=MAX_PER_TASK
    )
    assignments: list[DocAssignment] = Field(default_factory=list, max_length=MAX_PER_TASK)


class DocLink(Input):
    predecessor: str
    successor: str
    type: LinkType = LinkType.FS
    lag: Lag = 0.0
    lag_unit: LagUnit = LagUnit.days


class DocPlan(Input):
    name: str = Name
    description: Text = ""
    start_date: date | None = None
    end_date: date | None = None
    tags: Tags = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    status: PlanStatus = PlanStatus.draft
    calendar: Calendar | None = None
    status_date: date | None = None
    status_date_moves_work: bool = True  # absent in exports made before it: the move, as then
    default_start_time: TimeOfDay | None = None


class PlanDocument(Input):
    """A whole plan with its own keys in place of database ids: what export writes and import reads."""

    format: Literal["prometheus.plan"] = "prometheus.plan"
    version: Literal[1] = 1
    plan: DocPlan
    resources: list[DocResource] = Field(default_factory=list)  # sizes: core.portable.check_size
    tasks: list[DocTask] = Field(default_factory=list)
    dependencies: list[DocLink] = Field(default_factory=list)
