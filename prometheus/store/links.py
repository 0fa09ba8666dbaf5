"""Links between tasks (part of the one repository, `Store`)."""

from __future__ import annotations

from sqlalchemy import select

from prometheus.core import structure as rules
from prometheus.core.inputs import DependencyCreate
from prometheus.core.model import Dependency
from prometheus.errors import NotFound, ValidationFailed
from prometheus.store.base import TASK_KEY, StoreBase, emits
from prometheus.store.mapping import (
    dependency_model,
    new_id,
)
from prometheus.store.tables import (
    DependencyRow,
    TaskRow,
)


class Links(StoreBase):
    """Dependencies of the Store."""

    # -- dependencies --------------------------------------------------------------------------------------

    def _key_map(self, plan_id: str) -> tuple[dict[int, str], dict[str, str]]:
        """The plan's task numbers -> ids, and ids -> names (one query)."""
        rows = self.session.execute(
            select(TaskRow.id, TaskRow.number, TaskRow.name).where(TaskRow.plan_id == plan_id)
        )
        numbers, names = {}, {}
        for tid, number, name in rows:
            numbers[number], names[tid] = tid, name
        return numbers, names

    @staticmethod
    def _ref(numbers: dict[int, str], ref: str) -> str:
        match = TASK_KEY.fullmatch(ref)
        return numbers.get(int(match.group(1)), ref) if match else ref

    @emits("dependency.created", plan_from="arg")
    def add_dependency(self, plan_id: str, data: DependencyCreate) -> Dependency:
        self.lock_plan(plan_id)  # one structural change at a time per plan: no cycle slips in
        parent_of = self.parent_map(plan_id)
        numbers, names = self._key_map(plan_id)
        pred, succ = self._ref(numbers, data.predecessor_id), self._ref(numbers, data.successor_id)
        edges = self.plan_links(plan_id)
        rules.check_link(parent_of, names, pred, succ, set(edges), f"plan {plan_id}")
        rules.check_no_cycle(parent_of, edges, names, pred, succ)
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
