"""What a committed edit did to a plan, as a kept copy of the plan is moved on by it (`KeptPlans.advance`).

Each change gives the plan (`plan`) and its `PlanTable` (`table`) that a fresh read after the edit gives:
tasks in position order (a new task is the plan's last), links by id, each task's predecessors in plan order
(by the predecessor's position, then id), the plan's own fields as `header` holds them after the edit. A task
whose predecessors change is made once and shared by the plan and its table."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Protocol

from prometheus.core.cpm.table import PlanTable
from prometheus.core.model import Dependency, Plan, Task

_ID = attrgetter("id")
Lookup = Callable[[str], Task]  # the task of an id, before the change


class Change(Protocol):
    def plan(self, plan: Plan) -> Plan: ...

    def table(self, table: PlanTable) -> PlanTable: ...


def _moved(header: Plan, plan: Plan, tasks: list[Task], dependencies: list[Dependency]) -> Plan:
    """`header`'s fields with these children (and the plan's resources)."""
    kept = {"tasks": tasks, "dependencies": dependencies, "resources": plan.resources}
    return header.model_copy(update=kept | {"task_count": len(tasks)})


def _in_plan(plan: Plan) -> Lookup:
    return {t.id: t for t in plan.tasks or []}.__getitem__


def _in_table(table: PlanTable) -> Lookup:
    tasks, row = table.tasks, table.row
    return lambda tid: tasks[row[tid]]


@dataclass(frozen=True)
class TasksChanged:
    """A plan whose tasks `tasks` (one or many; none when only the plan's own fields, or its baselines,
    changed) became what they are (their fields, assignments and predecessors) and whose own fields became
    `header`'s (a change inside a plan touches the plan's row too)."""

    tasks: list[Task]
    header: Plan

    def plan(self, plan: Plan) -> Plan:
        new = {t.id: t for t in self.tasks}
        tasks = [new.get(t.id, t) for t in plan.tasks or []]
        return _moved(self.header, plan, tasks, plan.dependencies or [])

    def table(self, table: PlanTable) -> PlanTable:
        return table.with_tasks(self.tasks)


@dataclass(frozen=True)
class _Relinking:
    """A change that rewrites the predecessors of some tasks."""

    header: Plan
    _made: dict[str, tuple[Task, Task]] = field(default_factory=dict, compare=False, repr=False, kw_only=True)

    def _relinked(self, old: Task, predecessors: list[str]) -> Task:
        """`old` with these predecessors: one new task per old one, whether for the plan or its table."""
        made = self._made.get(old.id)
        if made is None or made[0] is not old:
            made = self._made[old.id] = (old, old.model_copy(update={"dependencies": predecessors}))
        return made[1]


@dataclass(frozen=True)
class _LinkEdit(_Relinking, ABC):
    """A change of links: the plan's links become `_links` of them, its table's `_linked` of it; the tasks
    `_relink` gives get new predecessors."""

    @abstractmethod
    def _relink(self, task: Lookup) -> dict[str, Task]: ...

    @abstractmethod
    def _links(self, dependencies: list[Dependency]) -> list[Dependency]: ...

    @abstractmethod
    def _linked(self, table: PlanTable) -> PlanTable: ...

    def plan(self, plan: Plan) -> Plan:
        relinked = self._relink(_in_plan(plan))
        tasks = [relinked.get(t.id, t) for t in plan.tasks or []]
        return _moved(self.header, plan, tasks, self._links(plan.dependencies or []))

    def table(self, table: PlanTable) -> PlanTable:
        return self._linked(table.with_tasks(self._relink(_in_table(table)).values()))


@dataclass(frozen=True)
class LinksAdded(_LinkEdit):
    """A plan with new links (one or a batch) and `header`'s fields."""

    links: list[Dependency]

    def _relink(self, task: Lookup) -> dict[str, Task]:
        added: dict[str, list[str]] = defaultdict(list)
        for d in self.links:
            added[d.successor_id].append(d.predecessor_id)
        out = {}
        for succ, preds in added.items():
            old = task(succ)
            ordered = sorted([*old.dependencies, *preds], key=lambda p: (task(p).position, p))
            out[succ] = self._relinked(old, ordered)
        return out

    def _links(self, dependencies: list[Dependency]) -> list[Dependency]:
        return sorted([*dependencies, *self.links], key=_ID)

    def _linked(self, table: PlanTable) -> PlanTable:
        return table.with_new_links(self.links)


@dataclass(frozen=True)
class LinkRemoved(_LinkEdit):
    """A plan without the link `link` and with `header`'s fields."""

    link: Dependency

    def _relink(self, task: Lookup) -> dict[str, Task]:
        old = task(self.link.successor_id)
        kept = [p for p in old.dependencies if p != self.link.predecessor_id]
        return {old.id: self._relinked(old, kept)}

    def _links(self, dependencies: list[Dependency]) -> list[Dependency]:
        return [d for d in dependencies if d.id != self.link.id]

    def _linked(self, table: PlanTable) -> PlanTable:
        return table.without_links({self.link.id})


@dataclass(frozen=True)
class TasksAdded:
    """A plan with new tasks (one or a batch, without links: they come after) and `header`'s fields."""

    tasks: list[Task]
    header: Plan

    def plan(self, plan: Plan) -> Plan:
        return _moved(self.header, plan, [*(plan.tasks or []), *self.tasks], plan.dependencies or [])

    def table(self, table: PlanTable) -> PlanTable:
        return table.with_new_tasks(self.tasks)


@dataclass(frozen=True)
class TaskRemoved(_Relinking):
    """A plan without the task `task_id`, as the database's cascades leave it: without its subtasks (at
    every depth), the links of any of them and their assignments; with `header`'s fields."""

    task_id: str

    def _gone(self, ids: Iterable[str], parents: Iterable[str | None]) -> set[str]:
        children: dict[str, list[str]] = defaultdict(list)
        for tid, parent in zip(ids, parents, strict=True):
            if parent is not None:
                children[parent].append(tid)
        gone, todo = set(), [self.task_id]
        while todo:
            tid = todo.pop()
            if tid not in gone:
                gone.add(tid)
                todo.extend(children.get(tid, ()))
        return gone

    def _cut(self, gone: set[str], dependencies: list[Dependency], task: Lookup) -> dict[str, Task]:
        """The tasks left that lose predecessors, without them."""
        hit = {d.successor_id for d in dependencies if d.predecessor_id in gone} - gone
        out = {}
        for succ in hit:
            old = task(succ)
            out[succ] = self._relinked(old, [p for p in old.dependencies if p not in gone])
        return out

    def plan(self, plan: Plan) -> Plan:
        tasks, deps = plan.tasks or [], plan.dependencies or []
        gone = self._gone([t.id for t in tasks], [t.parent_id for t in tasks])
        cut = self._cut(gone, deps, _in_plan(plan))
        left = [cut.get(t.id, t) for t in tasks if t.id not in gone]
        links = [d for d in deps if d.predecessor_id not in gone and d.successor_id not in gone]
        return _moved(self.header, plan, left, links)

    def table(self, table: PlanTable) -> PlanTable:
        gone = self._gone(table.columns["id"], table.columns["parent_id"])
        cut = self._cut(gone, table.links.dependencies, _in_table(table))
        return table.without(gone).with_tasks(cut.values())
