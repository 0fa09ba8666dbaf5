"""`prometheus bench psplib`: the leveling solvers on PSPLIB instances, against their known optima.

For each instance: our solver and a plain CP-SAT model under the same time limit, the finish each reached,
its % deviation from the optimum or best known finish and from the critical-path lower bound, the time
taken, and whether the schedule passes `rcpsp.check` (links and capacities, verified apart from the
solvers). A solver that finds no schedule within the limit (plain CP-SAT raises TimeoutError) is recorded
as a timeout and the run goes on.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ortools.sat.python import cp_model  # noqa: F401  (loaded before any run is timed)

from prometheus.core import rcpsp
from prometheus.formats.psplib import read_optima, read_sm


@dataclass
class Run:
    instance: str
    solver: str
    lower_bound: int  # critical path
    best_known: int
    optimum_known: bool
    makespan: int | None  # None: no schedule within the time limit
    seconds: float
    feasible: bool
    proved_optimal: bool
    timed_out: bool = False

    @property
    def dev_best(self) -> float:
        return 100 * (self.makespan - self.best_known) / self.best_known if self.makespan else float("nan")

    @property
    def dev_lb(self) -> float:
        return 100 * (self.makespan - self.lower_bound) / self.lower_bound if self.makespan else float("nan")


def instances(folder: Path, every: int = 1, limit: int | None = None) -> list[Path]:
    """The `.sm` files of one PSPLIB set in their natural order (j301_1, j301_2, ... j302_1, ...)."""

    prefix = len(folder.name)  # j30, j60, j120

    def key(p: Path) -> tuple[int, int]:
        head, _, tail = p.stem.partition("_")
        return int(head[prefix:]), int(tail)

    files = sorted(folder.glob("*.sm"), key=key)[::every]
    return files[:limit] if limit else files


def solvers(time_limit: float, solver: str, workers: int | None) -> dict[str, Callable]:
    return {
        solver: lambda p: rcpsp.solve(p, solver=solver, time_limit=time_limit),
        "plain CP-SAT": lambda p: rcpsp.cpsat(p, time_limit=time_limit, plain=True, workers=workers),
    }


def run(
    folder: Path,
    *,
    time_limit: float,
    solver: str = "hybrid",
    compare: bool = True,
    every: int = 1,
    limit: int | None = None,
    workers: int | None = None,
) -> Iterator[Run]:
    optima = read_optima(folder / "optimum" / "optimum.csv")
    which = solvers(time_limit, solver, workers)
    if not compare:
        which.pop("plain CP-SAT")
    for path in instances(folder, every, limit):
        problem = read_sm(path)
        lo, hi = optima[path.name]
        lb = problem.lower_bound()
        for name, fn in which.items():
            t0 = time.perf_counter()
            try:
                sol = fn(problem)
            except TimeoutError:
                yield Run(
                    path.name, name, lb, hi, lo == hi, None, time.perf_counter() - t0, False, False, True
                )
                continue
            yield Run(
                path.name,
                name,
                lb,
                hi,
                lo == hi,
                sol.makespan,
                sol.seconds,
                not rcpsp.check(problem, sol.start),
                sol.optimal,
            )


def summary(runs: list[Run]) -> list[dict]:
    """One row per solver: counts over the instances, deviations averaged over those it solved in time."""
    out = []
    for name in dict.fromkeys(r.solver for r in runs):
        every = [r for r in runs if r.solver == name]
        mine = [r for r in every if not r.timed_out]
        out.append(
            {
                "solver": name,
                "instances": len(every),
                "timeouts": len(every) - len(mine),
                "feasible": sum(r.feasible for r in mine),
                "dev_best_pct": statistics.fmean(r.dev_best for r in mine) if mine else float("nan"),
                "dev_lb_pct": statistics.fmean(r.dev_lb for r in mine) if mine else float("nan"),
                "at_best_known": sum(r.makespan <= r.best_known for r in mine),
                "proved_optimal": sum(r.proved_optimal for r in mine),
                "median_s": statistics.median(r.seconds for r in every),
                "max_s": max(r.seconds for r in every),
            }
        )
    return out
