"""What every part of the repository shares: the session, the outbox, errors of a flush, lookups."""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import ColumnElement, bindparam, exists, func, insert, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from prometheus.core.model import Assignment, Task
from prometheus.errors import NotFound, ResourceConflict, VersionConflict
from prometheus.store.inserts import insert_rows
from prometheus.store.mapping import assignment_model, task_model
from prometheus.store.prepared import Prepared
from prometheus.store.tables import (
    AssignmentRow,
    BaselineRow,
    DependencyRow,
    EventRow,
    PlanRow,
    QueuedEventRow,
    ResourceRow,
    TaskRow,
)

TASK_KEY = re.compile(r"task-([1-9][0-9]{0,9})")  # task-N: the n-th task created in its plan

# statements of every write, built once (their compiled form is cached by the statement)
_PLANS = PlanRow.__table__
_RESERVE = Prepared(
    update(_PLANS)
    .where(_PLANS.c.id == bindparam("reserve_plan"))
    .values(task_seq=_PLANS.c.task_seq + bindparam("reserve_count"), revision=bindparam("reserve_token"))
    .returning(_PLANS.c.task_seq)
)
_HOLD = select(_PLANS.c.id).where(_PLANS.c.id == bindparam("hold_plan")).with_for_update(key_share=True)
_EVENT = Prepared(insert(EventRow.__table__))
_QUEUED = Prepared(insert(QueuedEventRow.__table__))
# the first event of a PostgreSQL transaction also asks for the NOTIFY its commit sends, in one statement
_QUEUED_NOTIFY = Prepared(insert(QueuedEventRow.__table__).returning(func.pg_notify("prometheus_events", "")))


def event_data(result: Any) -> dict[str, Any]:
    """What the event of a change carries of the record it gave (a plan without its children)."""
    return result.model_dump(mode="json", exclude={"tasks", "dependencies", "resources"})


def emits(kind: str, *, plan_from: str = "arg") -> Callable:
    """Write the event of a change into the outbox, in the change's own transaction.

    plan_from: "arg" (the first argument is the plan id), "result" (the result's plan_id or id), "retro"
    (the retrospective's plan). The event carries the result, or the id of what was deleted."""

    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def inner(self: Any, *args: Any, **kwargs: Any) -> Any:
            result = fn(self, *args, **kwargs)
            if hasattr(result, "model_dump"):
                data = event_data(result)
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
            session.info.setdefault("revisions", {})[obj.id] = token
        elif isinstance(obj, (TaskRow, DependencyRow, ResourceRow, BaselineRow)) and obj.plan_id:
            others.add(obj.plan_id)
    if others:
        touch_revision(session, others, token)


def touch_revision(session: Session, plan_ids: Iterable[str], token: str | None = None) -> None:
    """A new revision token for these plans (after a change made with Core statements, which no
    before_flush sees). A Core statement on the table: no autoflush, no version bump of the plan row."""
    plans, ids, token = PlanRow.__table__, set(plan_ids), token or uuid.uuid4().hex
    session.connection().execute(update(plans).where(plans.c.id.in_(ids)).values(revision=token))
    session.info.setdefault("held_plans", set()).update(ids)  # their rows are locked to the commit
    session.info.setdefault("revisions", {}).update(dict.fromkeys(ids, token))


