"""The server's own CPU time per request (user + system, from /proc/PID/stat), which load from other programs
on the machine changes far less than throughput: single-task creation with 8 writers, 1,000 tasks in one
batch, plan reads (GET /plans/{id}, 8 readers), the 10,000-task MSPDI import of bench_datapath.py (two
in a row after a first one), against this tree and another one, alternated.

    python bench/bench_cpu.py --baseline TREE [--backends sqlite postgresql] [--pairs 3] [--requests 2000]
                              [--measures single batch read import]

Each pair starts a fresh `prometheus serve` for this tree and for TREE (bench_datapath.Server), in turns;
the table gives each measure's median over the pairs, in ms of server CPU per request.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_datapath import WRITERS, LeanClient, Server, database, document, drop, new_plan  # noqa: E402
from prometheus.formats.mspdi import write_mspdi  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def in_threads(url: str, count: int, request: Callable, plans: list[str] | None = None) -> list[str]:
    """`count` requests, `request(client, plan_id, k)` each, by WRITERS threads, each on its own plan (new
    ones unless `plans`); the plans."""
    if plans is None:
        with httpx.Client(base_url=url, timeout=120) as api:
            plans = [new_plan(api) for _ in range(WRITERS)]

    def run(plan_id: str) -> None:
        client = LeanClient(url)
        try:
            for k in range(count // WRITERS):
                request(client, plan_id, k)
        finally:
            client.close()

    threads = [threading.Thread(target=run, args=(p,)) for p in plans]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return plans


def post_one(client: LeanClient, plan_id: str, k: int) -> None:
    status, text = client.post(f"/plans/{plan_id}/tasks", {"name": f"t{k}", "duration": 1})
    assert status == 201, text


def get_plan(client: LeanClient, plan_id: str, _k: int) -> None:
    client.conn.request("GET", f"{client.prefix}/plans/{plan_id}")
    r = client.conn.getresponse()
    assert r.status == 200, r.read()
    r.read()


MEASURES = ["single", "batch", "read", "import"]


def measure(srv: Server, n: int, measures: list[str]) -> dict[str, float]:
    """ms of server CPU per request of each kind (`measures`: which)."""
    pid, out = srv.proc.pid, {}
    if "single" in measures:
        in_threads(srv.url, 200, post_one)  # warm up
        t0 = cpu_seconds(pid)
        in_threads(srv.url, n, post_one)
        out["single POST"] = (cpu_seconds(pid) - t0) / n * 1000
    if "batch" in measures:
        out |= measure_batch(srv)
    if "read" in measures:
        out |= measure_read(srv, n)
    if "import" in measures:
        out |= measure_import(srv)
    return out


def measure_batch(srv: Server) -> dict[str, float]:
    pid, out = srv.proc.pid, {}
    with httpx.Client(base_url=srv.url, timeout=120) as api:
        body = [{"name": f"t{i}", "duration": 1} for i in range(1000)]
        plan = new_plan(api)
        api.post(f"/plans/{plan}/tasks", json=body).raise_for_status()  # warm up
        runs = 5
        t0 = cpu_seconds(pid)
        for _ in range(runs):
            plan = new_plan(api)
            api.post(f"/plans/{plan}/tasks", json=body).raise_for_status()
        out["1,000-task batch (+ new plan)"] = (cpu_seconds(pid) - t0) / runs * 1000
    return out


def measure_read(srv: Server, n: int) -> dict[str, float]:
    pid, out = srv.proc.pid, {}
    plans = in_threads(srv.url, WRITERS * 100, post_one)  # plans of 100 tasks to read
    in_threads(srv.url, WRITERS * 10, get_plan, plans)  # warm up
    t0 = cpu_seconds(pid)
    in_threads(srv.url, n, get_plan, plans)
    out["GET plan (100 tasks)"] = (cpu_seconds(pid) - t0) / n * 1000
    return out


@functools.cache
def mspdi_10k() -> bytes:
    """bench_datapath.py's 10,000-task MSPDI file (29,994 links)."""
    return write_mspdi(document(10_000), None)


def measure_import(srv: Server, runs: int = 2) -> dict[str, float]:
    """The 10,000-task MSPDI import over HTTP, after a first one (the later ones go into a database that
    already holds plans, as a server's do)."""
    xml, pid = mspdi_10k(), srv.proc.pid
    with httpx.Client(base_url=srv.url, timeout=600) as api:
        api.post("/plans/import", params={"format": "mspdi"}, content=xml).raise_for_status()
        t0 = cpu_seconds(pid)
        for _ in range(runs):
            api.post("/plans/import", params={"format": "mspdi"}, content=xml).raise_for_status()
        return {"10k MSPDI import": (cpu_seconds(pid) - t0) / runs * 1000}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--baseline", type=Path, required=True, help="a tree of the code to compare with")
    p.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    p.add_argument("--pairs", type=int, default=3)
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--measures", nargs="+", choices=MEASURES, default=MEASURES)
    args = p.parse_args()
    print(f"load average at start {os.getloadavg()}", flush=True)
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    made: list[str] = []
    try:
        for k in range(args.pairs):
            for backend in args.backends:
                trees = [("this", None), ("baseline", args.baseline)]
                for label, tree in trees if k % 2 == 0 else trees[::-1]:
                    srv = Server(database(backend, made), tree)
                    try:
                        m = measure(srv, args.requests, args.measures)
                    finally:
                        srv.stop()
                    results.setdefault((backend, label), []).append(m)
                    print(backend, label, {key: round(v, 3) for key, v in m.items()}, flush=True)
    finally:
        drop(made)
    print(f"\nload average at the end {os.getloadavg()}\n")
    print("| backend | measure | baseline ms CPU/request | this | change |\n|---|---|---:|---:|---:|")
    for backend in args.backends:
        for key in results[(backend, "this")][0]:
            old = statistics.median(m[key] for m in results[(backend, "baseline")])
            new = statistics.median(m[key] for m in results[(backend, "this")])
            print(f"| {backend} | {key} | {old:.3f} | {new:.3f} | {(new - old) / old:+.0%} |")


if __name__ == "__main__":
    main()
