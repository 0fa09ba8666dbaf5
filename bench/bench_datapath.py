"""The data path over HTTP: task creation with 8 writers (one at a time and in batches), a 10,000-task MSPDI
import against MPXJ reading the same file, and the first critical path after an edit of a 1,000-task plan.

    python bench/bench_datapath.py [--backends sqlite postgresql] [--baseline TREE] [--mpxj-runs 20]
                                   [--parts single bulk import critical critical-link critical-task
                                            critical-unlink critical-delete]
                                   [--workers 1] [--client lean]

Each backend gets its own `prometheus serve` (a fresh SQLite file; a fresh PostgreSQL database on
PROMETHEUS_TEST_POSTGRES_URL's server). `--baseline TREE` also runs the same measures (but the batches,
which it lacks) against the code in TREE (e.g. `git archive <commit> | tar -x -C TREE`), side by side.
`--parts import` measures the import only (`critical-link`, `-task`, `-unlink`, `-delete`: the first
critical path after a new link, a new task, a link removed, a task removed, instead of a changed task);
`--workers` is `prometheus serve --workers`; `--client httpx` has the writers post with httpx instead of
the lean client (the standard library's http.client).
Medians; the machine's load average is printed before and after: compare figures of one run only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.plans import generated_plan  # noqa: E402
from prometheus.core import analysis  # noqa: E402
from prometheus.core.documents import PlanDocument
from prometheus.core.model import Plan
from prometheus.formats.mspdi import write_mspdi  # noqa: E402

POSTGRES_URL = os.environ.get(
    "PROMETHEUS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
WRITERS = 8
PARTS = ["single", "bulk", "import", "critical", "critical-link", "critical-task", "critical-unlink",
         "critical-delete"]  # fmt: skip


def document(n: int) -> PlanDocument:
    """A generated plan of n tasks (bench/plans.py) in its portable form."""
    tasks, deps = generated_plan(n)
    return PlanDocument.model_validate(
        {
            "plan": {"name": f"bench {n}", "start_date": "2026-11-30"},
            "tasks": [{"key": t.id, "name": t.name, "duration": t.duration} for t in tasks],
            "dependencies": [
                {
                    "predecessor": d.predecessor_id,
                    "successor": d.successor_id,
                    "type": d.type.value,
                    "lag": d.lag,
                }
                for d in deps
            ],
        }
    )


class Server:
    """`prometheus serve` in a child process, from this tree or another one (`tree`)."""

    def __init__(self, database_url: str, tree: Path | None = None, workers: int = 1):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = os.environ | {"PROMETHEUS_DATABASE_URL": database_url, "PROMETHEUS_PORT": str(self.port)}
        if tree is not None:
            env["PYTHONPATH"] = str(tree)
        self.log = tempfile.NamedTemporaryFile(prefix="bench-datapath-", suffix=".log", delete=False)  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "prometheus", "serve", "--log-level", "warning", f"--workers={workers}"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=tree or Path.cwd(),
        )
        self.url = f"http://127.0.0.1:{self.port}/api"
        for _ in range(600):
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start; see {self.log.name}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def database(backend: str, made: list[str]) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='bench-datapath-')}/prometheus.db"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"bench_datapath_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    made.append(name)
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def drop(names: list[str]) -> None:
    if not names:
        return
    from sqlalchemy import create_engine, text

    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        for name in names:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def new_plan(api: httpx.Client) -> str:
    r = api.post("/plans", json={"name": "bench", "start_date": "2026-11-30"})
    r.raise_for_status()
    return r.json()["data"]["id"]


class LeanClient:
    """One writer's HTTP/1.1 connection, kept open, with the standard library's http.client: the same
    requests as httpx for a fraction of its CPU, which on this machine is taken from the server measured."""

    def __init__(self, url: str):
        u = urlsplit(url)
        self.prefix = u.path
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)

    def post(self, path: str, body: object) -> tuple[int, bytes]:
        raw = json.dumps(body).encode()
        self.conn.request("POST", self.prefix + path, raw, {"content-type": "application/json"})
        r = self.conn.getresponse()
        return r.status, r.read()

    def close(self) -> None:
        self.conn.close()


def writers(url: str, total: int, batch: int = 1, client: str = "lean") -> tuple[float, float]:
    """`total` tasks created by WRITERS threads, one per request or `batch` per request, each writer on its
    own plan and connection (`client`: "lean", LeanClient, or "httpx"): tasks per second and the p99
    latency of a request (ms)."""
    with httpx.Client(base_url=url, timeout=120) as api:
        plans = [new_plan(api) for _ in range(WRITERS)]
    latencies: list[float] = []
    lock = threading.Lock()

    def run(plan_id: str) -> None:
        mine = []
        api = LeanClient(url) if client == "lean" else httpx.Client(base_url=url, timeout=120)
        try:
            for k in range(total // WRITERS // batch):
                body = (
                    {"name": f"t{k}", "duration": 1}
                    if batch == 1
                    else [{"name": f"t{k}.{i}", "duration": 1} for i in range(batch)]
                )
                t0 = time.perf_counter()
                if isinstance(api, LeanClient):
                    status, text = api.post(f"/plans/{plan_id}/tasks", body)
                else:
                    r = api.post(f"/plans/{plan_id}/tasks", json=body)
                    status, text = r.status_code, r.content
                mine.append(time.perf_counter() - t0)
                assert status == 201, text
        finally:
            api.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(p,)) for p in plans]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) >= 2 else latencies[0]
    return len(latencies) * batch / wall, p99 * 1000


def one_batch(url: str, n: int = 1000, runs: int = 3) -> float:
    """Median ms to create n tasks as one batch in a new plan."""
    times = []
    with httpx.Client(base_url=url, timeout=120) as api:
        for _ in range(runs):
            pid = new_plan(api)
            body = [{"name": f"t{i}", "duration": 1} for i in range(n)]
            t0 = time.perf_counter()
            r = api.post(f"/plans/{pid}/tasks", json=body)
            times.append(time.perf_counter() - t0)
            assert r.status_code == 201, r.text
    return statistics.median(times) * 1000


def http_import(url: str, xml: bytes, runs: int = 3) -> float:
    """Median seconds of POST /plans/import of the MSPDI file."""
    times = []
    with httpx.Client(base_url=url, timeout=600) as api:
        for _ in range(runs):
            t0 = time.perf_counter()
            r = api.post("/plans/import", params={"format": "mspdi"}, content=xml)
            times.append(time.perf_counter() - t0)
            assert r.status_code == 201, r.text[:500]
    return statistics.median(times)


def mpxj_read(path: Path, runs: int, warmup: int = 3) -> float:
    """Median seconds of MPXJ's UniversalProjectReader reading the file, after `warmup` untimed reads."""
    import jpype
    import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)

    if not jpype.isJVMStarted():
        jpype.startJVM("-Xmx2g")
    from org.mpxj.reader import UniversalProjectReader

    times = []
    for k in range(warmup + runs):
        t0 = time.perf_counter()
        UniversalProjectReader().read(str(path))
        if k >= warmup:
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


