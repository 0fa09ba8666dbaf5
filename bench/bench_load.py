"""Load test with wrk on loopback: requests/s and p50/p99 latency for reading a plan, adding tasks, and the
critical path of a 1,000-task plan, on SQLite and PostgreSQL.

    python bench/bench_load.py [--seconds 10] [--connections 16] [--workers 2] [--rate 1000]

Each kind runs flat out (throughput), and plan reads also at a paced rate (latency at the issue's 1,000/s).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from tests.conftest import FreshPostgres, free_port  # noqa: E402

POST_LUA = """
wrk.method = "POST"
wrk.body = '{"name": "load", "duration": 1}'
wrk.headers["Content-Type"] = "application/json"
"""


def wrk(url: str, seconds: int, connections: int, script: Path | None = None, warmup: int = 2) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        cmd[1:1] = ["-s", str(script)]
    if warmup:  # connections, pools and kept answers in place first; only the steady state is measured
        subprocess.run([*cmd[:-3], f"-d{warmup}s", url], capture_output=True)
    done = subprocess.run(cmd, capture_output=True, text=True)
    out = done.stdout
    if "Requests/sec" not in out:
        raise RuntimeError(f"wrk failed: {done.stdout}{done.stderr}")

    def ms(label: str) -> float:
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    avg = re.search(r"Latency\s+([\d.]+)(us|ms|s)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "avg": float(avg.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[avg.group(2)],
        "p50": ms("50"),
        "p99": ms("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def paced(url: str, seconds: int, connections: int, rate: float) -> dict:
    """Closed loop at about `rate` requests/s: each connection waits before its next request so that
    connections / (wait + latency) = rate; two short runs tune the wait, the third is measured."""
    script = Path(tempfile.mkdtemp()) / "pace.lua"
    wait = connections / rate * 1000
    for last in (False, False, True):
        script.write_text(f"function delay() return {max(0, round(wait))} end\n")
        result = wrk(url, seconds if last else 3, connections, script, warmup=0)
        wait += connections / rate * 1000 - connections / result["rps"] * 1000
    return result


def run(database_url: str, args: argparse.Namespace) -> list[tuple[str, dict]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PROMETHEUS_DATABASE_URL": database_url, "PROMETHEUS_PORT": str(port)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prometheus",
            "serve",
            "--log-level",
            "warning",
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        api = httpx.Client(base_url=base + "/api", timeout=60)
        small = api.post("/plans", json={"name": "small"}).json()["data"]["id"]
        for i in range(10):
            api.post(f"/plans/{small}/tasks", json={"name": f"t{i}"})
        doc = {
            "plan": {"name": "big", "start_date": "2026-11-30"},
            "tasks": [{"key": f"t{i}", "name": f"T{i}", "duration": 1 + i % 5} for i in range(1000)],
            "dependencies": [
                {"predecessor": f"t{j}", "successor": f"t{i}"}
                for i in range(1, 1000)
                for j in {max(0, i - 1), max(0, i - 7), max(0, i - 31)} - {i}
            ],
        }
        big = api.post("/plans/import", params={"format": "json"}, content=json.dumps(doc)).json()["data"][
            "id"
        ]
        read = f"{base}/api/plans/{small}?include_tasks=false"
        lua = Path(tempfile.mkdtemp()) / "post.lua"
        lua.write_text(POST_LUA)
        return [
            (
                "read a plan",
                wrk(read, args.seconds, args.connections),
            ),
            (
                f"read a plan, paced at {args.rate:,.0f}/s",
                paced(read, args.seconds, args.connections, args.rate),
            ),
            ("add a task", wrk(f"{base}/api/plans/{small}/tasks", args.seconds, args.connections, lua)),
            (
                "critical path, 1,000 tasks",
                wrk(f"{base}/api/plans/{big}/critical-path", args.seconds, args.connections),
            ),
        ]
    finally:
        proc.terminate()
        proc.wait(20)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rate", type=float, default=1000, help="requests/s of the paced read")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    results = [("SQLite", run(f"sqlite:///{tmp / 'load.db'}", args))]
    try:
        pg = FreshPostgres()
        results.append(("PostgreSQL", run(pg.create(), args)))
        pg.drop_all()
    except BaseException as exc:  # noqa: BLE001
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
    print(f"{args.connections} connections, {args.workers} workers, {args.seconds} s each", file=sys.stderr)
    print("| database | request | requests/s | p50 | p99 | non-2xx |")
    print("|---|---|---:|---:|---:|---:|")
    for db, rows in results:
        for name, r in rows:
            print(
                f"| {db} | {name} | {r['rps']:,.0f} | {r['p50']:.1f} ms | {r['p99']:.1f} ms | {r['errors']} |"
            )


if __name__ == "__main__":
    main()
