"""What-if scenarios on a 10,000-task plan, side by side with a full copy of the plan, in one run:
opening a scenario (one row, nothing copied) and comparing it with its plan after a change, each as a ratio
to copying the whole plan (its tasks, links, resources and assignments) inside the database.

    python bench/bench_scenarios.py [--tasks 10000] [--repeat 15] [--copies 3] [--postgres]

The scenario operations go through the API in process (FastAPI's TestClient: routing, JSON, the database);
the copy is the cheapest full copy there is, the store's own (load the plan, insert every row), without
HTTP. The compare follows a change to the scenario (so no kept answer is reused); the plan itself is
unchanged, so its load and schedule are kept per revision, as in a running server. Medians; the load
average of the machine before and after is printed with the results.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402

from bench.plans import generated_plan  # noqa: E402
from prometheus.core.documents import DocAssignment, DocLink, DocPlan, DocResource, DocTask, PlanDocument
from prometheus.formats.document import to_document  # noqa: E402
from prometheus.store import Database  # noqa: E402
from tests.conftest import FreshPostgres  # noqa: E402


def document(n: int, resources: int = 20) -> PlanDocument:
    """The generated plan of bench/plans.py with `resources` people, one on each task in turn."""
    tasks, deps = generated_plan(n)
    return PlanDocument(
        plan=DocPlan(name=f"bench {n}", start_date=date(2026, 12, 7)),
        resources=[DocResource(key=f"r{i}", name=f"Person {i}", cost_rate=40 + i) for i in range(resources)],
        tasks=[
            DocTask(
                key=t.id,
                name=t.name,
                duration=t.duration,
                assignments=[DocAssignment(resource=f"r{i % resources}")],
            )
            for i, t in enumerate(tasks)
        ],
        dependencies=[
            DocLink(predecessor=d.predecessor_id, successor=d.successor_id, type=d.type, lag=d.lag)
            for d in deps
        ],
    )


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def ok(r) -> dict:  # noqa: ANN001
    assert r.status_code in (200, 201), r.text
    return r.json()["data"]


def run(url: str, n: int, repeat: int, copies: int) -> dict:
    os.environ["PROMETHEUS_DATABASE_URL"] = url
    from prometheus.api.app import create_app
    from prometheus.config import Settings

    # the webhook dispatcher waits on SQLite's write lock while a copy holds it for seconds: it says so and
    # retries; its log is kept out of the results
    logging.getLogger("prometheus.webhooks").setLevel(logging.CRITICAL)
    app = create_app(Settings())
    with TestClient(app) as http:
        db: Database = app.state.db
        with db.store() as store:
            pid = store.import_document(document(n)).id

        def copy() -> None:
            with db.store() as store:
                store.import_document(to_document(store.get_plan(pid)))

        api = f"/api/plans/{pid}/scenarios"
        create_ms = [timed(lambda: ok(http.post(api, json={"name": "what if"}))) for _ in range(repeat)]
        sid = ok(http.post(api, json={"name": "compared"}))["id"]
        tasks = ok(http.get(f"/api/plans/{pid}/tasks", params={"limit": 20}))
        person = ok(http.get(f"/api/plans/{pid}/resources"))[0]["id"]
        ok(http.delete(f"{api}/{sid}/resources/{person}"))  # one person less
        cold_ms = timed(lambda: ok(http.get(f"{api}/{sid}/compare")))  # first: the plan is scheduled
        compare_ms = []
        for i in range(repeat):
            ok(http.patch(f"{api}/{sid}/tasks/{tasks[i % 20]['id']}", json={"duration": 3 + i}))
            compare_ms.append(timed(lambda: ok(http.get(f"{api}/{sid}/compare"))))
        moved = ok(http.get(f"{api}/{sid}/compare"))["difference"]["tasks_moved"]
        ok(http.patch(f"/api/plans/{pid}/tasks/{tasks[-1]['id']}", json={"name": "renamed"}))
        changed_ms = timed(lambda: ok(http.get(f"{api}/{sid}/compare")))  # the plan loaded again
        # copies last: on PostgreSQL, what 100,000 new rows set off (autovacuum) would slow the scenario runs
        copy_ms = [timed(copy) for _ in range(copies)]
    return {
        "copy": statistics.median(copy_ms),
        "create": statistics.median(create_ms),
        "compare": statistics.median(compare_ms),
        "compare_cold": cold_ms,
        "compare_changed": changed_ms,
        "moved": moved,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="also on a fresh PostgreSQL database")
    args = parser.parse_args()
    backends = {"SQLite": f"sqlite:///{tempfile.mkdtemp()}/bench.db"}
    pg = FreshPostgres() if args.postgres else None
    if pg is not None:
        backends["PostgreSQL"] = pg.create()
    load_before = os.getloadavg()
    try:
        rows = {name: run(url, args.tasks, args.repeat, args.copies) for name, url in backends.items()}
    finally:
        if pg is not None:
            pg.drop_all()
    load_after = os.getloadavg()
    print(f"{args.tasks:,} tasks; medians of {args.repeat} (copies: {args.copies}); load average "
          f"{load_before[0]:.2f} before, {load_after[0]:.2f} after (1 min)")  # fmt: skip
    print("| database | full copy | open a scenario | ratio | compare after a change | ratio | tasks moved |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        print(
            f"| {name} | {r['copy']:,.0f} ms | {r['create']:.1f} ms | {r['create'] / r['copy']:.4f} "
            f"| {r['compare']:.0f} ms | {r['compare'] / r['copy']:.3f} | {r['moved']:,} |"
        )
    for name, r in rows.items():
        print(
            f"{name}: first compare {r['compare_cold']:,.0f} ms (the plan scheduled and its side kept); "
            f"first after the plan changed {r['compare_changed']:,.0f} ms (the plan loaded again)"
        )


if __name__ == "__main__":
    main()
