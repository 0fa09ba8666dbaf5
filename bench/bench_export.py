"""Microsoft Project XML (MSPDI) export of generated plans, in the parts of the export route's work: the
portable document (`formats.document.to_document`), the schedule (`core.analysis.schedule_plan`; the route
keeps it, made once per revision of the plan) and the XML (`formats.mspdi.write_mspdi`), each timed alone
(the document and the XML with the cycle collector paused, `registry.gc_paused`: the work itself, not when
the collector happens to run), and `formats.registry.export_plan`, the document and the XML as the route
makes them (it reads the plan besides).

    python bench/bench_export.py [--sizes 1000 5000 20000] [--repeat 3] [--baseline TREE]

Plans: `bench/plans.py`'s calendars shape with about 4 links a task (all four types, working and elapsed
lags), three resources (two on calendars of their own), one assignment a task, plan holidays, and notes
on every tenth task. `--baseline TREE` (e.g. `git archive <commit> | tar -x -C TREE`) times the code in
TREE on the same plans, each size in turn, side by side, and says whether both wrote the same bytes.
Medians; the load average is printed before and after: compare figures of one run only.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = date(2026, 11, 30)


def measure(n: int, repeat: int) -> dict[str, float | str]:
    """Median seconds of each part for a plan of n tasks, and the digest of the XML written."""
    from prometheus.core.analysis import schedule_plan
    from prometheus.core.model import Plan
    from prometheus.formats.document import to_document
    from prometheus.formats.mspdi import write_mspdi
    from prometheus.formats.registry import export_plan, gc_paused

    spec = importlib.util.spec_from_file_location("plans", ROOT / "bench" / "plans.py")  # this tree's
    plans = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plans)
    shaped_plan = plans.shaped_plan

    def plan_of(n: int) -> Plan:
        tasks, deps, kw = shaped_plan(n, "calendars", links_per_task=4.0)
        tasks = [
            t.model_copy(update={"position": i, "notes": f"Note {i} & <more>" if i % 10 == 0 else ""})
            for i, t in enumerate(tasks)
        ]
        return Plan(id="p", name=f"Export & {n}", start_date=START, calendar=kw["calendar"], tasks=tasks,
                    dependencies=deps, resources=kw["resources"])  # fmt: skip

    small = plan_of(100)  # not timed: the scheduler's kernels compile on their first run
    write_mspdi(to_document(small), schedule_plan(small, START))
    plan = plan_of(n)
    deps = plan.dependencies or []
    times: dict[str, list[float]] = {"document": [], "schedule": [], "xml": [], "export": []}
    for _ in range(repeat):
        with gc_paused():
            t0 = time.perf_counter()
            doc = to_document(plan)
            t1 = time.perf_counter()
        s = schedule_plan(plan, START)
        t2 = time.perf_counter()
        with gc_paused():
            xml = write_mspdi(doc, s)
            t3 = time.perf_counter()
        data = export_plan(plan, s, "mspdi")[0]
        t4 = time.perf_counter()
        assert data == xml
        for part, dt in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            times[part].append(dt)
    out: dict[str, float | str] = {part: statistics.median(v) for part, v in times.items()}
    out |= {"links": len(deps), "bytes": len(xml), "sha256": hashlib.sha256(xml).hexdigest()[:16]}
    return out


def run(tree: Path, n: int, repeat: int) -> dict:
    """`measure` in a process of its own on the code in `tree`."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    cmd = [sys.executable, __file__, "--one", str(n), "--repeat", str(repeat), "--tree", str(tree)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{tree}: {done.stderr}")
    return json.loads(done.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", type=Path, help="a tree of the code to compare with")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--tree", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:  # a child process, on the code in its tree
        sys.path.insert(0, str(args.tree.resolve()))
        print(json.dumps(measure(args.one, args.repeat)))
        return
    print(f"cpus {os.cpu_count()}, load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| tasks | links | code | document | schedule | XML | export_plan | bytes | sha256 |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---|")
    for n in args.sizes:
        for label, tree in (("baseline", args.baseline), ("this tree", ROOT)):
            if tree is None:
                continue
            r = run(tree, n, args.repeat)
            ms = " | ".join(f"{r[p] * 1000:,.0f} ms" for p in ("document", "schedule", "xml", "export"))
            print(f"| {n:,} | {r['links']:,} | {label} | {ms} | {r['bytes']:,} "
                  f"| {r['sha256']} |", flush=True)  # fmt: skip
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
