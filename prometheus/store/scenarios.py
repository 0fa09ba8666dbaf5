"""What-if scenarios in the database: one row per scenario holding only its changes; promotion applies them
to the base plan in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select

from prometheus.core.graph import hierarchy_loop
from prometheus.core.inputs import DependencyCreate, ResourceCreate, ResourcePatch, TaskCreate, TaskPatch
from prometheus.core.model import Plan
from prometheus.core.scenario import Scenario, ScenarioChanges, ScenarioCreate, ScenarioPatch
from prometheus.core.structure import loop_error
from prometheus.errors import NotFound, ResourceConflict, ValidationFailed, VersionConflict
from prometheus.store.base import StoreBase
from prometheus.store.mapping import new_id
from prometheus.store.tables import DependencyRow, PlanRow, ResourceRow, ScenarioRow, TaskRow

T = TypeVar("T")


def scenario_model(row: ScenarioRow) -> Scenario:
    changes = ScenarioChanges.model_validate(row.changes or {})
    return Scenario(
        id=row.id,
        plan_id=row.plan_id,
        name=row.name,
        description=row.description,
        base_revision=row.base_revision,
        changes=changes,
        change_count=changes.count(),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _remap(values: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """A stored change with the ids of what the scenario added replaced by the ids promotion gave them."""
    out = dict(values)
    for key in ("parent_id", "predecessor_id", "successor_id"):
        if out.get(key) in ids:
            out[key] = ids[out[key]]
    if out.get("assignments"):
        out["assignments"] = [
            a | {"resource_id": ids.get(a["resource_id"], a["resource_id"])} for a in out["assignments"]
        ]
    if out.get("assigned_resources"):
        out["assigned_resources"] = [ids.get(r, r) for r in out["assigned_resources"]]
    return out


class Scenarios(StoreBase):
    """The scenario part of the Store (mixed into it, after the parts it calls)."""

    if TYPE_CHECKING:  # the parts of the Store it calls (no stubs at run time: they would shadow them)

        def lock_plan(self, plan_id: str) -> PlanRow: ...
        def get_plan(self, plan_id: str, *, include_children: bool = True) -> Plan: ...
        def add_resource(self, plan_id: str, data: ResourceCreate) -> Any: ...
        def update_resource(
            self, plan_id: str, rid: str, changes: ResourcePatch, expected: int | None
        ) -> Any: ...
        def delete_resource(self, plan_id: str, resource_id: str, *, force: bool = False) -> None: ...
        def add_task(self, plan_id: str, data: TaskCreate) -> Any: ...
        def update_task(self, plan_id: str, tid: str, changes: TaskPatch, expected: int | None) -> Any: ...
        def delete_task(self, plan_id: str, task_id: str, expected: int | None) -> str: ...
        def add_dependency(self, plan_id: str, data: DependencyCreate) -> Any: ...
        def delete_dependency(self, plan_id: str, *, dependency_id: str | None = None) -> Any: ...

    def _scenario_row(self, plan_id: str, scenario_id: str, *, lock: bool = False) -> ScenarioRow:
        """The scenario's row; with `lock`, held until the transaction ends (PostgreSQL; SQLite writers are
        serial), so racing writers of one scenario go one at a time instead of failing on its version."""
        if lock and self.dialect == "postgresql":
            stmt = select(ScenarioRow).where(ScenarioRow.id == scenario_id).with_for_update()
            row = self.session.scalars(stmt.execution_options(populate_existing=True)).first()
        else:
            row = self.session.get(ScenarioRow, scenario_id)
        if row is None or row.plan_id != plan_id:
            raise NotFound(
                f"scenario {scenario_id} not found in plan {plan_id}", details={"scenario_id": scenario_id}
            )
        return row

    def create_scenario(self, plan_id: str, data: ScenarioCreate) -> Scenario:
        """Open a scenario: one row, whatever the size of the plan."""
        plan = self._plan_row(plan_id)
        row = ScenarioRow(
            id=new_id(),
            plan_id=plan_id,
            name=data.name,
            description=data.description,
            base_revision=plan.revision,
            changes={},
        )
        self.session.add(row)
        self._flush()
        scenario = scenario_model(row)
        self.emit("scenario.created", plan_id, scenario.model_dump(mode="json", exclude={"changes"}))
        return scenario

    def list_scenarios(self, plan_id: str) -> list[Scenario]:
        self._plan_row(plan_id)
        stmt = select(ScenarioRow).where(ScenarioRow.plan_id == plan_id).order_by(ScenarioRow.created_at)
        return [scenario_model(r) for r in self.session.scalars(stmt)]

    def get_scenario(self, plan_id: str, scenario_id: str) -> Scenario:
        return scenario_model(self._scenario_row(plan_id, scenario_id))

    def update_scenario(
        self, plan_id: str, scenario_id: str, changes: ScenarioPatch, expected: int | None
    ) -> Scenario:
        row = self._scenario_row(plan_id, scenario_id, lock=True)
        self._check_version("scenario", row, expected)
        for key, value in changes.model_dump(exclude={"version"}, exclude_unset=True).items():
            if value is not None:
                setattr(row, key, value)
        self._flush()
        return scenario_model(row)

    def delete_scenario(self, plan_id: str, scenario_id: str, expected: int | None) -> str:
        """Discard a scenario; the plan is left as it is."""
        row = self._scenario_row(plan_id, scenario_id, lock=True)
        self._check_version("scenario", row, expected)
        self.session.delete(row)
        self._flush()
        self.emit("scenario.deleted", plan_id, {"id": scenario_id})
        return scenario_id

    def edit_scenario(
        self,
        plan_id: str,
        scenario_id: str,
        edit: Callable[[Plan, ScenarioChanges], T],
        expected: int | None = None,
        base: Plan | None = None,
    ) -> tuple[Scenario, T]:
        """Record one change: `edit(base plan, changes)` checks it against the scenario's view and adds it.
        `base`: the plan already loaded (a kept copy; promotion checks again what changed meanwhile)."""
        row = self._scenario_row(plan_id, scenario_id, lock=True)
        self._check_version("scenario", row, expected)
        changes = ScenarioChanges.model_validate(row.changes or {})
        result = edit(base if base is not None else self.get_plan(plan_id), changes)
        row.changes = changes.model_dump(mode="json")
        self._flush()
        return scenario_model(row), result

    def _conflicts(self, plan_id: str, changes: ScenarioChanges) -> list[dict[str, Any]]:
        out = []
        for key, version in changes.base_versions.items():
            kind, _, eid = key.partition(":")
            row = self.session.get(TaskRow if kind == "task" else ResourceRow, eid)
            if row is None or row.plan_id != plan_id:
                out.append({"kind": kind, "id": eid, "change": "removed from the plan"})
            elif row.version != version:
                out.append(
                    {"kind": kind, "id": eid, "change": "changed in the plan",
                     "scenario_based_on": version, "current_version": row.version}
                )  # fmt: skip
        return out

    def promote_scenario(
        self, plan_id: str, scenario_id: str, expected: int | None = None, base_revision: str | None = None
    ) -> dict[str, Any]:
        """Apply the scenario's changes to its plan (in this transaction) and close the scenario.

        409 when the plan changed meanwhile in something the scenario changes (or, given `base_revision`,
        in anything at all)."""
        row = self._scenario_row(plan_id, scenario_id, lock=True)
        self._check_version("scenario", row, expected)
        plan = self.lock_plan(plan_id)
        if base_revision is not None and plan.revision != base_revision:
            raise VersionConflict(
                f"plan {plan_id} changed since revision {base_revision}",
                details={"current_revision": plan.revision, "expected_revision": base_revision},
            )
        changes = ScenarioChanges.model_validate(row.changes or {})
        conflicts = self._conflicts(plan_id, changes)
        if conflicts:
            raise VersionConflict(
                f"the plan changed meanwhile in {len(conflicts)} thing(s) the scenario changes; "
                "look at them, change the scenario or discard it",
                details={"conflicts": conflicts},
            )
        try:
            ids = self._apply(plan_id, changes)
        except (NotFound, ValidationFailed) as exc:  # what it links to or assigns was removed from the plan
            raise ResourceConflict(f"the plan changed meanwhile: {exc.message}", details=exc.details) from exc
        self.session.delete(row)
        self._flush()
        result = {"scenario_id": scenario_id, "plan_id": plan_id, "changes": changes.count(), "new_ids": ids}
        self.emit("scenario.promoted", plan_id, result)
        return result

    def _exists(self, table: type[TaskRow] | type[DependencyRow], row_id: str) -> bool:
        """Asked of the database (a row deleted with its task is still in the session's identity map)."""
        return self.session.scalar(select(table.id).where(table.id == row_id)) is not None

    def _apply(self, plan_id: str, ch: ScenarioChanges) -> dict[str, str]:
        ids: dict[str, str] = {}
        for rid, values in ch.added_resources.items():
            ids[rid] = self.add_resource(plan_id, ResourceCreate.model_validate(values)).id
        for rid, values in ch.resources.items():
            self.update_resource(plan_id, rid, ResourcePatch.model_validate(values), None)
        for lid in ch.removed_links:  # first: a task moves where only a removed link barred it
            if self._exists(DependencyRow, lid):  # already gone from the plan: nothing to do
                self.delete_dependency(plan_id, dependency_id=lid)
        pending = dict(ch.added_tasks)
        while pending:  # a new task under another new task comes after it
            ready = [t for t, v in pending.items() if v.get("parent_id") not in pending]
            if not ready:  # new tasks under each other (stored before such edits were refused): a 409
                loop = hierarchy_loop({t: v.get("parent_id") for t, v in pending.items()})
                raise loop_error(loop, {t: v.get("name", t) for t, v in pending.items()})
            for tid in ready:
                data = TaskCreate.model_validate(_remap(pending.pop(tid), ids))
                ids[tid] = self.add_task(plan_id, data).id
        for tid, values in ch.tasks.items():
            self.update_task(plan_id, tid, TaskPatch.model_validate(_remap(values, ids)), None)
        for lid, values in ch.added_links.items():
            ids[lid] = self.add_dependency(plan_id, DependencyCreate.model_validate(_remap(values, ids))).id
        for tid in ch.removed_tasks:
            if self._exists(TaskRow, tid):  # a subtask of a task removed before it
                self.delete_task(plan_id, tid, None)
        for rid in ch.removed_resources:
            self.delete_resource(plan_id, rid, force=True)
        return ids
