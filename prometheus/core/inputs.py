"""What clients send to create or change the model: every input, whatever the transport or format."""

from __future__ import annotations

import json
import math
from copy import deepcopy
from datetime import date, datetime, time
from enum import Enum
from functools import cache
from types import UnionType
from typing import Annotated, Any, ClassVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from prometheus.core.bounds import (
    MAX_AMOUNT,
    MAX_METADATA_BYTES,
    MAX_MONEY,
    MAX_PER_TASK,
    Amount,
    Lag,
    Skills,
    Tags,
    Text,
    WorkHours,
    check_json,
    check_text,
    check_year,
)
from prometheus.core.model import (
    MOVES_WORK,
    Assignment,
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
    check_splits,
)

# a task named by id or key in an input; blank (after stripping) means none, as a missing one does
TaskRef = Annotated[str | None, AfterValidator(lambda value: value or None)]


_PLAIN = frozenset({type(None), bool, int, float})
_NEVER_TEXT = (bool, int, float, Enum, time)  # values that hold no text nor date of their own


def _may_hold_text(annotation: Any) -> bool:
    """Whether a field of this type may hold a text, a date, or a list, dict or model that `_edges` looks
    into (an enum's values, a number or a time are nothing to look into)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _may_hold_text(get_args(annotation)[0])
    if origin is list:
        return any(_may_hold_text(arg) for arg in get_args(annotation) or (Any,))
    if origin in (Union, UnionType):
        return any(_may_hold_text(arg) for arg in get_args(annotation))
    if annotation is type(None):
        return False
    return not (isinstance(annotation, type) and issubclass(annotation, _NEVER_TEXT))


@cache
def _edge_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of `cls` that `_edges` looks at: those that may hold a text, a date, a list, a dict or a
    model."""
    return tuple(n for n, f in cls.model_fields.items() if _may_hold_text(f.annotation))


class Input(BaseModel):
    """What clients send. Every input, whatever the transport or format: no NUL nor lone surrogate in any
    text (nested in lists, `metadata` or a model of the core's too), dates within
    EARLIEST_YEAR..LATEST_YEAR, finite numbers, `metadata` within MAX_METADATA_BYTES and MAX_JSON_DEPTH."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _edges(self) -> Any:
        values = self.__dict__
        for name in _edge_fields(type(self)):  # the others hold nothing to check
            value = values[name]
            if type(value) in _PLAIN or not value:  # nothing to check (most fields of a file's rows)
                if type(value) is float and not math.isfinite(value):  # a free-form (`Any`) field's
                    raise ValueError(f"{name} holds {value}: numbers must be finite")
                continue
            if isinstance(value, str):
                check_text(value, name)
            elif isinstance(value, date):
                check_year(value, name)
            elif isinstance(value, dict):
                check_json(value, name)
                if name == "metadata" and len(json.dumps(value)) > MAX_METADATA_BYTES:
                    raise ValueError(f"metadata is limited to {MAX_METADATA_BYTES:,} bytes of JSON")
            else:
                _check_nested(value, name)
        return self


def _check_nested(value: Any, name: str) -> None:
    """The texts and numbers in a list, or in a model of the core's (an assignment, a calendar) that is
    not an `Input` (which has checked itself)."""
    if isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, str):
                check_text(item, name)
            elif not isinstance(item, Input):
                _check_nested(item, name)
    elif isinstance(value, BaseModel):
        if not isinstance(value, Input):
            for item in value.__dict__.values():
                _check_nested(item, name)
    else:
        check_json(value, name)


Name = Field(min_length=1, max_length=500)


def _day(value: Any) -> Any:
    """A date given as a date-time (`datetime.now().isoformat()`) is its day."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str) and len(value.strip()) > 10:
        try:
            return datetime.fromisoformat(value.strip()).date()
        except ValueError:
            return value  # pydantic says what is wrong with it
    return value


Day = Annotated[date, BeforeValidator(_day)]


class PlanCreate(Input):
    name: str = Name
    description: Text = ""
    start_date: Day | None = None
    end_date: Day | None = None
    tags: Tags = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    status: PlanStatus = PlanStatus.draft
    calendar: Calendar | None = None
    status_date: Day | None = Field(None, description="the date progress is reported up to")
    status_date_moves_work: bool = Field(True, description=MOVES_WORK)
    default_start_time: TimeOfDay | None = Field(
        None, description="when the plan's first working day starts (MS Project's default start time)"
    )
    version: int | None = Field(None, description="Expected current version (updates only); 409 if stale")

    @model_validator(mode="after")
    def _dates(self) -> PlanCreate:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class PlanPatch(Input):
    name: str | None = Field(None, min_length=1, max_length=500)
    description: Text | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    tags: Tags | None = None
    metadata: dict[str, Any] | None = None
    status: PlanStatus | None = None
    calendar: Calendar | None = None
    status_date: Day | None = None
    status_date_moves_work: bool | None = None
    default_start_time: TimeOfDay | None = None
    version: int | None = None


