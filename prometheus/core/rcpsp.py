"""The resource-constrained project scheduling problem (RCPSP) and its two solvers.

A `Problem` is tasks with integer durations, minimum start-to-start distances between tasks (FS/SS/FF/SF
links with lags all become one: `start[b] >= start[a] + dist`), release times, tasks pinned in place,
and renewable resources with a capacity per period. Two solvers minimise the finish:

- `heuristic`: serial schedule generation (priority lists from latest finish times, then regret-biased
  random sampling) with forward-backward improvement (justification) until a time or schedule budget runs out;
- `cpsat`: OR-Tools CP-SAT (interval variables, one cumulative per resource), an exact and anytime solver,
  warm-started from the heuristic's best schedule and with every start bounded by it.

`solve(problem, solver="hybrid")` runs the heuristic briefly and hands its schedule to CP-SAT. `check`
verifies a schedule independently of both. Pure computation: no I/O.
"""

from __future__ import annotations

import heapq
import math
import os
import time
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model


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


class _Generator:
    """Serial schedule generation on a dense free-capacity table (resources x periods)."""

    def __init__(self, p: Problem):
        self.p = p
        self.H = p.horizon()
        self.base = np.repeat(p.capacity[:, None], self.H + int(p.dur.max(initial=0)) + 1, axis=1)
        for i in np.flatnonzero(p.fixed).tolist():
            if p.dur[i] > 0:
                self.base[:, p.release[i] : p.release[i] + p.dur[i]] -= p.demand[i][:, None]
        self.movable = [i for i in range(p.n) if not p.fixed[i]]

    def _fit(self, free: np.ndarray, i: int, t0: int) -> int:
        p = self.p
        d, uses = int(p.dur[i]), p.uses[i]
        if d == 0 or not uses:
            return t0
        need = p.demand[i, uses]
        room = free[uses]
        t = t0
        while True:
            window = room[:, t : t + 4 * d + 64]
            bad = (window < need[:, None]).any(axis=0)
            if not bad.any() and window.shape[1] >= d:
                return t
            runs = np.concatenate(([0], np.cumsum(bad)))
            ok = np.flatnonzero(runs[d:] == runs[:-d]) if bad.size >= d else np.array([], np.int64)
            if ok.size:
                return t + int(ok[0])
            t += max(bad.size - d + 1, 1)
            if t >= free.shape[1] - d:  # no room anywhere: the demand is above a capacity
                return t0

    def forward(self, order: list[int]) -> np.ndarray:
        """Schedule `order` (every task after its predecessors) each as early as it fits."""
        p = self.p
        free = self.base.copy()
        start = p.release.copy()
        for i in order:
            if p.fixed[i]:
                continue
            t0 = int(p.release[i])
            for a, d in p.ins[i]:
                t0 = max(t0, int(start[a]) + d)
            t = self._fit(free, i, t0)
            start[i] = t
            if p.uses[i] and p.dur[i]:
                free[p.uses[i], t : t + p.dur[i]] -= p.demand[i, p.uses[i]][:, None]
        return start

    def backward(self, start: np.ndarray) -> np.ndarray:
        """Right-justify a schedule: by latest finish first, each task as late as it fits before the
        finish and its successors. Never moves a task earlier."""
        p = self.p
        H = makespan(p, start)
        free = self.base.copy()
        new = start.copy()
        finish = start + p.dur
        order = self._ordered(-finish, reverse=True)
        for i in order:
            if p.fixed[i]:
                continue
            latest = H - int(p.dur[i])
            for b, d in p.outs[i]:
                latest = min(latest, int(new[b]) - d)
            t, lo = latest, int(start[i])
            uses, dd = p.uses[i], int(p.dur[i])
            if uses and dd and latest > lo:
                need = p.demand[i, uses][:, None]
                bad = (free[uses, lo : latest + dd] < need).any(axis=0)
                runs = np.concatenate(([0], np.cumsum(bad)))
                ok = np.flatnonzero(runs[dd:] == runs[:-dd])
                t = lo + int(ok[-1]) if ok.size else lo  # its own start always fits (justification)
            if uses and dd:
                free[uses, t : t + dd] -= p.demand[i, uses][:, None]
            new[i] = t
        return new

    def _ordered(self, key: np.ndarray, reverse: bool = False) -> list[int]:
        """Tasks by key (smallest first), but each after its predecessors (successors when reversed)."""
        p = self.p
        links_in = p.outs if reverse else p.ins
        links_out = p.ins if reverse else p.outs
        waiting = [len(x) for x in links_in]
        heap = [(int(key[i]), int(p.rank[i]), i) for i in range(p.n) if not waiting[i]]
        heapq.heapify(heap)
        out = []
        while heap:
            *_, i = heapq.heappop(heap)
            out.append(i)
            for j, _ in links_out[i]:
                waiting[j] -= 1
                if not waiting[j]:
                    heapq.heappush(heap, (int(key[j]), int(p.rank[j]), j))
        return out

    def improve(self, start: np.ndarray) -> np.ndarray:
        """Forward-backward improvement until the finish stops shrinking."""
        best = start
        while True:
            back = self.backward(best)
            fwd = self.forward(self._ordered(back))
            if makespan(self.p, fwd) >= makespan(self.p, best):
                return best
            best = fwd


