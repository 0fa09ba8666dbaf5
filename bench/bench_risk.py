"""Monte Carlo speed: iterations of a generated plan with three-point estimates on every task.

python bench/bench_risk.py [--tasks 1000] [--iterations 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.plans import generated_plan  # noqa: E402
from prometheus.core.risk import Distribution, monte_carlo  # noqa: E402
from prometheus.core.scheduler import Network  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--iterations", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    tasks, deps = generated_plan(args.tasks)
    tasks = [
        t.model_copy(
            update={
                "optimistic_duration": t.duration * 0.8,
                "most_likely_duration": t.duration,
                "pessimistic_duration": t.duration * 1.6,
            }
        )
        for t in tasks
    ]
    net = Network(tasks, deps, start=datetime(2026, 11, 30, 8))
    net.solve()
    print("| distribution | tasks | links | iterations | median time | iterations/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for dist in Distribution:
        times = []
        for seed in range(args.repeat):
            t0 = time.perf_counter()
            monte_carlo(net, iterations=args.iterations, seed=seed, distribution=dist)
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        print(
            f"| {dist.value} | {args.tasks:,} | {len(deps):,} | {args.iterations:,} | {med * 1000:,.0f} ms "
            f"| {args.iterations / med:,.0f} |"
        )


if __name__ == "__main__":
    main()
