"""The operations on what-if scenarios: open one on a plan, change it, compare it with the plan, promote it
into the plan or discard it. Task and resource ids may be those of the plan or those the scenario gave."""

from __future__ import annotations

from typing import Any

from prometheus.client.calls import Call, if_match, params, seg
from prometheus.client.operations import Operations


class ScenarioOperations(Operations):
    @staticmethod
    def _scenario(plan_id: str, scenario_id: str, tail: str = "") -> str:
        return f"/api/plans/{seg(plan_id)}/scenarios/{seg(scenario_id)}{tail}"

    def create_scenario(self, plan_id: str, name: str, description: str = "") -> Any:
        """Open a scenario of the plan (nothing is copied); the scenario, with its `id`."""
        body = {"name": name, "description": description}
        return self._call(Call("POST", f"/api/plans/{seg(plan_id)}/scenarios", body))

    def list_scenarios(self, plan_id: str) -> Any:
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/scenarios"))

    def get_scenario(self, plan_id: str, scenario_id: str) -> Any:
        """The scenario and its changes over the plan."""
        return self._call(Call("GET", self._scenario(plan_id, scenario_id)))

    def update_scenario(
        self, plan_id: str, scenario_id: str, version: int | None = None, **changes: Any
    ) -> Any:
        """Rename it (name, description)."""
        path = self._scenario(plan_id, scenario_id)
        return self._call(Call("PATCH", path, changes, headers=if_match(version)))

    def discard_scenario(self, plan_id: str, scenario_id: str, version: int | None = None) -> Any:
        return self._call(Call("DELETE", self._scenario(plan_id, scenario_id), headers=if_match(version)))

    def promote_scenario(
        self, plan_id: str, scenario_id: str, version: int | None = None, base_revision: str | None = None
    ) -> Any:
        """Apply the scenario's changes to the plan in one transaction; ConflictError when the plan changed
        in what the scenario changes (or at all, given the `base_revision` the scenario was opened at)."""
        path = self._scenario(plan_id, scenario_id, "/promote")
        query = params(base_revision=base_revision)
        return self._call(Call("POST", path, params=query, headers=if_match(version)))

    # -- changes: each answers {"id": what changed, "scenario": the scenario} ----------------------------

    def scenario_add_task(self, plan_id: str, scenario_id: str, name: str, **fields: Any) -> Any:
        path = self._scenario(plan_id, scenario_id, "/tasks")
        return self._call(Call("POST", path, {"name": name, **fields}))

    def scenario_update_task(self, plan_id: str, scenario_id: str, task_id: str, **changes: Any) -> Any:
        """Change a task in the scenario: duration, dates, constraint, assignments, any field."""
        return self._call(Call("PATCH", self._scenario(plan_id, scenario_id, f"/tasks/{task_id}"), changes))

    def scenario_remove_task(self, plan_id: str, scenario_id: str, task_id: str) -> Any:
        return self._call(Call("DELETE", self._scenario(plan_id, scenario_id, f"/tasks/{task_id}")))

    def scenario_add_link(
        self, plan_id: str, scenario_id: str, predecessor_id: str, successor_id: str, **fields: Any
    ) -> Any:
        body = {"predecessor_id": predecessor_id, "successor_id": successor_id, **fields}
        return self._call(Call("POST", self._scenario(plan_id, scenario_id, "/dependencies"), body))

    def scenario_remove_link(self, plan_id: str, scenario_id: str, dependency_id: str) -> Any:
        path = self._scenario(plan_id, scenario_id, f"/dependencies/{dependency_id}")
        return self._call(Call("DELETE", path))

    def scenario_add_resource(self, plan_id: str, scenario_id: str, name: str, **fields: Any) -> Any:
        path = self._scenario(plan_id, scenario_id, "/resources")
        return self._call(Call("POST", path, {"name": name, **fields}))

    def scenario_update_resource(
        self, plan_id: str, scenario_id: str, resource_id: str, **changes: Any
    ) -> Any:
        path = self._scenario(plan_id, scenario_id, f"/resources/{resource_id}")
        return self._call(Call("PATCH", path, changes))

    def scenario_remove_resource(self, plan_id: str, scenario_id: str, resource_id: str) -> Any:
        """Remove a resource (id or name) and its assignments from the scenario."""
        path = self._scenario(plan_id, scenario_id, f"/resources/{resource_id}")
        return self._call(Call("DELETE", path))

    def scenario_level(
        self, plan_id: str, scenario_id: str, *, apply: bool = False, solver: str = "heuristic",
        time_limit: float = 10,
    ) -> Any:  # fmt: skip
        """Level the scenario's resources: a preview, or kept in the scenario with apply=True."""
        query = {"apply": apply, "solver": solver, "time_limit": time_limit}
        return self._call(Call("POST", self._scenario(plan_id, scenario_id, "/level"), params=query))

    # -- views ---------------------------------------------------------------------------------------------

    def scenario_tasks(self, plan_id: str, scenario_id: str) -> Any:
        return self._call(Call("GET", self._scenario(plan_id, scenario_id, "/tasks")))

    def scenario_resources(self, plan_id: str, scenario_id: str) -> Any:
        return self._call(Call("GET", self._scenario(plan_id, scenario_id, "/resources")))

    def scenario_links(self, plan_id: str, scenario_id: str) -> Any:
        return self._call(Call("GET", self._scenario(plan_id, scenario_id, "/dependencies")))

    def scenario_timeline(
        self, plan_id: str, scenario_id: str, format: str = "default", include_resources: bool = False
    ) -> Any:
        query = {"format": format, "include_resources": include_resources}
        return self._call(Call("GET", self._scenario(plan_id, scenario_id, "/timeline"), params=query))

    def scenario_critical_path(self, plan_id: str, scenario_id: str) -> Any:
        return self._call(Call("GET", self._scenario(plan_id, scenario_id, "/critical-path")))

    def scenario_costs(self, plan_id: str, scenario_id: str) -> Any:
        return self._call(Call("GET", self._scenario(plan_id, scenario_id, "/costs")))

    def compare_scenario(self, plan_id: str, scenario_id: str, limit: int = 100) -> Any:
        """The scenario against its plan: finish, cost, critical path, the tasks whose dates moved."""
        path = self._scenario(plan_id, scenario_id, "/compare")
        return self._call(Call("GET", path, params={"limit": limit}))
