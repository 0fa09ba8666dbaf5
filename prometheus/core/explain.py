"""Explain a date: the chain of links, constraints, calendars and resource waits that fixes a task's start
(Microsoft Project's task path and driving predecessors, Primavera P6's driving relationships).

Built on the scheduler's public results (the dates in `Schedule.tasks`, the tasks, links, resources and
calendars) and its rule for the time each task works (`cpm.task_times.task_calendars`): at each step every
candidate that can hold the task back (each incoming link, links into its summary tasks included; its
constraint; an actual start; the status date; the plan start) is turned into working minutes of the task's
calendar, the same arithmetic the scheduler does, and the one equal to the task's early start drives it.
The walk goes back through the driving predecessor (or, for a leveling delay, the task that holds the
resource) until it reaches something that is not a task. Where a start lands later than the driver's own
moment only because of non-working time (a weekend, a holiday, a night), the step says from when to when.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np

from prometheus.core.calendar import ELAPSED_MINUTES, WorkCalendar, unit_minutes
from prometheus.core.calendar_common import dated_hours
from prometheus.core.cpm.rules import LINK_CODE, leaves_finish, reaches_finish
from prometheus.core.cpm.table import PlanTable
from prometheus.core.cpm.task_times import latest_start, task_calendars
from prometheus.core.explain_text import describe
from prometheus.core.model import Calendar, ConstraintType, Dependency, Resource, Task, TaskStatus
from prometheus.core.scheduler import Schedule, ScheduledTask

FROM_FINISH = tuple(t for t, c in LINK_CODE.items() if leaves_finish(c))  # leaves the predecessor's finish
TO_FINISH = tuple(t for t, c in LINK_CODE.items() if reaches_finish(c))  # ... arrives at the successor's
FIXED = (ConstraintType.MSO, ConstraintType.MFO)
PULLING = (ConstraintType.SNLT, ConstraintType.FNLT)
PUSHING = (ConstraintType.SNET, ConstraintType.FNET)
FINISH_KINDS = (ConstraintType.FNET, ConstraintType.FNLT, ConstraintType.MFO)
_READ = ("start", "finish", "early_start", "early_finish")

MAX_HOLIDAYS_NAMED = 10  # holidays a reason names one by one; more are counted


def _moment(day: date | datetime) -> datetime:
    return (day if isinstance(day, datetime) else datetime.combine(day, time(0))).replace(tzinfo=None)


@dataclass
class _Candidate:
    """One thing that could fix the task's start, in working minutes of the task's calendar."""

    driver: dict
    index: int  # the early start (or, for to_finish, the early finish) it allows
    to_finish: bool = False
    raw: datetime | None = None  # the wall-clock moment it gives, before non-working time is skipped
    next_id: str | None = None  # the task the walk goes on from
    group: str | None = None  # a link from a summary's start: one of its subtasks (the first) counts


class _Explainer:
    def __init__(self, tasks, dependencies, s, *, start, calendar, resources, status_date):  # noqa: ANN001
        self.sched: dict[str, ScheduledTask] = s.tasks
        self.tasks = {t.id: t for t in tasks if t.id in self.sched}
        self.children: dict[str, list[str]] = defaultdict(list)
        for t in self.tasks.values():
            if t.parent_id in self.tasks:
                self.children[t.parent_id].append(t.id)
        self.incoming: dict[str, list[Dependency]] = defaultdict(list)
        for d in dependencies:
            if d.predecessor_id in self.tasks and d.successor_id in self.tasks:
                self.incoming[d.successor_id].append(d)
        self.plan_cal = calendar or Calendar()
        self.start = _moment(start)
        self.status_date = status_date
        self.status = _moment(status_date + timedelta(days=1)) if status_date else None  # its end
        self.resource_names = {r.id: r.name for r in resources or []}
        self.epoch = self.start.date()
        self._index: dict[tuple[int, datetime], int] = {}
        self._calendars(tasks, resources or [])
        project = self.calendars[0]
        self.lag_minutes = unit_minutes(project.minutes_per_day, project.minutes_per_week)
        self._prefill(project)

    # -- calendars ----------------------------------------------------------------------------------------

    def _calendars(self, tasks: list[Task], resources: list[Resource]) -> None:
        """Each leaf task's calendar and the one its links' lags run on, by the scheduler's own rule (an
        elapsed task's: the calendar it starts and ends in), and the resources' calendars of the tasks
        spread over them (an elapsed task runs on the clock: never spread)."""
        leaf = PlanTable.of(tasks, []).leaves()
        self.calendars = [WorkCalendar(self.plan_cal, self.epoch)]
        kal, lag_kal, spread = task_calendars(leaf, resources, self.plan_cal, self.epoch, 366, self.calendars)
        ids = leaf.columns["id"]
        self._task_wc = {t: self.calendars[k] for t, k in zip(ids, kal.tolist(), strict=True)}
        self._lag_wc = {t: self.calendars[k] for t, k in zip(ids, lag_kal.tolist(), strict=True)}
        self._spread_wc = {
            ids[i]: [self.calendars[k] for k in ks]
            for i, ks in spread.items()
            if leaf.tasks[i].duration_unit.value not in ELAPSED_MINUTES
        }

    def wc_of(self, task: Task) -> WorkCalendar:
        return self._task_wc[task.id]

    def to_start(self, c: _Candidate | None, tid: str, wc: WorkCalendar) -> _Candidate | None:
        """A candidate for the finish of a task spread over its resources' calendars, as the start it
        allows, by the scheduler's rule (`latest_start`): its span is no fixed distance from its finish."""
        members = self._spread_wc.get(tid)
        if c is None or not c.to_finish or members is None:
            return c
        c.index = latest_start(wc, members, self.sched[tid].duration_minutes, c.index)
        c.to_finish, c.raw = False, None  # a finish: no non-working time up to the start to name
        return c

    def _prefill(self, wc: WorkCalendar) -> None:
        """Every scheduled date in working minutes of the plan calendar, in one pass."""
        moments = list({getattr(st, f) for st in self.sched.values() for f in _READ})
        if moments:
            minutes = np.array(moments, dtype="datetime64[m]") - np.datetime64(wc.epoch_dt, "m")
            found = wc.index_of(minutes.astype(np.int64)).tolist()
            self._index.update(zip(((id(wc), m) for m in moments), found, strict=True))

    def index(self, wc: WorkCalendar, at: datetime) -> int:
        at = _moment(at)
        key = (id(wc), at)
        if key not in self._index:
            self._index[key] = int(wc.index_of(wc.minutes(at)))
        return self._index[key]

    @staticmethod
    def at(wc: WorkCalendar, index: int, *, finish: bool = False) -> datetime:
        """The moment of a working index, read as a start or as a finish."""
        minutes = wc.finish_of(index) if finish else wc.start_of(index)
        return wc.datetimes(minutes).astype("datetime64[us]").tolist()

    # -- the structure --------------------------------------------------------------------------------------

    def leaves(self, tid: str) -> list[str]:
        out, stack = [], [tid]
        while stack:
            x = stack.pop()
            if x in self.children:
                stack.extend(reversed(self.children[x]))
            else:
                out.append(x)
        return out

    def ancestors(self, tid: str) -> list[str]:
        out, p = [], self.tasks[tid].parent_id
        while p in self.tasks and p not in out:
            out.append(p)
            p = self.tasks[p].parent_id
        return out

    def first_subtask(self, tid: str) -> str:
        """The subtask a summary's start comes from (the first of equals in outline order)."""
        return min(self.leaves(tid), key=lambda x: self.sched[x].start)

    # -- one step -------------------------------------------------------------------------------------------

    def link_candidates(self, tid: str, wc: WorkCalendar, dur: int) -> list[_Candidate]:
        out = []
        for via in [tid, *self.ancestors(tid)]:
            for d in self.incoming[via]:
                for src in self.leaves(d.predecessor_id):
                    base = self.sched[src].finish if d.type in FROM_FINISH else self.sched[src].start
                    out.append(self.link_candidate(d, tid, via, src, base, wc, dur))
        return out

    def link_candidate(self, d, tid, via, src, base, wc, dur) -> _Candidate:  # noqa: ANN001
        to_finish = d.type in TO_FINISH
        unit = d.lag_unit.value
        if unit in ELAPSED_MINUTES:
            at = base
            if to_finish and dur:  # the scheduler takes the duration off first, then the elapsed lag
                at = self.at(wc, self.index(wc, base) - dur)
            raw = at + timedelta(minutes=round(d.lag * ELAPSED_MINUTES[unit]))
            index, to_finish = self.index(wc, raw), False
        else:  # a working lag runs on the task's own calendar, else the plan's: not on its resources'
            lag = round(d.lag * self.lag_minutes[unit])
            index, raw = self.index(wc, base), base
            if lag:
                on = self._lag_wc[tid]
                raw = self.at(on, self.index(on, base) + lag, finish=lag > 0)
                index = self.index(wc, raw)
        pred = self.tasks[d.predecessor_id]
        driver = {
            "kind": "link",
            "type": d.type.value,
            "lag": d.lag,
            "lag_unit": unit,
            "dependency_id": d.id,
            "predecessor_id": pred.id,
            "predecessor_name": pred.name,
            "date": base,
        }
        if src != pred.id:
            driver["through_subtask"] = {"task_id": src, "name": self.tasks[src].name}
        if via != tid:
            driver["into_summary"] = {"task_id": via, "name": self.tasks[via].name}
        group = d.id if src != pred.id and d.type not in FROM_FINISH else None
        return _Candidate(driver, index, to_finish, raw, src, group)

    def constraint_candidate(self, task: Task, wc: WorkCalendar) -> _Candidate | None:
        c = task.constraint_type
        if c in (ConstraintType.ASAP, ConstraintType.ALAP) or task.constraint_date is None:
            return None
        when = _moment(task.constraint_date)
        driver = {"kind": "constraint", "constraint_type": c.value, "date": when}
        return _Candidate(driver, self.index(wc, when), c in FINISH_KINDS, when)

    def resource_wait(self, task: Task, wc: WorkCalendar, index: int) -> _Candidate | None:
        """A start-no-earlier-than date where a task sharing a resource finishes: a leveling delay."""
        mine = {a.resource_id for a in task.assignments}
        for other in self.tasks.values():
            shared = mine & {a.resource_id for a in other.assignments}
            if other.id == task.id or other.id in self.children or not shared:
                continue
            if self.index(wc, self.sched[other.id].finish) == index:
                rid = sorted(shared)[0]
                driver = {
                    "kind": "resource_wait",
                    "resource_id": rid,
                    "resource_name": self.resource_names.get(rid, rid),
                    "waits_for_id": other.id,
                    "waits_for_name": other.name,
                    "constraint_type": task.constraint_type.value,
                    "date": self.sched[other.id].finish,
                }
                return _Candidate(driver, index, False, _moment(task.constraint_date), other.id)
        return None

    def step(self, tid: str) -> dict:
        task, st = self.tasks[tid], self.sched[tid]
        row = {"task_id": tid, "name": task.name, "start": st.start, "finish": st.finish}
        if st.summary:
            first = self.first_subtask(tid)
            driver = {
                "kind": "summary",
                "first_subtask_id": first,
                "first_subtask_name": self.tasks[first].name,
            }
            return row | {"driver": driver, "next": first}
        if task.constraint_type is ConstraintType.ALAP and task.actual_start is None:
            driver = {"kind": "as_late_as_possible", "early_start": st.early_start, "date": st.late_start}
            return row | {"driver": driver, "next": None}
        wc = self.wc_of(task)
        es, ef = self.index(wc, st.early_start), self.index(wc, st.early_finish)
        links = [self.to_start(c, tid, wc) for c in self.link_candidates(tid, wc, ef - es)]
        own = self.to_start(self.constraint_candidate(task, wc), tid, wc)
        at = self.start
        begin = _Candidate({"kind": "project_start", "date": at}, self.index(wc, at), False, at)

        def slack(c: _Candidate) -> int:
            return (ef if c.to_finish else es) - c.index

        overridden = [c for c in links if slack(c) < 0 and c.group is None]
        for group in {c.group for c in links} - {None}:  # late only if even its earliest subtask is late
            first = max((c for c in links if c.group == group), key=slack)
            overridden += [first] if slack(first) < 0 else []
        if task.actual_start is not None:
            at = _moment(task.actual_start)
            chosen = _Candidate({"kind": "actual_start", "date": at}, self.index(wc, at), False, at)
            return self.finish_step(row, task, st, chosen, [], overridden)
        if task.manual and task.manual_start is not None:
            at = _moment(task.manual_start)
            chosen = _Candidate({"kind": "manual", "date": at}, self.index(wc, at), False, at)
            return self.finish_step(row, task, st, chosen, [], overridden)
        status = None
        if self.status is not None and task.status is not TaskStatus.completed:
            at = self.status
            driver = {"kind": "status_date", "status_date": self.status_date, "date": at}
            status = _Candidate(driver, self.index(wc, at), False, at)
        clamped = not links or any(c.driver["type"] == "FF" for c in links)  # FF never pulls before the plan
        pulled = overridden or (clamped and slack(begin) < 0) or (status is not None and slack(status) < 0)
        if own is not None and (
            task.constraint_type in FIXED or (task.constraint_type in PULLING and pulled)
        ):
            return self.finish_step(row, task, st, own, [], overridden)
        tied = [c for c in links if slack(c) == 0]
        if own is not None and task.constraint_type in PUSHING and slack(own) == 0:
            tied.append(self.resource_wait(task, wc, self.index(wc, own.driver["date"])) or own)
        if status is not None and slack(status) == 0:
            tied.append(status)
        if not tied and slack(begin) == 0:  # no predecessor, or FF links that would start it before the plan
            tied.append(begin)
        if not tied and task.leveling_delay and (links or slack(begin) > 0):
            after = max(links, key=lambda c: c.index, default=begin)  # the start the delay is added to
            driver = {"kind": "leveling_delay", "delay": task.leveling_delay,
                      "unit": task.leveling_delay_unit.value, "after": after.driver}  # fmt: skip
            return row | {"driver": driver, "next": after.next_id}
        if not tied:
            driver = {"kind": "unexplained", "date": st.early_start}
            return row | {"driver": driver, "next": None}
        if tied[0].driver["kind"] in ("constraint", "resource_wait") and links:  # what the links alone allow
            best = max(c.index - (ef - es if c.to_finish else 0) for c in links)
            tied[0].driver["links_allow"] = self.at(wc, best)
        return self.finish_step(row, task, st, tied[0], tied[1:], overridden)

    def finish_step(self, row, task, st, chosen, also, overridden) -> dict:  # noqa: ANN001
        out = row | {"driver": chosen.driver, "next": chosen.next_id}
        push = None if chosen.to_finish or chosen.raw is None else self.push(task, chosen.raw, st.early_start)
        if push:
            out["calendar"] = push
        if also:
            out["also"] = [c.driver for c in also]
        if overridden:
            wc = self.wc_of(task)
            dur = self.index(wc, st.early_finish) - self.index(wc, st.early_start)
            out["overridden_links"] = [
                {
                    "predecessor_id": c.driver["predecessor_id"],
                    "predecessor_name": c.driver["predecessor_name"],
                    "type": c.driver["type"],
                    "would_start": self.at(wc, c.index - (dur if c.to_finish else 0)),
                }
                for c in overridden
            ]
        return out

    def push(self, task: Task, raw: datetime, start: datetime) -> dict | None:
        """Non-working time between the moment a driver gives and the start, beyond a night or a break, on
        the task's calendar (resources on several: the days none of them works; a holiday: a day off that
        one of their calendars names)."""
        if raw >= start:
            return None
        wc = self.wc_of(task)
        days = (start.date() - raw.date()).days
        if (days <= 1 and self.period_end(wc, raw)) or (raw.time() == time(0) and days == 0):
            return None  # the ordinary hand-over from one working period to the next
        every = [raw.date() + timedelta(days=k) for k in range(days)]
        worked = np.diff(wc.day_starts(raw.date(), days)).tolist() if days else []
        off = [d for d, minutes in zip(every, worked, strict=True) if not minutes]
        closed = {
            d
            for m in getattr(wc, "members", [wc])
            for d, hours in dated_hours(m.calendar).items()
            if not hours
        }
        holidays = [d for d in off if d in closed]  # a set: 20,000 holidays looked up in a list took 13 s
        reasons = ["weekend"] if len(holidays) < len(off) else []
        if len(holidays) > MAX_HOLIDAYS_NAMED:  # the reason stays a sentence (a century of them: 1 MB)
            reasons.append(f"{len(holidays):,} holidays from {holidays[0]} to {holidays[-1]}")
        else:
            reasons += [f"holiday {d}" for d in holidays]
        reason = " and ".join(reasons) or "outside working hours"
        return {"from": raw, "to": start, "non_working_days": off, "reason": reason}

    def period_end(self, wc: WorkCalendar, at: datetime) -> bool:
        """Whether `at` ends a working period of `wc` (a finish reading: Friday 17:00)."""
        index, minute = self.index(wc, at), wc.minutes(_moment(at))
        return int(wc.finish_of(index)) == minute != int(wc.start_of(index))


