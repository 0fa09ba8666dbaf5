"""The one domain model of a plan, shared by the API, the store and the scheduling core."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    computed_field,
    field_validator,
    model_validator,
)

from prometheus.core.bounds import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    MAX_METADATA_BYTES,
    check_json,
    check_text,
    webhook_url,
)


class DurationUnit(StrEnum):
    """Working-time units, and elapsed ones (e prefix: 1 edays = 24 hours of calendar time, as MS Project)."""

    hours = "hours"
    days = "days"
    weeks = "weeks"
    ehours = "ehours"
    edays = "edays"
    eweeks = "eweeks"


class TaskStatus(StrEnum):
    pending = "pending"
    in_progress = "in_progress"
    completed = "completed"
    blocked = "blocked"
    cancelled = "cancelled"


class Priority(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class LinkType(StrEnum):
    FS = "FS"
    SS = "SS"
    FF = "FF"
    SF = "SF"


class LagUnit(StrEnum):
    """Working-time units, and elapsed (calendar) time units prefixed with e, as in Microsoft Project."""

    hours = "hours"
    days = "days"
    weeks = "weeks"
    ehours = "ehours"
    edays = "edays"
    eweeks = "eweeks"


class ConstraintType(StrEnum):
    ASAP = "ASAP"
    ALAP = "ALAP"
    SNET = "SNET"
    SNLT = "SNLT"
    FNET = "FNET"
    FNLT = "FNLT"
    MSO = "MSO"
    MFO = "MFO"


class ResourceType(StrEnum):
    human = "human"
    agent = "agent"
    compute = "compute"
    equipment = "equipment"


class PlanStatus(StrEnum):
    draft = "draft"
    active = "active"
    on_hold = "on_hold"
    completed = "completed"
    cancelled = "cancelled"
    archived = "archived"


def check_periods(v: list[tuple[time, time]]) -> list[tuple[time, time]]:
    """Working periods of a day, sorted; an end of 00:00 is midnight at the end of the day (24:00)."""
    periods = sorted(v)
    for start, end in periods:
        if end <= start and end != time(0):
            raise ValueError(f"working period {start}-{end} ends before it starts")
    for (_, end), (nxt, _) in zip(periods, periods[1:], strict=False):
        if end == time(0) or nxt < end:
            raise ValueError("working periods overlap")
    return periods


class CalendarException(BaseModel):
    """A date with working hours of its own (an extra working day, or other hours that day)."""

    model_config = ConfigDict(extra="forbid")

    date: date
    working_hours: list[tuple[time, time]] = Field(min_length=1)

    @field_validator("working_hours")
    @classmethod
    def _periods(cls, v: list[tuple[time, time]]) -> list[tuple[time, time]]:
        return check_periods(v)


class Calendar(BaseModel):
    """A working calendar: working weekdays (0 = Monday), working periods of a day (per weekday where
    `weekday_hours` says otherwise), non-working dates, and dates with working hours of their own."""

    model_config = ConfigDict(extra="forbid")

    name: str = "Standard"
    working_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    working_hours: list[tuple[time, time]] = Field(
        default_factory=lambda: [(time(8), time(12)), (time(13), time(17))]
    )
    weekday_hours: dict[int, list[tuple[time, time]]] = Field(
        default_factory=dict, description="working periods of particular weekdays (0 = Monday)"
    )
    holidays: list[date] = Field(default_factory=list)
    exceptions: list[CalendarException] = Field(
        default_factory=list, description="dates worked with their own hours (they win over holidays)"
    )
    hours_per_day: float = Field(8.0, gt=0, le=24, description="length of a duration day")
    hours_per_week: float = Field(40.0, gt=0, le=168, description="length of a duration week")

    @field_validator("working_days")
    @classmethod
    def _weekdays(cls, v: list[int]) -> list[int]:
        if not v or any(d < 0 or d > 6 for d in v) or len(set(v)) != len(v):
            raise ValueError("working_days must be distinct weekdays 0 (Monday) .. 6 (Sunday), at least one")
        return sorted(v)

    @field_validator("working_hours")
    @classmethod
    def _periods(cls, v: list[tuple[time, time]]) -> list[tuple[time, time]]:
        if not v:
            raise ValueError("working_hours needs at least one period")
        return check_periods(v)

    @field_validator("weekday_hours")
    @classmethod
    def _weekday_periods(cls, v: dict[int, list[tuple[time, time]]]) -> dict[int, list[tuple[time, time]]]:
        if any(d < 0 or d > 6 for d in v) or any(not p for p in v.values()):
            raise ValueError("weekday_hours maps weekdays 0 (Monday) .. 6 (Sunday) to at least one period")
        return {d: check_periods(p) for d, p in sorted(v.items())}

    def hours_of(self, weekday: int) -> list[tuple[time, time]]:
        """The working periods of a weekday ([] when it is not worked)."""
        if weekday not in self.working_days:
            return []
        return self.weekday_hours.get(weekday, self.working_hours)


class Assignment(BaseModel):
    resource_id: str
    units: float = Field(1.0, gt=0, le=100)


class Task(BaseModel):
    id: str
    plan_id: str
    key: str | None = Field(None, description="task-N, the n-th task created in its plan; usable as its id")
    position: int = 0
    parent_id: str | None = None
    name: str
    description: str = ""
    duration: float = 1.0
    duration_unit: DurationUnit = DurationUnit.days
    status: TaskStatus = TaskStatus.pending
    priority: Priority = Priority.medium
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    milestone: bool = False
    constraint_type: ConstraintType = ConstraintType.ASAP
    constraint_date: datetime | None = None
    deadline: datetime | None = None
    assignments: list[Assignment] = Field(default_factory=list)
    optimistic_duration: float | None = None
    most_likely_duration: float | None = None
    pessimistic_duration: float | None = None
    percent_complete: float = 0.0
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    remaining_duration: float | None = None
    actual_cost: float | None = None
    notes: str = ""
    work: float | None = None
    effort_driven: bool = False
    required_skills: list[str] = Field(default_factory=list)
    manual: bool = False
    manual_start: datetime | None = None
    manual_finish: datetime | None = None
    calendar: Calendar | None = None
    leveling_delay: float = 0.0
    leveling_delay_unit: LagUnit = LagUnit.edays
    resume: datetime | None = None
    dependencies: list[str] = Field(default_factory=list, description="ids of the task's predecessors")
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def assigned_resources(self) -> list[str]:
        return [a.resource_id for a in self.assignments]


class Dependency(BaseModel):
    id: str
    plan_id: str
    predecessor_id: str
    successor_id: str
    type: LinkType = LinkType.FS
    lag: float = 0.0
    lag_unit: LagUnit = LagUnit.days


class Resource(BaseModel):
    id: str
    plan_id: str
    name: str
    type: ResourceType = ResourceType.human
    skills: list[str] = Field(default_factory=list)
    availability: float = Field(1.0, ge=0, le=1)
    cost_rate: float = Field(0.0, ge=0)
    calendar: Calendar | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Plan(BaseModel):
    id: str
    name: str
    description: str = ""
    start_date: date | None = None
    end_date: date | None = None
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    status: PlanStatus = PlanStatus.draft
    calendar: Calendar | None = None
    status_date: date | None = None
    default_start_time: time | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None
    task_count: int = 0
    tasks: list[Task] | None = None
    dependencies: list[Dependency] | None = None
    resources: list[Resource] | None = None

    @model_validator(mode="after")
    def _dates(self) -> Plan:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


# --- Inputs: what a client sends to create or change the model -------------------------------------------


# a task named by id or key in an input; blank (after stripping) means none, as a missing one does
TaskRef = Annotated[str | None, AfterValidator(lambda value: value or None)]


class _Input(BaseModel):
    """What clients send. Every input, whatever the transport or format: no NUL in any text, dates within
    EARLIEST_YEAR..LATEST_YEAR, finite numbers, `metadata` within MAX_METADATA_BYTES and MAX_JSON_DEPTH."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _edges(self) -> Any:
        for name, value in self.__dict__.items():
            if isinstance(value, str):
                check_text(value, name)
            elif isinstance(value, date) and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
                raise ValueError(
                    f"{name} {value.isoformat()} is outside the years {EARLIEST_YEAR}..{LATEST_YEAR}"
                )
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, str):
                        check_text(item, name)
            elif isinstance(value, dict):
                check_json(value, name)
                if name == "metadata" and len(json.dumps(value)) > MAX_METADATA_BYTES:
                    raise ValueError(f"metadata is limited to {MAX_METADATA_BYTES:,} bytes of JSON")
        return self


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


