"""Reading a whole plan fast: one Core `select` per table straight into the core's models (no ORM objects,
no identity map), for the scheduled views and every read of a plan with its children (part of `Store`)."""

from __future__ import annotations

from sqlalchemy import select

from prometheus.core.model import Assignment, Plan
from prometheus.errors import NotFound
from prometheus.store.base import StoreBase
from prometheus.store.mapping import (
    assignment_model,
    dependency_model,
    plan_model,
    resource_model,
    task_model,
)
from prometheus.store.tables import AssignmentRow, DependencyRow, PlanRow, ResourceRow, TaskRow


class Reading(StoreBase):
    """Whole plans of the Store."""

    def read_plan(self, plan_id: str) -> Plan:
        """The plan with its tasks (in position order, each with its assignments and its predecessors in
        plan order), links (by id) and resources (by name): what get_plan answers, in five queries."""
        if self.session.new or self.session.dirty or self.session.deleted:
            self._flush()  # Core statements do not autoflush: read what this transaction changed
        plans, tasks, links = PlanRow.__table__, TaskRow.__table__, DependencyRow.__table__
        resources, assignments = ResourceRow.__table__, AssignmentRow.__table__
        plan_row = self.session.execute(select(plans).where(plans.c.id == plan_id)).first()
        if plan_row is None:
            raise NotFound(f"plan {plan_id} not found", details={"plan_id": plan_id})
        result = self.session.execute(
            select(tasks).where(tasks.c.plan_id == plan_id).order_by(tasks.c.position)
        )
        task_columns, task_rows = tuple(result.keys()), result.all()
        self.refuse_loop({r.id: r.parent_id for r in task_rows})
        result = self.session.execute(select(links).where(links.c.plan_id == plan_id).order_by(links.c.id))
        link_columns, link_rows = tuple(result.keys()), result.all()
        assigned: dict[str, list[Assignment]] = {r.id: [] for r in task_rows}
        result = self.session.execute(
            select(assignments)
            .join(tasks, tasks.c.id == assignments.c.task_id)
            .where(tasks.c.plan_id == plan_id)
            .order_by(assignments.c.task_id, assignments.c.position)
        )
        assignment_columns = tuple(result.keys())
        for row in result:
            assigned[row.task_id].append(assignment_model(row, assignment_columns))
        # predecessors in plan order (by the predecessor's position, then id), as _tasks gives them
        order = {r.id: (r.position, r.id) for r in task_rows}
        predecessors: dict[str, list[str]] = {}
        for link in sorted(link_rows, key=lambda r: order.get(r.predecessor_id, (0, ""))):
            predecessors.setdefault(link.successor_id, []).append(link.predecessor_id)
        result = self.session.execute(
            select(resources).where(resources.c.plan_id == plan_id).order_by(resources.c.name)
        )
        resource_columns, resource_rows = tuple(result.keys()), result.all()
        plan = plan_model(plan_row, len(task_rows))
        plan.tasks = [task_model(r, assigned[r.id], predecessors.get(r.id), task_columns) for r in task_rows]
        plan.dependencies = [dependency_model(r, link_columns) for r in link_rows]
        plan.resources = [resource_model(r, resource_columns) for r in resource_rows]
        return plan