def explain(
    tasks: list[Task],
    dependencies: list[Dependency],
    s: Schedule,
    task_id: str,
    *,
    start: datetime | date,
    calendar: Calendar | None = None,
    resources: list[Resource] | None = None,
    status_date: date | None = None,
) -> dict:
    """Why `task_id` starts when it does: the chain of driving steps back to its origin. Takes what
    `schedule()` took (`s` is its result); a task the schedule leaves out (cancelled) raises KeyError."""
    x = _Explainer(
        tasks, dependencies, s, start=start, calendar=calendar, resources=resources, status_date=status_date
    )
    if task_id not in x.tasks:
        raise KeyError(task_id)
    steps: list[dict] = []
    seen: set[str] = set()
    tid: str | None = task_id
    while tid is not None and tid not in seen:
        seen.add(tid)
        step = x.step(tid)
        tid = step.pop("next")
        step["next_task_id"] = tid if tid not in seen else None
        step["text"] = describe(step)
        steps.append(step)
    st = x.sched[task_id]
    mpd = s.minutes_per_day
    return {
        "task_id": task_id,
        "name": st.name,
        "start": st.start,
        "finish": st.finish,
        "critical": st.critical,
        "total_slack_days": round(st.total_slack_minutes / mpd, 4),
        "origin": steps[-1]["driver"]["kind"],
        "steps": steps,
        "text": " <- ".join(s["text"] for s in steps),
    }
