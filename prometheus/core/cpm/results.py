"""What a schedule gives back: per-task results as arrays (`Table`) and objects (`ScheduledTask`), the
`Schedule`, conflicts, and the roll-up of summary tasks over their subtasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import ClassVar

import numpy as np

from prometheus.core.calendar import WorkCalendar
from prometheus.core.graph import children_first
from prometheus.core.model import Task

DATES = ("start", "finish", "early_start", "early_finish", "late_start", "late_finish")


@dataclass
class ScheduledTask:
    id: str
    name: str
    summary: bool
    milestone: bool
    duration_minutes: int
    start: datetime
    finish: datetime
    early_start: datetime
    early_finish: datetime
    late_start: datetime
    late_finish: datetime
    total_slack_minutes: int
    free_slack_minutes: int
    critical: bool
    percent_complete: float
    successors: int = 0

    def as_dict(self, minutes_per_day: int) -> dict:
        return {
            "task_id": self.id,
            "name": self.name,
            "summary": self.summary,
            "milestone": self.milestone,
            "duration_days": round(self.duration_minutes / minutes_per_day, 4),
            "start": self.start,
            "finish": self.finish,
            "early_start": self.early_start,
            "early_finish": self.early_finish,
            "late_start": self.late_start,
            "late_finish": self.late_finish,
            "total_slack_days": round(self.total_slack_minutes / minutes_per_day, 4),
            "free_slack_days": round(self.free_slack_minutes / minutes_per_day, 4),
            "critical": self.critical,
            "percent_complete": self.percent_complete,
        }


@dataclass
class Conflict:
    task_id: str | None
    kind: str
    message: str


@dataclass
class Table:
    """Per-task results as arrays: leaves first, then summary tasks."""

    ARRAYS: ClassVar[tuple[str, ...]] = (
        "summary",
        "milestone",
        "duration",
        "start",
        "finish",
        "early_start",
        "early_finish",
        "late_start",
        "late_finish",
        "total_slack",
        "free_slack",
        "critical",
        "percent",
        "successors",
    )
    ids: list[str]
    names: list[str]
    summary: np.ndarray
    milestone: np.ndarray
    duration: np.ndarray
    start: np.ndarray
    finish: np.ndarray
    early_start: np.ndarray
    early_finish: np.ndarray
    late_start: np.ndarray
    late_finish: np.ndarray
    total_slack: np.ndarray
    free_slack: np.ndarray
    critical: np.ndarray
    percent: np.ndarray
    successors: np.ndarray


@dataclass
class Schedule:
    project_start: datetime
    project_finish: datetime
    minutes_per_day: int
    table: Table
    paths: tuple[np.ndarray, np.ndarray]  # task numbers of every critical path end to end, where each ends
    paths_truncated: bool
    conflicts: list[Conflict] = field(default_factory=list)
    deadline: datetime | None = None
    span_minutes: int = 0  # working minutes from the project start to its finish

    @cached_property
    def critical_paths(self) -> list[list[str]]:
        """Every chain of critical tasks joined by driving links, as task ids (built on first use)."""
        flat, ends = self.paths
        if not ends.size:
            return []
        ids = np.array(self.table.ids, dtype=object)[flat].tolist()
        starts = [0, *ends[:-1].tolist()]
        return [ids[a:b] for a, b in zip(starts, ends.tolist(), strict=True)]

    @cached_property
    def tasks(self) -> dict[str, ScheduledTask]:
        """Each task's results as an object (built on first use; the arrays are in `table`)."""
        return {t.id: t for t in self.pick(None)}

    def pick(self, rows: list[int] | None) -> list[ScheduledTask]:
        """The results of the tasks in these rows of `table` as objects (None: every row)."""
        t = self.table
        at = slice(None) if rows is None else np.asarray(rows, dtype=np.int64)
        ids = t.ids if rows is None else [t.ids[i] for i in rows]
        names = t.names if rows is None else [t.names[i] for i in rows]
        cols = [
            ids,
            names,
            t.summary[at].tolist(),
            t.milestone[at].tolist(),
            t.duration[at].tolist(),
            *(getattr(t, f)[at].astype("datetime64[us]").tolist() for f in DATES),
            t.total_slack[at].tolist(),
            t.free_slack[at].tolist(),
            t.critical[at].tolist(),
            t.percent[at].tolist(),
            t.successors[at].tolist(),
        ]
        return [ScheduledTask(*row) for row in zip(*cols, strict=True)]

    @property
    def critical_tasks(self) -> list[str]:
        t = self.table
        return [t.ids[i] for i in np.flatnonzero(t.critical & ~t.summary).tolist()]


def roll_up(
    table: Table,
    summaries: list[Task],
    pos: dict[str, int],
    children: dict[str, list[str]],
    wc: WorkCalendar,
) -> Table:
    """Append summary rows: they span their subtasks; progress is weighted by duration. Each summary is
    made of its direct subtasks (summaries before the summary above them), so a deep outline costs its
    size, not its size times its depth."""
    if not summaries:
        return table
    first = (min, max, min, max, min, max)  # per DATES
    made: dict[str, tuple] = {}  # summary id -> its six dates, work and work times percent
    for sid in children_first((t.id for t in summaries), children):
        kids = children.get(sid)
        if kids is None:  # a leaf
            continue
        parts = [made[k] for k in kids if k in children]
        leaves = [pos[k] for k in kids if k not in children]
        if leaves:
            idx = np.array(leaves, dtype=np.int64)
            work = table.duration[idx]
            ends = (getattr(table, f)[idx] for f in DATES)
            parts.append(
                (*(e.min() if f is min else e.max() for f, e in zip(first, ends, strict=True)),
                 int(work.sum()), float((work * table.percent[idx]).sum()))
            )  # fmt: skip
        made[sid] = (
            *(f(p[i] for p in parts) for i, f in enumerate(first)),
            sum(p[6] for p in parts),
            sum(p[7] for p in parts),
        )
    rows: dict[str, list] = {f: [] for f in Table.ARRAYS}
    for t in summaries:
        *six, total, weighted = made[t.id]
        for f, value in zip(DATES, six, strict=True):
            rows[f].append(value)
        rows["percent"].append(round(weighted / total, 2) if total else 0.0)
        rows["successors"].append(0)
        rows["free_slack"].append(0)
    minutes = lambda key: (np.array(rows[key]) - wc.datetimes(0)).astype("timedelta64[m]").astype(np.int64)  # noqa: E731
    span = wc.index_of(minutes("finish")) - wc.index_of(minutes("start"))
    slack = wc.index_of(minutes("late_finish")) - wc.index_of(minutes("early_finish"))
    rows["duration"] = span
    rows["total_slack"] = slack
    rows["critical"] = slack <= 0
    rows["summary"] = np.ones(len(summaries), dtype=bool)
    rows["milestone"] = np.zeros(len(summaries), dtype=bool)
    return Table(
        ids=table.ids + [t.id for t in summaries],
        names=table.names + [t.name for t in summaries],
        **{
            f: np.concatenate([getattr(table, f), np.asarray(rows[f], dtype=getattr(table, f).dtype)])
            for f in Table.ARRAYS
        },
    )
