"""Do two versions of the scheduler give the same results on the benchmark plans? Run it once on each
version (for instance the main branch's checkout, then a branch's) and compare:

    python bench/same_results.py --save before.pkl          # on the first version
    python bench/same_results.py --against before.pkl       # on the second: lists every difference

Every shape of bench/plans.py at each size is scheduled as it is, with milestones, ALAP tasks and a project
deadline mixed in (the level-by-level passes), and after one duration changes (the incremental update); the
whole task table, the project dates, the critical paths and the conflicts are kept.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.plans import SHAPES, shaped_plan  # noqa: E402
from prometheus.core.model import ConstraintType  # noqa: E402
from prometheus.core.scheduler import Network, Schedule, schedule  # noqa: E402

START = datetime(2026, 11, 30, 8)


def record(s: Schedule) -> dict:
    """Everything a schedule answers, as plain values."""
    t = s.table
    return {
        "ids": t.ids,
        "names": t.names,
        **{f: getattr(t, f).tolist() for f in t.ARRAYS},
        "project": (s.project_start, s.project_finish, s.span_minutes, s.deadline),
        "paths": (s.critical_paths, s.paths_truncated),
        "conflicts": [(c.task_id, c.kind, c.message) for c in s.conflicts],
    }


def results(sizes: list[int]) -> dict:
    out = {}
    for shape in SHAPES:
        for n in [max(sizes)] if shape == "chain" else sizes:
            tasks, deps, kw = shaped_plan(n, shape)
            out[shape, n] = record(schedule(tasks, deps, start=START, **kw))
            mixed = [
                t.model_copy(update={"duration": 0})
                if i % 97 == 0
                else t.model_copy(update={"constraint_type": ConstraintType.ALAP})
                if i % 89 == 0
                else t
                for i, t in enumerate(tasks)
            ]
            late = date(2030, 1, 1)
            out[shape, n, "mixed"] = record(schedule(mixed, deps, start=START, deadline=late, **kw))
            net = Network(tasks, deps, start=START, **kw)
            net.solve()
            out[shape, n, "one changed"] = record(net.set_duration(tasks[n // 2].id, 13))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="keep this version's results in a file")
    group.add_argument("--against", type=Path, help="compare this version's results with a file's")
    args = ap.parse_args()
    now = results(args.sizes)
    if args.save:
        args.save.write_bytes(pickle.dumps(now))
        print(f"{len(now)} schedules kept in {args.save}")
        return
    before = pickle.loads(args.against.read_bytes())  # noqa: S301 (a file this script wrote)
    diffs = [(k, f) for k in before for f in before[k] if k not in now or before[k][f] != now[k][f]]
    for k, f in diffs:
        print("differs:", k, f)
    print(f"{len(before)} schedules compared, {len(diffs)} differences")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
