"""Random plans for differential and property tests (seeded, so failures reproduce)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from prometheus.core.graph import wbs_cycle_if_added
from prometheus.core.model import Assignment, Calendar, ConstraintType, Dependency, Resource, Task

START_KINDS = ("SNET", "SNLT", "MSO")
FINISH_KINDS = ("FNET", "FNLT", "MFO")


@dataclass
class Features:
    link_types: tuple[str, ...] = ("FS", "SS", "FF", "SF")
    lags: bool = True
    elapsed_lags: bool = True
    constraints: bool = True
    alap: bool = True
    summaries: bool = True
    calendars: bool = True
    deadlines: bool = False
    extra: dict = field(default_factory=dict)


def random_calendar(rng: random.Random, start: date) -> Calendar:
    kind = rng.random()
    if kind < 0.5:
        cal = Calendar()
    elif kind < 0.75:
        cal = Calendar(
            working_days=[0, 1, 2, 3, 4, 5], working_hours=[(time(9), time(13)), (time(14), time(18))]
        )
    else:
        cal = Calendar(working_days=[0, 1, 2, 3], working_hours=[(time(7), time(15))])
    holidays = sorted({start + timedelta(days=rng.randint(0, 60)) for _ in range(rng.randint(0, 4))})
    return cal.model_copy(update={"holidays": holidays})


def _working_moment(rng: random.Random, cal: Calendar, start: date, finish: bool) -> datetime:
    """A random working day within ~6 weeks, at its first working minute or (finish) its last."""
    while True:
        day = start + timedelta(days=rng.randint(0, 42))
        if day.weekday() in cal.working_days and day not in cal.holidays:
            period = rng.choice(cal.working_hours)
            return datetime.combine(day, period[1] if finish else period[0])


def random_plan(
    seed: int, n: int | None = None, features: Features | None = None
) -> tuple[list[Task], list[Dependency], datetime, Calendar]:
    rng = random.Random(seed)
    f = features or Features()
    n = n or rng.randint(3, 25)
    start_day = date(2026, 11, 2) + timedelta(days=rng.randint(0, 30))
    cal = random_calendar(rng, start_day) if f.calendars else Calendar()
    while start_day.weekday() not in cal.working_days or start_day in cal.holidays:
        start_day += timedelta(days=1)
    start = datetime.combine(start_day, cal.working_hours[0][0])

    tasks: list[Task] = []
    parents: dict[str, str | None] = {}
    summaries: set[str] = set()
    for i in range(n):
        tid = f"t{i}"
        parent = None
        if f.summaries and tasks and rng.random() < 0.3:
            candidates = [t.id for t in tasks[-4:]]
            parent = rng.choice(candidates)
            summaries.add(parent)
        parents[tid] = parent
        unit = rng.choice(["days", "days", "days", "hours", "weeks"])
        if unit == "days":
            duration = rng.choice([0, 0.5, 1, 1, 2, 3, 4, 5, 8])
        elif unit == "hours":
            duration = rng.choice([1, 2, 3, 4, 6, 12])
        else:
            duration = rng.choice([1, 2])
        fields: dict = {"duration": duration, "duration_unit": unit, "milestone": duration == 0}
        if f.constraints and rng.random() < 0.15:
            kind = rng.choice(START_KINDS + FINISH_KINDS)
            fields["constraint_type"] = kind
            fields["constraint_date"] = _working_moment(rng, cal, start_day, kind in FINISH_KINDS)
        elif f.alap and rng.random() < 0.07:
            fields["constraint_type"] = "ALAP"
        if f.deadlines and rng.random() < 0.1:
            fields["deadline"] = _working_moment(rng, cal, start_day, True)
        tasks.append(Task(id=tid, plan_id="p", name=f"Task {i}", parent_id=parent, **fields))

    # constraints belong on work, not on summary tasks (Microsoft Project's scheduler ignores them there)
    tasks = [
        t.model_copy(update={"constraint_type": ConstraintType.ASAP, "constraint_date": None})
        if t.id in summaries
        else t
        for t in tasks
    ]

    def ancestors(tid: str) -> set[str]:
        out, p = set(), parents[tid]
        while p:
            out.add(p)
            p = parents[p]
        return out

    deps: list[Dependency] = []
    seen: set[tuple[str, str]] = set()
    for _ in range(rng.randint(n // 2, int(n * 1.5) + 1)):
        i, j = sorted(rng.sample(range(n), 2))
        a, b = tasks[i].id, tasks[j].id
        if (a, b) in seen or a in ancestors(b) or b in ancestors(a):
            continue
        if wbs_cycle_if_added(parents, list(seen), (a, b)):
            continue
        kind = rng.choice(f.link_types)
        lag, unit = 0.0, "days"
        if f.lags and rng.random() < 0.4:
            lag = rng.choice([-2, -1, -0.5, 0.5, 1, 2, 3])
            unit = rng.choice(["days", "hours", "edays"] if f.elapsed_lags else ["days", "hours"])
            if unit == "hours":
                lag *= 4
        seen.add((a, b))
        deps.append(
            Dependency(
                id=f"d{len(deps)}",
                plan_id="p",
                predecessor_id=a,
                successor_id=b,
                type=kind,
                lag=lag,
                lag_unit=unit,
            )
        )
    return tasks, deps, start, cal


def random_plan_with_resources(
    seed: int, n: int | None = None, features: Features | None = None
) -> tuple[list[Task], list[Dependency], datetime, Calendar, list[Resource]]:
    """A random plan where some tasks are assigned to resources with calendars of their own."""
    tasks, deps, start, cal = random_plan(seed, n=n, features=features)
    rng = random.Random(seed + 7919)
    resources = [
        Resource(id=f"r{k}", plan_id="p", name=f"R{k}", calendar=random_calendar(rng, start.date()))
        for k in range(rng.randint(1, 3))
    ]
    resources.append(Resource(id="plain", plan_id="p", name="Plain"))  # no calendar: the plan's
    parents = {t.parent_id for t in tasks if t.parent_id}
    # a lag to a finish (FF, SF) runs on the plan calendar, the duration then on the resource's: MPXJ takes
    # the duration off first and adds the lag to the start, which Project's finish + lag need not equal
    to_finish = {d.successor_id for d in deps if d.type.value in ("FF", "SF") and d.lag}
    parent_of = {t.id: t.parent_id for t in tasks}

    def lagged(tid: str | None) -> bool:
        return tid is not None and (tid in to_finish or lagged(parent_of.get(tid)))

    out = []
    for t in tasks:
        # constraint dates are working moments of the plan calendar: keep those tasks on it (and tasks as
        # late as possible: MPXJ's late dates of tasks on resource calendars are not Project's)
        dated = t.constraint_type != ConstraintType.ASAP
        if t.id not in parents and not dated and not lagged(t.id) and rng.random() < 0.4:
            t = t.model_copy(update={"assignments": [Assignment(resource_id=rng.choice(resources).id)]})
        out.append(t)
    return out, deps, start, cal, resources
