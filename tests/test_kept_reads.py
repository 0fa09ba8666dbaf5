"""Whole reads of a plan that the plan kept per revision (services/kept.py) saves, each giving what a
fresh read gives: progress whose actual dates come from the schedule (percent alone, a status pushed by
an execution) and an execution's callback read the plan once at most, however many tasks they move; the
plan as steps and the plan itself (GET /api/plans/{id}) are the kept plan."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from prometheus.core import analysis
from prometheus.core.inputs import DependencyCreate, PlanCreate, ProgressUpdate, TaskCreate, TaskPatch
from prometheus.core.model import PlanStatus, TaskStatus
from prometheus.services import Context, executions, plans, tasks
from prometheus.store import Database, Store
from tests.conftest import add_task

START = date(2026, 12, 1)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The plans read whole from the database (every read of a plan with its children)."""
    seen: list[str] = []
    read = Store.read_plan

    def counted(self: Store, plan_id: str):  # noqa: ANN202
        seen.append(plan_id)
        return read(self, plan_id)

    monkeypatch.setattr(Store, "read_plan", counted)
    return seen


def _chain(db: Database, n: int) -> tuple[str, list[str]]:
    """A plan of n tasks, each after the one before, and one more beside them; its id and task ids."""
    with db.store() as store:
        pid = store.create_plan(PlanCreate(name="run", start_date=START)).id
        ids = [store.add_task(pid, TaskCreate(name=f"t{i}", duration=1 + i % 3)).id for i in range(n)]
        ids.append(store.add_task(pid, TaskCreate(name="beside", duration=2)).id)
        for a, b in zip(ids[: n - 1], ids[1:n], strict=True):
            store.add_dependency(pid, DependencyCreate(predecessor_id=a, successor_id=b))
    return pid, ids


def _scheduled(db: Database, pid: str) -> dict[str, tuple]:
    with db.store(write=False) as store:
        plan = store.get_plan(pid)
    s = analysis.schedule_plan(plan, date.today())
    return {tid: (t.start, t.finish) for tid, t in s.tasks.items()}  # plan-local, as tasks keep them


def _actuals(db: Database, pid: str) -> dict[str, tuple]:
    with db.store(write=False) as store:
        plan = store.get_plan(pid)
    return {t.id: (t.status, t.actual_start, t.actual_finish) for t in plan.tasks}


def test_progress_takes_its_dates_from_the_kept_plan(db: Database, reads: list[str]) -> None:
    ctx = Context(db)
    pid, ids = _chain(db, 4)
    planned = _scheduled(db, pid)
    ctx.plans.plan(db, pid)  # kept, as a view of the plan leaves it
    reads.clear()
    half = tasks.record_progress(ctx, pid, ids[1], ProgressUpdate(percent_complete=50), None).task
    done = tasks.record_progress(ctx, pid, ids[0], ProgressUpdate(status=TaskStatus.completed), None).task
    assert reads == []  # the kept plan was moved on by each update, not read again
    assert (half.actual_start, half.actual_finish) == (planned[ids[1]][0], None)
    assert (done.actual_start, done.actual_finish) == planned[ids[0]]
    assert ctx.plans.plan(db, pid) == Context(db).plans.plan(db, pid)  # kept: what a fresh read gives


def test_a_completed_execution_moves_every_task_with_one_read(db: Database, reads: list[str]) -> None:
    ctx = Context(db)
    pid, ids = _chain(db, 12)
    planned = _scheduled(db, pid)
    with db.store(write=False) as store:
        keys = [t.key for t in store.get_plan(pid).tasks]
    reads.clear()
    execution = executions.adopt(ctx, "ext-1", pid, [{"id": k} for k in keys])
    steps = [s.get("step_id") for s in execution["steps"]]
    execution, _ = executions.apply_progress(ctx, execution, None, {steps[0]: "running"})
    execution, finished = executions.apply_progress(ctx, execution, "completed", {})
    assert len(reads) == 1  # every callback took the kept plan, however many tasks it moved
    assert execution["status"] == "completed" and execution["adjustments"] == []
    assert sorted(f["task_id"] for f in finished) == sorted(ids)
    got = _actuals(db, pid)
    assert got == {tid: (TaskStatus.completed, *planned[tid]) for tid in ids}
    with db.store(write=False) as store:
        assert store.plan_header(pid).status is PlanStatus.completed
    assert ctx.plans.plan(db, pid) == Context(db).plans.plan(db, pid)


def test_callbacks_one_step_at_a_time_give_the_dates_of_one_callback(db: Database) -> None:
    one, many = Context(db), Context(db)
    (pid, ids), (other, others) = _chain(db, 6), _chain(db, 6)
    for ctx, plan_id, name in ((one, pid, "one"), (many, other, "many")):
        with db.store(write=False) as store:
            keys = [t.key for t in store.get_plan(plan_id).tasks]
        executions.adopt(ctx, name, plan_id, [{"id": k} for k in keys])
    with db.store(write=False) as store:
        execution = store.get_execution("many")
    for step in execution["steps"]:
        for state in ("running", "completed"):
            execution, _ = executions.apply_progress(many, execution, None, {step["step_id"]: state})
    with db.store(write=False) as store:
        execution = store.get_execution("one")
    executions.apply_progress(one, execution, "completed", {})
    at_once, in_turn = _actuals(db, pid), _actuals(db, other)
    assert [at_once[t] for t in ids] == [in_turn[t] for t in others]
    assert {status for status, *_ in at_once.values()} == {TaskStatus.completed}


def test_the_plan_as_steps_is_the_kept_plan(db: Database, reads: list[str]) -> None:
    """for-execution (and the start of an execution) take the kept plan and its kept schedule."""
    ctx = Context(db)
    pid, ids = _chain(db, 5)
    planned = _scheduled(db, pid)
    ctx.plans.plan(db, pid)
    reads.clear()
    steps = executions.plan_steps(ctx, pid)["steps"]
    assert reads == []
    assert [s["id"] for s in steps] == [ids[0], ids[5], *ids[1:5]]  # by scheduled start, after their links
    starts = [planned[s["id"]][0].isoformat() for s in steps]
    assert [s["start"] for s in steps] == starts


def test_the_plan_is_the_kept_plan(db: Database, reads: list[str]) -> None:
    ctx = Context(db)
    pid, ids = _chain(db, 3)
    ctx.plans.plan(db, pid)
    tasks.update_task(ctx, pid, ids[1], TaskPatch(duration=7), None)
    reads.clear()
    got = plans.read_plan(ctx, pid)
    assert reads == []
    assert got == Context(db).plans.plan(db, pid) and got.tasks[1].duration == 7
    header = plans.read_plan(ctx, pid, include_tasks=False)
    assert header.tasks is None and header.task_count == 4


def test_the_plan_answered_follows_every_change(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    a = add_task(api, pid, "a", duration=2)
    assert api.get(f"/plans/{pid}").json()["data"]["tasks"][0]["duration"] == 2  # kept from here on
    api.patch(f"/plans/{pid}/tasks/{a['id']}", json={"duration": 3})
    api.put(f"/plans/{pid}/tasks/{a['id']}/progress", json={"percent_complete": 50})
    got = api.get(f"/plans/{pid}").json()["data"]
    assert (got["tasks"][0]["duration"], got["tasks"][0]["percent_complete"]) == (3, 50)
    assert got["tasks"][0]["actual_start"] == "2026-12-01T08:00:00"
    assert api.get(f"/plans/{pid}", params={"include_tasks": False}).json()["data"]["tasks"] is None