class PlanCreate(_Input):
    name: str = Name
    description: str = Field("", max_length=20_000)
    start_date: Day | None = None
    end_date: Day | None = None
    tags: list[str] = Field(default_factory=list, max_length=100)
    metadata: dict[str, Any] = Field(default_factory=dict)
    status: PlanStatus = PlanStatus.draft
    calendar: Calendar | None = None
    status_date: Day | None = Field(None, description="the date progress is reported up to")
    default_start_time: time | None = Field(
        None, description="when the plan's first working day starts (MS Project's default start time)"
    )
    version: int | None = Field(None, description="Expected current version (updates only); 409 if stale")

    @model_validator(mode="after")
    def _dates(self) -> PlanCreate:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class PlanPatch(_Input):
    name: str | None = Field(None, min_length=1, max_length=500)
    description: str | None = Field(None, max_length=20_000)
    start_date: Day | None = None
    end_date: Day | None = None
    tags: list[str] | None = Field(None, max_length=100)
    metadata: dict[str, Any] | None = None
    status: PlanStatus | None = None
    calendar: Calendar | None = None
    status_date: Day | None = None
    default_start_time: time | None = None
    version: int | None = None


class TaskCreate(_Input):
    name: str = Name
    description: str = Field("", max_length=20_000)
    duration: float | None = Field(None, ge=0, le=1_000_000)
    duration_unit: DurationUnit = DurationUnit.days
    status: TaskStatus = TaskStatus.pending
    priority: Priority = Priority.medium
    tags: list[str] = Field(default_factory=list, max_length=100)
    metadata: dict[str, Any] = Field(default_factory=dict)
    parent_id: TaskRef = None
    milestone: bool = False
    constraint_type: ConstraintType = ConstraintType.ASAP
    constraint_date: datetime | None = None
    deadline: datetime | None = None
    optimistic_duration: float | None = Field(None, ge=0, le=1_000_000)
    most_likely_duration: float | None = Field(None, ge=0, le=1_000_000)
    pessimistic_duration: float | None = Field(None, ge=0, le=1_000_000)
    assigned_resources: list[str] | None = Field(None, max_length=1000)
    assignments: list[Assignment] | None = Field(None, max_length=1000)
    work: float | None = Field(
        None, ge=0, le=10_000_000, description="effort in hours; with effort_driven it sets the duration"
    )
    effort_driven: bool = Field(False, description="duration = work / assigned units (in hours)")
    required_skills: list[str] = Field(default_factory=list, max_length=100)
    manual: bool = Field(
        False,
        description="manually scheduled (MS Project): keeps manual_start and manual_finish, links or not",
    )
    manual_start: datetime | None = None
    manual_finish: datetime | None = None
    calendar: Calendar | None = Field(None, description="the task's own calendar (wins over its resources')")
    leveling_delay: float = Field(0.0, ge=0, le=1_000_000, description="delay added to the start by leveling")
    leveling_delay_unit: LagUnit = LagUnit.edays
    resume: datetime | None = Field(None, description="when a started task's remaining work resumes")
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


