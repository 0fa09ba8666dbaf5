"""The repository: every read and write of plans, tasks, links and resources, on one transaction."""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from prometheus.core.graph import ancestors, wbs_cycle_if_added
from prometheus.core.model import (
    ActionStatus,
    Assignment,
    Baseline,
    BaselineCreate,
    Calendar,
    Delivery,
    Dependency,
    DependencyCreate,
    DocPlan,
    DocTask,
    Feedback,
    FeedbackCreate,
    FeedbackPatch,
    FeedbackType,
    Plan,
    PlanCreate,
    PlanDocument,
    PlanPatch,
    ProgressUpdate,
    Resource,
    ResourceCreate,
    ResourcePatch,
    Retrospective,
    RetrospectiveCreate,
    Task,
    TaskCreate,
    TaskPatch,
    TaskStatus,
    Webhook,
    WebhookCreate,
    WebhookPatch,
    check_three_point,
)
from prometheus.core.portable import check_document, check_size
from prometheus.core.progress import scheduled_actuals
from prometheus.core.resources import effort_duration
from prometheus.errors import (
    DependencyError,
    NotFound,
    PlanTooLarge,
    ResourceConflict,
    ValidationFailed,
    VersionConflict,
)
from prometheus.store.records import Records
from prometheus.store.scenarios import Scenarios
from prometheus.store.structure import Structure
from prometheus.store.tables import (
    AssignmentRow,
    BaselineRow,
    DeliveryRow,
    DependencyRow,
    EventRow,
    FeedbackRow,
    PlanRow,
    ResourceRow,
    RetrospectiveRow,
    TaskRow,
    WebhookRow,
    utcnow,
)

_EVENTS_LOCK = 0x45564E54
IMPORT_BATCH = 1000  # rows per bulk insert
TASK_KEY = re.compile(r"task-([1-9][0-9]{0,9})")  # task-N: the n-th task created in its plan
# task fields a PATCH may set to null; null for any other is refused, not stored


def new_id() -> str:
    return str(uuid.uuid4())


def emits(kind: str, *, plan_from: str = "arg") -> Callable:
    """Write the event of a change into the outbox, in the change's own transaction.

    plan_from: "arg" (the first argument is the plan id), "result" (the result's plan_id or id), "retro"
    (the retrospective's plan). The event carries the result, or the id of what was deleted."""

    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def inner(self: Store, *args: Any, **kwargs: Any) -> Any:
            result = fn(self, *args, **kwargs)
            if hasattr(result, "model_dump"):
                data = result.model_dump(mode="json", exclude={"tasks", "dependencies", "resources"})
            elif isinstance(result, str):  # the id of what was deleted
                data = {"id": result}
            else:
                data = {"id": args[1] if len(args) > 1 else args[0]}
            if plan_from == "arg":
                plan_id = args[0] if args else kwargs.get("plan_id")
            elif plan_from == "result":
                plan_id = getattr(result, "plan_id", None) or getattr(result, "id", None)
            else:
                plan_id = self._retro_row(args[0]).plan_id
                data["retrospective_id"] = args[0]
            self.emit(kind, plan_id, data)
            return result

        return inner

    return wrap


def touch_plans(session: Session, _ctx: Any, _instances: Any) -> None:
    """before_flush: give every plan whose row or content is about to change a new revision token."""
    token = uuid.uuid4().hex
    others: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, PlanRow):
            obj.revision = token
        elif isinstance(obj, (TaskRow, DependencyRow, ResourceRow, BaselineRow)) and obj.plan_id:
            others.add(obj.plan_id)
    if others:  # Core statement on the table: no autoflush, no version bump of the plan row
        session.connection().execute(
            update(PlanRow.__table__).where(PlanRow.__table__.c.id.in_(others)).values(revision=token)
        )


