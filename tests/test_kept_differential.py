"""The caches never answer stale or wrong data (services/kept.py, services/changes.py, api/cache.py): random
edits through every write path, sent to two server processes on one database (replicas), and after each
step every view of either server is what a fresh computation gives (an app of its own on the same database,
its kept plans and answers cleared before each look). Hypothesis draws the sequences, derandomized."""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from websockets.sync.client import connect

from prometheus.api.app import create_app
from prometheus.api.cache import PlanCache
from prometheus.config import Settings
from tests.conftest import Server

VIEWS = (  # what the caches answer, and what is built from the kept plan (/tasks, /resources: reads)
    "",
    "/dependencies",
    "/critical-path",
    "/timeline",
    "/timeline?include_resources=true",
    "/summary",
    "/costs",
    "/loading",
    "/for-execution",
    "/baselines",
    "/earned-value",
    "/export?format=json",
)
AT = "2026-12-08T08:00:00"
CALENDAR = {"working_days": [0, 1, 2, 3], "hours_per_day": 6, "holidays": ["2026-12-03"]}
PATCHES = st.sampled_from([
    {"duration": 3}, {"duration": 0.5, "duration_unit": "weeks"}, {"duration": 5, "duration_unit": "hours"},
    {"milestone": True, "duration": 0}, {"constraint_type": "SNET", "constraint_date": AT},
    {"constraint_type": "MFO", "constraint_date": AT}, {"constraint_type": "ASAP"}, {"deadline": AT},
    {"manual": True, "manual_start": "2026-12-02T08:00:00", "manual_finish": "2026-12-04T17:00:00"},
    {"manual": False}, {"calendar": CALENDAR}, {"status": "completed"}, {"priority": "high"},
    {"leveling_delay": 1}, {"parent_id": None}, {"task_type": "fixed_work"},
])  # fmt: skip
PROGRESS = st.sampled_from([
    {"percent_complete": 50}, {"status": "completed"}, {"status": "in_progress"},
    {"actual_start": "2026-12-01T08:00:00", "percent_complete": 20}, {"percent_complete": 0},
])  # fmt: skip
PLAN_PATCHES = st.sampled_from([
    {"start_date": "2026-12-07"}, {"start_date": "2026-12-01"}, {"calendar": CALENDAR}, {"calendar": None},
    {"status_date": "2026-12-04"}, {"status": "active"}, {"status_date_moves_work": False},
])  # fmt: skip
VOLATILE = {"exported_at", "generated_at", "progress_as_of"}