# part -> the edit before the critical path
EDITS = {
    "critical": "patch",
    "critical-link": "link",
    "critical-task": "task",
    "critical-unlink": "unlink",
    "critical-delete": "delete",
}


def critical_after_edit(
    url: str, doc: PlanDocument, runs: int = 10, edit: str = "patch"
) -> tuple[float, float, float]:
    """Median ms of the first GET /critical-path after an edit of the plan (`edit`: "patch", a PATCH of a
    task's duration; "link", a new link between two tasks 250 apart, never linked (the plan's links are
    forward and at most 200 apart); "task", a new task; "unlink", a link removed; "delete", a task removed
    with its links), the engine's own median ms scheduling the plan in this process, and the edit's median
    ms."""
    with httpx.Client(base_url=url, timeout=120) as api:
        r = api.post("/plans/import", params={"format": "json"}, content=doc.model_dump_json())
        pid = r.json()["data"]["id"]
        plan = Plan.model_validate(api.get(f"/plans/{pid}").json()["data"])
        ids = [t.id for t in plan.tasks or []]
        api.get(f"/plans/{pid}/critical-path").raise_for_status()
        times, edits = [], []
        for k in range(runs):
            t0 = time.perf_counter()
            at = k * 37 % (len(ids) - 250)
            if edit == "link":
                body = {"predecessor_id": ids[at], "successor_id": ids[at + 250]}
                api.post(f"/plans/{pid}/dependencies", json=body).raise_for_status()
            elif edit == "task":
                api.post(f"/plans/{pid}/tasks", json={"name": f"new {k}", "duration": 2}).raise_for_status()
            elif edit == "unlink":
                link = (plan.dependencies or [])[k * 97]
                api.delete(f"/plans/{pid}/dependencies/{link.id}").raise_for_status()
            elif edit == "delete":
                api.delete(f"/plans/{pid}/tasks/{ids[at]}").raise_for_status()
            else:
                api.patch(f"/plans/{pid}/tasks/{ids[at]}", json={"duration": 1 + k % 4}).raise_for_status()
            t1 = time.perf_counter()
            api.get(f"/plans/{pid}/critical-path").raise_for_status()
            times.append(time.perf_counter() - t1)
            edits.append(t1 - t0)
    today = datetime.now(UTC).date()
    engine = []
    for _ in range(runs):
        t0 = time.perf_counter()
        analysis.schedule_plan(plan, today)
        engine.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, statistics.median(engine) * 1000, statistics.median(edits) * 1000


