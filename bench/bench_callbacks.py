"""An execution's `completed` callback that moves every task of a plan, on SQLite and PostgreSQL.

    python bench/bench_callbacks.py [--tasks 1000 10000]

A real server process on loopback; each plan's tasks are created with the batch form of
`POST /api/plans/{id}/tasks`, an execution covering all of them is adopted by a callback carrying its plan
and steps, and the time of the callback with `status: completed` is measured (its answer included).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from tests.conftest import FreshPostgres, Server  # noqa: E402


def run(database_url: str, sizes: list[int], log: Path) -> dict[int, float]:
    srv = Server(database_url, log).start()
    out: dict[int, float] = {}
    try:
        api = httpx.Client(base_url=srv.url + "/api", timeout=600)
        for n in sizes:
            plan = api.post("/plans", json={"name": f"{n} tasks", "start_date": "2026-12-01"}).json()["data"]
            for first in range(0, n, 10_000):  # at most 10,000 a batch
                ids = range(first, min(n, first + 10_000))
                batch = [{"name": f"t{i}", "duration": 1 + i % 3} for i in ids]
                assert api.post(f"/plans/{plan['id']}/tasks", json=batch).status_code == 201
            steps = [{"id": f"task-{i}"} for i in range(1, n + 1)]
            adopt = {"execution_id": f"run-{n}", "plan_id": plan["id"], "steps": steps}
            assert api.post("/executions/callbacks", json=adopt).status_code == 200
            start = time.perf_counter()
            r = api.post("/executions/callbacks", json={"execution_id": f"run-{n}", "status": "completed"})
            out[n] = time.perf_counter() - start
            assert r.status_code == 200, r.text
    finally:
        srv.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, nargs="+", default=[1000, 10_000])
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    pg = FreshPostgres()
    try:
        for name, url in (("sqlite", f"sqlite:///{tmp}/bench.db"), ("postgresql", pg.create())):
            for n, seconds in run(url, args.tasks, tmp / f"{name}.log").items():
                print(f"{name:10} {n:>6} tasks: {seconds:6.2f} s ({seconds / n * 1000:.2f} ms a task)")
    finally:
        pg.drop_all()


if __name__ == "__main__":
    main()
