"""Resources of a plan (part of the one repository, `Store`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from prometheus.core.inputs import ResourceCreate, ResourcePatch
from prometheus.core.model import Resource
from prometheus.errors import (
    ResourceConflict,
    ValidationFailed,
)
from prometheus.store.base import StoreBase, emits
from prometheus.store.mapping import (
    calendar_json,
    new_id,
    new_row,
    resource_model,
)
from prometheus.store.tables import (
    AssignmentRow,
    ResourceRow,
    TaskRow,
)


class Resources(StoreBase):
    """Resources of the Store."""

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
        row = new_row(ResourceRow, data, id=new_id(), plan_id=plan_id)
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
                row.calendar = calendar_json(changes.calendar)
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
            ).all()
        )
        if tasks and not force:
            raise ResourceConflict(
                f"resource '{row.name}' is assigned to {len(tasks)} task(s); unassign it or pass force=true",
                details={"tasks": [{"id": t, "name": n} for t, n in tasks]},
            )
        self.session.delete(row)
        self._flush()