class TaskPatch(_Input):
    name: str | None = Field(None, min_length=1, max_length=500)
    description: str | None = Field(None, max_length=20_000)
    duration: float | None = Field(None, ge=0, le=1_000_000)
    duration_unit: DurationUnit | None = None
    status: TaskStatus | None = None
    priority: Priority | None = None
    tags: list[str] | None = Field(None, max_length=100)
    metadata: dict[str, Any] | None = None
    parent_id: TaskRef = None
    milestone: bool | None = None
    constraint_type: ConstraintType | None = None
    constraint_date: datetime | None = None
    deadline: datetime | None = None
    optimistic_duration: float | None = Field(None, ge=0, le=1_000_000)
    most_likely_duration: float | None = Field(None, ge=0, le=1_000_000)
    pessimistic_duration: float | None = Field(None, ge=0, le=1_000_000)
    assigned_resources: list[str] | None = Field(None, max_length=1000)
    assignments: list[Assignment] | None = Field(None, max_length=1000)
    work: float | None = Field(
        None, ge=0, le=10_000_000, description="effort in hours; with effort_driven it sets the duration"
    )
    effort_driven: bool | None = Field(None, description="duration = work / assigned units (in hours)")
    required_skills: list[str] | None = Field(None, max_length=100)
    manual: bool | None = None
    manual_start: datetime | None = None
    manual_finish: datetime | None = None
    calendar: Calendar | None = None
    leveling_delay: float | None = Field(None, ge=0, le=1_000_000)
    leveling_delay_unit: LagUnit | None = None
    resume: datetime | None = None
    version: int | None = None

    NULLABLE: ClassVar[frozenset[str]] = frozenset({
        "parent_id", "constraint_date", "deadline", "optimistic_duration", "most_likely_duration",
        "pessimistic_duration", "duration", "description", "tags", "metadata", "work", "required_skills",
        "manual_start", "manual_finish", "calendar", "leveling_delay", "resume",
        "version", "assignments", "assigned_resources",  # null: as if not sent
    })  # fmt: skip

    def refused_nulls(self) -> list[str]:
        """The fields this patch sets to null that cannot be null (a null elsewhere clears the field)."""
        return sorted(k for k in self.model_fields_set if getattr(self, k) is None and k not in self.NULLABLE)