def _aware(dt: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything stored is UTC."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _fields(row: Any, names: Iterable[str]) -> dict[str, Any]:
    return {n: getattr(row, n) for n in names}


_PLAN_FIELDS = (
    "id",
    "name",
    "description",
    "start_date",
    "end_date",
    "tags",
    "status",
    "status_date",
    "default_start_time",
    "version",
)
_TASK_FIELDS = (
    "id",
    "plan_id",
    "position",
    "parent_id",
    "name",
    "description",
    "duration",
    "duration_unit",
    "status",
    "priority",
    "tags",
    "milestone",
    "percent_complete",
    "notes",
    "version",
    "constraint_type",
    "optimistic_duration",
    "most_likely_duration",
    "pessimistic_duration",
    "remaining_duration",
    "actual_cost",
    "work",
    "effort_driven",
    "manual",
    "leveling_delay",
    "leveling_delay_unit",
)
_RESOURCE_FIELDS = ("id", "plan_id", "name", "type", "skills", "availability", "cost_rate", "version")
_DEP_FIELDS = ("id", "plan_id", "predecessor_id", "successor_id", "type", "lag", "lag_unit")


def plan_model(row: PlanRow, task_count: int = 0) -> Plan:
    return Plan(
        **_fields(row, _PLAN_FIELDS),
        metadata=row.meta or {},
        calendar=row.calendar,
        created_at=_aware(row.created_at),
        updated_at=_aware(row.updated_at),
        task_count=task_count,
    )


def task_model(row: TaskRow, assignments: list[Assignment], predecessors: list[str] | None = None) -> Task:
    return Task(
        **_fields(row, _TASK_FIELDS),
        key=f"task-{row.number}",
        dependencies=predecessors or [],
        metadata=row.meta or {},
        required_skills=row.required_skills or [],
        assignments=assignments,
        actual_start=_aware(row.actual_start),
        actual_finish=_aware(row.actual_finish),
        manual_start=_aware(row.manual_start),
        manual_finish=_aware(row.manual_finish),
        resume=_aware(row.resume),
        calendar=row.calendar,
        constraint_date=_aware(row.constraint_date),
        deadline=_aware(row.deadline),
        created_at=_aware(row.created_at),
        updated_at=_aware(row.updated_at),
    )


def resource_model(row: ResourceRow) -> Resource:
    return Resource(
        **_fields(row, _RESOURCE_FIELDS),
        calendar=row.calendar,
        metadata=row.meta or {},
        created_at=_aware(row.created_at),
        updated_at=_aware(row.updated_at),
    )


def dependency_model(row: DependencyRow) -> Dependency:
    return Dependency(**_fields(row, _DEP_FIELDS))


def _task_row(source: TaskCreate | DocTask, **fields: Any) -> TaskRow:
    """A task row from what a client sent or a file held; `fields` gives the rest (ids, position...)."""
    return TaskRow(
        name=source.name,
        description=source.description,
        duration_unit=source.duration_unit.value,
        status=source.status.value,
        priority=source.priority.value,
        tags=source.tags,
        meta=source.metadata,
        milestone=source.milestone,
        constraint_type=source.constraint_type.value,
        constraint_date=source.constraint_date,
        deadline=source.deadline,
        optimistic_duration=source.optimistic_duration,
        most_likely_duration=source.most_likely_duration,
        pessimistic_duration=source.pessimistic_duration,
        work=source.work,
        effort_driven=source.effort_driven,
        required_skills=source.required_skills,
        manual=source.manual,
        manual_start=source.manual_start,
        manual_finish=source.manual_finish,
        calendar=_calendar_json(source.calendar),
        leveling_delay=source.leveling_delay,
        leveling_delay_unit=source.leveling_delay_unit.value,
        resume=source.resume,
        **fields,
    )


def _task_values(t: DocTask, tid: dict[str, str], plan_id: str, position: int, now: datetime) -> dict:
    """The columns of an imported task (a bulk insert: no ORM object)."""
    return {
        "id": tid[t.key], "plan_id": plan_id, "parent_id": tid[t.parent] if t.parent else None,
        "position": position, "number": position, "name": t.name, "description": t.description,
        "duration": t.duration, "duration_unit": t.duration_unit.value, "status": t.status.value,
        "priority": t.priority.value, "tags": t.tags, "metadata": t.metadata, "milestone": t.milestone,
        "constraint_type": t.constraint_type.value, "constraint_date": t.constraint_date,
        "deadline": t.deadline, "optimistic_duration": t.optimistic_duration,
        "most_likely_duration": t.most_likely_duration, "pessimistic_duration": t.pessimistic_duration,
        "remaining_duration": t.remaining_duration, "actual_cost": t.actual_cost,
        "percent_complete": t.percent_complete, "actual_start": t.actual_start,
        "actual_finish": t.actual_finish, "notes": t.notes, "work": t.work, "effort_driven": t.effort_driven,
        "required_skills": t.required_skills, "manual": t.manual, "manual_start": t.manual_start,
        "manual_finish": t.manual_finish, "calendar": _calendar_json(t.calendar),
        "leveling_delay": t.leveling_delay, "leveling_delay_unit": t.leveling_delay_unit.value,
        "resume": t.resume, "version": 1, "created_at": now, "updated_at": now,
    }  # fmt: skip


def _calendar_json(cal: Calendar | None) -> dict[str, Any] | None:
    return None if cal is None else cal.model_dump(mode="json")


class Store(Scenarios, Records, Structure):
    """Repository over one SQLAlchemy session (one transaction, see Database.store())."""

    def __init__(self, session: Session):
        self.session = session
        self.dialect = session.get_bind().dialect.name

    # -- helpers -------------------------------------------------------------------------------------------

    def emit(self, kind: str, plan_id: str | None, data: dict[str, Any]) -> None:
        if self.dialect == "postgresql" and not self.session.info.get("events_locked"):
            # writers that emit commit one at a time, so event ids become visible in order (no gaps for
            # readers that follow the outbox by id)
            self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _EVENTS_LOCK})
            self.session.execute(text("SELECT pg_notify('prometheus_events', '')"))  # sent at commit
            self.session.info["events_locked"] = True
        self.session.add(EventRow(type=f"prometheus.{kind}", plan_id=plan_id, data=data))
        self.session.info["emitted"] = True

    def _json_contains(self, column: Any, value: str) -> ColumnElement[bool]:
        """`value` is an element of the JSON array in `column`, on PostgreSQL and SQLite."""
        if self.dialect == "postgresql":
            return column.op("@>")(func.cast(func.json_build_array(value), JSONB))
        each = func.json_each(column).table_valued("value")
        return exists(select(literal_column("1")).select_from(each).where(each.c.value == value))

    def _flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError as exc:
            raise VersionConflict(
                "the record was changed by someone else meanwhile; reload and retry"
            ) from exc
        except IntegrityError as exc:
            raise ResourceConflict(f"conflicting change: {exc.orig}") from exc

    @staticmethod
    def _check_version(kind: str, row: Any, expected: int | None) -> None:
        if expected is not None and expected != row.version:
            raise VersionConflict(
                f"{kind} {row.id} is at version {row.version}, not {expected}; reload and retry",
                details={"current_version": row.version, "expected_version": expected},
            )

    def _plan_row(self, plan_id: str) -> PlanRow:
        row = self.session.scalars(select(PlanRow).where(PlanRow.id == plan_id)).first()
        if row is None:
            raise NotFound(f"plan {plan_id} not found", details={"plan_id": plan_id})
        return row

    def task_id(self, plan_id: str, ref: str) -> str:
        """The id of the task `ref` names in the plan: its id, or its key task-N (unknown keys unchanged)."""
        match = TASK_KEY.fullmatch(ref)
        if match is None:
            return ref
        stmt = select(TaskRow.id).where(TaskRow.plan_id == plan_id, TaskRow.number == int(match.group(1)))
        return self.session.scalar(stmt) or ref

    def _next_number(self, plan_id: str, count: int = 1) -> int:
        """Reserve `count` task numbers in the plan (never reused, even after deletes); the first."""
        plans = PlanRow.__table__
        seq = self.session.scalar(select(plans.c.task_seq).where(plans.c.id == plan_id)) or 0
        self.session.execute(update(plans).where(plans.c.id == plan_id).values(task_seq=seq + count))
        return seq + 1

    def _task_row(self, plan_id: str, task_id: str) -> TaskRow:
        row = self.session.get(TaskRow, self.task_id(plan_id, task_id))
        if row is None or row.plan_id != plan_id:
            raise NotFound(f"task {task_id} not found in plan {plan_id}", details={"task_id": task_id})
        return row

    def _resource_row(self, plan_id: str, resource_id: str) -> ResourceRow:
        row = self.session.get(ResourceRow, resource_id)
        if row is None or row.plan_id != plan_id:
            raise NotFound(
                f"resource {resource_id} not found in plan {plan_id}", details={"resource_id": resource_id}
            )
        return row

    def _assignments(self, task_ids: list[str]) -> dict[str, list[Assignment]]:
        out: dict[str, list[Assignment]] = {t: [] for t in task_ids}
        if not task_ids:
            return out
        rows = self.session.scalars(
            select(AssignmentRow)
            .where(AssignmentRow.task_id.in_(task_ids))
            .order_by(AssignmentRow.task_id, AssignmentRow.position)
        )
        for a in rows:
            out[a.task_id].append(Assignment(resource_id=a.resource_id, units=a.units))
        return out

    def _tasks(self, rows: list[TaskRow]) -> list[Task]:
        ids = [r.id for r in rows]
        assigned = self._assignments(ids)
        predecessors: dict[str, list[str]] = {}
        if ids:  # a few tasks: by id; many: by plan (no limit on bound parameters)
            links = (
                select(DependencyRow.successor_id, DependencyRow.predecessor_id)
                .join(TaskRow, TaskRow.id == DependencyRow.predecessor_id)
                .where(
                    DependencyRow.successor_id.in_(ids)
                    if len(ids) <= 500
                    else DependencyRow.plan_id.in_({r.plan_id for r in rows})
                )
                .order_by(TaskRow.position, TaskRow.id)  # predecessors in plan order
            )
            wanted = set(ids)
            for succ, pred in self.session.execute(links):
                if succ in wanted:
                    predecessors.setdefault(succ, []).append(pred)
        return [task_model(r, assigned[r.id], predecessors.get(r.id)) for r in rows]

    # -- plans ---------------------------------------------------------------------------------------------

    @emits("plan.created", plan_from="result")
    def create_plan(self, data: PlanCreate) -> Plan:
        return plan_model(self._new_plan_row(data))

    def _new_plan_row(self, data: PlanCreate | DocPlan, task_seq: int = 0) -> PlanRow:
        row = PlanRow(
            task_seq=task_seq,
            id=new_id(),
            name=data.name,
            description=data.description,
            start_date=data.start_date,
            end_date=data.end_date,
            tags=data.tags,
            meta=data.metadata,
            status=data.status.value,
            calendar=_calendar_json(data.calendar),
            status_date=data.status_date,
            default_start_time=data.default_start_time,
        )
        self.session.add(row)
        self._flush()
        return row

    def list_plans(
        self,
        *,
        limit: int = 50,
        offset: int = 0,
        tag: str | None = None,
        search: str | None = None,
        status: str | None = None,
    ) -> tuple[list[Plan], int]:
        conds = []
        if tag:
            conds.append(self._json_contains(PlanRow.tags, tag))
        if search:
            like = f"%{search}%"
            conds.append(or_(PlanRow.name.ilike(like), PlanRow.description.ilike(like)))
        if status:
            conds.append(PlanRow.status == status)
        total = self.session.scalar(select(func.count()).select_from(PlanRow).where(*conds)) or 0
        counts = select(TaskRow.plan_id, func.count().label("n")).group_by(TaskRow.plan_id).subquery()
        stmt = (
            select(PlanRow, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.plan_id == PlanRow.id)
            .where(*conds)
            .order_by(PlanRow.created_at.desc(), PlanRow.id)
            .limit(limit)
            .offset(offset)
        )
        return [plan_model(row, n) for row, n in self.session.execute(stmt)], total

    def get_plan(self, plan_id: str, *, include_children: bool = True) -> Plan:
        row = self._plan_row(plan_id)
        if not include_children:
            return plan_model(row, self._task_count(plan_id))
        tasks = self.list_tasks(plan_id, limit=None)[0]
        self.refuse_loop({t.id: t.parent_id for t in tasks})
        plan = plan_model(row, len(tasks))
        plan.tasks = tasks
        plan.dependencies = self.list_dependencies(plan_id)
        plan.resources = self.list_resources(plan_id)
        return plan

    @emits("plan.updated", plan_from="arg")
    def update_plan(self, plan_id: str, changes: PlanCreate | PlanPatch, expected: int | None) -> Plan:
        """PUT (a PlanCreate: every field replaced) or PATCH (a PlanPatch: the fields sent)."""
        row = self.lock_plan(plan_id)
        self._check_version("plan", row, expected)
        values = changes.model_dump(exclude={"version"}, exclude_unset=isinstance(changes, PlanPatch))
        if isinstance(changes, PlanPatch):
            refused = sorted(k for k in ("name", "status") if k in values and values[k] is None)
            if refused:
                raise ValidationFailed(f"{', '.join(refused)} cannot be null")
        for key, value in values.items():
            if key == "metadata":
                row.meta = value or {}
            elif key == "calendar":
                row.calendar = _calendar_json(changes.calendar)
            elif key == "tags":
                row.tags = value or []
            elif key in ("description",):
                row.description = value or ""
            else:
                setattr(row, key, value.value if hasattr(value, "value") else value)
        if row.start_date and row.end_date and row.end_date < row.start_date:
            raise ValidationFailed("end_date is before start_date")
        self._flush()
        return plan_model(row, self._task_count(plan_id))

    def _task_count(self, plan_id: str) -> int:
        return self.session.scalar(select(func.count()).where(TaskRow.plan_id == plan_id)) or 0

    @emits("plan.deleted", plan_from="arg")
    def delete_plan(self, plan_id: str, expected: int | None) -> None:
        row = self.lock_plan(plan_id)
        self._check_version("plan", row, expected)
        self.session.delete(row)
        self._flush()

    # -- tasks ---------------------------------------------------------------------------------------------

    def _set_assignments(self, plan_id: str, task_id: str, assignments: list[Assignment]) -> None:
        seen: set[str] = set()
        for a in assignments:
            if a.resource_id in seen:
                raise ValidationFailed(f"resource {a.resource_id} is assigned twice")
            seen.add(a.resource_id)
            res = self.session.get(ResourceRow, a.resource_id)
            if res is None or res.plan_id != plan_id:
                raise ValidationFailed(
                    f"resource {a.resource_id} not found in plan {plan_id}",
                    details={"resource_id": a.resource_id},
                )
        self.session.execute(delete(AssignmentRow).where(AssignmentRow.task_id == task_id))
        for n, a in enumerate(assignments):
            self.session.add(
                AssignmentRow(task_id=task_id, resource_id=a.resource_id, units=a.units, position=n)
            )

    def _apply_effort(self, row: TaskRow) -> None:
        """An effort-driven task lasts its work shared by the units assigned to it (in hours)."""
        if not row.effort_driven:
            return
        if row.work is None:
            raise ValidationFailed("an effort-driven task needs its work (hours)")
        units = self.session.scalars(select(AssignmentRow.units).where(AssignmentRow.task_id == row.id))
        row.duration, row.duration_unit = effort_duration(row.work, list(units)), "hours"
        self._flush()

    @staticmethod
    def _wanted_assignments(data: TaskCreate | TaskPatch) -> list[Assignment] | None:
        if data.assignments is not None:
            return data.assignments
        if data.assigned_resources is not None:
            return [Assignment(resource_id=r) for r in data.assigned_resources]
        return None

    @emits("task.created", plan_from="arg")
    def add_task(self, plan_id: str, data: TaskCreate) -> Task:
        self.lock_plan(plan_id)  # serializes positions, numbers and structure per plan on PostgreSQL
        try:
            check_size(self._task_count(plan_id) + 1, 0, 0)
        except PlanTooLarge as exc:
            raise PlanTooLarge(exc.message, details=exc.details, http_status=422) from None
        parent_id = self.task_id(plan_id, data.parent_id) if data.parent_id else None
        if parent_id:
            self.check_parent(plan_id, None, parent_id)
        duration = data.duration if data.duration is not None else (0.0 if data.milestone else 1.0)
        position = (
            self.session.scalar(select(func.max(TaskRow.position)).where(TaskRow.plan_id == plan_id)) or 0
        ) + 1
        row = _task_row(
            data,
            id=new_id(),
            plan_id=plan_id,
            parent_id=parent_id,
            position=position,
            number=self._next_number(plan_id),
            duration=duration,
            percent_complete=100.0 if data.status is TaskStatus.completed else 0.0,
        )
        self.session.add(row)
        self._flush()
        wanted = self._wanted_assignments(data)
        if wanted:
            self._set_assignments(plan_id, row.id, wanted)
            self._flush()
        self._apply_effort(row)
        return self._tasks([row])[0]

    def list_tasks(
        self,
        plan_id: str,
        *,
        status: str | None = None,
        assigned_to: str | None = None,
        search: str | None = None,
        priority: str | None = None,
        parent_id: str | None = None,
        tag: str | None = None,
        limit: int | None = 100,
        offset: int = 0,
    ) -> tuple[list[Task], int]:
        self._plan_row(plan_id)
        conds: list[Any] = [TaskRow.plan_id == plan_id]
        if status:
            conds.append(TaskRow.status == status)
        if priority:
            conds.append(TaskRow.priority == priority)
        if parent_id:
            conds.append(TaskRow.parent_id == self.task_id(plan_id, parent_id))
        if tag:
            conds.append(self._json_contains(TaskRow.tags, tag))
        if search:
            like = f"%{search}%"
            conds.append(or_(TaskRow.name.ilike(like), TaskRow.description.ilike(like)))
        if assigned_to:
            conds.append(
                exists(
                    select(AssignmentRow.task_id)
                    .join(ResourceRow, ResourceRow.id == AssignmentRow.resource_id)
                    .where(
                        AssignmentRow.task_id == TaskRow.id,
                        or_(ResourceRow.id == assigned_to, ResourceRow.name == assigned_to),
                    )
                )
            )
        total = self.session.scalar(select(func.count()).select_from(TaskRow).where(*conds)) or 0
        stmt = select(TaskRow).where(*conds).order_by(TaskRow.position).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        return self._tasks(list(self.session.scalars(stmt))), total

    def get_task(self, plan_id: str, task_id: str) -> Task:
        return self._tasks([self._task_row(plan_id, task_id)])[0]

    @emits("task.updated", plan_from="arg")
    def update_task(
        self, plan_id: str, task_id: str, changes: TaskCreate | TaskPatch, expected: int | None
    ) -> Task:
        self.lock_plan(plan_id)  # racing writers of a plan go one at a time: no loop, no stale version
        row = self._task_row(plan_id, task_id)
        self._check_version("task", row, expected)
        partial = isinstance(changes, TaskPatch)
        values = changes.model_dump(
            exclude={"version", "assignments", "assigned_resources"}, exclude_unset=partial
        )
        if partial and (refused := changes.refused_nulls()):
            raise ValidationFailed(f"{', '.join(refused)} cannot be null")
        task_id = row.id
        if values.get("parent_id"):
            values["parent_id"] = self.task_id(plan_id, values["parent_id"])
            self.check_parent(plan_id, task_id, values["parent_id"])
            if self.session.scalar(
                select(func.count()).where(
                    DependencyRow.plan_id == plan_id,
                    or_(
                        (DependencyRow.predecessor_id == task_id)
                        & (DependencyRow.successor_id == values["parent_id"]),
                        (DependencyRow.successor_id == task_id)
                        & (DependencyRow.predecessor_id == values["parent_id"]),
                    ),
                )
            ):
                raise DependencyError(
                    "a task cannot be linked to its own summary task; remove the link first"
                )
        if not partial and changes.duration is None:
            values["duration"] = 0.0 if changes.milestone else 1.0
        for key, value in values.items():
            if key == "metadata":
                row.meta = value or {}
            elif key == "calendar":
                row.calendar = _calendar_json(changes.calendar)
            elif key == "leveling_delay":
                row.leveling_delay = value or 0.0
            elif key in ("tags", "required_skills"):
                setattr(row, key, value or [])
            elif key == "description":
                row.description = value or ""
            elif key == "duration" and value is None:
                continue
            else:
                setattr(row, key, value.value if hasattr(value, "value") else value)
        if values.get("status") == TaskStatus.completed:
            row.percent_complete = 100.0
        if row.constraint_type not in ("ASAP", "ALAP") and row.constraint_date is None:
            raise ValidationFailed(f"constraint {row.constraint_type} needs a constraint_date")
        try:
            check_three_point(row.optimistic_duration, row.most_likely_duration, row.pessimistic_duration)
        except ValueError as exc:
            raise ValidationFailed(str(exc)) from None
        row.updated_at = utcnow()  # a change of assignments alone must still bump the version
        wanted = self._wanted_assignments(changes)
        if wanted is not None or not partial:
            self._set_assignments(plan_id, task_id, wanted or [])
        self._flush()
        self._apply_effort(row)
        return self._tasks([row])[0]

    @emits("task.progress", plan_from="arg")
    def update_progress(self, plan_id: str, task_id: str, p: ProgressUpdate, expected: int | None) -> Task:
        """Record progress; status, percent complete and actual dates are kept consistent."""
        self.lock_plan(plan_id)
        row = self._task_row(plan_id, task_id)
        self._check_version("task", row, expected)
        now = utcnow()
        status = p.status or TaskStatus(row.status)
        percent = p.percent_complete
        if p.status is TaskStatus.completed and percent is not None and percent < 100:
            raise ValidationFailed("a completed task is 100% complete; send percent_complete 100 or omit it")
        if percent is None:
            percent = 100.0 if status is TaskStatus.completed else row.percent_complete
            if p.status in (TaskStatus.pending,) and row.status == TaskStatus.completed:
                percent = 0.0
        elif p.status is None:
            if percent >= 100:
                status = TaskStatus.completed
            elif percent > 0 and status in (TaskStatus.pending, TaskStatus.completed):
                status = TaskStatus.in_progress
            elif percent == 0 and status is TaskStatus.completed:
                status = TaskStatus.pending
        actual_start = p.actual_start or _aware(row.actual_start)
        actual_finish = p.actual_finish or _aware(row.actual_finish)
        started = status in (TaskStatus.in_progress, TaskStatus.completed) or percent > 0
        finished = status is TaskStatus.completed
        if (started and actual_start is None) or (finished and actual_finish is None):
            # as Microsoft Project: the actuals that percent complete implies are the scheduled dates
            planned = scheduled_actuals(self.get_plan(plan_id), row.id, now.date(), actual_start)
            if planned is not None:
                actual_start = actual_start or (planned[0] if started else None)
                actual_finish = actual_finish or (planned[1] if finished else None)
        if not finished and p.actual_finish is None:
            actual_finish = None
        if actual_start and actual_finish and actual_finish < actual_start:
            raise ValidationFailed("actual_finish is before actual_start")
        row.status = status.value
        row.percent_complete = percent
        if p.remaining_duration is not None:
            row.remaining_duration = p.remaining_duration
        if p.resume is not None:
            row.resume = p.resume
        if status is TaskStatus.completed:
            row.remaining_duration = 0.0
        if p.actual_cost is not None:
            row.actual_cost = p.actual_cost
        row.actual_start = actual_start
        row.actual_finish = actual_finish
        if p.notes:
            line = f"[{now.isoformat(timespec='seconds')}] {p.notes}"
            row.notes = f"{row.notes}\n{line}" if row.notes else line
        self._flush()
        return self._tasks([row])[0]

    @emits("task.deleted", plan_from="arg")
    def delete_task(self, plan_id: str, task_id: str, expected: int | None) -> str:
        """Delete a task with its subtasks, links and assignments; its id."""
        self.lock_plan(plan_id)
        row = self._task_row(plan_id, task_id)
        self._check_version("task", row, expected)
        self.session.delete(row)
        self._flush()
        return row.id

    # -- dependencies --------------------------------------------------------------------------------------

    @emits("dependency.created", plan_from="arg")
    def add_dependency(self, plan_id: str, data: DependencyCreate) -> Dependency:
        self.lock_plan(plan_id)  # one structural change at a time per plan: no cycle slips in
        parent_of = self.parent_map(plan_id)
        names = {}
        data = data.model_copy(
            update={
                "predecessor_id": self.task_id(plan_id, data.predecessor_id),
                "successor_id": self.task_id(plan_id, data.successor_id),
            }
        )
        for role, tid in (("predecessor", data.predecessor_id), ("successor", data.successor_id)):
            row = self.session.get(TaskRow, tid)
            if row is None or row.plan_id != plan_id:
                raise DependencyError(
                    f"{role} task {tid} not found in plan {plan_id}",
                    details={role + "_id": tid},
                    http_status=422,
                )
            names[tid] = row.name
        pred, succ = data.predecessor_id, data.successor_id
        if pred == succ:
            raise DependencyError(
                f"task '{names[pred]}' cannot depend on itself", details={"cycle": [pred, pred]}
            )
        if pred in ancestors(parent_of, succ) or succ in ancestors(parent_of, pred):
            raise DependencyError(
                f"'{names[pred]}' and '{names[succ]}' are a summary task and its subtask: no link"
            )
        if self.session.scalar(
            select(func.count()).where(
                DependencyRow.predecessor_id == pred, DependencyRow.successor_id == succ
            )
        ):
            raise DependencyError(f"'{names[pred]}' is already linked to '{names[succ]}'")
        edges = (
            self.session.execute(
                select(DependencyRow.predecessor_id, DependencyRow.successor_id).where(
                    DependencyRow.plan_id == plan_id
                )
            )
            .tuples()
            .all()
        )
        cycle = wbs_cycle_if_added(parent_of, list(edges), (pred, succ))
        if cycle:
            task_names = dict(
                self.session.execute(select(TaskRow.id, TaskRow.name).where(TaskRow.id.in_(cycle)))
                .tuples()
                .all()
            )
            readable = " -> ".join(f"'{task_names[t]}'" for t in cycle)
            raise DependencyError(
                f"link would close a dependency cycle: {readable}",
                details={"cycle": cycle, "cycle_names": [task_names[t] for t in cycle]},
            )
        row = DependencyRow(
            id=new_id(),
            plan_id=plan_id,
            predecessor_id=pred,
            successor_id=succ,
            type=data.type.value,
            lag=data.lag,
            lag_unit=data.lag_unit.value,
        )
        self.session.add(row)
        self._flush()
        return dependency_model(row)

    def list_dependencies(self, plan_id: str) -> list[Dependency]:
        rows = self.session.scalars(
            select(DependencyRow).where(DependencyRow.plan_id == plan_id).order_by(DependencyRow.id)
        )
        return [dependency_model(r) for r in rows]

    @emits("dependency.deleted", plan_from="arg")
    def delete_dependency(
        self,
        plan_id: str,
        *,
        dependency_id: str | None = None,
        predecessor_id: str | None = None,
        successor_id: str | None = None,
    ) -> Dependency:
        self.lock_plan(plan_id)
        stmt = select(DependencyRow).where(DependencyRow.plan_id == plan_id)
        if dependency_id:
            stmt = stmt.where(DependencyRow.id == dependency_id)
        elif predecessor_id and successor_id:
            stmt = stmt.where(
                DependencyRow.predecessor_id == self.task_id(plan_id, predecessor_id),
                DependencyRow.successor_id == self.task_id(plan_id, successor_id),
            )
        else:
            raise ValidationFailed("name the link: dependency_id, or predecessor_id and successor_id")
        row = self.session.scalars(stmt).first()
        if row is None:
            raise NotFound("dependency not found", details={"dependency_id": dependency_id})
        dep = dependency_model(row)
        self.session.delete(row)
        self._flush()
        return dep

    # -- resources -----------------------------------------------------------------------------------------

    def _unique_resource_name(self, plan_id: str, name: str, resource_id: str | None = None) -> None:
        stmt = select(ResourceRow.id).where(ResourceRow.plan_id == plan_id, ResourceRow.name == name)
        other = self.session.scalar(stmt)
        if other is not None and other != resource_id:
            raise ResourceConflict(f"plan {plan_id} already has a resource named '{name}'")

    @emits("resource.created", plan_from="arg")
    def add_resource(self, plan_id: str, data: ResourceCreate) -> Resource:
        self.lock_plan(plan_id)  # writers of a plan lock its row first (one order: no deadlock)
        self._unique_resource_name(plan_id, data.name)
        row = ResourceRow(
            id=new_id(),
            plan_id=plan_id,
            name=data.name,
            type=data.type.value,
            skills=data.skills,
            availability=data.availability,
            cost_rate=data.cost_rate,
            calendar=_calendar_json(data.calendar),
            meta=data.metadata,
        )
        self.session.add(row)
        self._flush()
        return resource_model(row)

    def list_resources(
        self, plan_id: str, *, type: str | None = None, skill: str | None = None
    ) -> list[Resource]:
        self._plan_row(plan_id)
        conds: list[Any] = [ResourceRow.plan_id == plan_id]
        if type:
            conds.append(ResourceRow.type == type)
        if skill:
            conds.append(self._json_contains(ResourceRow.skills, skill))
        rows = self.session.scalars(select(ResourceRow).where(*conds).order_by(ResourceRow.name))
        return [resource_model(r) for r in rows]

    def get_resource(self, plan_id: str, resource_id: str) -> Resource:
        return resource_model(self._resource_row(plan_id, resource_id))

    @emits("resource.updated", plan_from="arg")
    def update_resource(
        self, plan_id: str, resource_id: str, changes: ResourcePatch, expected: int | None
    ) -> Resource:
        self.lock_plan(plan_id)
        row = self._resource_row(plan_id, resource_id)
        self._check_version("resource", row, expected)
        values = changes.changes()
        if "name" in values:
            if values["name"] is None:
                raise ValidationFailed("name cannot be null")
            self._unique_resource_name(plan_id, values["name"], resource_id)
        for key, value in values.items():
            if key == "metadata":
                row.meta = value
            elif key == "calendar":
                row.calendar = _calendar_json(changes.calendar)
            else:
                setattr(row, key, value.value if hasattr(value, "value") else value)
        self._flush()
        return resource_model(row)

    @emits("resource.deleted", plan_from="arg")
    def delete_resource(self, plan_id: str, resource_id: str, *, force: bool = False) -> None:
        self.lock_plan(plan_id)
        row = self._resource_row(plan_id, resource_id)
        tasks = list(
            self.session.execute(
                select(TaskRow.id, TaskRow.name)
                .join(AssignmentRow, AssignmentRow.task_id == TaskRow.id)
                .where(AssignmentRow.resource_id == resource_id)
            )
            .tuples()
            .all()
        )
        if tasks and not force:
            raise ResourceConflict(
                f"resource '{row.name}' is assigned to {len(tasks)} task(s); unassign it or pass force=true",
                details={"tasks": [{"id": t, "name": n} for t, n in tasks]},
            )
        self.session.delete(row)
        self._flush()

    # -- baselines -----------------------------------------------------------------------------------------

    @emits("plan.baseline_saved", plan_from="arg")
    def save_baseline(self, plan_id: str, request: BaselineCreate, snapshot: Baseline) -> Baseline:
        """Store a snapshot as baseline `request.number` (replacing it) or as the first free number."""
        self.lock_plan(plan_id)
        taken = set(self.session.scalars(select(BaselineRow.number).where(BaselineRow.plan_id == plan_id)))
        number = request.number
        if number is None:
            free = [k for k in range(11) if k not in taken]
            if not free:
                raise ResourceConflict("all 11 baselines (0..10) are in use; name a number to replace one")
            number = free[0]
        name = request.name or ("Baseline" if number == 0 else f"Baseline {number}")
        baseline = snapshot.model_copy(update={"number": number, "name": name})
        row = self.session.get(BaselineRow, (plan_id, number))
        data = baseline.model_dump(mode="json")
        if row is None:
            self.session.add(
                BaselineRow(plan_id=plan_id, number=number, name=name, saved_at=baseline.saved_at, data=data)
            )
        else:
            row.name, row.saved_at, row.data = name, baseline.saved_at, data
        self._flush()
        return baseline

    def list_baselines(self, plan_id: str) -> list[Baseline]:
        self._plan_row(plan_id)
        rows = self.session.scalars(
            select(BaselineRow).where(BaselineRow.plan_id == plan_id).order_by(BaselineRow.number)
        )
        return [Baseline.model_validate(r.data) for r in rows]

    def get_baseline(self, plan_id: str, number: int) -> Baseline:
        self._plan_row(plan_id)
        row = self.session.get(BaselineRow, (plan_id, number))
        if row is None:
            raise NotFound(f"plan {plan_id} has no baseline {number}", details={"number": number})
        return Baseline.model_validate(row.data)

    @emits("plan.baseline_deleted", plan_from="arg")
    def delete_baseline(self, plan_id: str, number: int) -> None:
        self.get_baseline(plan_id, number)
        self.session.execute(
            delete(BaselineRow).where(BaselineRow.plan_id == plan_id, BaselineRow.number == number)
        )

    # -- retrospectives ------------------------------------------------------------------------------------

    @emits("retrospective.created", plan_from="result")
    def create_retrospective(self, data: RetrospectiveCreate) -> Retrospective:
        if data.plan_id is not None:
            self._plan_row(data.plan_id)
        row = RetrospectiveRow(
            id=new_id(),
            plan_id=data.plan_id,
            title=data.title,
            held_on=data.held_on,
            facilitator=data.facilitator,
            participants=data.participants,
            notes=data.notes,
        )
        self.session.add(row)
        self._flush()
        return _retro_model(row, 0)

    def list_retrospectives(self, *, plan_id: str | None = None) -> list[Retrospective]:
        counts = (
            select(FeedbackRow.retrospective_id, func.count().label("n"))
            .group_by(FeedbackRow.retrospective_id)
            .subquery()
        )
        stmt = (
            select(RetrospectiveRow, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.retrospective_id == RetrospectiveRow.id)
            .order_by(RetrospectiveRow.created_at.desc(), RetrospectiveRow.id)
        )
        if plan_id:
            stmt = stmt.where(RetrospectiveRow.plan_id == plan_id)
        return [_retro_model(row, n) for row, n in self.session.execute(stmt)]

    def _retro_row(self, retro_id: str) -> RetrospectiveRow:
        row = self.session.get(RetrospectiveRow, retro_id)
        if row is None:
            raise NotFound(f"retrospective {retro_id} not found", details={"retrospective_id": retro_id})
        return row

    def get_retrospective(self, retro_id: str) -> Retrospective:
        row = self._retro_row(retro_id)
        n = self.session.scalar(select(func.count()).where(FeedbackRow.retrospective_id == retro_id)) or 0
        return _retro_model(row, n)

    @emits("retrospective.feedback_added", plan_from="retro")
    def add_feedback(self, retro_id: str, data: FeedbackCreate) -> Feedback:
        self._retro_row(retro_id)
        action = data.type is FeedbackType.action_item
        row = FeedbackRow(
            id=new_id(),
            retrospective_id=retro_id,
            type=data.type.value,
            content=data.content,
            author=data.author,
            votes=0,
            owner=data.owner,
            due_date=data.due_date,
            status=ActionStatus.open.value if action else None,
        )
        self.session.add(row)
        self._flush()
        return _feedback_model(row)

    def list_feedback(self, retro_id: str, *, type: str | None = None) -> list[Feedback]:
        self._retro_row(retro_id)
        stmt = select(FeedbackRow).where(FeedbackRow.retrospective_id == retro_id)
        if type:
            stmt = stmt.where(FeedbackRow.type == type)
        rows = self.session.scalars(stmt.order_by(FeedbackRow.votes.desc(), FeedbackRow.created_at))
        return [_feedback_model(r) for r in rows]

    def _feedback_row(self, retro_id: str, feedback_id: str) -> FeedbackRow:
        row = self.session.get(FeedbackRow, feedback_id)
        if row is None or row.retrospective_id != retro_id:
            raise NotFound(f"feedback {feedback_id} not found in retrospective {retro_id}")
        return row

    @emits("retrospective.feedback_voted", plan_from="retro")
    def vote_feedback(self, retro_id: str, feedback_id: str) -> Feedback:
        self._feedback_row(retro_id, feedback_id)
        self.session.execute(
            update(FeedbackRow).where(FeedbackRow.id == feedback_id).values(votes=FeedbackRow.votes + 1)
        )
        self.session.expire_all()
        return _feedback_model(self._feedback_row(retro_id, feedback_id))

    @emits("retrospective.feedback_updated", plan_from="retro")
    def update_feedback(self, retro_id: str, feedback_id: str, changes: FeedbackPatch) -> Feedback:
        row = self._feedback_row(retro_id, feedback_id)
        values = changes.model_dump(exclude_unset=True)
        if row.type != FeedbackType.action_item and {"owner", "due_date", "status"} & set(values):
            raise ValidationFailed("only action items have an owner, a due date and a status")
        for key, value in values.items():
            if key == "content" and value is None:
                raise ValidationFailed("content cannot be null")
            setattr(row, key, value.value if hasattr(value, "value") else value)
        self._flush()
        return _feedback_model(row)

    def completed_tasks(
        self, *, exclude_plan: str | None = None, limit: int = 20_000
    ) -> list[tuple[Task, Calendar | None]]:
        """Finished tasks with actual dates, newest first, with their plan's calendar: the history."""
        stmt = (
            select(TaskRow, PlanRow.calendar)
            .join(PlanRow, PlanRow.id == TaskRow.plan_id)
            .where(TaskRow.actual_start.is_not(None), TaskRow.actual_finish.is_not(None))
            .order_by(TaskRow.updated_at.desc())
            .limit(limit)
        )
        if exclude_plan:
            stmt = stmt.where(TaskRow.plan_id != exclude_plan)
        rows = list(self.session.execute(stmt))
        assigned = self._assignments([r.id for r, _ in rows])
        return [(task_model(r, assigned[r.id]), Calendar.model_validate(c) if c else None) for r, c in rows]

    # -- import ------------------------------------------------------------------------------------------

    @emits("plan.created", plan_from="result")
    def import_document(self, doc: PlanDocument, *, checked: bool = False) -> Plan:
        """Create a whole plan from its portable form, checked first (core.portable.check_document; pass
        `checked` when the caller did it before the transaction). Rows go in with bulk statements of
        IMPORT_BATCH rows. Nothing is written when anything is wrong. The plan, without its children."""
        if not checked:
            check_document(doc)
        plan = self._new_plan_row(doc.plan, task_seq=len(doc.tasks))
        self._flush()
        rid = {r.key: new_id() for r in doc.resources}
        tid = {t.key: new_id() for t in doc.tasks}
        parent_of = {t.key: t.parent for t in doc.tasks}
        depth: dict[str, int] = {}
        for t in doc.tasks:  # iteratively: a deep outline is no recursion
            chain, key = [], t.key
            while key is not None and key not in depth:
                chain.append(key)
                key = parent_of[key]
            base = -1 if key is None else depth[key]
            for k in reversed(chain):
                base += 1
                depth[k] = base
        now = utcnow()
        self._insert(
            ResourceRow,
            (
                {"id": rid[r.key], "plan_id": plan.id, "name": r.name, "type": r.type.value,
                 "skills": r.skills, "availability": r.availability, "cost_rate": r.cost_rate,
                 "calendar": _calendar_json(r.calendar), "metadata": r.metadata, "version": 1}
                for r in doc.resources
            ),
        )  # fmt: skip
        # parents are inserted before their children
        ordered = sorted(enumerate(doc.tasks), key=lambda it: depth[it[1].key])
        self._insert(TaskRow, (_task_values(t, tid, plan.id, position + 1, now) for position, t in ordered))
        self._insert(
            AssignmentRow,
            (
                {"task_id": tid[t.key], "resource_id": rid[a.resource], "units": a.units, "position": n}
                for t in doc.tasks
                for n, a in enumerate(t.assignments)
            ),
        )
        self._insert(
            DependencyRow,
            (
                {"id": new_id(), "plan_id": plan.id, "predecessor_id": tid[d.predecessor],
                 "successor_id": tid[d.successor], "type": d.type.value, "lag": d.lag,
                 "lag_unit": d.lag_unit.value}
                for d in doc.dependencies
            ),
        )  # fmt: skip
        return plan_model(plan, len(doc.tasks))

    def _insert(self, table: Any, rows: Iterable[dict[str, Any]]) -> None:
        """Bulk insert in batches of IMPORT_BATCH rows (bounded memory per statement)."""
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == IMPORT_BATCH:
                self.session.execute(insert(table.__table__), batch)
                batch = []
        if batch:
            self.session.execute(insert(table.__table__), batch)

    # -- webhooks ----------------------------------------------------------------------------------------

    def register_webhook(self, data: WebhookCreate, secret: str) -> Webhook:
        row = WebhookRow(id=new_id(), url=data.url, events=data.events, secret=secret, active=True,
                         consecutive_failures=0, ordered=data.ordered)  # fmt: skip
        self.session.add(row)
        self._flush()
        return _webhook_model(row).model_copy(update={"secret": secret})

    def _webhook_row(self, webhook_id: str) -> WebhookRow:
        row = self.session.get(WebhookRow, webhook_id)
        if row is None:
            raise NotFound(f"webhook {webhook_id} not found", details={"webhook_id": webhook_id})
        return row

    def list_webhooks(self) -> list[Webhook]:
        return [
            _webhook_model(r)
            for r in self.session.scalars(select(WebhookRow).order_by(WebhookRow.created_at))
        ]

    def get_webhook(self, webhook_id: str) -> Webhook:
        return _webhook_model(self._webhook_row(webhook_id))

    def delete_webhook(self, webhook_id: str) -> None:
        self.session.delete(self._webhook_row(webhook_id))
        self._flush()

    def update_webhook(self, webhook_id: str, changes: WebhookPatch) -> tuple[Webhook, int]:
        """Change a webhook; enabling a disabled one sends again every delivery not yet delivered, from the
        first undelivered event on. The webhook and how many deliveries were queued again."""
        row = self._webhook_row(webhook_id)
        requeued = 0
        for key, value in changes.model_dump(exclude_unset=True, exclude={"active"}).items():
            if value is None:
                raise ValidationFailed(f"{key} cannot be null")
            setattr(row, key, value)
        if changes.active is False and row.active:
            row.active, row.disabled_reason = False, "disabled through the API"
        elif changes.active and not row.active:
            row.active, row.disabled_reason = True, None
            row.consecutive_failures, row.failing_since = 0, None
            requeued = self.session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.webhook_id == row.id, DeliveryRow.status.in_(("pending", "failed")))
                .values(status="pending", attempts=0, next_attempt_at=utcnow())
            ).rowcount
        self._flush()
        return _webhook_model(row), requeued

    def ping_webhook(self, webhook_id: str, lease: float = 0.0) -> Delivery:
        """A `prometheus.webhook.ping` event, delivered to this webhook only (by the caller first: nobody
        else sends it for `lease` seconds)."""
        hook = self._webhook_row(webhook_id)
        event = EventRow(type="prometheus.webhook.ping", plan_id=None, data={"webhook_id": webhook_id})
        self.session.add(event)
        self.session.info["emitted"] = True
        self._flush()
        row = DeliveryRow(id=new_id(), webhook_id=hook.id, event_id=event.id, status="pending", attempts=0,
                          next_attempt_at=utcnow() + timedelta(seconds=lease))  # fmt: skip
        self.session.add(row)
        self._flush()
        return _delivery_model(row, event.type)

    def list_deliveries(
        self, webhook_id: str, *, status: str | None = None, limit: int = 100, delivery_id: str | None = None
    ) -> list[Delivery]:
        self._webhook_row(webhook_id)
        stmt = (
            select(DeliveryRow, EventRow.type)
            .join(EventRow, EventRow.id == DeliveryRow.event_id)
            .where(DeliveryRow.webhook_id == webhook_id)
            .order_by(DeliveryRow.event_id.desc())
            .limit(limit)
        )
        if status:
            stmt = stmt.where(DeliveryRow.status == status)
        if delivery_id:
            stmt = stmt.where(DeliveryRow.id == delivery_id)
        return [_delivery_model(d, t) for d, t in self.session.execute(stmt)]

    def events_after(self, last_id: int, limit: int = 500, plan_id: str | None = None) -> list[EventRow]:
        stmt = select(EventRow).where(EventRow.id > last_id)
        if plan_id is not None:
            stmt = stmt.where(EventRow.plan_id == plan_id)
        return list(self.session.scalars(stmt.order_by(EventRow.id).limit(limit)))

    def last_event_id(self) -> int:
        return self.session.scalar(select(func.max(EventRow.id))) or 0