class StoreBase:
    """The transaction, its session, the outbox and the lookups every part of the Store uses."""

    def __init__(self, connection: Connection, sessions: sessionmaker[Session]):
        self.connection = connection  # the transaction's: Core statements run on it, no session needed
        self.dialect = connection.dialect.name
        # what this transaction did: plans it holds, their revisions before and after, events emitted
        self.info: dict[str, Any] = {}
        self._sessions = sessions
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The ORM session, on the transaction's connection, made when first used (a write of Core
        statements only has none to begin, flush and close); it shares `info` (touch_plans writes it)."""
        if self._session is None:
            self._session = self._sessions(bind=self.connection, join_transaction_mode="rollback_only")
            self._session.info = self.info  # a memoized attribute: the store's own dict instead
        return self._session

    def finish(self) -> None:
        """Before the transaction commits: what the session holds is written (its commit flushes; the
        transaction is the connection's to commit)."""
        if self._session is not None:
            self._session.commit()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()

    def emit(self, kind: str, plan_id: str | None, data: dict[str, Any]) -> None:
        """Write an event in this transaction."""
        self.emit_many(kind, plan_id, [data])

    def emit_many(self, kind: str, plan_id: str | None, data: list[dict[str, Any]]) -> None:
        """Write events of one kind in this transaction, in order (one for each of `data`). PostgreSQL: into
        the queue, after taking the plan's row (held to the commit), so that a plan's events queue in the
        order their transactions commit; writers of other plans never wait for each other
        (`Store.sequence_events` numbers them into the outbox)."""
        rows = [{"type": f"prometheus.{kind}", "plan_id": plan_id, "data": d} for d in data]
        if not rows:
            return
        if self.dialect == "postgresql":
            if plan_id is not None:
                self.hold_plan(plan_id)
            if not self.info.get("emitted"):  # the first asks for the NOTIFY sent at commit
                _QUEUED_NOTIFY.run(self.connection, rows.pop(0))
            table, one = QueuedEventRow, _QUEUED
        else:  # one writer at a time: ids are given in commit order
            table, one = EventRow, _EVENT
        if len(rows) == 1:
            one.run(self.connection, rows[0])
        elif rows:  # many: in one go, in order (COPY on PostgreSQL)
            self._insert(table, rows)
        self.info["emitted"] = True

    def hold_plan(self, plan_id: str) -> None:
        """PostgreSQL: the plan's row locked (FOR NO KEY UPDATE) until the transaction ends, once."""
        held = self.info.setdefault("held_plans", set())
        if plan_id not in held:
            self.connection.execute(_HOLD, {"hold_plan": plan_id})
            held.add(plan_id)

    def revision_change(self, plan_id: str) -> tuple[str | None, str | None]:
        """The plan's revision when this transaction locked it (None if it did not) and the revision its
        last change gave it (None if none): what a kept copy of the plan may move on from and to."""
        info = self.info
        return info.get("base_revisions", {}).get(plan_id), info.get("revisions", {}).get(plan_id)

    def _json_contains(self, column: Any, value: str) -> ColumnElement[bool]:
        """`value` is an element of the JSON array in `column`, on PostgreSQL and SQLite."""
        if self.dialect == "postgresql":
            return column.op("@>")(func.cast(func.json_build_array(value), JSONB))
        each = func.json_each(column).table_valued("value")
        return exists(select(literal_column("1")).select_from(each).where(each.c.value == value))

    @staticmethod
    def _holding(text: str, *columns: Any) -> ColumnElement[bool]:
        """One of `columns` holds `text`, in any case: its `%`, `_` are themselves, not LIKE's wildcards
        (`search=%` matched every plan and task, `100%` also `100 tasks`)."""
        return or_(*(column.icontains(text, autoescape=True) for column in columns))

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

    def _reserve_numbers(self, plan_id: str, count: int = 1) -> int:
        """Reserve `count` task numbers in the plan (never reused, even after deletes) and give the plan a
        new revision, in one UPDATE that also locks the plan's row until the transaction ends (its writers
        go one at a time); the first number. NotFound without such a plan."""
        token = uuid.uuid4().hex
        rows = _RESERVE.run(
            self.connection, {"reserve_plan": plan_id, "reserve_count": count, "reserve_token": token}
        )
        if not rows:
            raise NotFound(f"plan {plan_id} not found", details={"plan_id": plan_id})
        self.info.setdefault("held_plans", set()).add(plan_id)
        self.info.setdefault("revisions", {})[plan_id] = token
        return rows[0][0] - count + 1

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

    def _task_count(self, plan_id: str) -> int:
        return self.session.scalar(select(func.count()).where(TaskRow.plan_id == plan_id)) or 0

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
            out[a.task_id].append(assignment_model(a))
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

    def _insert(self, table: Any, rows: Iterable[dict[str, Any]]) -> None:
        """Bulk insert (store/inserts.py: COPY on PostgreSQL, batches of INSERT elsewhere)."""
        insert_rows(self.connection, table.__table__, rows)
