"""Every operation of the Prometheus API, once, for both clients (see calls.py).

Results are the `data` of the server's envelope, as JSON (dicts and lists), except where a method says
otherwise: `create_plan` returns the new plan's id (as the integration guide uses it), `export_plan`
returns the file's bytes, `health` the whole health document. Task ids may be the plan-scoped keys
`task-1`, `task-2`, ... wherever a task id is taken."""

from __future__ import annotations

from typing import Any

from prometheus.client.calls import Call, Op, if_match, merge_patch, params, seg, single
from prometheus.client.errors import ConflictError

MERGE_RETRIES = 5


class Operations:
    """The API's operations; a subclass supplies `_run` (send an operation's calls, return its result)."""

    def _run(self, op: Op) -> Any:  # pragma: no cover - every client defines it
        raise NotImplementedError

    def _call(self, call: Call) -> Any:
        return self._run(single(call))

    def _patch_merging(self, path: str, version: int | None, changes: dict) -> Op:
        """PATCH `changes`, merging `metadata` into what is stored (RFC 7396: null removes a key). Without
        a version, a change made by someone else between the read and the write is merged and retried."""
        if changes.get("metadata") is None:
            return (yield Call("PATCH", path, changes, headers=if_match(version)))
        query = {} if "/tasks/" in path else {"include_tasks": False}
        for attempt in range(MERGE_RETRIES):
            current = yield Call("GET", path, params=query)
            body = changes | {"metadata": merge_patch(current.get("metadata") or {}, changes["metadata"])}
            expected = current["version"] if version is None else version
            try:
                return (yield Call("PATCH", path, body, headers=if_match(expected)))
            except ConflictError:
                if version is not None or attempt == MERGE_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    # -- plans -----------------------------------------------------------------------------------------

    def create_plan(self, name: str, **fields: Any) -> Any:
        """Create a plan; its id. Fields: description, start_date, end_date (dates, or ISO date-times
        such as `datetime.now().isoformat()`), tags, metadata, status, calendar, status_date."""

        def op() -> Op:
            plan = yield Call("POST", "/api/plans", {"name": name, **fields})
            return plan["id"]

        return self._run(op())

    def list_plans(self, **filters: Any) -> Any:
        """Plans (filters: search, tag, status, limit up to 1000, offset)."""
        return self._call(Call("GET", "/api/plans", params=params(**filters)))

    def get_plan(self, plan_id: str, include_tasks: bool = True) -> Any:
        """A plan; with its tasks, links and resources unless include_tasks is False."""
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}", params={"include_tasks": include_tasks}))

    def update_plan(self, plan_id: str, version: int | None = None, **changes: Any) -> Any:
        """Change some fields; `metadata` is merged into the plan's metadata. `version`: fail with
        ConflictError unless the plan is still at that version."""
        return self._run(self._patch_merging(f"/api/plans/{seg(plan_id)}", version, changes))

    def replace_plan(self, plan_id: str, name: str, version: int | None = None, **fields: Any) -> Any:
        """Replace every field (PUT); the ones left out take their defaults."""
        body = {"name": name, **fields}
        return self._call(Call("PUT", f"/api/plans/{seg(plan_id)}", body, headers=if_match(version)))

    def delete_plan(self, plan_id: str, version: int | None = None) -> Any:
        return self._call(Call("DELETE", f"/api/plans/{seg(plan_id)}", headers=if_match(version)))

    # -- tasks -----------------------------------------------------------------------------------------

    def add_task(self, plan_id: str, name: str, **fields: Any) -> Any:
        """Add a task; the task (its `id`, and its `key` task-N). Fields: description, duration,
        duration_unit, status, priority, tags, metadata, parent_id, milestone, constraint_type, ..."""
        return self._call(Call("POST", f"/api/plans/{seg(plan_id)}/tasks", {"name": name, **fields}))

    def add_tasks(self, plan_id: str, tasks: list[dict[str, Any]]) -> Any:
        """Add many tasks in one transaction, all or none (a 422 names every refused one by index); the
        tasks in order. A task may name an earlier one of the batch as parent by its key task-N."""
        return self._call(Call("POST", f"/api/plans/{seg(plan_id)}/tasks", tasks))

    def get_tasks(self, plan_id: str, **filters: Any) -> Any:
        """The plan's tasks in order, each with `dependencies` (its predecessors' ids). Filters: status,
        priority, assigned_to, search, tag, parent_id, limit, offset."""
        query = {"limit": 100_000} | params(**filters)
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/tasks", params=query))

    def get_task(self, plan_id: str, task_id: str) -> Any:
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/tasks/{seg(task_id)}"))

    def update_task(self, plan_id: str, task_id: str, version: int | None = None, **changes: Any) -> Any:
        """Change some fields; `metadata` is merged as in update_plan."""
        path = f"/api/plans/{seg(plan_id)}/tasks/{seg(task_id)}"
        return self._run(self._patch_merging(path, version, changes))

    def replace_task(
        self, plan_id: str, task_id: str, name: str, version: int | None = None, **fields: Any
    ) -> Any:
        path = f"/api/plans/{seg(plan_id)}/tasks/{seg(task_id)}"
        return self._call(Call("PUT", path, {"name": name, **fields}, headers=if_match(version)))

    def delete_task(self, plan_id: str, task_id: str, version: int | None = None) -> Any:
        """Delete a task with its subtasks and links."""
        path = f"/api/plans/{seg(plan_id)}/tasks/{seg(task_id)}"
        return self._call(Call("DELETE", path, headers=if_match(version)))

    def update_progress(self, plan_id: str, task_id: str, version: int | None = None, **progress: Any) -> Any:
        """Record progress: status, percent_complete, actual_start, actual_finish, remaining_duration,
        actual_cost, notes."""
        path = f"/api/plans/{seg(plan_id)}/tasks/{seg(task_id)}/progress"
        return self._call(Call("PUT", path, progress, headers=if_match(version)))

    # -- links -----------------------------------------------------------------------------------------

    def add_dependency(self, plan_id: str, task_id: str, dependency_id: str, **fields: Any) -> Any:
        """`task_id` depends on `dependency_id` (finish-to-start unless `type` says otherwise; `lag`,
        `lag_unit`): the link dependency_id -> task_id."""
        return self.add_link(plan_id, dependency_id, task_id, **fields)

    def add_link(self, plan_id: str, predecessor_id: str, successor_id: str, **fields: Any) -> Any:
        """The link predecessor -> successor (type FS, SS, FF, SF; lag; lag_unit)."""
        body = {"predecessor_id": predecessor_id, "successor_id": successor_id, **fields}
        return self._call(Call("POST", f"/api/plans/{seg(plan_id)}/dependencies", body))

    def add_dependencies(self, plan_id: str, links: list[dict[str, Any]]) -> Any:
        """Many links in one transaction, all or none: each {"predecessor_id", "successor_id", "type",
        "lag", "lag_unit"} (ids or keys task-N); the links in order."""
        return self._call(Call("POST", f"/api/plans/{seg(plan_id)}/dependencies", links))

    def list_links(self, plan_id: str) -> Any:
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/dependencies"))

    def delete_link(
        self,
        plan_id: str,
        dependency_id: str | None = None,
        *,
        predecessor_id: str | None = None,
        successor_id: str | None = None,
    ) -> Any:
        """Remove a link by its id, or by its two tasks."""
        if dependency_id:
            return self._call(Call("DELETE", f"/api/plans/{seg(plan_id)}/dependencies/{seg(dependency_id)}"))
        query = params(predecessor_id=predecessor_id, successor_id=successor_id)
        return self._call(Call("DELETE", f"/api/plans/{seg(plan_id)}/dependencies", params=query))

    # -- resources -------------------------------------------------------------------------------------

    def add_resource(self, plan_id: str, name: str, **fields: Any) -> Any:
        """Fields: type, skills, availability, cost_rate, calendar, metadata."""
        return self._call(Call("POST", f"/api/plans/{seg(plan_id)}/resources", {"name": name, **fields}))

    def list_resources(self, plan_id: str, **filters: Any) -> Any:
        """Filters: type, skill."""
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/resources", params=params(**filters)))

    def get_resource(self, plan_id: str, resource_id: str) -> Any:
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/resources/{seg(resource_id)}"))

    def update_resource(self, plan_id: str, resource_id: str, **changes: Any) -> Any:
        return self._call(Call("PATCH", f"/api/plans/{seg(plan_id)}/resources/{seg(resource_id)}", changes))

    def delete_resource(self, plan_id: str, resource_id: str, force: bool = False) -> Any:
        """force: unassign it from its tasks first (else 409 while assigned)."""
        path = f"/api/plans/{seg(plan_id)}/resources/{seg(resource_id)}"
        return self._call(Call("DELETE", path, params={"force": force}))

    # -- schedule views ----------------------------------------------------------------------------------

    def critical_path(self, plan_id: str) -> Any:
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/critical-path"))

    def timeline(self, plan_id: str, format: str = "default", include_resources: bool = False) -> Any:
        query = {"format": format, "include_resources": include_resources}
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/timeline", params=query))

    def summary(self, plan_id: str) -> Any:
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/summary"))

    def costs(self, plan_id: str) -> Any:
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/costs"))

    def candidates(self, plan_id: str, task_id: str) -> Any:
        """Resources for a task, by its required skills, then by load."""
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/tasks/{seg(task_id)}/candidates"))

    def analysis(self, plan_id: str) -> Any:
        """Rule-based risks, optimizations and recommendations."""
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/analysis"))

    def estimate(self, plan_id: str, name: str, **fields: Any) -> Any:
        """A new task's duration from finished ones (description, tags, duration: your own guess)."""
        return self._call(Call("POST", f"/api/plans/{seg(plan_id)}/estimate", {"name": name, **fields}))

    def level(
        self, plan_id: str, *, apply: bool = False, solver: str = "heuristic", time_limit: float = 10
    ) -> Any:
        """Resource leveling: a preview, or applied with apply=True."""
        query = {"apply": apply, "solver": solver, "time_limit": time_limit}
        return self._call(Call("POST", f"/api/plans/{seg(plan_id)}/level", params=query))

    def loading(self, plan_id: str, period: str = "day") -> Any:
        """Resource loading per day or week."""
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/loading", params={"period": period}))

    # -- tracking ----------------------------------------------------------------------------------------

    def save_baseline(self, plan_id: str, number: int | None = None, name: str | None = None) -> Any:
        body = params(number=number, name=name)
        return self._call(Call("POST", f"/api/plans/{seg(plan_id)}/baselines", body))

    def list_baselines(self, plan_id: str) -> Any:
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/baselines"))

    def get_baseline(self, plan_id: str, number: int) -> Any:
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/baselines/{seg(number)}"))

    def delete_baseline(self, plan_id: str, number: int) -> Any:
        return self._call(Call("DELETE", f"/api/plans/{seg(plan_id)}/baselines/{seg(number)}"))

    def baseline_variance(self, plan_id: str, number: int) -> Any:
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/baselines/{seg(number)}/variance"))

    def earned_value(self, plan_id: str, status_date: str | None = None, baseline: int | None = None) -> Any:
        query = params(status_date=status_date, baseline=baseline)
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/earned-value", params=query))

    def risk(self, plan_id: str, **options: Any) -> Any:
        """Monte Carlo schedule risk (iterations, seed, distribution, target_date)."""
        return self._call(Call("POST", f"/api/plans/{seg(plan_id)}/risk", options or None))

    # -- files -----------------------------------------------------------------------------------------

    def export_plan(self, plan_id: str, format: str = "json") -> Any:
        """The file's bytes (json, csv, mspdi, mpp, ics, ...)."""
        query = {"format": format}
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/export", params=query, raw=True))

    def import_plan(
        self,
        data: bytes,
        *,
        format: str | None = None,
        filename: str | None = None,
        name: str | None = None,
        include_plan: bool = False,
    ) -> Any:
        """A new plan from a file's bytes (the format from `format`, else from the file name): its summary
        with `counts` (tasks, dependencies, resources); with `include_plan`, also its tasks, links and
        resources."""
        query = params(format=format, filename=filename, name=name, include="plan" if include_plan else None)
        return self._call(Call("POST", "/api/plans/import", params=query, content=data))

    # -- webhooks --------------------------------------------------------------------------------------

    def register_webhook(self, url: str, events: list[str] | None = None, secret: str | None = None) -> Any:
        body = params(url=url, events=events, secret=secret)
        return self._call(Call("POST", "/api/webhooks/register", body))

    def list_webhooks(self) -> Any:
        return self._call(Call("GET", "/api/webhooks"))

    def update_webhook(self, webhook_id: str, **changes: Any) -> Any:
        """Change a webhook (url, events, ordered) or re-enable it (`active=True`: undelivered events are
        sent again)."""
        return self._call(Call("PATCH", f"/api/webhooks/{seg(webhook_id)}", changes))

    def get_webhook(self, webhook_id: str) -> Any:
        return self._call(Call("GET", f"/api/webhooks/{seg(webhook_id)}"))

    def delete_webhook(self, webhook_id: str) -> Any:
        return self._call(Call("DELETE", f"/api/webhooks/{seg(webhook_id)}"))

    def test_webhook(self, webhook_id: str) -> Any:
        return self._call(Call("POST", f"/api/webhooks/{seg(webhook_id)}/test"))

    def webhook_deliveries(self, webhook_id: str, status: str | None = None, limit: int = 100) -> Any:
        query = params(status=status, limit=limit)
        return self._call(Call("GET", f"/api/webhooks/{seg(webhook_id)}/deliveries", params=query))

    def redeliver(self, webhook_id: str, delivery_id: str) -> Any:
        path = f"/api/webhooks/{seg(webhook_id)}/deliveries/{seg(delivery_id)}/redeliver"
        return self._call(Call("POST", path))

    # -- service ---------------------------------------------------------------------------------------

    def health(self) -> Any:
        """The health document: status, version, database, peers."""
        return self._call(Call("GET", "/health", envelope=False))