def check_three_point(o: float | None, m: float | None, p: float | None) -> None:
    given = [x for x in (o, m, p) if x is not None]
    if given != sorted(given):
        raise ValueError("three-point estimates need optimistic <= most_likely <= pessimistic")


class ProgressUpdate(_Input):
    status: TaskStatus | None = None
    percent_complete: float | None = Field(None, ge=0, le=100)
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    remaining_duration: float | None = Field(None, ge=0, le=1_000_000, description="in the task's unit")
    resume: datetime | None = Field(None, description="when the remaining work resumes (after a stop)")
    actual_cost: float | None = Field(None, ge=0)
    notes: str | None = Field(None, max_length=20_000)
    version: int | None = None


class DependencyCreate(_Input):
    predecessor_id: str
    successor_id: str
    type: LinkType = LinkType.FS
    lag: float = Field(0.0, ge=-1_000_000, le=1_000_000)
    lag_unit: LagUnit = LagUnit.days


class ResourceCreate(_Input):
    name: str = Name
    type: ResourceType = ResourceType.human
    skills: list[str] = Field(default_factory=list, max_length=200)
    availability: float = Field(1.0, ge=0, le=1)
    cost_rate: float = Field(0.0, ge=0)
    calendar: Calendar | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class ResourcePatch(_Input):
    name: str | None = Field(None, min_length=1, max_length=500)
    type: ResourceType | None = None
    skills: list[str] | None = Field(None, max_length=200)
    availability: float | None = Field(None, ge=0, le=1)
    cost_rate: float | None = Field(None, ge=0)
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


class BaselineTask(BaseModel):
    task_id: str
    name: str
    start: datetime
    finish: datetime
    duration_days: float
    cost: float


class Baseline(BaseModel):
    """A saved copy of a plan's schedule (Microsoft Project keeps Baseline and Baseline1..10)."""

    plan_id: str
    number: int = Field(ge=0, le=10)
    name: str
    saved_at: datetime
    project_start: datetime
    project_finish: datetime
    total_cost: float
    tasks: list[BaselineTask]


