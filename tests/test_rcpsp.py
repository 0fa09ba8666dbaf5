"""The RCPSP core on real PSPLIB instances: both solvers give schedules the independent checker accepts,
their finishes and bounds agree with the published j30 optima (CP-SAT's equals the optimum wherever it
proves optimality), and the checker catches broken schedules. These tests assert correctness only: a slow or
busy machine may stop a solver early, which weakens what it finds but never makes a test fail. How fast
and how close the solvers get is measured in `bench/`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from prometheus.benchmark import instances, run, summary
from prometheus.core import rcpsp
from prometheus.formats.psplib import read_optima, read_sm

PSPLIB = next(
    (
        folder / "shared" / "benchmarks" / "psplib"
        for folder in Path(__file__).resolve().parents
        if (folder / "shared" / "benchmarks" / "psplib" / "j30").is_dir()
    ),
    Path("shared/benchmarks/psplib"),
)  # beside the checkout (CI) or any folder above it (a git worktree)
needs_data = pytest.mark.skipif(not (PSPLIB / "j30").is_dir(), reason="PSPLIB data not here")


@needs_data
def test_j30_instances_both_solvers_feasible_and_bounds_agree_with_the_optima() -> None:
    optima = read_optima(PSPLIB / "j30" / "optimum" / "optimum.csv")
    for path in instances(PSPLIB / "j30", every=96):  # 5 instances across the set
        p = read_sm(path)
        best = optima[path.name][1]  # j30: every published value is a proven optimum
        h = rcpsp.heuristic(p, time_limit=0.2, seed=1)
        assert rcpsp.check(p, h.start) == [] and h.makespan >= best >= p.lower_bound()
        c = rcpsp.cpsat(p, time_limit=5, hint=h.start)
        assert rcpsp.check(p, c.start) == [], path.name
        assert p.lower_bound() <= c.lower_bound <= best <= c.makespan <= h.makespan, path.name
        if c.optimal:  # proved: then it is the published optimum
            assert c.makespan == best == c.lower_bound, path.name


@needs_data
def test_benchmark_runner_reports_deviation_and_feasibility() -> None:
    runs = list(run(PSPLIB / "j30", time_limit=2, solver="hybrid", every=120))
    optima = read_optima(PSPLIB / "j30" / "optimum" / "optimum.csv")
    assert [r.instance for r in runs] == [p.name for p in instances(PSPLIB / "j30", every=120) for _ in "ab"]
    for r in runs:
        assert r.feasible and r.best_known == optima[r.instance][1] and r.optimum_known
        assert r.makespan >= r.best_known >= r.lower_bound, r
        assert not r.proved_optimal or r.makespan == r.best_known, r
    rows = {row["solver"]: row for row in summary(runs)}
    assert set(rows) == {"hybrid", "plain CP-SAT"}
    for name, row in rows.items():
        mine = [r for r in runs if r.solver == name]
        assert row["instances"] == 4 and row["feasible"] == 4
        assert row["at_best_known"] == sum(r.makespan == r.best_known for r in mine)
        assert row["proved_optimal"] == sum(r.proved_optimal for r in mine) <= row["at_best_known"]
        by_hand = sum(100 * (r.makespan - r.best_known) / r.best_known for r in mine) / 4
        assert row["dev_best_pct"] == pytest.approx(by_hand) and row["dev_best_pct"] >= 0
        assert row["dev_lb_pct"] >= row["dev_best_pct"]


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
    for sol in (rcpsp.heuristic(p, time_limit=0.1), rcpsp.cpsat(p, time_limit=60)):
        assert rcpsp.check(p, sol.start) == []
        assert sol.start[1] >= sol.start[0] + 1 and sol.start[2] + 2 >= sol.start[1] + 4 and sol.start[2] >= 3


def test_cycles_are_refused() -> None:
    with pytest.raises(ValueError, match="cycle"):
        rcpsp.Problem([1, 1], [0, 1], [1, 0], [1, 1], [[0], [0]], [1])


def test_genetic_algorithm_on_random_generalized_problems() -> None:
    """Random links (negative and positive start distances), release times and pinned tasks: every GA
    schedule passes the checker and never beats CP-SAT's bound, nor its optimum where proved. The GA's
    budget is a number of schedules (deterministic for its seed), its time limit out of reach."""
    rng = np.random.default_rng(7)
    reached = proved = 0
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
        ga = rcpsp.heuristic(p, time_limit=600, max_schedules=400, population=20, threads=1)
        exact = rcpsp.cpsat(p, time_limit=60)  # stops as soon as it proves the optimum
        assert rcpsp.check(p, ga.start) == [], rcpsp.check(p, ga.start)
        assert rcpsp.check(p, exact.start) == [], rcpsp.check(p, exact.start)
        assert ga.makespan >= exact.lower_bound and exact.makespan >= exact.lower_bound >= p.lower_bound()
        if exact.optimal:
            proved += 1
            reached += ga.makespan == exact.makespan
    assert reached >= proved - 2  # 400 schedules find the proven optimum of most of these small problems


@needs_data
def test_a_baseline_timeout_is_recorded_and_the_run_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from prometheus.cli import app

    def no_schedule(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise TimeoutError("CP-SAT found no schedule in 0.01 s")

    monkeypatch.setattr(rcpsp, "cpsat", no_schedule)  # the plain CP-SAT baseline finds nothing in time
    runs = list(run(PSPLIB / "j30", time_limit=0.2, solver="heuristic", every=240))
    assert [(r.solver, r.timed_out) for r in runs] == [("heuristic", False), ("plain CP-SAT", True)] * 2
    assert all(r.feasible and r.makespan >= r.best_known for r in runs if not r.timed_out)
    rows = {row["solver"]: row for row in summary(runs)}
    assert rows["plain CP-SAT"]["timeouts"] == 2 and rows["plain CP-SAT"]["feasible"] == 0
    assert rows["heuristic"]["timeouts"] == 0 and rows["heuristic"]["feasible"] == 2

    args = ["bench", "psplib", str(PSPLIB / "j30"), "--time-limit", "0.2", "--solver", "heuristic"]
    out = CliRunner().invoke(app, [*args, "--every", "240"])
    assert out.exit_code == 0, out.output
    assert out.output.count("TIMEOUT") == 2 and "plain CP-SAT" in out.output
