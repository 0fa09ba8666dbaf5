"""A plan's tasks and links read once into columns: what `Network` compiles from.

Reading the objects is most of the cost of compiling a big plan (each field read fetches an object's dict
from memory, and the objects of a big plan lie far apart), so a caller that schedules the same plan again
keeps its `PlanTable` and, when a task changes, makes the next table with `with_tasks`, which copies the
columns and rewrites that task's row (`with_new_links`, `without_links`, `with_new_tasks` and `without`
follow the other edits): the server keeps one per plan revision. The table is read only."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import compress
from operator import attrgetter

import numpy as np

from prometheus.core.cpm.columns import LINK_FIELDS, TASK_FIELDS, codes, floats, numbers, read
from prometheus.core.cpm.rules import CONSTRAINT_CODE, LINK_CODE
from prometheus.core.model import (
    ConstraintType,
    Dependency,
    DurationUnit,
    LagUnit,
    LinkType,
    Task,
    TaskStatus,
)

UNIT_CODE = {u: i for i, u in enumerate(DurationUnit)}  # hours, days, weeks, then the elapsed ones
LAG_UNIT_CODE = {u: i for i, u in enumerate(LagUnit)}
_RESOURCE_ID = attrgetter("resource_id")


@dataclass(frozen=True, eq=False)
class Rows:
    """Per-task arrays derived from the columns, row for row."""

    duration: np.ndarray  # in the task's unit
    unit: np.ndarray  # UNIT_CODE of the duration's unit
    constraint: np.ndarray  # CONSTRAINT_CODE
    done: np.ndarray  # status completed
    percent: np.ndarray
    milestone: np.ndarray
    dated: np.ndarray  # a constraint, an actual start, a deadline or manual scheduling: compile reads more

    @classmethod
    def of(cls, cols: dict[str, list]) -> Rows:
        n = len(cols["id"])
        asap = ConstraintType.ASAP
        dated = np.zeros(n, dtype=bool)
        if not _plain(cols, n):
            fields = [cols[k] for k in ("constraint_type", "actual_start", "deadline", "manual")]
            marks = (c is not asap or a or d or m for c, a, d, m in zip(*fields, strict=True))
            dated = np.fromiter(marks, dtype=bool, count=n)
        done = np.zeros(n, dtype=bool)
        if cols["status"].count(TaskStatus.completed):
            done[[i for i, x in enumerate(cols["status"]) if x is TaskStatus.completed]] = True
        return cls(
            duration=floats(cols["duration"]),
            unit=codes(cols["duration_unit"], UNIT_CODE, DurationUnit.days),
            constraint=codes(cols["constraint_type"], CONSTRAINT_CODE, asap),
            done=done,
            percent=floats(cols["percent_complete"]),
            milestone=np.fromiter(cols["milestone"], dtype=bool, count=n),
            dated=dated,
        )

    def take(self, rows: np.ndarray) -> Rows:
        return Rows(**{k: getattr(self, k)[rows] for k in _ROW_FIELDS})


_ROW_FIELDS = tuple(Rows.__dataclass_fields__)


def _plain(cols: dict[str, list], n: int) -> bool:
    """No constraint, actual start, deadline or manual task (list.count and any() run in C)."""
    return (
        cols["constraint_type"].count(ConstraintType.ASAP) == n
        and cols["actual_start"].count(None) == n
        and cols["deadline"].count(None) == n
        and not any(cols["manual"])
    )


@dataclass(frozen=True, eq=False)
class Links:
    """The links as columns; `pred`/`succ` are task rows (-1: an id that names no task of the table)."""

    dependencies: list[Dependency]
    pred: np.ndarray
    succ: np.ndarray
    type: np.ndarray  # LINK_CODE
    lag: np.ndarray
    lag_unit: np.ndarray  # LAG_UNIT_CODE

    @classmethod
    def of(cls, dependencies: list[Dependency], row: dict[str, int]) -> Links:
        cols = read(dependencies, LINK_FIELDS)
        return cls(
            dependencies=dependencies,
            pred=numbers(cols["predecessor_id"], row),
            succ=numbers(cols["successor_id"], row),
            type=codes(cols["type"], LINK_CODE, LinkType.FS),
            lag=floats(cols["lag"]),
            lag_unit=codes(cols["lag_unit"], LAG_UNIT_CODE, LagUnit.days),
        )

    def added(self, new: list[Dependency], row: dict[str, int]) -> Links:
        """These links with the others, all in id order (the others are; every id is new)."""
        new = sorted(new, key=_ID)
        ids = list(map(_ID, self.dependencies))
        at = [bisect_left(ids, d.id) for d in new]
        deps = list(self.dependencies)
        for i, d in zip(reversed(at), reversed(new), strict=True):  # from the last: `at` stays right
            deps.insert(i, d)
        more = Links.of(new, row)
        return Links(deps, **{k: np.insert(getattr(self, k), at, getattr(more, k)) for k in _LINK_ARRAYS})

    def where(self, keep: np.ndarray, moved: np.ndarray | None = None) -> Links:
        """The links `keep` marks; `moved`: the new row of each old row, where rows went."""
        cols = {k: getattr(self, k)[keep] for k in _LINK_ARRAYS}
        if moved is not None:
            for k in ("pred", "succ"):
                rows = cols[k]  # a copy: taken by the mask
                known = rows >= 0
                rows[known] = moved[rows[known]]
        return Links(list(compress(self.dependencies, keep.tolist())), **cols)


_LINK_ARRAYS = ("pred", "succ", "type", "lag", "lag_unit")
_ID = attrgetter("id")


@dataclass(frozen=True, eq=False)
class Leaves:
    """The leaf tasks of a table (not cancelled, without subtasks) and what the compile reads of them."""

    tasks: list[Task]
    columns: dict[str, list]
    rows: Rows
    row: np.ndarray | None  # the table row of each leaf (None: every row, in order)
    children: dict[str, list[str]]  # subtask ids of each summary task
    summaries: list[Task]
    active_ids: set[str]  # ids of the tasks not cancelled (empty when every task is a leaf)
    table: PlanTable
    mask: list[bool] | None  # which rows are leaves (None: every row)

    @cached_property
    def resource_keys(self) -> list:
        """Per leaf: its resource's id, a tuple of ids for several, None without any."""
        keys = self.table.resource_keys
        return keys if self.mask is None else list(compress(keys, self.mask))


