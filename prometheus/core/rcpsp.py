"""The resource-constrained project scheduling problem (RCPSP) and its two solvers.

A `Problem` is tasks with integer durations, minimum start-to-start distances between tasks (FS/SS/FF/SF
links with lags all become one: `start[b] >= start[a] + dist`), release times, tasks pinned in place,
and renewable resources with a capacity per period. Two solvers minimise the finish:

- `heuristic`: a genetic algorithm over activity lists (serial schedule generation and double
  justification compiled with numba in `sgs.py`), one population per core, until a time or schedule
  budget runs out;
- `cpsat`: OR-Tools CP-SAT (interval variables, one cumulative per resource), an exact and anytime solver,
  warm-started from the heuristic's best schedule and with every start bounded by it.

`solve(problem, solver="hybrid")` runs the genetic algorithm until it settles and hands its schedule to
CP-SAT. `check` verifies a schedule independently of both. Pure computation: no I/O.
"""

from __future__ import annotations

import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from prometheus.core import sgs


@dataclass
class Problem:
    dur: np.ndarray  # (n,) int periods
    pred: np.ndarray  # (m,) link from
    succ: np.ndarray  # (m,) link to
    dist: np.ndarray  # (m,) start[succ] >= start[pred] + dist
    demand: np.ndarray  # (n, R) int units per period
    capacity: np.ndarray  # (R,) int
    release: np.ndarray = None  # (n,) earliest start; zeros when None
    fixed: np.ndarray = None  # (n,) bool: start == release
    rank: np.ndarray = None  # (n,) smaller goes first among ties (priority); zeros when None

    def __post_init__(self) -> None:
        n = len(self.dur)
        self.dur = np.asarray(self.dur, dtype=np.int64)
        self.pred, self.succ = np.asarray(self.pred, dtype=np.int64), np.asarray(self.succ, dtype=np.int64)
        self.dist = np.asarray(self.dist, dtype=np.int64)
        self.demand = np.asarray(self.demand, dtype=np.int64).reshape(n, -1)
        self.capacity = np.asarray(self.capacity, dtype=np.int64)
        self.release = np.zeros(n, np.int64) if self.release is None else np.asarray(self.release, np.int64)
        self.fixed = np.zeros(n, bool) if self.fixed is None else np.asarray(self.fixed, bool)
        self.rank = np.zeros(n, np.int64) if self.rank is None else np.asarray(self.rank, np.int64)
        self.ins: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        self.outs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for a, b, d in zip(self.pred.tolist(), self.succ.tolist(), self.dist.tolist(), strict=True):
            self.ins[b].append((a, d))
            self.outs[a].append((b, d))
        self.order = self._topological()
        self.uses = [np.flatnonzero(row).tolist() for row in self.demand]

    @property
    def n(self) -> int:
        return len(self.dur)

    def _topological(self) -> list[int]:
        waiting = [len(x) for x in self.ins]
        ready = [i for i in range(self.n) if not waiting[i]]
        out = []
        while ready:
            i = ready.pop()
            out.append(i)
            for j, _ in self.outs[i]:
                waiting[j] -= 1
                if not waiting[j]:
                    ready.append(j)
        if len(out) != self.n:
            raise ValueError("the links form a cycle")
        return out

    def earliest(self) -> np.ndarray:
        """Earliest starts from links and release times alone (resources ignored)."""
        es = self.release.copy()
        for i in self.order:
            for j, d in self.outs[i]:
                es[j] = max(es[j], es[i] + d)
        return es

    def latest(self, finish: int) -> np.ndarray:
        """Latest starts that still finish by `finish` (resources ignored)."""
        ls = finish - self.dur
        for i in reversed(self.order):
            for j, d in self.outs[i]:
                ls[i] = min(ls[i], ls[j] - d)
        return np.where(self.fixed, self.release, ls)

    def lower_bound(self) -> int:
        """The critical-path bound: the finish with unlimited resources."""
        return int((self.earliest() + self.dur).max(initial=0))

    def horizon(self) -> int:
        """A finish every schedule generation reaches: everything one after another."""
        return int(self.earliest().max(initial=0) + self.dur.sum() + np.clip(self.dist, 0, None).sum() + 1)