class TaskCreate(Input):
    name: str = Name
    description: Text = ""
    notes: Text = Field("", description="Microsoft Project's task notes; progress updates add theirs")
    duration: Amount | None = None
    duration_unit: DurationUnit = DurationUnit.days
    status: TaskStatus = TaskStatus.pending
    priority: Priority = Priority.medium
    tags: Tags = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    parent_id: TaskRef = None
    milestone: bool = False
    constraint_type: ConstraintType = ConstraintType.ASAP
    constraint_date: WallTime | None = None
    deadline: WallTime | None = None
    optimistic_duration: Amount | None = None
    most_likely_duration: Amount | None = None
    pessimistic_duration: Amount | None = None
    assigned_resources: list[str] | None = Field(None, max_length=MAX_PER_TASK)
    assignments: list[Assignment] | None = Field(None, max_length=MAX_PER_TASK)
    work: WorkHours | None = Field(
        None, description="effort in hours; with effort_driven it sets the duration"
    )
    effort_driven: bool = Field(False, description="adding or removing resources keeps the work")
    task_type: TaskType = Field(
        TaskType.fixed_units, description="what a change of duration, work or units keeps (MS Project)"
    )
    required_skills: Tags = Field(default_factory=list)
    manual: bool = Field(
        False,
        description="manually scheduled (MS Project): keeps manual_start and manual_finish, links or not",
    )
    manual_start: WallTime | None = None
    manual_finish: WallTime | None = None
    calendar: Calendar | None = Field(None, description="the task's own calendar (wins over its resources')")
    ignore_resource_calendar: bool = Field(
        False,
        description="with its own calendar, the task works that calendar alone, ignoring its resources'"
        ' calendars (Microsoft Project\'s "scheduling ignores resource calendars")',
    )
    leveling_delay: Amount = Field(0.0, description="delay added to the start by leveling")
    leveling_delay_unit: LagUnit = LagUnit.edays
    resume: WallTime | None = Field(None, description="when a started task's remaining work resumes")
    splits: Annotated[list[TaskSplit], AfterValidator(check_splits)] = Field(
        default_factory=list,
        max_length=MAX_PER_TASK,
        description="pauses in the task's work (MS Project splits)",
    )
    version: int | None = None

    @model_validator(mode="after")
    def _check(self) -> TaskCreate:
        if self.assigned_resources is not None and self.assignments is not None:
            raise ValueError("give either assigned_resources or assignments, not both")
        dated = self.constraint_type not in (ConstraintType.ASAP, ConstraintType.ALAP)
        if dated and self.constraint_date is None:
            raise ValueError(f"constraint {self.constraint_type} needs a constraint_date")
        check_three_point(self.optimistic_duration, self.most_likely_duration, self.pessimistic_duration)
        return self


