"""The structure of a plan (its task hierarchy), part of the one repository (`Store`).

Structural changes (a task's parent, a link) are checked while the plan's row is locked (`SELECT ... FOR
UPDATE` on PostgreSQL; SQLite writers are serial), so two racing changes cannot each pass the check and
together store a loop. Every walk over stored parents is bounded: a loop written around these rules gives a
409 HIERARCHY_LOOP naming its tasks, never an endless request."""

from __future__ import annotations

from sqlalchemy import select

from prometheus.core import structure as rules
from prometheus.core.graph import hierarchy_loop
from prometheus.core.structure import loop_error
from prometheus.errors import NotFound
from prometheus.store.base import StoreBase
from prometheus.store.tables import DependencyRow, PlanRow, TaskRow


class Structure(StoreBase):
    """Plan locks and hierarchy checks (mixed into `Store`)."""

    def lock_plan(self, plan_id: str) -> PlanRow:
        """The plan's row, locked until the transaction ends: writers to one plan go one at a time."""
        stmt = select(PlanRow).where(PlanRow.id == plan_id).execution_options(populate_existing=True)
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update()
        row = self.session.scalars(stmt).first()
        if row is None:
            raise NotFound(f"plan {plan_id} not found", details={"plan_id": plan_id})
        self.info.setdefault("held_plans", set()).add(plan_id)
        if plan_id not in self.info.get("revisions", {}):  # unchanged so far in this transaction
            self.info.setdefault("base_revisions", {}).setdefault(plan_id, row.revision)
        return row

    def parent_map(self, plan_id: str) -> dict[str, str | None]:
        """Every task of the plan and its parent; raises HierarchyLoop if the stored hierarchy loops."""
        parent_of = dict(
            self.session.execute(
                select(TaskRow.id, TaskRow.parent_id).where(TaskRow.plan_id == plan_id)
            ).all()
        )
        self.refuse_loop(parent_of)
        return parent_of

    def refuse_loop(self, parent_of: dict[str, str | None]) -> None:
        loop = hierarchy_loop(parent_of)
        if loop is not None:
            names = dict(
                self.session.execute(select(TaskRow.id, TaskRow.name).where(TaskRow.id.in_(loop))).all()
            )
            raise loop_error(loop, names)

    def plan_links(self, plan_id: str) -> list[tuple[str, str]]:
        """Every link of the plan as (predecessor, successor)."""
        stmt = select(DependencyRow.predecessor_id, DependencyRow.successor_id).where(
            DependencyRow.plan_id == plan_id
        )
        return [(pred, succ) for pred, succ in self.session.execute(stmt)]

    def check_parent(self, plan_id: str, task_id: str | None, parent_id: str) -> None:
        """The parent is a task of the plan, not the task itself nor one of its subtasks; a task moved under
        it keeps the plan's links legal (`core.structure`)."""
        rows = self.session.execute(
            select(TaskRow.id, TaskRow.parent_id, TaskRow.name).where(TaskRow.plan_id == plan_id)
        ).all()
        parent_of = {tid: parent for tid, parent, _ in rows}
        self.refuse_loop(parent_of)
        links = self.plan_links(plan_id) if task_id is not None else []  # a new task has no links yet
        names = {tid: name for tid, _, name in rows}
        rules.check_parent(parent_of, links, names, task_id, parent_id, f"plan {plan_id}")