def heuristic(
    p: Problem, *, time_limit: float = 1.0, max_schedules: int | None = None, seed: int = 0
) -> Solution:
    """Serial SGS with forward-backward improvement; sampled priority lists until the budget is spent."""
    t0 = time.perf_counter()
    lb = p.lower_bound()
    gen = _Generator(p)
    rng = np.random.default_rng(seed)
    lst = p.latest(gen.H)
    lft = lst + p.dur
    best = gen.improve(gen.forward(gen._ordered(lft)))
    count = 1
    for key in (lst, p.earliest()):  # the classic rules: latest start, earliest start
        cand = gen.improve(gen.forward(gen._ordered(key)))
        count += 1
        if makespan(p, cand) < makespan(p, best):
            best = cand
    spread = float(max(lft.max(initial=0) - lft.min(initial=0), 1))
    while makespan(p, best) > lb and time.perf_counter() - t0 < time_limit:
        if max_schedules is not None and count >= max_schedules:
            break
        # regret-biased sampling: latest finish plus noise, then the best schedule's starts, perturbed
        if count % 2:
            key = lft + rng.gumbel(0, 0.15 * spread, p.n)
        else:
            key = best + rng.gumbel(0, 0.1 * spread, p.n)
        cand = gen.improve(gen.forward(gen._ordered(np.round(key * 16).astype(np.int64))))
        count += 1
        if makespan(p, cand) < makespan(p, best):
            best = cand
    ms = makespan(p, best)
    return Solution(
        best, ms, lb, optimal=ms == lb, solver="heuristic", schedules=count, seconds=time.perf_counter() - t0
    )


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
        users = [i for i in range(p.n) if p.demand[i, r] > 0 and p.dur[i] > 0]
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


def solve(p: Problem, *, solver: str = "heuristic", time_limit: float = 1.0, seed: int = 0) -> Solution:
    """`heuristic` (fast, default), `cpsat` (exact/anytime from the heuristic's first schedules), or
    `hybrid` (heuristic for a tenth of the time, then CP-SAT from its best schedule)."""
    t0 = time.perf_counter()
    if solver == "heuristic":
        return heuristic(p, time_limit=time_limit, seed=seed)
    if solver not in ("cpsat", "hybrid"):
        raise ValueError(f"unknown solver {solver!r}: heuristic, cpsat or hybrid")
    share = 0.1 if solver == "hybrid" else 0.0
    first = heuristic(p, time_limit=time_limit * share, max_schedules=None if share else 3, seed=seed)
    if first.optimal:
        first.seconds = time.perf_counter() - t0
        return first
    left = 0.98 * time_limit - (time.perf_counter() - t0)  # leave room for building the model
    sol = cpsat(p, time_limit=left, hint=first.start)
    sol.schedules, sol.solver, sol.seconds = first.schedules, solver, time.perf_counter() - t0
    return sol
