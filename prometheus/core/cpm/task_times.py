"""When and how long a task works, from Microsoft Project's task fields: its own calendar or its resources'
(resources on different calendars each work the task's duration on their own), elapsed durations, and the
leveling delay. A part of `scheduler.Network`, which holds the arrays these methods read and write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from prometheus.core.calendar import Calendars, UnionCalendar, WorkCalendar, check_cells
from prometheus.core.calendar_common import common_time
from prometheus.core.cpm.rules import FNET, FNLT, MFO
from prometheus.core.model import Calendar, DurationUnit, Resource, Task, TaskStatus
from prometheus.core.splits import pauses, split_span

if TYPE_CHECKING:
    from prometheus.core.cpm.table import Leaves


class TaskCalendars(NamedTuple):
    """Per leaf task, the number of the calendar it works on (`kal`) and of the one its links' working lags
    run on (`lag_kal`: its own calendar, else the plan's), and the tasks spread over their resources'
    calendars (`spread`: task number: those calendars' numbers)."""

    kal: np.ndarray
    lag_kal: np.ndarray
    spread: dict[int, list[int]]


_OWN = object()  # marks the key of a task's own calendar with its resources' calendars


def _content(calendar: Calendar) -> str:
    """What a calendar's working time depends on: all but its name (a file names each resource's calendar
    after the resource; the same hours under many names are one table)."""
    return calendar.model_dump_json(exclude={"name"})


def _own_key(cal_id: int, resources: str | tuple | None, own: dict) -> int | tuple:
    """The key of a task's own calendar: its id, with the ids of its resources that have calendars."""
    rids = tuple(r for r in (resources if isinstance(resources, tuple) else (resources,)) if r in own)
    return (_OWN, cal_id, rids) if rids else cal_id


def at_work(keys: list, leaf: Leaves) -> list:
    """Per task, the resources on whose calendars it works (`keys`: all of its resources, as
    `Leaves.resource_keys` gives them): a task under way works the rest of its work on the calendars of the
    resources with work left (as Microsoft Project), those whose assignment has none left (remaining_work 0)
    take no part; when all or none of its assignments say so, all of its resources do."""
    cols = leaf.columns
    started, ended, status, assigned = (
        cols[k] for k in ("actual_start", "actual_finish", "status", "assignments")
    )
    if started.count(None) == len(started):
        return keys
    out = list(keys)
    for i, at in enumerate(started):
        if at is None or ended[i] is not None or status[i] is TaskStatus.completed:
            continue
        left = [a.resource_id for a in assigned[i] if a.remaining_work != 0]
        if left and len(left) < len(assigned[i]):
            out[i] = left[0] if len(left) == 1 else tuple(left)
    return out


def task_calendars(
    leaf: Leaves,
    resources: list[Resource],
    cal: Calendar,
    epoch: date,
    days: int,
    work_calendars: list[WorkCalendar],
) -> TaskCalendars:
    """The scheduler's rule for the time each leaf task works, as numbers into `work_calendars` (number 0
    the plan's; the calendars it needs are added): its own calendar (where its resources have calendars, the
    time both work, unless it ignores its resources' calendars), else its resources' (a resource without
    one works on the plan calendar). Resources on different calendars each work the task's duration on
    their own (as MS Project): the task runs on their union, and `spread` names the tasks that end when
    the last of their resources' calendars (numbers given) finishes."""
    n = len(leaf.tasks)
    own_calendars = leaf.columns["calendar"]
    kal, lag_kal = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    if all(r.calendar is None for r in resources) and own_calendars.count(None) == n:
        return TaskCalendars(kal, lag_kal, {})  # every task on the plan calendar
    own = {r.id: r.calendar for r in resources if r.calendar is not None}
    plain = _content(cal)
    key_of = {r.id: _content(own[r.id]) if r.id in own else plain for r in resources}
    cal_of = {k: own.get(r, cal) for r, k in key_of.items()}
    numbers: dict[str, int] = {plain: 0}

    widest = [max(c.width for c in work_calendars)]

    def number(key: str, make: Callable[[], WorkCalendar]) -> int:
        if key not in numbers:  # each laid out only while all of them stay within the bound (a
            numbers[key] = len(work_calendars)  # plan of 20,000 task calendars took 7 GB before)
            work_calendars.append(make())
            widest[0] = max(widest[0], work_calendars[-1].width)
            check_cells(len(work_calendars), days, widest[0])
        return numbers[key]

    def of_resources(rids: tuple[str, ...]) -> tuple[int, dict[str, Calendar] | None]:
        """The calendar number for a set of resources, and its members' calendars if they differ."""
        return of_calendars({key_of[r]: cal_of[key_of[r]] for r in rids if r in key_of})

    common: dict[tuple[str, str], tuple[str, Calendar]] = {}  # each pair worked out once

    def of_own(c: Calendar, rids: tuple[str, ...]) -> tuple[int, dict[str, Calendar] | None]:
        """A task's own calendar with its resources': each works the time both calendars work (the
        same pair for 1,000 tasks of their own calendars was worked out 1,000 times: minutes)."""
        mine, mine_key = {}, _content(c)
        for r in rids:
            pair = (mine_key, key_of[r])
            if pair not in common:
                both = common_time(c, own[r]) or c  # never at the same time: the task's own
                common[pair] = (_content(both), both)
            key, both = common[pair]
            mine[key] = both
        return of_calendars(mine)

    def of_calendars(members: dict[str, Calendar]) -> tuple[int, dict[str, Calendar] | None]:
        if len(members) == 1:
            key, c = next(iter(members.items()))
            return number(key, lambda c=c: WorkCalendar(c, epoch, days)), None
        if not members:
            return 0, None
        cals = [members[k] for k in sorted(members)]
        return number("|".join(sorted(members)), lambda: UnionCalendar(cals, epoch, days)), members

    columns = leaf.columns
    # per task: its resources' ids, of a task under way those with work left (without resource
    # calendars, the plan's calendar)
    keys: list = at_work(leaf.resource_keys, leaf) if own else [None] * n
    by_id = {}
    if own_calendars.count(None) != n:  # ... or its own calendar's id (with its resources' calendars,
        by_id = {id(c): c for c in own_calendars if c is not None}  # unless it ignores them)
        keys = [
            k if c is None else _own_key(id(c), None if t.ignore_resource_calendar else k, own)
            for k, c, t in zip(keys, own_calendars, leaf.tasks, strict=True)
        ]
    memo: dict = {None: (0, None), (): (0, None)}
    for key in dict.fromkeys(keys):  # in the order tasks first name them
        if isinstance(key, tuple) and key[0] is _OWN:
            memo[key] = of_own(by_id[key[1]], key[2])
        elif key in by_id:
            c = by_id[key]
            memo[key] = number(_content(c), lambda c=c: WorkCalendar(c, epoch, days)), None
        elif key not in memo:
            memo[key] = of_resources(key if isinstance(key, tuple) else (key,))
    number_of = {k: v[0] for k, v in memo.items()}
    kal[:] = np.fromiter(map(number_of.__getitem__, keys), dtype=np.int64, count=n)
    # links' lags run on a task's own calendar, whatever its resources' calendars
    lag_of = {k: number(_content(c), lambda c=c: WorkCalendar(c, epoch, days)) for k, c in by_id.items()}
    for i in [i for i, c in enumerate(own_calendars) if c is not None] if by_id else []:
        lag_kal[i] = lag_of[id(own_calendars[i])]
    spread: dict[int, list[int]] = {}
    if any(v[1] is not None for v in memo.values()):  # resources on several calendars: spread tasks
        # finished, resumed and manual tasks keep the span their dates give
        done, manual = columns["actual_finish"], columns["manual"]
        for i in range(n):
            members = memo[keys[i]][1]
            if members is not None and done[i] is None and not manual[i] and leaf.tasks[i].resume is None:
                spread[i] = [
                    number(k, lambda c=members[k]: WorkCalendar(c, epoch, days)) for k in sorted(members)
                ]
    return TaskCalendars(kal, lag_kal, spread)


def latest_start(task_cal: WorkCalendar, resource_cals: list[WorkCalendar], work: int, finish: int) -> int:
    """The rule for a task spread over its resources' calendars (`resource_cals`; `task_cal`, their union)
    driven to its finish: the latest start, in working minutes of `task_cal`, from which one resource, on
    its own calendar, has worked the task's duration (`work` minutes) by `finish` (read as a finish). As MS
    Project: the task ends when the last one does, at or after it."""
    moment = task_cal.finish_of(finish)
    starts = [c.start_of(c.index_of(moment) - work) for c in resource_cals] if work else [moment]
    return int(task_cal.index_of(min(starts)))


class TaskTimes:
    """Network's task calendars (`kal`, `base_kal`), spans of tasks spread over several resource calendars
    (`spread`, `spread_mask`, `work_dur`), elapsed tasks (`elapsed_task`) and leveling delays (`delay_w`,
    `delay_e`)."""

    cal: Calendars
    kal: np.ndarray
    base_kal: np.ndarray
    dur: np.ndarray
    work_dur: np.ndarray
    lag_kal: np.ndarray
    ctype: np.ndarray
    ES: np.ndarray
    LF: np.ndarray
    LS: np.ndarray
    elapsed_task: np.ndarray
    spread: dict[int, list[int]]
    spread_mask: np.ndarray
    succ: np.ndarray
    to_finish: np.ndarray
    unit_minutes: dict[DurationUnit, int]

    def _spread_finish(self, T: np.ndarray) -> None:
        """The span of tasks whose resources work on different calendars: each resource works the task's
        duration on its own calendar from the task's start; the task ends when the last one does."""
        C, kal = self.cal.cals, self.kal
        for i in T[self.spread_mask[T]].tolist():
            work = int(self.work_dur[i])
            start = C[kal[i]].start_of(self.ES[i])
            ends = [C[k].finish_of(C[k].index_of(start) + work) for k in self.spread[i]] if work else [start]
            self.dur[i] = int(C[kal[i]].index_of(max(ends))) - int(self.ES[i])

    def _spread_to_finish(self, E: np.ndarray, cand: np.ndarray) -> None:
        """Links E to the finish of such tasks (`cand`: their early starts, in place): the latest start
        from which one resource, on its calendar, has worked the task's duration by the finish the link
        asks (as MS Project: the task ends when the last one does, at or after it)."""
        s = self.succ[E]
        for j in np.flatnonzero(self.to_finish[E] & self.spread_mask[s]).tolist():
            i = int(s[j])
            cand[j] = self._spread_latest_start(i, int(cand[j] + self.dur[i]))

    def _spread_spans_to(self, T: np.ndarray, ci: np.ndarray, d: np.ndarray) -> np.ndarray:
        """The spans `d` of tasks T, those of spread tasks with a finish constraint made the span from the
        latest start at which one of their resources finishes by its date (`ci`) to it."""
        d, c = d.copy(), self.ctype[T]
        for j in np.flatnonzero(self.spread_mask[T] & ((c == FNET) | (c == FNLT) | (c == MFO))).tolist():
            d[j] = int(ci[j]) - self._spread_latest_start(int(T[j]), int(ci[j]))
        return d

    def _spread_start(self, T: np.ndarray) -> None:
        """The late start of such tasks: each resource's work ends by the late finish on its calendar."""
        for i in T[self.spread_mask[T]].tolist():
            self.LS[i] = self._spread_latest_start(i, int(self.LF[i]))

    def _spread_latest_start(self, i: int, finish: int) -> int:
        """`latest_start` of spread task i, to be finished by `finish` (a working index of its calendar)."""
        C = self.cal.cals
        return latest_start(C[self.kal[i]], [C[k] for k in self.spread[i]], int(self.work_dur[i]), finish)

    def _split_spans(self, leaves: list[Task], splits: list) -> None:
        """Split tasks span their work and their pauses (`core.splits`), in place in `dur` (`splits`: the
        leaves' column). Spans taken from dates (an actual or a manual finish) have theirs already; a started
        task's pauses before its resume date are the stop that date ends."""
        for i in [i for i, own in enumerate(splits) if own] if any(splits) else []:  # any(): a C loop
            t = leaves[i]
            if t.actual_finish is not None or (self.manual[i] and t.manual_finish is not None):
                continue
            gaps = pauses(t.splits)
            if t.resume is not None and self.actual[i]:
                wc = self.cal.cals[self.kal[i]]
                resumes = int(wc.index_of(wc.minutes(t.resume.replace(tzinfo=None)))) - int(self.cidx[i])
                gaps = [g for g in gaps if g[0] >= resumes]
            self.dur[i] = split_span(int(self.dur[i]), gaps)

    def _leveling_delays(self, leaves: list[Task], delay: tuple[float, ...]) -> None:
        """Each task's leveling delay, in working minutes or (elapsed units) minutes of the clock."""
        delays = [(i, leaves[i]) for i, x in enumerate(delay) if x] if any(delay) else []
        self.delay_w = np.zeros(len(leaves), dtype=np.int64)
        self.delay_e = np.zeros(len(leaves), dtype=np.int64)
        self.delayed = bool(delays)
        for i, t in delays:
            minutes = int(
                round(t.leveling_delay * self.unit_minutes[DurationUnit(t.leveling_delay_unit.value)])
            )
            if t.leveling_delay_unit.value.startswith("e"):
                self.delay_e[i] = minutes
            else:
                self.delay_w[i] = minutes

    def _snap(self, T: np.ndarray, at: np.ndarray, *, start: bool) -> None:
        """Elapsed tasks start at a working start (end at a working finish) of their calendar, in place."""
        E = T[self.elapsed_task[T]]
        if E.size:
            C, k = self.cal, self.base_kal[E]
            idx = C.index_of(k, C.moment(self.kal[E], at[E], ~np.full(E.size, start)))
            moved = C.start_of(k, idx) if start else C.finish_of(k, idx)
            at[E] = C.index_of(self.kal[E], moved)