def _retro_model(row: RetrospectiveRow, feedback_count: int) -> Retrospective:
    return Retrospective(
        id=row.id,
        plan_id=row.plan_id,
        title=row.title,
        held_on=row.held_on,
        facilitator=row.facilitator,
        participants=row.participants or [],
        notes=row.notes,
        created_at=_aware(row.created_at),
        feedback_count=feedback_count,
    )


def _feedback_model(row: FeedbackRow) -> Feedback:
    return Feedback(
        id=row.id,
        retrospective_id=row.retrospective_id,
        type=row.type,
        content=row.content,
        author=row.author,
        votes=row.votes,
        owner=row.owner,
        due_date=row.due_date,
        status=row.status,
        created_at=_aware(row.created_at),
    )


def _webhook_model(row: WebhookRow) -> Webhook:
    return Webhook(id=row.id, url=row.url, events=row.events, active=row.active,
                   consecutive_failures=row.consecutive_failures, disabled_reason=row.disabled_reason,
                   created_at=_aware(row.created_at), failing_since=_aware(row.failing_since),
                   ordered=row.ordered)  # fmt: skip


def _delivery_model(row: DeliveryRow, event_type: str) -> Delivery:
    return Delivery(
        id=row.id,
        webhook_id=row.webhook_id,
        event_id=row.event_id,
        event_type=event_type,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=_aware(row.next_attempt_at),
        last_status=row.last_status,
        last_error=row.last_error,
        delivered_at=_aware(row.delivered_at),
        created_at=_aware(row.created_at),
    )
