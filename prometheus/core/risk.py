"""Monte Carlo schedule risk analysis over a compiled network, vectorized across iterations.

Each task with a three-point estimate (optimistic, most likely, pessimistic, in its duration unit) draws its
duration from a triangular, PERT (beta) or normal distribution; the others keep their duration, and tasks
already finished keep their actual one. Every iteration schedules the plan in the working time of the plan
calendar with its links, lags and date constraints; elapsed lags count as the working time they span in
the deterministic schedule. The result: finish percentiles, the chance of finishing by a target date, how
often each task is critical (criticality index) and how strongly its duration drives the finish
(correlation, the sensitivity ranking).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import numpy as np

from prometheus.core.bounds import LATEST_YEAR
from prometheus.core.calendar import SchedulingError
from prometheus.core.cpm.rules import ALAP, ASAP, FF, constrain_early, early_bound, first_start, late_bound
from prometheus.core.scheduler import Network

CHUNK_CELLS = 4_000_000  # tasks x iterations held at once (about 32 MB per array)
MAX_CELLS = 1_000_000_000  # tasks x iterations of one simulation (about a minute of one core)
# (tasks + links) x chunks of iterations: the steps the passes take one at a time (each task and each link
# of every chunk, about 20 us each: about a minute of one core); 5,000 tasks with 200,000 links took half an
# hour at 200,000 iterations
MAX_STEPS = 1_500_000


def max_iterations(tasks: int, links: int) -> int:
    """The most iterations a plan of `tasks` tasks and `links` links may simulate (MAX_CELLS, MAX_STEPS)."""
    chunk = max(1, CHUNK_CELLS // max(tasks, 1))
    return min(MAX_CELLS // max(tasks, 1), MAX_STEPS // (tasks + links) * chunk)


class Distribution(StrEnum):
    triangular = "triangular"
    pert = "pert"
    normal = "normal"


@dataclass
class RiskResult:
    iterations: int
    seed: int | None
    distribution: str
    deterministic_finish: datetime
    percentiles: dict[str, datetime]
    mean_finish: datetime
    std_days: float
    target: datetime | None
    probability_on_time: float | None
    criticality: dict[str, float]
    sensitivity: list[dict]
    finish_minutes: np.ndarray  # working minutes from the project start to the finish, per iteration


def _sample(
    rng: np.random.Generator, dist: Distribution, o: np.ndarray, m: np.ndarray, p: np.ndarray, size: int
):  # noqa: ANN202
    """Durations (tasks x iterations) from three-point estimates."""
    if dist is Distribution.triangular:
        out = np.repeat(m[:, None], size, axis=1)  # a degenerate estimate is a fixed duration
        wide = p > o
        if wide.any():
            out[wide] = rng.triangular(o[wide, None], m[wide, None], p[wide, None], (int(wide.sum()), size))
        return out
    if dist is Distribution.pert:
        span = np.where(p > o, p - o, 1.0)
        a = 1 + 4 * (m - o) / span
        b = 1 + 4 * (p - m) / span
        return o[:, None] + rng.beta(a[:, None], b[:, None], (o.size, size)) * (p - o)[:, None]
    sigma = (p - o) / 6  # the PERT standard deviation
    return np.maximum(rng.normal(m[:, None], sigma[:, None], (o.size, size)), 0.0)


def monte_carlo(
    net: Network,
    *,
    iterations: int = 10_000,
    seed: int | None = None,
    distribution: Distribution = Distribution.triangular,
    target: datetime | None = None,
) -> RiskResult:
    """Simulate the schedule of a solved network `iterations` times."""
    c = net.compiled
    n = c.n
    if n == 0:
        raise SchedulingError("the plan has no tasks to simulate")
    most = max_iterations(n, c.pred.size)
    if iterations > most:
        raise SchedulingError(
            f"{n:,} tasks and {c.pred.size:,} links can be simulated {most:,} times in about a minute of "
            f"the server: ask for at most {most:,} iterations"
        )
    rng = np.random.default_rng(seed)
    wc, ps = c.plan_calendar, c.project_start

    # which tasks vary, in minutes of work
    leaves = c.tasks
    factor = np.array([c.unit_minutes[t.duration_unit] for t in leaves], dtype=np.float64)
    three = np.array(
        [
            t.optimistic_duration is not None
            and t.pessimistic_duration is not None
            and not (c.started[i] or c.manual[i])  # started or manually scheduled: their dates hold
            for i, t in enumerate(leaves)
        ],
        dtype=bool,
    )
    var_idx = np.flatnonzero(three)
    o = np.array([leaves[i].optimistic_duration for i in var_idx], dtype=np.float64) * factor[var_idx]
    p = np.array([leaves[i].pessimistic_duration for i in var_idx], dtype=np.float64) * factor[var_idx]
    m = (
        np.array(
            [
                leaves[i].most_likely_duration
                if leaves[i].most_likely_duration is not None
                else leaves[i].duration
                for i in var_idx
            ],
            dtype=np.float64,
        )
        * factor[var_idx]
    )
    m = np.clip(m, o, p)
    base_dur = c.duration.astype(np.float64)

    # links in the deterministic working time (elapsed lags as the working minutes they spanned)
    pred, succ, ltype = c.pred, c.succ, c.link_type
    from_finish, to_finish = c.from_finish, c.to_finish
    lag = c.lag_working.astype(np.float64)
    if c.any_elapsed:
        el, C, kal = c.lag_is_elapsed, c.calendars, c.calendar_of
        base = np.where(from_finish[el], net.early_finish[pred[el]], net.early_start[pred[el]])
        at = C.moment(kal[pred[el]], base, from_finish[el]) + c.lag_elapsed[el]
        lag[el] = C.index_of(kal[succ[el]], at) - base
    order = c.topological_order  # tasks by topological level
    in_edges = [[] for _ in range(n)]
    out_edges = [[] for _ in range(n)]
    for e, (a, b) in enumerate(zip(pred.tolist(), succ.tolist(), strict=True)):
        in_edges[b].append(e)
        out_edges[a].append(e)
    ctype, cidx = c.constraint_type, c.constraint_at.astype(np.float64)
    first = first_start(ctype, cidx, base_dur, float(ps))
    has_pred = c.has_predecessor

    chunk = max(1, min(iterations, CHUNK_CELLS // max(n, 1)))
    finishes = np.empty(iterations, dtype=np.float64)
    crit_count = np.zeros(n, dtype=np.float64)
    sx = np.zeros(var_idx.size)
    sxx = np.zeros(var_idx.size)
    sxy = np.zeros(var_idx.size)
    sy = syy = 0.0
    done = 0
    while done < iterations:
        size = min(chunk, iterations - done)
        D = np.repeat(base_dur[:, None], size, axis=1)
        if var_idx.size:
            D[var_idx] = _sample(rng, distribution, o, m, p, size)
        ES = np.empty((n, size))
        EF = np.empty((n, size))
        for i in order.tolist():
            es = np.full(size, first[i]) if not has_pred[i] else np.full(size, -np.inf)
            for e in in_edges[i]:
                a = pred[e]
                cand = early_bound(EF[a] if from_finish[e] else ES[a], lag[e], to_finish[e], D[i])
                if ltype[e] == FF:
                    cand = np.maximum(cand, ps)
                np.maximum(es, cand, out=es)
            if ctype[i] not in (ASAP, ALAP):
                es = constrain_early(ctype[i], cidx[i], D[i], es)
            ES[i] = es
            EF[i] = es + D[i]
        finish = EF.max(axis=0)
        LF = np.empty((n, size))
        for i in order[::-1].tolist():
            lf = finish.copy()
            for e in out_edges[i]:
                b = succ[e]
                late = late_bound(LF[b] - (not to_finish[e]) * D[b], lag[e], from_finish[e], D[i])
                np.minimum(lf, late, out=lf)
            LF[i] = lf
        crit_count += ((LF - EF) <= 0.5).sum(axis=1)
        y = finish - ps
        finishes[done : done + size] = y
        if var_idx.size:
            x = D[var_idx]
            sx += x.sum(axis=1)
            sxx += (x * x).sum(axis=1)
            sxy += (x * y).sum(axis=1)
        sy += y.sum()
        syy += (y * y).sum()
        done += size

    def when(minutes: float) -> datetime:
        return wc.datetimes(wc.finish_of(int(round(minutes)) + ps)).astype("datetime64[us]").tolist()

    pcts = {f"P{q}": when(np.percentile(finishes, q)) for q in (10, 50, 80, 95)}
    mean = finishes.mean()
    latest = max(pcts["P95"], when(mean))
    if latest.year > LATEST_YEAR:  # no date an answer gives lies past it, as a schedule's (cpm/reporting.py)
        raise SchedulingError(
            f"simulated finishes reach {latest:%Y-%m-%d}, after the year {LATEST_YEAR}: check the "
            "pessimistic durations"
        )
    probability = None
    if target is not None:
        target_minutes = int(wc.index_of(wc.minutes(target.replace(tzinfo=None)))) - ps
        probability = float((finishes <= target_minutes).mean())
    sensitivity = []
    if var_idx.size:
        nn = iterations
        cov = sxy / nn - (sx / nn) * (sy / nn)
        vx = sxx / nn - (sx / nn) ** 2
        vy = syy / nn - (sy / nn) ** 2
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = np.where((vx > 0) & (vy > 0), cov / np.sqrt(vx * vy), 0.0)
        for k in np.argsort(-np.abs(corr)).tolist():
            i = int(var_idx[k])
            sensitivity.append(
                {
                    "task_id": c.task_ids[i],
                    "name": c.task_names[i],
                    "correlation": round(float(corr[k]), 4),
                    "criticality": round(float(crit_count[i] / iterations), 4),
                }
            )
    return RiskResult(
        iterations=iterations,
        seed=seed,
        distribution=distribution.value,
        deterministic_finish=wc.datetimes(net.finish_at).astype("datetime64[us]").tolist(),
        percentiles=pcts,
        mean_finish=when(mean),
        std_days=round(float(finishes.std()) / c.minutes_per_day, 4),
        target=target,
        probability_on_time=probability,
        criticality={c.task_ids[i]: round(float(crit_count[i] / iterations), 4) for i in range(n)},
        sensitivity=sensitivity,
        finish_minutes=finishes,
    )