def measure(url: str, doc10k: bytes, doc1k: PlanDocument, args: argparse.Namespace, bulk: bool) -> dict:
    out: dict[str, object] = {}
    if "single" in args.parts:
        out["single"] = writers(url, args.single, client=args.client)
    if bulk and "bulk" in args.parts:
        out["bulk"] = writers(url, args.single * 10, batch=100, client=args.client)
        out["batch1000"] = one_batch(url)
    if "import" in args.parts:
        out["import"] = http_import(url, doc10k, runs=args.import_runs)
    for part, edit in EDITS.items():
        if part in args.parts:
            out[part] = critical_after_edit(url, doc1k, edit=edit)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    p.add_argument("--baseline", type=Path, help="a tree of the code to compare with")
    p.add_argument("--single", type=int, default=800, help="tasks created one per request by 8 writers")
    p.add_argument("--import-runs", type=int, default=3)
    p.add_argument("--mpxj-runs", type=int, default=20)
    p.add_argument("--parts", nargs="+", choices=PARTS, default=PARTS, help="what to measure")
    p.add_argument("--workers", type=int, default=1, help="`prometheus serve --workers`")
    p.add_argument("--client", choices=["lean", "httpx"], default="lean", help="the writers' HTTP client")
    args = p.parse_args()
    print(f"cpus {os.cpu_count()}, load average at start {os.getloadavg()}; {args.workers} worker(s), "
          f"{args.client} client")  # fmt: skip
    doc10k = document(10_000)
    xml = write_mspdi(doc10k, None)
    path = Path(tempfile.mkdtemp(prefix="bench-datapath-")) / "plan.xml"
    path.write_bytes(xml)
    doc1k = document(1_000)
    trees = [("this", None)] + ([("baseline", args.baseline)] if args.baseline else [])
    rows, made = [], []
    try:
        for backend in args.backends:
            for label, tree in trees:
                srv = Server(database(backend, made), tree, args.workers)
                try:
                    rows.append((backend, label, measure(srv.url, xml, doc1k, args, bulk=tree is None)))
                finally:
                    srv.stop()
                print(backend, label, rows[-1][2], flush=True)
        mpxj = mpxj_read(path, args.mpxj_runs) if args.mpxj_runs and "import" in args.parts else None
    finally:
        drop(made)
    print(f"\nload average at the end {os.getloadavg()}\n")
    print(f"10,000-task MSPDI file: {len(xml) / 2**20:.1f} MiB; MPXJ reads it in "
          f"{'-' if mpxj is None else f'{mpxj:.2f} s'} (median of {args.mpxj_runs}, warm)\n")  # fmt: skip
    print(
        "| backend | code | single, 8 writers | p99 | batches of 100, 8 writers | p99 | 1,000 in one batch "
        "| 10k MSPDI import | / MPXJ | first critical path after an edit (1k) | engine | ratio |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for backend, label, m in rows:
        single, bulk, imported, critical = (m.get(k) for k in ("single", "bulk", "import", "critical"))
        ratio = f"{imported / mpxj:.1f}x" if mpxj and imported else "-"
        print(
            f"| {backend} | {label} | "
            + (f"{single[0]:,.0f}/s | {single[1]:,.0f} ms | " if single else "- | - | ")
            + (
                f"{bulk[0]:,.0f}/s | {bulk[1]:,.0f} ms | {m['batch1000']:,.0f} ms | "
                if bulk
                else "- | - | - | "
            )
            + (f"{imported:.2f} s | {ratio} | " if imported else "- | - | ")
            + (
                f"{critical[0]:,.0f} ms | {critical[1]:,.0f} ms | {critical[0] / critical[1]:.1f}x |"
                if critical
                else "- | - | - |"
            )
        )
    edited = [(b, label, m) for b, label, m in rows if any(p in m for p in EDITS)]
    if edited:
        print("\n| backend | code | edit | the edit | first critical path after it (1k) | engine | ratio |")
        print("|---|---|---|---:|---:|---:|---:|")
    for backend, label, m in edited:
        for part, edit in EDITS.items():
            if part in m:
                after, engine, took = m[part]
                cells = f"{took:,.1f} ms | {after:,.1f} ms | {engine:,.1f} ms | {after / engine:.1f}x"
                print(f"| {backend} | {label} | {edit} | {cells} |")


if __name__ == "__main__":
    main()
