"""The one domain model of a plan, shared by the API, the store and the scheduling core."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    computed_field,
    field_validator,
    model_serializer,
    model_validator,
)

from prometheus.core.bounds import MAX_PERIODS_PER_DAY, MIN_UNIT_HOURS, WorkHours


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


class TaskType(StrEnum):
    """What Microsoft Project keeps when a task's duration, work or units change (MSPDI Type 0, 1, 2)."""

    fixed_units = "fixed_units"
    fixed_duration = "fixed_duration"
    fixed_work = "fixed_work"


class WorkContour(StrEnum):
    """How an assignment spreads its work over time (MSPDI WorkContour 0..8); a contour other than flat
    stretches the assignment (`core.task_types.contour_stretch`)."""

    flat = "flat"
    back_loaded = "back_loaded"
    front_loaded = "front_loaded"
    double_peak = "double_peak"
    early_peak = "early_peak"
    late_peak = "late_peak"
    bell = "bell"
    turtle = "turtle"
    contoured = "contoured"


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


def _time_text(value: Any) -> Any:
    """A time of day is given as a text (`08:00`, `08:00:00`); a number is none."""
    if not isinstance(value, str | time):
        raise ValueError(f"a time of day is a text such as '08:00', not {value!r}")
    return value


def _local(value: time) -> time:
    """A time of day in a calendar is the calendar's own local time: it has no UTC offset."""
    if value.tzinfo is not None:
        raise ValueError(f"a time of day holds no UTC offset: give {value.replace(tzinfo=None)} local time")
    return value


def wall(value: datetime | None) -> datetime | None:
    """A task's date as the plan's wall-clock time. A plan has no time zone (nor has a Microsoft Project
    file): its calendars and schedule are local clock times, so a date given with a UTC offset keeps its
    clock time and drops the offset (`09:00+02:00` is 09:00), as one given without one does."""
    return value if value is None or value.tzinfo is None else value.replace(tzinfo=None)


# a task's date (constraint, deadline, actuals, manual dates, resume): plan-local, without a UTC offset
WallTime = Annotated[datetime, AfterValidator(wall)]

# a time of day of a calendar or plan: a text without a UTC offset (a time with one, or a number, is a 422)
TimeOfDay = Annotated[time, BeforeValidator(_time_text), AfterValidator(_local)]
Period = tuple[TimeOfDay, TimeOfDay]


def check_periods(v: list[tuple[time, time]]) -> list[tuple[time, time]]:
    """Working periods of a day, sorted; an end of 00:00 is midnight at the end of the day (24:00)."""
    periods = sorted(v)
    if len(periods) > MAX_PERIODS_PER_DAY:
        raise ValueError(f"a day has at most {MAX_PERIODS_PER_DAY} working periods, not {len(periods)}")
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
    working_hours: list[Period] = Field(min_length=1)

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
    working_hours: list[Period] = Field(default_factory=lambda: [(time(8), time(12)), (time(13), time(17))])
    weekday_hours: dict[int, list[Period]] = Field(
        default_factory=dict, description="working periods of particular weekdays (0 = Monday)"
    )
    holidays: list[date] = Field(default_factory=list)
    exceptions: list[CalendarException] = Field(
        default_factory=list, description="dates worked with their own hours (they win over holidays)"
    )
    hours_per_day: float = Field(8.0, gt=0, le=24, description="length of a duration day")
    hours_per_week: float = Field(40.0, gt=0, le=168, description="length of a duration week")

    @field_validator("hours_per_day", "hours_per_week")
    @classmethod
    def _a_minute(cls, v: float) -> float:
        if round(v * 60) < round(MIN_UNIT_HOURS * 60):  # the scheduler counts whole minutes
            raise ValueError(f"must be at least one minute ({MIN_UNIT_HOURS:.4f} hours), not {v}")
        return v

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


class TaskSplit(BaseModel):
    """A pause in a task's work (MS Project's split): it begins `at` working hours after the task's start
    (earlier pauses included) and lasts `hours` working hours of the task's calendar; a task moved by its
    links keeps its parts."""

    model_config = ConfigDict(extra="forbid")

    at: float = Field(gt=0, le=1_000_000, description="working hours from the task's start to the pause")
    hours: float = Field(gt=0, le=1_000_000, description="working hours the pause lasts")


def check_splits(v: list[TaskSplit]) -> list[TaskSplit]:
    """Pauses in order, each after the end of the one before with work between them."""
    for a, b in zip(v, v[1:], strict=False):
        if b.at <= a.at + a.hours:
            raise ValueError("task splits overlap: each pause begins after work that follows the one before")
    return v


class Assignment(BaseModel):
    """A resource on a task: its units (1.0 = full time) and, as Microsoft Project keeps them, its own work
    (hours), its delay after the task's start (working hours), its work contour and, on a task under way,
    the work it has left (hours); those four are shown only when set."""

    resource_id: str
    units: float = Field(1.0, gt=0, le=100)
    work: WorkHours | None = Field(None, description="the assignment's work in hours")
    delay: WorkHours = Field(0.0, description="working hours after the task's start")
    contour: WorkContour = WorkContour.flat
    remaining_work: WorkHours | None = Field(
        None, description="hours of work left on a task under way (0: this resource has finished its part)"
    )

    @model_serializer(mode="wrap")
    def _set_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out = handler(self)
        unset = (("work", None), ("delay", 0.0), ("contour", WorkContour.flat), ("remaining_work", None))
        for key, default in unset:
            if out.get(key) == default:
                out.pop(key, None)
        return out


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
    constraint_date: WallTime | None = None
    deadline: WallTime | None = None
    assignments: list[Assignment] = Field(default_factory=list)
    optimistic_duration: float | None = None
    most_likely_duration: float | None = None
    pessimistic_duration: float | None = None
    percent_complete: float = 0.0
    actual_start: WallTime | None = None
    actual_finish: WallTime | None = None
    remaining_duration: float | None = None
    actual_cost: float | None = None
    notes: str = ""
    work: float | None = None
    effort_driven: bool = False
    task_type: TaskType = TaskType.fixed_units
    required_skills: list[str] = Field(default_factory=list)
    manual: bool = False
    manual_start: WallTime | None = None
    manual_finish: WallTime | None = None
    calendar: Calendar | None = None
    ignore_resource_calendar: bool = False
    leveling_delay: float = 0.0
    leveling_delay_unit: LagUnit = LagUnit.edays
    resume: WallTime | None = None
    splits: list[TaskSplit] = Field(default_factory=list, description="pauses in the task's work")
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


MOVES_WORK = (
    "work not done by the status date is scheduled after it, as Microsoft Project's \"move start of "
    'remaining parts forward to the status date" (a Microsoft Project file brings its own setting, off '
    "by default)"
)


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
    status_date_moves_work: bool = Field(True, description=MOVES_WORK)
    default_start_time: TimeOfDay | None = None
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