class TaskPatch(Input):
    name: str | None = Field(None, min_length=1, max_length=500)
    description: Text | None = None
    notes: Text | None = None
    duration: Amount | None = None
    duration_unit: DurationUnit | None = None
    status: TaskStatus | None = None
    priority: Priority | None = None
    tags: Tags | None = None
    metadata: dict[str, Any] | None = None
    parent_id: TaskRef = None
    milestone: bool | None = None
    constraint_type: ConstraintType | None = None
    constraint_date: WallTime | None = None
    deadline: WallTime | None = None
    optimistic_duration: Amount | None = None
    most_likely_duration: Amount | None = None
    pessimistic_duration: Amount | None = None
    assigned_resources: list[str] | None = Field(None, max_length=MAX_PER_TASK)
    assignments: list[Assignment] | None = Field(None, max_length=MAX_PER_TASK)
    work: WorkHours | None = Field(
        None, description="effort in hours; with effort_driven it sets the duration"
    )
    effort_driven: bool | None = Field(None, description="adding or removing resources keeps the work")
    task_type: TaskType | None = None
    required_skills: Tags | None = None
    manual: bool | None = None
    manual_start: WallTime | None = None
    manual_finish: WallTime | None = None
    calendar: Calendar | None = None
    ignore_resource_calendar: bool | None = None
    leveling_delay: Amount | None = None
    leveling_delay_unit: LagUnit | None = None
    resume: WallTime | None = None
    splits: Annotated[list[TaskSplit] | None, AfterValidator(lambda v: v and check_splits(v))] = Field(
        None, max_length=MAX_PER_TASK
    )
    version: int | None = None

    NULLABLE: ClassVar[frozenset[str]] = frozenset({
        "parent_id", "constraint_date", "deadline", "optimistic_duration", "most_likely_duration",
        "pessimistic_duration", "duration", "description", "notes", "tags", "metadata", "work",
        "required_skills", "manual_start", "manual_finish", "calendar", "leveling_delay", "resume", "splits",
        "version", "assignments", "assigned_resources",  # null: as if not sent
    })  # fmt: skip

    # what a null clears a field to, where the field itself cannot hold null
    CLEARED: ClassVar[dict[str, Any]] = {"description": "", "notes": "", "tags": [], "metadata": {},
                                          "required_skills": [], "leveling_delay": 0.0,
                                          "splits": []}  # fmt: skip
    UNSENT: ClassVar[frozenset[str]] = frozenset({"duration", "version", "assignments", "assigned_resources"})

    def refused_nulls(self) -> list[str]:
        """The fields this patch sets to null that cannot be null (a null elsewhere clears the field)."""
        return sorted(k for k in self.model_fields_set if getattr(self, k) is None and k not in self.NULLABLE)

    def changes(self, **dump: Any) -> dict[str, Any]:
        """The fields this patch sets (`model_dump(**dump)` of them), a null read as what it means: the
        field cleared (`CLEARED`, else None), or, for `UNSENT` fields, as if not sent."""
        values = self.model_dump(exclude_unset=True, **dump)
        return {
            k: deepcopy(self.CLEARED.get(k)) if v is None else v
            for k, v in values.items()
            if v is not None or k not in self.UNSENT
        }


def check_three_point(o: float | None, m: float | None, p: float | None) -> None:
    given = [x for x in (o, m, p) if x is not None]
    if given != sorted(given):
        raise ValueError("three-point estimates need optimistic <= most_likely <= pessimistic")


class ProgressUpdate(Input):
    status: TaskStatus | None = None
    percent_complete: float | None = Field(None, ge=0, le=100)
    actual_start: WallTime | None = None
    actual_finish: WallTime | None = None
    remaining_duration: Amount | None = Field(None, description="in the task's unit")
    resume: WallTime | None = Field(None, description="when the remaining work resumes (after a stop)")
    actual_cost: float | None = Field(None, ge=0, le=MAX_MONEY)
    notes: Text | None = None
    version: int | None = None


class DependencyCreate(Input):
    predecessor_id: str
    successor_id: str
    type: LinkType = LinkType.FS
    lag: Lag = 0.0
    lag_unit: LagUnit = LagUnit.days


class ResourceCreate(Input):
    name: str = Name
    type: ResourceType = ResourceType.human
    skills: Skills = Field(default_factory=list)
    availability: float = Field(1.0, ge=0, le=1)
    cost_rate: float = Field(0.0, ge=0, le=MAX_MONEY)
    calendar: Calendar | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class ResourcePatch(Input):
    name: str | None = Field(None, min_length=1, max_length=500)
    type: ResourceType | None = None
    skills: Skills | None = None
    availability: float | None = Field(None, ge=0, le=1)
    cost_rate: float | None = Field(None, ge=0, le=MAX_MONEY)
    calendar: Calendar | None = None
    metadata: dict[str, Any] | None = None
    version: int | None = None

    def changes(self, mode: str = "python") -> dict[str, Any]:
        """What this patch sets: a null leaves a field as it is, except that it empties `skills` and
        `metadata` and removes the `calendar`; a null `name` stays, for the caller to refuse."""
        cleared: dict[str, Any] = {"skills": [], "metadata": {}, "calendar": None}
        values = self.model_dump(mode=mode, exclude={"version"}, exclude_unset=True)
        return {
            k: cleared.get(k) if v is None and k in cleared else v
            for k, v in values.items()
            if v is not None or k in cleared or k == "name"
        }


class BaselineCreate(Input):
    number: int | None = Field(None, ge=0, le=10, description="0..10; the first free number when omitted")
    name: str | None = Field(None, max_length=200)


class EstimateRequest(Input):
    name: str = Name
    description: Text = ""
    tags: Tags = Field(default_factory=list)
    duration: float | None = Field(None, gt=0, le=MAX_AMOUNT, description="your own estimate, in days")
