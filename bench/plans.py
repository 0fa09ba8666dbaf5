"""Generated plans for benchmarks: n tasks, about 3 links each to recent tasks, mixed link types and lags."""

from __future__ import annotations

import random

from prometheus.core.model import Dependency, Task


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
