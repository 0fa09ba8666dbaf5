"""Plans kept in this process per revision: what the computed views schedule, what scenarios overlay.

A kept plan is labelled with the revision it was read at; a reader checks the plan's current revision
first (one indexed row), so a change made by any process or replica means a fresh read. A write made here
moves the kept plan on to its new revision with the same change (`advance`) or drops it: the first view
after an edit costs a revision check and the scheduling, not a read of the whole plan."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, TypeVar

from prometheus.core.analysis import schedule_plan
from prometheus.core.model import Plan, Task
from prometheus.core.scheduler import Schedule
from prometheus.errors import NotFound
from prometheus.store import Database

T = TypeVar("T")
MAX_PLANS = 4  # a 10,000-task plan is some tens of MB


class KeptPlans:
    """Plans loaded with every child, and what was derived from them (schedules per day), per revision.
    Kept plans are shared: nothing may change them (a change makes a new Plan)."""

    def __init__(self, max_plans: int = MAX_PLANS):
        self.max_plans = max_plans
        self._plans: OrderedDict[str, tuple[str, Plan, dict[Hashable, Any]]] = OrderedDict()
        self._lock = threading.Lock()
        self.reads = 0  # plans read from the database

    def plan(self, db: Database, plan_id: str, revision: str | None = None) -> Plan:
        """The plan at its current revision (read first, unless the caller just read it: a kept plan is never
        older than its label)."""
        revision = revision or db.plan_revision(plan_id)
        if revision is None:
            raise NotFound(f"plan {plan_id} not found", details={"plan_id": plan_id})
        with self._lock:
            hit = self._plans.get(plan_id)
            if hit is not None and hit[0] == revision and revision:
                self._plans.move_to_end(plan_id)
                return hit[1]
        with db.store(write=False) as store:
            plan = store.get_plan(plan_id)
        with self._lock:
            self.reads += 1
        self._keep(plan_id, revision, plan)
        return plan

    def advance(
        self, plan_id: str, base: str | None, revision: str | None, change: Callable[[Plan], Plan]
    ) -> None:
        """After a committed write that took the plan from revision `base` to `revision`: the kept plan,
        if it is at `base`, becomes `change` of it at `revision`; otherwise it is dropped."""
        with self._lock:
            hit = self._plans.get(plan_id)
        if hit is None:
            return
        if base is None or revision is None or hit[0] != base:
            self.drop(plan_id)
            return
        self._keep(plan_id, revision, change(hit[1]))

    def drop(self, plan_id: str) -> None:
        with self._lock:
            self._plans.pop(plan_id, None)

    def _keep(self, plan_id: str, revision: str, plan: Plan) -> None:
        with self._lock:
            self._plans[plan_id] = (revision, plan, {})
            self._plans.move_to_end(plan_id)
            while len(self._plans) > self.max_plans:
                self._plans.popitem(last=False)

    def schedule(self, plan: Plan, today: date) -> Schedule:
        """The schedule of a plan `plan()` gave, kept with it."""
        return self.derived(plan, (today, "schedule"), lambda: schedule_plan(plan, today))

    def derived(self, plan: Plan, key: tuple[date, str], build: Callable[[], T]) -> T:
        """What `build` makes of a plan `plan()` gave, kept with it for the day `key` starts with."""
        with self._lock:
            entry = self._plans.get(plan.id)
            mine = entry is not None and entry[1] is plan
            kept = entry[2].get(key) if mine else None
        if kept is not None:
            return kept
        value = build()
        with self._lock:
            if mine:
                if any(k[0] != key[0] for k in entry[2]):
                    entry[2].clear()  # one day at a time
                entry[2][key] = value
        return value


def with_task(task: Task, header: Plan) -> Callable[[Plan], Plan]:
    """The change of a plan whose task `task.id` became `task` (its fields, assignments and predecessors)
    and whose own fields became `header`'s (a change inside a plan touches the plan's row too)."""

    def change(plan: Plan) -> Plan:
        tasks = [task if t.id == task.id else t for t in plan.tasks or []]
        kept = {"tasks": tasks, "dependencies": plan.dependencies, "resources": plan.resources}
        return header.model_copy(update=kept | {"task_count": plan.task_count})

    return change
