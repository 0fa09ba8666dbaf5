"""Scheduling speed: Prometheus against MPXJ's MicrosoftScheduler and a plain networkx CPM.

    python bench/bench_schedule.py [--sizes 1000 10000 100000] [--repeat 5] [--warmup 20]

Each engine schedules the same generated plans (about 3 links per task, 80% FS, lags) in each shape of
bench/plans.py (working lags; elapsed lags; elapsed lags with holidays and resource calendars; a DHTMLX-style
chain); the table gives the median wall time of `repeat` runs. MPXJ's time is its schedule() call alone
(the project is built before the clock starts). Prometheus is timed twice, both times compiling the plan
and building results: from the domain objects (reading every task and link object), and from a `PlanTable`
(the plan's tasks and links read into columns before the clock starts, as MPXJ's project is built before
it; the server keeps one per plan revision and moves it on when a task changes).
Both engines run `warmup` untimed schedules of each plan first (the JVM's JIT compiles MPXJ over its first
runs; one warm-up run leaves it several times slower than it settles at), and the machine's load average is
printed with the table: figures taken on a busy machine are not comparable. The plans, built before any
timing, are frozen out of Python's cyclic garbage collector (`gc.freeze()`), as a server keeps long-lived
data: otherwise a full collection over their millions of objects lands in whichever timed run triggers it.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import networkx as nx  # noqa: E402

from bench.plans import SHAPES, generated_plan, shaped_plan  # noqa: E402
from prometheus.core.cpm.table import PlanTable  # noqa: E402
from prometheus.core.model import Dependency, Task  # noqa: E402
from prometheus.core.scheduler import Network, schedule  # noqa: E402

START = datetime(2026, 11, 30, 8)


def median_time(fn, repeat: int, warmup: int = 0) -> float:  # noqa: ANN001
    """The median wall time of `repeat` timed calls after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def warmup_runs(warmup: int, n: int) -> int:
    """Untimed runs before timing a plan of n tasks: all of them up to 10,000 tasks, a quarter above (the
    JIT is warm from the smaller plans by then, and each run of a big plan takes seconds)."""
    return warmup if n <= 10_000 else max(1, warmup // 4)


def networkx_cpm(tasks: list[Task], deps: list[Dependency]) -> int:
    """Textbook CPM on a networkx DiGraph in whole minutes, no calendar: the plain baseline."""
    g = nx.DiGraph()
    dur = {t.id: int(t.duration * 480) for t in tasks}
    g.add_nodes_from(dur)
    for d in deps:
        g.add_edge(d.predecessor_id, d.successor_id, type=d.type.value, lag=int(d.lag * 480))
    order = list(nx.topological_sort(g))
    es: dict[str, int] = {}
    for v in order:
        best = 0
        for u, _, a in g.in_edges(v, data=True):
            t, lag = a["type"], a["lag"]
            if t == "FS":
                c = es[u] + dur[u] + lag
            elif t == "SS":
                c = es[u] + lag
            elif t == "FF":
                c = es[u] + dur[u] + lag - dur[v]
            else:
                c = es[u] + lag - dur[v]
            best = max(best, c)
        es[v] = best
    finish = max(es[v] + dur[v] for v in order)
    lf: dict[str, int] = {}
    for v in reversed(order):
        best = finish
        for _, w, a in g.out_edges(v, data=True):
            t, lag = a["type"], a["lag"]
            if t == "FS":
                c = lf[w] - dur[w] - lag
            elif t == "SS":
                c = lf[w] - dur[w] - lag + dur[v]
            elif t == "FF":
                c = lf[w] - lag
            else:
                c = lf[w] - lag + dur[v]
            best = min(best, c)
        lf[v] = best
    return finish


def incremental(n: int, changes: int = 30) -> None:
    """One task's duration changes in an n-task plan: a full pass against the incremental update."""
    import random

    tasks, deps = generated_plan(n)
    net = Network(tasks, deps, start=START)
    net.solve()
    rng = random.Random(7)
    full = median_time(lambda: schedule(tasks, deps, start=START), 5)
    times = []
    for _ in range(changes):
        victim = rng.choice(net.leaves).id
        t0 = time.perf_counter()
        net.set_duration(victim, rng.choice([0.5, 1, 2, 3, 5, 8]))
        times.append(time.perf_counter() - t0)
    inc = statistics.median(times)
    print("| plan | full reschedule | one duration changed (incremental) | ratio |")
    print("|---:|---:|---:|---:|")
    print(f"| {n:,} tasks | {full * 1000:,.1f} ms | {inc * 1000:,.2f} ms | {full / inc:,.0f}x |")


def mpxj_time(build, tasks, deps, kwargs, n: int, args) -> float:  # noqa: ANN001
    """MPXJ's median schedule() time on one plan, after its warm-up runs (the JIT compiles over them)."""
    from org.mpxj.cpm import MicrosoftScheduler

    from tests.mpxj_oracle import _ldt

    calendar, resources = kwargs.get("calendar"), kwargs.get("resources")
    times = []
    for _ in range(warmup_runs(args.warmup, n)):
        file, _ = build(tasks, deps, calendar, resources)
        MicrosoftScheduler().schedule(file, _ldt(START))
    for _ in range(args.repeat if n <= 10_000 else max(1, args.repeat // 2)):
        file, _ = build(tasks, deps, calendar, resources)
        t0 = time.perf_counter()
        MicrosoftScheduler().schedule(file, _ldt(START))
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument(
        "--shapes", nargs="+", default=list(SHAPES), choices=SHAPES, help="plan shapes (plans.py)"
    )
    ap.add_argument("--chain", type=int, default=10000, help="tasks in the chain shape")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=20, help="untimed runs of each engine on each plan first")
    ap.add_argument("--no-mpxj", action="store_true")
    ap.add_argument(
        "--incremental", type=int, default=10000, help="plan size for the incremental test (0: skip)"
    )
    args = ap.parse_args()
    mpxj = None
    if not args.no_mpxj:
        try:
            from tests.mpxj_oracle import available, build_project

            if available():
                mpxj = build_project
        except ImportError:
            pass
    plans = {
        (shape, n): shaped_plan(n, shape)
        for shape in args.shapes
        for n in ([args.chain] if shape == "chain" else args.sizes)
    }
    # the plans are input, kept for the whole run: frozen out of the cyclic GC, or a full collection over
    # millions of plan objects (some 0.1 s each) lands in whichever schedule happens to trigger it
    gc.collect()
    gc.freeze()
    rows = {}
    load_before = os.getloadavg()
    for (shape, n), (tasks, deps, kw) in plans.items():  # our engine first: no JVM in the process yet
        warm = warmup_runs(args.warmup, n)
        ours = median_time(lambda: schedule(tasks, deps, start=START, **kw), args.repeat, warm)  # noqa: B023
        table = PlanTable.of(tasks, deps)
        tabled = median_time(lambda: schedule(table, start=START, **kw), args.repeat, warm)  # noqa: B023
        nxt = None
        if shape == "working":
            nxt = median_time(lambda: networkx_cpm(tasks, deps), max(1, args.repeat // 2))  # noqa: B023
        rows[shape, n] = [len(deps), ours, tabled, nxt, None]
    if args.incremental:
        incremental(args.incremental)
    if mpxj is not None:
        from tests.mpxj_oracle import _jvm

        _jvm()
        for (shape, n), (tasks, deps, kw) in plans.items():
            rows[shape, n][4] = mpxj_time(mpxj, tasks, deps, kw, n, args)
    load_after = os.getloadavg()
    print()
    print(
        f"{os.cpu_count()} CPUs; load average (1, 5, 15 min) {' '.join(f'{x:.2f}' for x in load_before)} "
        f"before, {' '.join(f'{x:.2f}' for x in load_after)} after; medians of {args.repeat} runs after "
        f"{args.warmup} warm-up runs per plan (above 10,000 tasks, a quarter as many)"
    )
    print(
        "| plan | tasks | links | Prometheus, objects | Prometheus, PlanTable | networkx, no calendar "
        "| MPXJ MicrosoftScheduler | MPXJ / ours (objects, table) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    ms = lambda x: f"{x * 1000:,.1f} ms" if x is not None else "n/a"  # noqa: E731
    for (shape, n), (m, ours, tabled, nxt, ref) in rows.items():
        ratio = f"{ref / ours:.1f}x, {ref / tabled:.1f}x" if ref is not None else "n/a"
        print(f"| {shape} | {n:,} | {m:,} | {ms(ours)} | {ms(tabled)} | {ms(nxt)} | {ms(ref)} | {ratio} |")


if __name__ == "__main__":
    main()