class BaselineCreate(_Input):
    number: int | None = Field(None, ge=0, le=10, description="0..10; the first free number when omitted")
    name: str | None = Field(None, max_length=200)


# --- Retrospectives ------------------------------------------------------------------------------------


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


class RetrospectiveCreate(_Input):
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


class FeedbackCreate(_Input):
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


class FeedbackPatch(_Input):
    content: str | None = Field(None, min_length=1, max_length=5000)
    owner: str | None = Field(None, max_length=200)
    due_date: date | None = None
    status: ActionStatus | None = None


class EstimateRequest(_Input):
    name: str = Name
    description: str = Field("", max_length=20_000)
    tags: list[str] = Field(default_factory=list, max_length=100)
    duration: float | None = Field(None, gt=0, le=1_000_000, description="your own estimate, in days")


# --- The portable form of a plan (JSON export/import and every other format) -----------------------------


class DocAssignment(_Input):
    resource: str
    units: float = Field(1.0, gt=0, le=100)


class DocResource(_Input):
    key: str
    name: str = Name
    type: ResourceType = ResourceType.human
    skills: list[str] = Field(default_factory=list)
    availability: float = Field(1.0, ge=0, le=1)
    cost_rate: float = Field(0.0, ge=0)
    calendar: Calendar | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class DocTask(_Input):
    key: str
    parent: str | None = None
    name: str = Name
    description: str = ""
    duration: float = Field(1.0, ge=0, le=1_000_000)
    duration_unit: DurationUnit = DurationUnit.days
    status: TaskStatus = TaskStatus.pending
    priority: Priority = Priority.medium
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    milestone: bool = False
    constraint_type: ConstraintType = ConstraintType.ASAP
    constraint_date: datetime | None = None
    deadline: datetime | None = None
    optimistic_duration: float | None = None
    most_likely_duration: float | None = None
    pessimistic_duration: float | None = None
    percent_complete: float = Field(0.0, ge=0, le=100)
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    remaining_duration: float | None = None
    actual_cost: float | None = None
    notes: str = ""
    work: float | None = Field(None, ge=0)
    effort_driven: bool = False
    required_skills: list[str] = Field(default_factory=list)
    manual: bool = False
    manual_start: datetime | None = None
    manual_finish: datetime | None = None
    calendar: Calendar | None = None
    leveling_delay: float = Field(0.0, ge=0)
    leveling_delay_unit: LagUnit = LagUnit.edays
    resume: datetime | None = None
    assignments: list[DocAssignment] = Field(default_factory=list)


class DocLink(_Input):
    predecessor: str
    successor: str
    type: LinkType = LinkType.FS
    lag: float = 0.0
    lag_unit: LagUnit = LagUnit.days


class DocPlan(_Input):
    name: str = Name
    description: str = ""
    start_date: date | None = None
    end_date: date | None = None
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    status: PlanStatus = PlanStatus.draft
    calendar: Calendar | None = None
    status_date: date | None = None
    default_start_time: time | None = None


class PlanDocument(_Input):
    """A whole plan with its own keys in place of database ids: what export writes and import reads."""

    format: Literal["prometheus.plan"] = "prometheus.plan"
    version: Literal[1] = 1
    plan: DocPlan
    resources: list[DocResource] = Field(default_factory=list)  # sizes: core.portable.check_size
    tasks: list[DocTask] = Field(default_factory=list)
    dependencies: list[DocLink] = Field(default_factory=list)


# --- Webhooks ------------------------------------------------------------------------------------------


class WebhookCreate(_Input):
    url: str = Field(min_length=8, max_length=2000)
    events: list[str] = Field(default_factory=lambda: ["prometheus.*"], min_length=1, max_length=100)
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


class WebhookPatch(_Input):
    url: str | None = Field(None, min_length=8, max_length=2000)
    events: list[str] | None = Field(None, min_length=1, max_length=100)
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
