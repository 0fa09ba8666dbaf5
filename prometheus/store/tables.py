"""Database tables. Rows are mapped to the domain model in mapping.py, read and written by the parts of the
one repository (`Store`, repository.py); nothing else reads them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class PlanRow(Base):
    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    tags: Mapped[list[str]] = mapped_column(JsonType, default=list)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    calendar: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    status_date: Mapped[date | None] = mapped_column(Date)
    # work not done by the status date scheduled after it (Project's MoveRemainingStartsForward)
    status_date_moves_work: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    default_start_time: Mapped[time | None] = mapped_column(Time)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # changes with every change to the plan or anything in it (base.touch_plans); read caches key on it
    revision: Mapped[str] = mapped_column(String(32), default="", server_default="")
    # tasks ever created in the plan: the next task is number task_seq + 1 (key task-N, never reused)
    task_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}


class TaskRow(Base):
    __tablename__ = "tasks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # searched by the indexes (plan_id, position) and (plan_id, number) below: no index of its own (0016)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)  # the n-th task created in its plan: its key is task-n
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    duration: Mapped[float] = mapped_column(Float, default=1.0)
    duration_unit: Mapped[str] = mapped_column(String(10), default="days")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    priority: Mapped[str] = mapped_column(String(10), default="medium")
    tags: Mapped[list[str]] = mapped_column(JsonType, default=list)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType, default=dict)
    milestone: Mapped[bool] = mapped_column(Boolean, default=False)
    constraint_type: Mapped[str] = mapped_column(String(4), default="ASAP", server_default="ASAP")
    constraint_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    optimistic_duration: Mapped[float | None] = mapped_column(Float)
    most_likely_duration: Mapped[float | None] = mapped_column(Float)
    pessimistic_duration: Mapped[float | None] = mapped_column(Float)
    remaining_duration: Mapped[float | None] = mapped_column(Float)
    actual_cost: Mapped[float | None] = mapped_column(Float)
    percent_complete: Mapped[float] = mapped_column(Float, default=0.0)
    actual_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    actual_finish: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notes: Mapped[str] = mapped_column(Text, default="")
    work: Mapped[float | None] = mapped_column(Float)  # hours
    effort_driven: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    task_type: Mapped[str] = mapped_column(String(20), default="fixed_units", server_default="fixed_units")
    required_skills: Mapped[list[str] | None] = mapped_column(JsonType, default=list)
    # Microsoft Project's task fields: manual scheduling with its own dates, a task calendar, leveling delay
    manual: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    manual_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    manual_finish: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    calendar: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    ignore_resource_calendar: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    leveling_delay: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    leveling_delay_unit: Mapped[str] = mapped_column(String(10), default="edays", server_default="edays")
    resume: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # remaining work resumes
    splits: Mapped[list[dict[str, float]] | None] = mapped_column(JsonType)  # pauses in the task's work
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_tasks_plan_position", "plan_id", "position"),
        UniqueConstraint("plan_id", "number", name="uq_tasks_plan_number"),
    )


class DependencyRow(Base):
    __tablename__ = "dependencies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # no key to plans (0017): the link's tasks are the plan's, and deleting the plan deletes them and so it
    plan_id: Mapped[str] = mapped_column(String(36), index=True)
    # searched by the unique (predecessor_id, successor_id) index below: no index of its own (0016)
    predecessor_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    successor_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(2), default="FS")
    lag: Mapped[float] = mapped_column(Float, default=0.0)
    lag_unit: Mapped[str] = mapped_column(String(10), default="days")

    __table_args__ = (UniqueConstraint("predecessor_id", "successor_id", name="uq_dependency_pair"),)


class ResourceRow(Base):
    __tablename__ = "resources"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    type: Mapped[str] = mapped_column(String(20), default="human")
    skills: Mapped[list[str]] = mapped_column(JsonType, default=list)
    availability: Mapped[float] = mapped_column(Float, default=1.0)
    cost_rate: Mapped[float] = mapped_column(Float, default=0.0)
    calendar: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType, default=dict)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("plan_id", "name", name="uq_resource_name"),)


class AssignmentRow(Base):
    __tablename__ = "assignments"

    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    units: Mapped[float] = mapped_column(Float, default=1.0)
    # the order the task lists its resources in (the first resource's calendar schedules the task)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # as Microsoft Project keeps them: the assignment's own work (hours), delay (working hours), contour,
    # and on a task under way the work it has left (hours; null: not tracked)
    work: Mapped[float | None] = mapped_column(Float)
    delay: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    contour: Mapped[str] = mapped_column(String(20), default="flat", server_default="flat")
    remaining_work: Mapped[float | None] = mapped_column(Float)


class BaselineRow(Base):
    __tablename__ = "baselines"

    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)


class RetrospectiveRow(Base):
    __tablename__ = "retrospectives"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_id: Mapped[str | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    held_on: Mapped[date | None] = mapped_column(Date)
    facilitator: Mapped[str] = mapped_column(String(200), default="")
    participants: Mapped[list[str]] = mapped_column(JsonType, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    retrospective_id: Mapped[str] = mapped_column(
        ForeignKey("retrospectives.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200), default="")
    votes: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str | None] = mapped_column(String(200))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EventRow(Base):
    """The outbox: every change writes its event here in the same transaction (on PostgreSQL through
    `event_queue`). Readers follow it by id: an id, once seen, has no earlier id still to come."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    type: Mapped[str] = mapped_column(String(100))
    plan_id: Mapped[str | None] = mapped_column(String(36), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QueuedEventRow(Base):
    """PostgreSQL: events as their transactions wrote them, in each plan's order (a plan's writers hold its
    row), until `Store.sequence_events` moves them into `events`, one mover at a time."""

    __tablename__ = "event_queue"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    type: Mapped[str] = mapped_column(String(100))
    plan_id: Mapped[str | None] = mapped_column(String(36))
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebhookRow(Base):
    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(JsonType)
    secret: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    failing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # first failure in a row
    ordered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # per plan


class DeliveryRow(Base):
    __tablename__ = "deliveries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id", name="uq_delivery_event"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )


class CursorRow(Base):
    """How far the fan-out has read the outbox (one row, locked by the replica doing the work)."""

    __tablename__ = "event_cursors"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)


class ApiTokenRow(Base):
    """API tokens managed with `prometheus tokens`; only a SHA-256 of each token is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JsonType)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MemoryRow(Base):
    """Engram's interface kept locally: what Prometheus stores, by namespace and key (the embedded default;
    with Engram configured it also records the id Engram gave)."""

    __tablename__ = "memories"

    namespace: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    data: Mapped[Any] = mapped_column(JsonType)
    meta: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    text: Mapped[str] = mapped_column(Text, default="")
    remote_id: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExecutionRow(Base):
    """A plan handed to Synthesis: the steps sent, what each step's task is doing, and adjustments made
    when the plan changed while it ran."""

    __tablename__ = "executions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    synthesis_id: Mapped[str | None] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(30), default="pending")
    plan_version: Mapped[int] = mapped_column(Integer)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    adjustments: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ScenarioRow(Base):
    """A what-if scenario of a plan: only its changes over the plan, as JSON (see core/scenario.py)."""

    __tablename__ = "scenarios"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    base_revision: Mapped[str] = mapped_column(String(32), default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}


class IdempotencyRow(Base):
    """The answer to a creating POST sent with an `Idempotency-Key`, kept so that a retry gets it again."""

    __tablename__ = "idempotency_keys"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # of the token and the key
    fingerprint: Mapped[str] = mapped_column(String(64))  # of the method, path and body
    status_code: Mapped[int | None] = mapped_column(Integer)  # None while the first request runs
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
