"""Plans: create, list, read, change, delete (part of the one repository, `Store`)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select

from prometheus.core.documents import DocPlan
from prometheus.core.inputs import PlanCreate, PlanPatch
from prometheus.core.model import Plan
from prometheus.errors import NotFound, ValidationFailed
from prometheus.store.base import StoreBase, emits
from prometheus.store.mapping import (
    calendar_json,
    new_id,
    new_row,
    plan_model,
)
from prometheus.store.tables import (
    PlanRow,
    TaskRow,
)


class Plans(StoreBase):
    """Plans of the Store."""

    # -- plans ---------------------------------------------------------------------------------------------

    @emits("plan.created", plan_from="result")
    def create_plan(self, data: PlanCreate) -> Plan:
        return plan_model(self._new_plan_row(data))

    def _new_plan_row(self, data: PlanCreate | DocPlan, task_seq: int = 0) -> PlanRow:
        row = new_row(PlanRow, data, id=new_id(), task_seq=task_seq)
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
            conds.append(self._holding(search, PlanRow.name, PlanRow.description))
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
        """The plan; with its children, read with one Core select per table (Reading.read_plan)."""
        if include_children:
            return self.read_plan(plan_id)
        return plan_model(self._plan_row(plan_id), self._task_count(plan_id))

    def existing_plans(self, plan_ids: Collection[str]) -> set[str]:
        """Which of `plan_ids` are plans: one query, however many."""
        if not plan_ids:
            return set()
        plans = PlanRow.__table__
        return set(self.session.scalars(select(plans.c.id).where(plans.c.id.in_(set(plan_ids)))))

    def plan_revision(self, plan_id: str) -> str | None:
        """The plan's revision token as this transaction sees it; None if there is no such plan."""
        plans = PlanRow.__table__
        return self.session.scalar(select(plans.c.revision).where(plans.c.id == plan_id))

    def plan_header(self, plan_id: str) -> Plan:
        """The plan's own fields as stored now (one Core select: never the session's copy of its row, which a
        Core update of its revision leaves behind), without children or their count."""
        plans = PlanRow.__table__
        row = self.session.execute(select(plans).where(plans.c.id == plan_id)).first()
        if row is None:
            raise NotFound(f"plan {plan_id} not found", details={"plan_id": plan_id})
        return plan_model(row)

    @emits("plan.updated", plan_from="arg")
    def update_plan(self, plan_id: str, changes: PlanCreate | PlanPatch, expected: int | None) -> Plan:
        """PUT (a PlanCreate: every field replaced) or PATCH (a PlanPatch: the fields sent)."""
        row = self.lock_plan(plan_id)
        self._check_version("plan", row, expected)
        values = changes.model_dump(exclude={"version"}, exclude_unset=isinstance(changes, PlanPatch))
        if isinstance(changes, PlanPatch):
            required = ("name", "status", "status_date_moves_work")
            refused = sorted(k for k in required if k in values and values[k] is None)
            if refused:
                raise ValidationFailed(f"{', '.join(refused)} cannot be null")
        for key, value in values.items():
            if key == "metadata":
                row.meta = value or {}
            elif key == "calendar":
                row.calendar = calendar_json(changes.calendar)
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

    @emits("plan.deleted", plan_from="arg")
    def delete_plan(self, plan_id: str, expected: int | None) -> None:
        row = self.lock_plan(plan_id)
        self._check_version("plan", row, expected)
        self.session.delete(row)
        self._flush()