@dataclass
class Solution:
    start: np.ndarray
    makespan: int
    lower_bound: int
    optimal: bool = False
    solver: str = "heuristic"
    schedules: int = 0  # schedules the heuristic generated
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def makespan(p: Problem, start: np.ndarray) -> int:
    return int((start + p.dur).max(initial=0))


def check(p: Problem, start: np.ndarray) -> list[str]:
    """Every broken link, release time or capacity in a schedule, in words (none when feasible)."""
    start = np.asarray(start, dtype=np.int64)
    errors = [
        f"link {a}->{b} needs start {start[a] + d}, got {start[b]}"
        for a, b, d in zip(p.pred.tolist(), p.succ.tolist(), p.dist.tolist(), strict=True)
        if start[b] < start[a] + d
    ]
    errors += [f"task {i} starts before its release" for i in np.flatnonzero(start < p.release).tolist()]
    errors += [f"task {i} is pinned but moved" for i in np.flatnonzero(p.fixed & (start != p.release))]
    if p.n and p.capacity.size:
        lo, hi = int(start.min()), makespan(p, start)
        use = np.zeros((p.capacity.size, hi - lo + 1), np.int64)
        for i in range(p.n):
            if p.dur[i] > 0 and not p.fixed[i]:
                use[:, start[i] - lo : start[i] + p.dur[i] - lo] += p.demand[i][:, None]
        pinned = np.zeros_like(use)  # pinned tasks may overlap each other; the rest must fit beside them
        for i in np.flatnonzero(p.fixed).tolist():
            pinned[:, start[i] - lo : start[i] + p.dur[i] - lo] += p.demand[i][:, None]
        room = np.maximum(p.capacity[:, None] - pinned, 0)
        for r, t in zip(*np.nonzero(use > room), strict=True):
            errors.append(f"resource {r} over capacity at period {t + lo}")
            if len(errors) > 20:
                break
    return errors