@dataclass(frozen=True, eq=False)
class PlanTable:
    """Tasks (`columns`: one list per `TASK_FIELDS` name, `rows`: arrays) and links of a plan."""

    tasks: list[Task]
    columns: dict[str, list]
    rows: Rows
    links: Links

    @classmethod
    def of(cls, tasks: Iterable[Task], dependencies: Iterable[Dependency]) -> PlanTable:
        tasks = list(tasks)
        cols = read(tasks, TASK_FIELDS)
        row = dict(zip(cols["id"], range(len(tasks)), strict=True))
        table = cls(tasks, cols, Rows.of(cols), Links.of(list(dependencies), row))
        table.__dict__["row"] = row
        return table

    @property
    def n(self) -> int:
        return len(self.tasks)

    @cached_property
    def row(self) -> dict[str, int]:
        """The row of each task id."""
        return dict(zip(self.columns["id"], range(self.n), strict=True))

    @cached_property
    def resource_keys(self) -> list:
        """Per row: the id of the task's one resource, a tuple of ids for several, None without any."""
        return [
            a[0].resource_id if len(a) == 1 else tuple(map(_RESOURCE_ID, a)) if a else None
            for a in self.columns["assignments"]
        ]

    def with_tasks(self, tasks: Iterable[Task]) -> PlanTable:
        """The table with these tasks (ids it holds) in place of the rows of the same ids: the columns are
        copied, the links kept."""
        changed = list(tasks)
        if not changed:
            return self
        at = [self.row[t.id] for t in changed]  # KeyError: a task the table does not hold
        new = read(changed, TASK_FIELDS)
        cols = {}
        for name, column in self.columns.items():
            cols[name] = column = list(column)
            for i, value in zip(at, new[name], strict=True):
                column[i] = value
        tasks_ = list(self.tasks)
        for i, t in zip(at, changed, strict=True):
            tasks_[i] = t
        rows = Rows.of(cols) if len(at) > 64 else _patched(self.rows, at, Rows.of(new))
        return self._with(tasks=tasks_, columns=cols, rows=rows)  # the same ids in the same rows

    def with_new_links(self, links: Iterable[Dependency]) -> PlanTable:
        """The table with these links (ids it does not hold) added to its own."""
        return self._with(links=self.links.added(list(links), self.row))

    def without_links(self, ids: set[str]) -> PlanTable:
        """The table without the links of these ids."""
        deps = self.links.dependencies
        keep = np.fromiter((d.id not in ids for d in deps), dtype=bool, count=len(deps))
        return self._with(links=self.links.where(keep))

    def _with(self, **changes: object) -> PlanTable:
        """The table with these fields replaced, its rows the same."""
        table = replace(self, **changes)
        table.__dict__["row"] = self.row
        return table

    def with_new_tasks(self, tasks: Iterable[Task]) -> PlanTable:
        """The table with these tasks (ids it does not hold) appended as its last rows: the columns are
        copied, the links kept (no link names a task the table lacks)."""
        added = list(tasks)
        if not added:
            return self
        new = read(added, TASK_FIELDS)
        cols = {name: column + new[name] for name, column in self.columns.items()}
        more = Rows.of(new)
        rows = Rows(**{k: np.concatenate((getattr(self.rows, k), getattr(more, k))) for k in _ROW_FIELDS})
        row = dict(self.row)
        for i, tid in enumerate(new["id"], start=self.n):
            row[tid] = i
        if len(row) != self.n + len(added):
            raise KeyError("a task the table holds already")
        table = replace(self, tasks=self.tasks + added, columns=cols, rows=rows)
        table.__dict__["row"] = row
        return table

    def without(self, ids: set[str]) -> PlanTable:
        """The table without the rows of these task ids and without every link of them."""
        keep = [tid not in ids for tid in self.columns["id"]]
        cols = {name: list(compress(column, keep)) for name, column in self.columns.items()}
        row = dict(zip(cols["id"], range(len(cols["id"])), strict=True))
        kept = np.array(keep, dtype=bool)
        pred, succ = self.links.pred, self.links.succ
        links = self.links.where(~(_at(~kept, pred) | _at(~kept, succ)), np.cumsum(kept) - 1)
        tasks = list(compress(self.tasks, keep))
        table = PlanTable(tasks, cols, self.rows.take(np.flatnonzero(kept)), links)
        table.__dict__["row"] = row
        return table

    def leaves(self) -> Leaves:
        """The leaf tasks: every row when no task is cancelled or has subtasks (no copies), else a subset."""
        cols, n = self.columns, self.n
        cancelled = TaskStatus.cancelled
        status, parents = cols["status"], cols["parent_id"]
        if status.count(cancelled) == 0 and parents.count(None) == n:  # the common plan
            return Leaves(list(self.tasks), cols, self.rows, None, {}, [], set(), self, None)
        keep = [s != cancelled for s in status]
        active_ids = set(compress(cols["id"], keep))
        children: dict[str, list[str]] = defaultdict(list)
        for tid, parent in compress(zip(cols["id"], parents, strict=True), keep):
            if parent is not None and parent in active_ids:
                children[parent].append(tid)
        leaf = [k and tid not in children for k, tid in zip(keep, cols["id"], strict=True)]
        at = np.flatnonzero(np.array(leaf, dtype=bool))
        return Leaves(
            tasks=list(compress(self.tasks, leaf)),
            columns={k: list(compress(v, leaf)) for k, v in cols.items()},
            rows=self.rows.take(at),
            row=at,
            children=dict(children),
            summaries=[t for t in compress(self.tasks, keep) if t.id in children],
            active_ids=active_ids,
            table=self,
            mask=leaf,
        )


def _at(marks: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per row number (-1: no row), whether `marks` marks that row."""
    out = np.zeros(len(rows), dtype=bool)
    known = rows >= 0
    out[known] = marks[rows[known]]
    return out


def _patched(rows: Rows, at: list[int], new: Rows) -> Rows:
    """`rows` with the rows `at` taken from `new` (one per entry of `at`), on copies."""
    out = {}
    for k in _ROW_FIELDS:
        a = getattr(rows, k).copy()
        a[at] = getattr(new, k)
        out[k] = a
    return Rows(**out)
