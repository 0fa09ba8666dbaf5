"""The compiled passes (core/cpm/fast.py) against the level-by-level NumPy passes on random plans they
both cover: all four link types, working and elapsed lags, holidays, task and resource calendars (links
across calendars), a project deadline. Every early and late date, the critical paths and the finish agree."""

from __future__ import annotations

import random
from datetime import date, datetime, time

import numpy as np
import pytest

from prometheus.core.cpm import fast as fast_passes
from prometheus.core.cpm.passes import Passes
from prometheus.core.model import Assignment, Calendar, Dependency, Resource, Task
from prometheus.core.scheduler import Network

START = datetime(2026, 11, 30, 8)
NIGHT = Calendar(
    name="Night", working_hours=[(time(22), time(0)), (time(0), time(6))], holidays=[date(2026, 12, 31)]
)
WEEKEND = Calendar(name="Weekend", working_days=[5, 6], working_hours=[(time(9), time(15))])
ROUND = Calendar(
    name="24h",
    working_days=list(range(7)),
    working_hours=[(time(0), time(0))],
    hours_per_day=24,
    hours_per_week=168,
)
KINDS, LAGS = ["FS", "FS", "SS", "FF", "SF"], [0, 0, 1, -1, 2]
UNITS = ["days", "hours", "edays", "ehours", "eweeks"]


def _plan(seed: int, n: int, calendars: bool) -> tuple[list[Task], list[Dependency], dict]:
    rng = random.Random(seed)
    crews = [Resource(id=c.name, plan_id="p", name=c.name, calendar=c) for c in (NIGHT, WEEKEND)]
    tasks = []
    for i in range(n):
        extra: dict = {}
        if calendars and rng.random() < 0.3:
            extra["assignments"] = [Assignment(resource_id=rng.choice(crews).id)]
        elif calendars and rng.random() < 0.1:
            extra["calendar"] = ROUND
        tasks.append(
            Task(id=f"t{i}", plan_id="p", name=f"T{i}", duration=rng.choice([0.5, 1, 2, 3]), **extra)
        )
    deps, seen = [], set()
    for j in range(1, n):
        for i in rng.sample(range(max(0, j - 20), j), min(j, 3)):
            if (i, j) not in seen:
                seen.add((i, j))
                kind, lag, unit = rng.choice(KINDS), rng.choice(LAGS), rng.choice(UNITS)
                deps.append(
                    Dependency(id=f"d{len(deps)}", plan_id="p", predecessor_id=f"t{i}", successor_id=f"t{j}",
                               type=kind, lag=lag, lag_unit=unit)
                )  # fmt: skip
    kw = {"calendar": Calendar(holidays=[date(2026, 12, 25), date(2027, 1, 1)]), "deadline": date(2028, 1, 1)}
    return tasks, deps, kw | ({"resources": crews} if calendars else {})


@pytest.mark.parametrize("calendars", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_compiled_passes_match_the_level_passes(seed: int, calendars: bool, monkeypatch) -> None:  # noqa: ANN001
    tasks, deps, kw = _plan(seed, 150, calendars)
    ran = []
    compiled = fast_passes.forward
    monkeypatch.setattr(fast_passes, "forward", lambda *a: ran.append(compiled(*a)) or ran[-1])
    fast = Network(tasks, deps, start=START, **kw)
    assert fast.multi == calendars
    got = fast.solve()
    assert ran == [True]  # the compiled passes scheduled it
    monkeypatch.setattr(Passes, "_simple", lambda self: False)
    slow = Network(tasks, deps, start=START, **kw)
    want = slow.solve()
    for name in ("early_start", "early_finish", "late_start", "late_finish"):
        assert np.array_equal(getattr(fast, name), getattr(slow, name)), name
    assert got.critical_paths == want.critical_paths
    assert got.project_finish == want.project_finish
    assert got.tasks == want.tasks