def _plain(value: object) -> object:
    """A JSON answer without what legitimately differs between two computations (clock readings)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class Fresh:
    """The same app in this process, its kept plans and kept answers cleared before each request."""

    def __init__(self, client: TestClient):
        self.client = client

    def get(self, url: str) -> httpx.Response:
        state = self.client.app.state  # type: ignore[attr-defined]
        state.cache = PlanCache()
        state.ctx = dataclasses.replace(state.ctx, plans=state.cache.plans)
        return self.client.get(url)


@pytest.fixture(scope="module")
def replicas(backend: str, make_database_url, tmp_path_factory) -> Iterator[tuple]:  # noqa: ANN001
    """Two server processes on one new database, and the fresh app beside them."""
    url = make_database_url(backend)
    logs = tmp_path_factory.mktemp("replicas")
    one = Server(url, logs / "one.log").start()
    two = Server(url, logs / "two.log").start()
    quiet = {f"{p}_URL": "" for p in ("HERMES", "TELOS", "RHETOR", "ENGRAM", "SYNTHESIS")}
    settings_ = Settings(PROMETHEUS_DATABASE_URL=url, **quiet)  # type: ignore[call-arg]
    try:
        with (
            TestClient(create_app(settings_)) as client,
            httpx.Client(base_url=one.url, timeout=60) as a,
            httpx.Client(base_url=two.url, timeout=60) as b,
        ):
            yield [a, b], Fresh(client)
    finally:
        one.stop()
        two.stop()


class Edits(RuleBasedStateMachine):
    """One plan, edited at random through either replica; every view of both checked after each step."""

    apis: list[httpx.Client]
    fresh: Fresh

    def __init__(self) -> None:
        super().__init__()
        r = self.apis[0].post("/api/plans", json={"name": "diff", "start_date": "2026-12-01"})
        self.pid = r.json()["data"]["id"]
        self.base = f"/api/plans/{self.pid}"
        self.tasks: list[dict] = []
        self.links: list[dict] = []
        self.resources: list[str] = []
        self.baselines: list[int] = []
        self.runs = 0

    def send(self, data: st.DataObject, method: str, path: str, body: object = None, **params: str) -> dict:
        """A write through either replica (`path` under the plan's, or from /api/); refused, never a 500."""
        api = self.apis[data.draw(st.integers(0, 1), label="replica")]
        url = path if path.startswith("/api/") else self.base + path
        r = api.request(method, url, json=body, params=params or None)
        assert r.status_code in (200, 201, 404, 409, 422), (method, path, body, r.text)
        return r.json()

    def pair(self, data: st.DataObject) -> list[str]:
        ids = st.sampled_from([t["id"] for t in self.tasks])
        return data.draw(st.lists(ids, min_size=2, max_size=2, unique=True), label="two tasks")

    def task(self, data: st.DataObject) -> dict:
        return data.draw(st.sampled_from(self.tasks), label="task")

    def new_task(self, data: st.DataObject, n: int) -> dict:
        body: dict = {"name": f"t{n}", "duration": data.draw(st.sampled_from([0, 1, 2, 3.5]))}
        if self.tasks and data.draw(st.booleans(), label="under a task"):
            body["parent_id"] = self.task(data)["id"]
        if self.resources and data.draw(st.booleans(), label="assigned"):
            body["assignments"] = [{"resource_id": data.draw(st.sampled_from(self.resources))}]
        return body

    def add_tasks(self, data: st.DataObject) -> None:
        batch = data.draw(st.integers(0, 3), label="batch")
        n = len(self.tasks)
        body = [self.new_task(data, n + i) for i in range(batch)] if batch else self.new_task(data, n)
        self.send(data, "POST", "/tasks", body)

    def change_task(self, data: st.DataObject) -> None:
        changes, via = data.draw(PATCHES), data.draw(st.sampled_from(["PATCH", "PUT", "socket"]))
        task = self.task(data)
        if "parent_id" in changes and data.draw(st.booleans(), label="new parent"):
            changes = {"parent_id": self.task(data)["id"]}
        if self.resources and data.draw(st.booleans(), label="assign"):
            changes = changes | {"assignments": [{"resource_id": r} for r in self.resources[:2]]}
        if via == "socket":  # the live socket's update_task
            url = str(self.apis[data.draw(st.integers(0, 1), label="replica")].base_url)
            message = {
                "action": "update_task",
                "plan_id": self.pid,
                "task_id": task["id"],
                "changes": changes,
            }
            with connect(url.replace("http", "ws", 1) + "/ws") as ws:
                ws.send(json.dumps(message))
                reply = json.loads(ws.recv(timeout=60))
            assert reply["type"] == "task.updated" or reply["error_code"] != "INTERNAL_ERROR", reply
            return
        body = {"name": task["name"]} | changes if via == "PUT" else changes
        self.send(data, via, f"/tasks/{task['id']}", body)

    def delete_task(self, data: st.DataObject) -> None:
        """A task, a summary one when there is one (its subtasks, their links and assignments go with it)."""
        parents = {t["parent_id"] for t in self.tasks}
        summaries = [t["id"] for t in self.tasks if t["id"] in parents] or [self.task(data)["id"]]
        self.send(data, "DELETE", f"/tasks/{data.draw(st.sampled_from(summaries))}")

    def link(self, data: st.DataObject) -> None:
        batch = data.draw(st.integers(0, 3), label="batch")

        def one() -> dict:
            pred, succ = self.pair(data)
            kind, lag = data.draw(st.sampled_from(["FS", "SS", "FF", "SF"])), data.draw(st.integers(-1, 2))
            return {"predecessor_id": pred, "successor_id": succ, "type": kind, "lag": lag}

        self.send(data, "POST", "/dependencies", [one() for _ in range(batch)] if batch else one())

    def unlink(self, data: st.DataObject) -> None:
        by_pair = data.draw(st.booleans(), label="by its tasks")
        d = data.draw(st.sampled_from(self.links), label="link")
        if by_pair:
            pair = {"predecessor_id": d["predecessor_id"], "successor_id": d["successor_id"]}
            self.send(data, "DELETE", "/dependencies", **pair)
        else:
            self.send(data, "DELETE", f"/dependencies/{d['id']}")

    def progress(self, data: st.DataObject) -> None:
        self.send(data, "PUT", f"/tasks/{self.task(data)['id']}/progress", data.draw(PROGRESS))

    def resource(self, data: st.DataObject) -> None:
        what = data.draw(st.sampled_from(["add", "patch", "delete"]))
        if what == "add" or not self.resources:
            self.send(data, "POST", "/resources", {"name": f"r{len(self.resources)}", "cost_rate": 10})
            return
        rid = data.draw(st.sampled_from(self.resources))
        if what == "patch":
            changes = {"availability": 0.5, "calendar": CALENDAR, "cost_rate": 20}
            self.send(data, "PATCH", f"/resources/{rid}", changes)
        else:
            self.send(data, "DELETE", f"/resources/{rid}", force="true")

    def baseline(self, data: st.DataObject) -> None:
        if self.baselines and data.draw(st.booleans(), label="delete"):
            self.send(data, "DELETE", f"/baselines/{data.draw(st.sampled_from(self.baselines))}")
        else:
            self.send(data, "POST", "/baselines", {"number": data.draw(st.integers(0, 2))})

    def change_plan(self, data: st.DataObject) -> None:
        self.send(data, "PATCH", "", data.draw(PLAN_PATCHES))

    def level(self, data: st.DataObject) -> None:
        self.send(data, "POST", "/level", apply="true", solver="heuristic")

    def promote_scenario(self, data: st.DataObject) -> None:
        sid = self.send(data, "POST", "/scenarios", {"name": "what if"})["data"]["id"]
        self.send(data, "PATCH", f"/scenarios/{sid}/tasks/{self.task(data)['id']}", data.draw(PATCHES))
        self.send(data, "POST", f"/scenarios/{sid}/tasks", {"name": "extra", "duration": 1})
        self.send(data, "POST", f"/scenarios/{sid}/promote")

    def execution(self, data: st.DataObject) -> None:
        status = data.draw(st.sampled_from([None, "completed", "failed"]), label="status")
        self.runs += 1
        steps = [{"id": t["key"]} for t in self.tasks]
        body = {"execution_id": f"{self.pid}-{self.runs}", "plan_id": self.pid, "steps": steps}
        first = {"step_id": self.task(data)["key"], "step_status": "completed"}
        self.send(data, "POST", "/api/executions/callbacks", body | first)
        if status:
            ended = {"execution_id": body["execution_id"], "status": status}
            self.send(data, "POST", "/api/executions/callbacks", ended)

    def race(self, data: st.DataObject) -> None:
        """Two writers at once, on two processes or one."""
        a, b = self.pair(data)
        writes = [
            ("PATCH", f"/tasks/{a}", {"duration": 4}),
            ("POST", "/tasks", [{"name": "x"}, {"name": "y", "parent_id": b}]),
            ("POST", "/dependencies", {"predecessor_id": a, "successor_id": b}),
            ("PUT", f"/tasks/{b}/progress", {"percent_complete": 30}),
            ("DELETE", f"/tasks/{b}", None),
            ("PATCH", "", {"start_date": "2026-12-02"}),
        ]
        picked = [(self.apis[data.draw(st.integers(0, 1))], data.draw(st.sampled_from(writes))) for _ in "ab"]
        codes: list[int] = []

        def send(api: httpx.Client, method: str, path: str, body: object) -> None:
            codes.append(api.request(method, self.base + path, json=body).status_code)

        threads = [threading.Thread(target=send, args=(api, *w)) for api, w in picked]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(c < 500 for c in codes), codes

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        """One write of a kind drawn from those the plan allows now (one rule: every kind as likely)."""
        ops = [self.add_tasks, self.resource, self.baseline, self.change_plan]
        if self.tasks:
            ops += [self.change_task, self.delete_task, self.progress, self.promote_scenario, self.execution]
        if len(self.tasks) > 1:
            ops += [self.link, self.race]
        if self.links:
            ops.append(self.unlink)
        if self.tasks and self.resources:
            ops.append(self.level)
        data.draw(st.sampled_from(ops), label="write")(data)

    @invariant()
    def every_view_is_the_fresh_one(self) -> None:
        views = [*VIEWS, *(f"/baselines/{n}/variance" for n in self.baselines)]
        for view in views:
            fresh = self.fresh.get(self.base + view)
            want = _plain(fresh.json())
            for i, api in enumerate(self.apis):
                got = api.get(self.base + view)
                assert (got.status_code, _plain(got.json())) == (fresh.status_code, want), (i, view)
        answer = self.fresh.get(self.base).json()["data"]
        self.tasks, self.links = answer["tasks"], answer["dependencies"]
        self.resources = [r["id"] for r in answer["resources"]]
        self.baselines = [b["number"] for b in self.fresh.get(self.base + "/baselines").json()["data"]]


def test_every_view_after_random_edits_is_the_fresh_one(replicas: tuple) -> None:
    Edits.apis, Edits.fresh = replicas
    run_state_machine_as_test(
        Edits,
        settings=settings(
            max_examples=int(os.environ.get("PROMETHEUS_TEST_DIFF_EXAMPLES", "4")),
            stateful_step_count=20,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
