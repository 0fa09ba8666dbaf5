"""Plans kept in this process per revision: what the computed views schedule, what scenarios overlay.

A kept plan is labelled with the revision it was read at; a reader checks the plan's current revision
first (one indexed row), so a change made by any process or replica means a fresh read. A write made here
moves the kept plan on to its new revision with the same change (`advance`) or drops it: the first view
after an edit costs a revision check and the scheduling, not a read of the whole plan. The plan's tasks and
links are also kept read into a `PlanTable`, which a change moves on too (a changed task rewrites its row,
a new one is appended, a removed one taken out with its links, a link added or removed patched in
the link columns), so that a schedule compiles from columns instead of reading
every task object again. The changes are in services/changes.py."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from prometheus.core.analysis import schedule_plan
from prometheus.core.cpm.table import PlanTable
from prometheus.core.model import Plan
from prometheus.core.scheduler import Schedule
from prometheus.errors import NotFound
from prometheus.services.changes import Change
from prometheus.store import Database, Store

T = TypeVar("T")
MAX_PLANS = 4  # a 10,000-task plan is some tens of MB


@dataclass
class _Kept:
    revision: str
    plan: Plan
    derived: dict[Hashable, Any] = field(default_factory=dict)  # per day (the first entry of each key)
    table: PlanTable | None = None  # the plan's tasks and links as columns, once scheduled


def moved(store: Store, plan_id: str) -> tuple[str | None, str | None, Plan]:
    """What a kept plan is moved on with after a write in `store`'s transaction, read in it: the plan's
    revision before the write (None unless the write locked the plan first), after it, and its own fields."""
    base, revision = store.revision_change(plan_id)
    return base, revision, store.plan_header(plan_id)


class KeptPlans:
    """Plans loaded with every child, and what was derived from them (schedules per day), per revision.
    Kept plans are shared: nothing may change them (a change makes a new Plan)."""

    def __init__(self, max_plans: int = MAX_PLANS):
        self.max_plans = max_plans
        self._plans: OrderedDict[str, _Kept] = OrderedDict()
        self._lock = threading.Lock()
        self.reads = 0  # plans read from the database
        self.tables = 0  # plans read into a table

    def plan(self, db: Database, plan_id: str, revision: str | None = None) -> Plan:
        """The plan at its current revision (read first, unless the caller just read it); else read, in one
        snapshot with the revision it is kept at: a write committed since `revision` was read is in it,
        and a kept plan must be what its label says (a write moves a kept plan on from its label)."""
        revision = revision or db.plan_revision(plan_id)
        if revision is None:
            raise NotFound(f"plan {plan_id} not found", details={"plan_id": plan_id})
        with self._lock:
            hit = self._plans.get(plan_id)
            if hit is not None and hit.revision == revision and revision:
                self._plans.move_to_end(plan_id)
                return hit.plan
        with db.store(write=False, snapshot=True) as store:
            revision = store.plan_revision(plan_id) or ""
            plan = store.get_plan(plan_id)
        with self._lock:
            self.reads += 1
        self._keep(plan_id, _Kept(revision, plan))
        return plan

    def locked(self, store: Store, plan_id: str) -> Plan:
        """The plan as `store`'s transaction sees it, locked there (its writers go one at a time): the kept
        plan when it is at the revision locked before any change of this transaction, else read (and kept
        when this transaction has not changed it yet)."""
        store.lock_plan(plan_id)
        base, changed = store.revision_change(plan_id)
        if changed is None and base:
            with self._lock:
                hit = self._plans.get(plan_id)
                if hit is not None and hit.revision == base:
                    self._plans.move_to_end(plan_id)
                    return hit.plan
        plan = store.get_plan(plan_id)
        if changed is None and base:
            with self._lock:
                self.reads += 1
            self._keep(plan_id, _Kept(base, plan))
        return plan

    def locked_schedule(self, store: Store, plan_id: str, today: date) -> Schedule:
        """The schedule for `today` of the plan as `store`'s transaction sees it (`locked`), kept with it."""
        return self.schedule(self.locked(store, plan_id), today)

    def holds(self, plan_id: str) -> bool:
        """Whether a plan is kept (at some revision): whether a write has one to move on."""
        with self._lock:
            return plan_id in self._plans

    def advance(self, plan_id: str, base: str | None, revision: str | None, change: Change) -> None:
        """After a committed write that took the plan from revision `base` to `revision`: the kept plan,
        if it is at `base`, becomes `change` of it at `revision` (its table too); otherwise it is dropped."""
        with self._lock:
            hit = self._plans.get(plan_id)
        if hit is None:
            return
        if base is None or revision is None or hit.revision != base:
            self.drop(plan_id)
            return
        table = change.table(hit.table) if hit.table is not None else None
        self._keep(plan_id, _Kept(revision, change.plan(hit.plan), table=table))

    def drop(self, plan_id: str) -> None:
        with self._lock:
            self._plans.pop(plan_id, None)

    def _keep(self, plan_id: str, kept: _Kept) -> None:
        with self._lock:
            self._plans[plan_id] = kept
            self._plans.move_to_end(plan_id)
            while len(self._plans) > self.max_plans:
                self._plans.popitem(last=False)

    def schedule(self, plan: Plan, today: date) -> Schedule:
        """The schedule of a plan `plan()` gave, kept with it."""
        return self.derived(plan, (today, "schedule"), lambda: schedule_plan(plan, today, self.table(plan)))

    def table(self, plan: Plan) -> PlanTable:
        """The tasks and links of a plan `plan()` gave, read into columns once and kept with it."""
        with self._lock:
            entry = self._plans.get(plan.id)
            mine = entry is not None and entry.plan is plan
            if mine and entry.table is not None:
                return entry.table
        table = PlanTable.of(plan.tasks or [], plan.dependencies or [])
        with self._lock:
            self.tables += 1
            if mine:
                entry.table = table
        return table

    def derived(self, plan: Plan, key: tuple[date, str], build: Callable[[], T]) -> T:
        """What `build` makes of a plan `plan()` gave, kept with it for the day `key` starts with."""
        with self._lock:
            entry = self._plans.get(plan.id)
            mine = entry is not None and entry.plan is plan
            kept = entry.derived.get(key) if mine else None
        if kept is not None:
            return kept
        value = build()
        with self._lock:
            if mine:
                if any(k[0] != key[0] for k in entry.derived):
                    entry.derived.clear()  # one day at a time
                entry.derived[key] = value
        return value