@dataclass
class _Arrays:
    """A Problem as the flat arrays the compiled kernels (`sgs.py`) take."""

    dur: np.ndarray
    dem: np.ndarray
    base: np.ndarray  # (periods, R) capacity left by the pinned tasks
    release: np.ndarray
    fixed: np.ndarray
    rank: np.ndarray
    in_ptr: np.ndarray
    in_src: np.ndarray
    in_d: np.ndarray
    out_ptr: np.ndarray
    out_dst: np.ndarray
    out_d: np.ndarray

    @classmethod
    def of(cls, p: Problem) -> _Arrays:
        periods = p.horizon() + int(p.dur.max(initial=0)) + 1
        base = np.repeat(p.capacity[None, :], periods, axis=0)
        for i in np.flatnonzero(p.fixed).tolist():
            if p.dur[i] > 0:
                base[p.release[i] : p.release[i] + p.dur[i]] -= p.demand[i][None, :]

        def csr(lists: list[list[tuple[int, int]]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            ptr = np.zeros(p.n + 1, np.int64)
            ptr[1:] = np.cumsum([len(x) for x in lists])
            flat = [e for x in lists for e in x]
            return ptr, np.array([j for j, _ in flat], np.int64), np.array([d for _, d in flat], np.int64)

        return cls(p.dur, p.demand, base, p.release, p.fixed, p.rank, *csr(p.ins), *csr(p.outs))

    def order(self, key: np.ndarray) -> np.ndarray:
        out = np.empty(len(self.dur), np.int64)
        sgs.ordered(np.asarray(key, np.int64), self.rank, self.in_ptr, self.out_ptr, self.out_dst, out)
        return out

    def justify(self, order: np.ndarray, start: np.ndarray) -> int:
        a = self
        return int(sgs.justify(order, a.dur, a.dem, a.base, a.release, a.fixed, a.rank, a.in_ptr, a.in_src,
                               a.in_d, a.out_ptr, a.out_dst, a.out_d, start))  # fmt: skip

    def evolve(self, pop: np.ndarray, fit: np.ndarray, starts: np.ndarray, generations: int, seed: int,
               lower: int) -> int:  # fmt: skip
        a = self
        return int(sgs.evolve(pop, fit, starts, generations, seed, a.dur, a.dem, a.base, a.release,
                              a.fixed, a.rank, a.in_ptr, a.in_src, a.in_d, a.out_ptr, a.out_dst, a.out_d,
                              lower))  # fmt: skip


def heuristic(
    p: Problem,
    *,
    time_limit: float = 1.0,
    max_schedules: int | None = None,
    seed: int = 0,
    population: int = 300,
    threads: int | None = None,
    settle: bool = False,
) -> Solution:
    """Genetic algorithm over activity lists with double justification (compiled, `sgs.py`), seeded with
    the latest-finish, latest-start and earliest-start priority rules and regret-biased samples of them;
    one population per thread (`threads`, default: every core), the best of each moving to the next
    after every round. Runs until the lower bound, the time limit or `max_schedules`; with `settle`, also
    once the second half of its run so far found nothing better."""
    t0 = time.perf_counter()
    lb = p.lower_bound()
    a = _Arrays.of(p)
    rng = np.random.default_rng(seed)
    lst = p.latest(p.horizon())
    lft = lst + p.dur
    spread = float(max(lft.max(initial=0) - lft.min(initial=0), 1))
    size = max(2, population + population % 2)
    islands = max(1, threads or os.cpu_count() or 1)
    total = size * islands
    pop = np.empty((total, p.n), np.int64)
    starts = np.empty((total, p.n), np.int64)
    fit = np.empty(total, np.int64)
    for k in range(total):
        if k < 3:  # the classic rules first
            key = (lft, lst, p.earliest())[k] * 16
        else:
            key = np.round((lft + rng.gumbel(0, 0.15 * spread, p.n)) * 16)
        pop[k] = a.order(key)
        fit[k] = a.justify(pop[k], starts[k])
        out_of_budget = max_schedules is not None and k + 1 >= max_schedules
        if out_of_budget or fit[k] <= lb or time.perf_counter() - t0 > time_limit:
            total = k + 1
            break
    count = total
    if total == size * islands and fit.min() > lb:
        parts = [slice(i * size, (i + 1) * size) for i in range(islands)]
        with ThreadPoolExecutor(islands) as pool:  # the kernels release the GIL
            rounds, record, improved = 0, fit.min(), time.perf_counter() - t0
            while fit.min() > lb:
                elapsed = time.perf_counter() - t0
                left = time_limit - elapsed
                if left <= 0 or (max_schedules is not None and count >= max_schedules):
                    break
                if fit.min() < record:
                    record, improved = fit.min(), elapsed
                if settle and elapsed > 0.1 * time_limit and elapsed > 2 * improved:
                    break
                per_generation = elapsed / count * size  # seconds, so far
                generations = max(1, min(50, int(min(left / 3, 0.05 * time_limit) / per_generation)))
                if max_schedules is not None:
                    generations = max(1, min(generations, (max_schedules - count) // total))
                rounds += 1
                seeds = [seed * 1_000_003 + rounds * 101 + i for i in range(islands)]
                done = pool.map(
                    lambda i, g=generations, s=seeds: a.evolve(
                        pop[parts[i]], fit[parts[i]], starts[parts[i]], g, s[i], lb
                    ),
                    range(islands),
                )
                count += sum(done)
                for i in range(islands if islands > 1 else 0):  # migration: best replaces the next's worst
                    src, dst = parts[i], parts[(i + 1) % islands]
                    b = src.start + int(np.argmin(fit[src]))
                    w = dst.start + int(np.argmax(fit[dst]))
                    if fit[b] < fit[w]:
                        pop[w], starts[w], fit[w] = pop[b], starts[b], fit[b]
    best = int(np.argmin(fit[:total]))
    ms = int(fit[best])
    return Solution(
        starts[best].copy(), ms, lb, optimal=ms == lb, solver="heuristic", schedules=count,
        seconds=time.perf_counter() - t0,
    )  # fmt: skip


def cpsat(
    p: Problem,
    *,
    time_limit: float = 5.0,
    hint: np.ndarray | None = None,
    workers: int | None = None,
    plain: bool = False,
) -> Solution:
    """Solve with OR-Tools CP-SAT. With `hint`, starts are bounded by that schedule's finish and the
    search starts from it; `plain` builds the textbook model (horizon = all durations in a row)."""
    from ortools.sat.python import cp_model  # here: OR-Tools (with pandas) takes ~0.5 s to import

    t0 = time.perf_counter()
    lb = p.lower_bound()
    es = p.earliest()
    ub = makespan(p, hint) if hint is not None else p.horizon()
    ls = p.latest(ub) if not plain else np.full(p.n, ub) - p.dur
    m = cp_model.CpModel()
    s = []
    for i in range(p.n):
        if p.fixed[i]:
            s.append(m.new_constant(int(p.release[i])))
        else:
            s.append(m.new_int_var(int(0 if plain else es[i]), int(max(ls[i], es[i])), f"s{i}"))
    if plain:
        for i in range(p.n):
            m.add(s[i] >= int(p.release[i]))
    for a, b, d in zip(p.pred.tolist(), p.succ.tolist(), p.dist.tolist(), strict=True):
        m.add(s[b] >= s[a] + d)
    for r, cap in enumerate(p.capacity.tolist()):
        users = np.flatnonzero((p.demand[:, r] > 0) & (p.dur > 0)).tolist()  # not a Python loop: n x R
        if not users:
            continue
        intervals = [m.new_fixed_size_interval_var(s[i], int(p.dur[i]), f"x{r}_{i}") for i in users]
        demands = [int(min(p.demand[i, r], cap)) for i in users]
        pinned = sum(int(p.demand[i, r]) for i in users if p.fixed[i])
        m.add_cumulative(intervals, demands, max(cap, pinned))
    end = m.new_int_var(lb, ub, "makespan")
    # a task whose successors all start after it finishes never ends the project
    sinks = range(p.n) if plain else [i for i in range(p.n) if not any(d >= p.dur[i] for _, d in p.outs[i])]
    for i in sinks:
        m.add(end >= s[i] + int(p.dur[i]))
    m.minimize(end)
    if hint is not None:
        for i in range(p.n):
            if not p.fixed[i]:
                m.add_hint(s[i], int(hint[i]))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit, 0.01)
    solver.parameters.num_workers = workers or max(os.cpu_count() or 1, 1)
    status = solver.solve(m)
    if status == cp_model.INFEASIBLE and hint is None:
        raise ValueError("no schedule keeps every link, release time and pinned task within the capacities")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if hint is not None:  # no better schedule proved or found in time: keep the hint
            ms = makespan(p, hint)
            return Solution(hint, ms, lb, ms == lb, "cpsat", seconds=time.perf_counter() - t0)
        raise TimeoutError(f"CP-SAT found no schedule in {time_limit:g} s")
    start = np.array([solver.value(x) for x in s], dtype=np.int64)
    bound = max(lb, math.ceil(solver.best_objective_bound))
    ms = makespan(p, start)
    return Solution(
        start,
        ms,
        bound,
        optimal=status == cp_model.OPTIMAL or ms == bound,
        solver="cpsat",
        seconds=time.perf_counter() - t0,
    )


def solve(
    p: Problem, *, solver: str = "heuristic", time_limit: float = 1.0, seed: int = 0, share: float = 0.8
) -> Solution:
    """`heuristic` (the genetic algorithm, default), `cpsat` (CP-SAT from the heuristic's first
    schedules), or `hybrid` (the genetic algorithm for `share` of the time, then CP-SAT from its best
    schedule, which also proves optimality where it can; the genetic algorithm hands over early once it
    stops improving)."""
    t0 = time.perf_counter()
    if solver == "heuristic":
        return heuristic(p, time_limit=time_limit, seed=seed)
    if solver not in ("cpsat", "hybrid"):
        raise ValueError(f"unknown solver {solver!r}: heuristic, cpsat or hybrid")
    if solver == "hybrid":
        first = heuristic(p, time_limit=time_limit * share, seed=seed, settle=True)
    else:
        first = heuristic(p, time_limit=time_limit, max_schedules=3, seed=seed, threads=1)
    if first.optimal:
        first.seconds = time.perf_counter() - t0
        return first
    left = 0.98 * time_limit - (time.perf_counter() - t0)  # leave room for building the model
    sol = cpsat(p, time_limit=left, hint=first.start)
    if sol.makespan > first.makespan:  # CP-SAT ran out of time before it reached the hint
        sol.start, sol.makespan = first.start, first.makespan
    sol.schedules, sol.solver, sol.seconds = first.schedules, solver, time.perf_counter() - t0
    return sol
