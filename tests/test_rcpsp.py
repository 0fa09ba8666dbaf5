"""The RCPSP core on real PSPLIB instances: both solvers give schedules the independent checker accepts,
CP-SAT reaches the published j30 optima, and the checker catches broken schedules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from prometheus.benchmark import instances, run, summary
from prometheus.core import rcpsp
from prometheus.formats.psplib import read_optima, read_sm

PSPLIB = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "psplib"
needs_data = pytest.mark.skipif(not (PSPLIB / "j30").is_dir(), reason="PSPLIB data not here")


@needs_data
def test_j30_instances_both_solvers_feasible_and_cpsat_reaches_the_optimum() -> None:
    optima = read_optima(PSPLIB / "j30" / "optimum" / "optimum.csv")
    for path in instances(PSPLIB / "j30", every=96):  # 5 instances across the set
        p = read_sm(path)
        best = optima[path.name][1]
        h = rcpsp.heuristic(p, time_limit=0.2, seed=1)
        assert rcpsp.check(p, h.start) == [] and h.makespan >= best >= p.lower_bound()
        c = rcpsp.cpsat(p, time_limit=10, hint=h.start)
        assert rcpsp.check(p, c.start) == [] and c.makespan == best and c.lower_bound <= best


@needs_data
def test_benchmark_runner_reports_deviation_and_feasibility() -> None:
    runs = list(run(PSPLIB / "j30", time_limit=2, solver="hybrid", every=120))
    rows = {r["solver"]: r for r in summary(runs)}
    assert set(rows) == {"hybrid", "plain CP-SAT"} and rows["hybrid"]["instances"] == 4
    assert rows["hybrid"]["feasible"] == 4 and rows["plain CP-SAT"]["feasible"] == 4
    assert rows["hybrid"]["at_best_known"] >= 3 and rows["hybrid"]["dev_best_pct"] <= 1.0


def test_checker_names_what_is_broken() -> None:
    # a -> b (FS), both on one unit of one resource with capacity 1; c pinned at 0
    p = rcpsp.Problem([2, 2, 1], [0], [1], [2], [[1], [1], [0]], [1], release=[0, 0, 0],
                      fixed=[False, False, True])  # fmt: skip
    assert rcpsp.check(p, np.array([0, 2, 0])) == []
    assert any("link 0->1" in e for e in rcpsp.check(p, np.array([0, 1, 0])))
    p2 = rcpsp.Problem([2, 2], [], [], [], [[1], [1]], [1])
    assert any("over capacity" in e for e in rcpsp.check(p2, np.array([0, 1])))
    assert rcpsp.heuristic(p2, time_limit=0.1).makespan == 4


def test_general_links_and_release_times_are_kept() -> None:
    # SS +1 (0->1), FF 0 (1->2, as start distance d1 - d2), release of 2 at 3
    p = rcpsp.Problem([3, 4, 2], [0, 1], [1, 2], [1, 4 - 2], [[1], [1], [1]], [2], release=[0, 0, 3])
    for sol in (rcpsp.heuristic(p, time_limit=0.1), rcpsp.cpsat(p, time_limit=5)):
        assert rcpsp.check(p, sol.start) == []
        assert sol.start[1] >= sol.start[0] + 1 and sol.start[2] + 2 >= sol.start[1] + 4 and sol.start[2] >= 3


def test_cycles_are_refused() -> None:
    with pytest.raises(ValueError, match="cycle"):
        rcpsp.Problem([1, 1], [0, 1], [1, 0], [1, 1], [[0], [0]], [1])


def test_genetic_algorithm_on_random_generalized_problems() -> None:
    """Random links (negative and positive start distances), release times and pinned tasks: every GA
    schedule passes the checker, never beats CP-SAT's proven optimum, and usually reaches it."""
    rng = np.random.default_rng(7)
    reached = 0
    for _ in range(12):
        n = 10
        dur = rng.integers(0, 6, n)
        pairs = [(a, b) for a in range(n) for b in range(a + 1, n) if rng.random() < 0.2]
        dist = [int(rng.integers(-2, dur[a] + 3)) for a, _ in pairs]
        demand = rng.integers(0, 3, (n, 2))
        release = rng.integers(0, 4, n)
        fixed = np.zeros(n, bool)
        fixed[min(set(range(n)) - {b for _, b in pairs})] = True  # a task without predecessors, pinned
        p = rcpsp.Problem(dur, [a for a, _ in pairs], [b for _, b in pairs], dist, demand, [3, 3],
                          release=release, fixed=fixed)  # fmt: skip
        ga = rcpsp.heuristic(p, time_limit=5, max_schedules=400, population=20, threads=1)
        exact = rcpsp.cpsat(p, time_limit=10)
        assert rcpsp.check(p, ga.start) == [], rcpsp.check(p, ga.start)
        assert exact.optimal and ga.makespan >= exact.makespan
        reached += ga.makespan == exact.makespan
    assert reached >= 10
