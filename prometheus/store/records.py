"""Records of the integrations, part of the one repository (`Store`): the local memory store behind
Engram's interface, and the executions handed to Synthesis."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from prometheus.core.model import Task
from prometheus.errors import NotFound
from prometheus.store.base import StoreBase
from prometheus.store.mapping import aware, new_id
from prometheus.store.tables import ExecutionRow, MemoryRow, TaskRow, utcnow


def memory_dict(row: MemoryRow) -> dict[str, Any]:
    return {
        "namespace": row.namespace,
        "key": row.key,
        "data": row.data,
        "metadata": row.meta,
        "remote_id": row.remote_id,
        "updated_at": aware(row.updated_at),  # UTC, on SQLite too (it keeps no offset)
    }


def execution_dict(row: ExecutionRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "plan_id": row.plan_id,
        "synthesis_id": row.synthesis_id,
        "status": row.status,
        "plan_version": row.plan_version,
        "steps": row.steps,
        "adjustments": row.adjustments,
        "error": row.error,
        "created_at": aware(row.created_at),
        "updated_at": aware(row.updated_at),
    }


class Records(StoreBase):
    """Traces, memories and executions of the Store."""

    # -- traces (task <-> Telos requirement) ---------------------------------------------------------------

    def traced_tasks(self, requirement_id: str | None = None, project_id: str | None = None,
                     plan_id: str | None = None) -> list[Task]:  # fmt: skip
        """Tasks made from Telos requirements (metadata.requirement_id), optionally for one of them."""
        rid = TaskRow.meta["requirement_id"].as_string()
        stmt = select(TaskRow).where(rid.is_not(None)).order_by(TaskRow.plan_id, TaskRow.position)
        if requirement_id:
            stmt = stmt.where(rid == requirement_id)
        if project_id:
            stmt = stmt.where(TaskRow.meta["telos_project_id"].as_string() == project_id)
        if plan_id:
            stmt = stmt.where(TaskRow.plan_id == plan_id)
        return self._tasks(list(self.session.scalars(stmt)))

    # -- memories -------------------------------------------------------------------------------------

    def put_memory(
        self, namespace: str, key: str, data: Any, meta: dict, text: str, remote_id: str | None = None
    ) -> dict[str, Any]:
        row = self.session.get(MemoryRow, (namespace, key)) or MemoryRow(namespace=namespace, key=key)
        row.data, row.meta, row.text, row.updated_at = data, meta, text, utcnow()
        row.remote_id = remote_id or row.remote_id
        self.session.add(row)
        self.session.flush()
        return memory_dict(row)

    def get_memory(self, namespace: str, key: str) -> dict[str, Any]:
        row = self.session.get(MemoryRow, (namespace, key))
        if row is None:
            raise NotFound(f"nothing stored under {namespace}/{key}")
        return memory_dict(row)

    def memories(self, namespace: str | None = None, limit: int = 10_000) -> list[tuple[dict, str]]:
        stmt = select(MemoryRow).order_by(MemoryRow.updated_at.desc()).limit(limit)
        if namespace:
            stmt = stmt.where(MemoryRow.namespace == namespace)
        return [(memory_dict(r), r.text) for r in self.session.scalars(stmt)]

    # -- executions -----------------------------------------------------------------------------------

    def create_execution(self, plan_id: str, plan_version: int, steps: list[dict]) -> dict[str, Any]:
        row = ExecutionRow(
            id=new_id(),
            plan_id=plan_id,
            plan_version=plan_version,
            steps=steps,
            adjustments=[],
            status="pending",
        )
        self.session.add(row)
        self.session.flush()
        return execution_dict(row)

    def _execution_row(self, execution_id: str) -> ExecutionRow:
        row = self.session.get(ExecutionRow, execution_id)
        if row is None:
            row = self.session.scalar(select(ExecutionRow).where(ExecutionRow.synthesis_id == execution_id))
        if row is None:
            raise NotFound(f"execution {execution_id} not found")
        return row

    def get_execution(self, execution_id: str) -> dict[str, Any]:
        return execution_dict(self._execution_row(execution_id))

    def update_execution(self, execution_id: str, **changes: Any) -> dict[str, Any]:
        row = self._execution_row(execution_id)
        before = row.status
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        self.session.flush()
        out = execution_dict(row)
        if changes.get("status") and changes["status"] != before:
            self.emit(
                "execution.updated",
                row.plan_id,
                {"id": row.id, "synthesis_id": row.synthesis_id, "status": row.status},
            )
        return out

    def list_executions(self, plan_id: str | None = None, *, active: bool = False) -> list[dict[str, Any]]:
        stmt = select(ExecutionRow).order_by(ExecutionRow.created_at.desc())
        if plan_id:
            stmt = stmt.where(ExecutionRow.plan_id == plan_id)
        if active:
            stmt = stmt.where(ExecutionRow.status.in_(("pending", "running")))
        return [execution_dict(r) for r in self.session.scalars(stmt)]
