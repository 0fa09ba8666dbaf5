"""Generated plans for benchmarks: n tasks, about 3 links each to recent tasks, mixed link types and lags;
and the shapes `shaped_plan` makes of them (elapsed lags, holidays and resource calendars, a chain)."""

from __future__ import annotations

import random
from datetime import date, time
from typing import Any

from prometheus.core.model import Assignment, Calendar, Dependency, LagUnit, Resource, Task

SHAPES = ("working", "elapsed", "calendars", "chain")
HOLIDAYS = [date(2026, 12, 24), date(2026, 12, 25), date(2027, 1, 1), date(2027, 4, 5), date(2027, 5, 1)]


def generated_plan(n: int, seed: int = 1, links_per_task: float = 3.0, window: int = 200):
    rng = random.Random(seed)
    tasks = [
        Task(id=f"t{i}", plan_id="p", name=f"Task {i}", duration=rng.choice([0.5, 1, 2, 3, 5, 8]))
        for i in range(n)
    ]
    deps: list[Dependency] = []
    seen: set[tuple[int, int]] = set()
    for j in range(1, n):
        k = min(j, int(links_per_task) + (rng.random() < links_per_task % 1))
        for i in rng.sample(range(max(0, j - window), j), min(k, j - max(0, j - window))):
            if (i, j) in seen:
                continue
            seen.add((i, j))
            kind = rng.choices(["FS", "SS", "FF", "SF"], weights=[80, 10, 8, 2])[0]
            lag = rng.choice([0, 0, 0, 1, 2, -1])
            deps.append(
                Dependency(
                    id=f"d{len(deps)}",
                    plan_id="p",
                    predecessor_id=f"t{i}",
                    successor_id=f"t{j}",
                    type=kind,
                    lag=lag,
                )
            )
    return tasks, deps


def shaped_plan(
    n: int, shape: str, links_per_task: float = 3.0
) -> tuple[list[Task], list[Dependency], dict[str, Any]]:
    """A plan of n tasks of one shape (about `links_per_task` links to each), with the keyword arguments of
    `schedule()` it needs:
    - working: `generated_plan` (all four link types, working lags);
    - elapsed: the same with about half the links on elapsed lags (hours, days, weeks of the clock);
    - calendars: elapsed lags, plan holidays, and resource calendars (a third of the tasks on an early
      shift with its own holidays, a sixth on a weekend crew);
    - chain: the DHTMLX benchmark, n one-day tasks each finish-to-start after the one before."""
    if shape == "chain":
        tasks = [Task(id=f"t{i}", plan_id="p", name=f"Task {i}", duration=1) for i in range(n)]
        deps = [
            Dependency(id=f"d{i}", plan_id="p", predecessor_id=f"t{i}", successor_id=f"t{i + 1}")
            for i in range(n - 1)
        ]
        return tasks, deps, {}
    tasks, deps = generated_plan(n, links_per_task=links_per_task)
    if shape == "working":
        return tasks, deps, {}
    rng = random.Random(2)
    units = [LagUnit.ehours, LagUnit.edays, LagUnit.eweeks]
    deps = [
        d.model_copy(update={"lag_unit": rng.choice(units), "lag": d.lag or rng.choice([1, 2, 4])})
        if rng.random() < 0.5
        else d
        for d in deps
    ]
    if shape == "elapsed":
        return tasks, deps, {}
    early = Calendar(name="Early", working_hours=[(time(6), time(14))], holidays=[date(2027, 2, 15)])
    weekend = Calendar(name="Weekend", working_days=[5, 6], working_hours=[(time(9), time(15))])
    resources = [
        Resource(id="early", plan_id="p", name="Early shift", calendar=early),
        Resource(id="weekend", plan_id="p", name="Weekend crew", calendar=weekend),
        Resource(id="office", plan_id="p", name="Office"),
    ]
    crew = ["early", "early", "weekend", "office", "office", "office"]
    tasks = [
        t.model_copy(update={"assignments": [Assignment(resource_id=crew[i % 6])]})
        for i, t in enumerate(tasks)
    ]
    return tasks, deps, {"calendar": Calendar(holidays=HOLIDAYS), "resources": resources}
