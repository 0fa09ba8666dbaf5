"""Resource leveling: over-allocations found, then gone, links kept, fixed tasks left alone."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from prometheus.core.leveling import level, level_plan, leveled_tasks, loading, over_allocations
from prometheus.core.model import Assignment, Dependency, Task, TaskSplit
from prometheus.core.scheduler import Network
from tests.plan_generator import Features, random_plan

MON = datetime(2026, 11, 30, 8)


def solved(tasks: list[Task], deps: list[Dependency]) -> Network:
    net = Network(tasks, deps, start=MON)
    net.solve()
    return net


def test_two_parallel_tasks_on_one_person_are_put_in_sequence() -> None:
    ana = [Assignment(resource_id="ana")]
    tasks = [
        Task(id="a", plan_id="p", name="A", duration=3, assignments=ana),
        Task(id="b", plan_id="p", name="B", duration=2, assignments=ana),
        Task(id="c", plan_id="p", name="C", duration=1),
    ]
    net = solved(tasks, [])
    capacity = {"ana": 1.0}
    before = over_allocations(net, tasks, capacity)
    assert [(o["resource_id"], o["units"]) for o in before] == [("ana", 2.0)]
    result = level(net, tasks, capacity)
    assert result.delays == {"b": 3 * 480}  # B waits for A, which has less slack... or the other way
    after = solved(leveled_tasks(tasks, result), [])
    assert over_allocations(after, tasks, capacity) == []
    assert after.solve().project_finish == datetime(2026, 12, 4, 17)


def test_fixed_tasks_do_not_move() -> None:
    ana = [Assignment(resource_id="ana")]
    tasks = [
        Task(id="a", plan_id="p", name="A", duration=3, assignments=ana),
        Task(id="b", plan_id="p", name="B", duration=2, assignments=ana, priority="critical"),
    ]
    result = level(solved(tasks, []), tasks, {"ana": 1.0})
    assert result.delays == {"a": 2 * 480}


def test_demand_above_capacity_is_reported() -> None:
    tasks = [
        Task(id="a", plan_id="p", name="A", duration=1, assignments=[Assignment(resource_id="r", units=2)])
    ]
    result = level(solved(tasks, []), tasks, {"r": 1.0})
    assert result.impossible == [{"task_id": "a", "resource_id": "r", "units": 2.0, "capacity": 1.0}]


@pytest.mark.parametrize("solver", ["heuristic", "cpsat"])
def test_cpsat_finds_the_shorter_order_the_priority_rule_misses(solver: str) -> None:
    """A long task (a) and a short one (b) share Ana; c (Bo) follows b and is long. b first finishes
    at 4 days (b, then a beside c); a first at 7."""
    ana, bo = [Assignment(resource_id="ana")], [Assignment(resource_id="bo")]
    tasks = [
        Task(id="a", plan_id="p", name="A", duration=3, assignments=ana),
        Task(id="b", plan_id="p", name="B", duration=1, assignments=ana),
        Task(id="c", plan_id="p", name="C", duration=3, assignments=bo),
    ]
    deps = [Dependency(id="d1", plan_id="p", predecessor_id="b", successor_id="c")]
    capacity = {"ana": 1.0, "bo": 1.0}
    _, result, net = level_plan(tasks, deps, capacity=capacity, start=MON, solver=solver, time_limit=5)
    assert over_allocations(net, tasks, capacity) == []
    finish = net.solve().project_finish
    if solver == "cpsat":
        assert finish == datetime(2026, 12, 3, 17) and result.delays == {"a": 480}
    else:
        assert finish >= datetime(2026, 12, 3, 17)


@pytest.mark.parametrize("seed", range(40))
def test_random_plans_leveled_have_no_over_allocation(seed: int) -> None:
    rng = random.Random(seed)
    tasks, deps, start, cal = random_plan(
        seed, n=30, features=Features(constraints=False, alap=False, calendars=False)
    )
    people = {f"r{k}": rng.choice([1.0, 1.0, 2.0]) for k in range(3)}
    parents = {t.parent_id for t in tasks if t.parent_id}
    tasks = [
        t.model_copy(update={"assignments": [Assignment(resource_id=rng.choice(list(people)))]})
        if t.id not in parents and rng.random() < 0.8
        else t
        for t in tasks
    ]
    plain = Network(tasks, deps, start=start, calendar=cal).solve()
    solver = "cpsat" if seed % 4 == 0 else "heuristic"
    leveled_tasks_, result, leveled = level_plan(
        tasks, deps, capacity=people, start=start, calendar=cal, solver=solver, time_limit=2
    )
    s = leveled.solve()
    assert over_allocations(leveled, tasks, people) == []
    assert s.project_finish >= plain.project_finish
    assert all(s.tasks[tid].start >= plain.tasks[tid].start for tid in plain.tasks)
    assert set(result.delays) == {t.id for t in leveled_tasks_ if t.constraint_type == "SNET"}


def test_a_split_task_frees_its_resource_during_its_pauses() -> None:
    """A works Monday and Tuesday, pauses Wednesday and Thursday, works Friday and Monday: B (two days on the
    same person) fits in the pause, and nothing is over-allocated while B works there."""
    ana = [Assignment(resource_id="ana")]
    tasks = [
        Task(id="a", plan_id="p", name="A", duration=4, assignments=ana, splits=[TaskSplit(at=16, hours=16)]),
        Task(id="b", plan_id="p", name="B", duration=2, assignments=ana),
    ]
    net = solved(tasks, [])
    assert over_allocations(net, tasks, {"ana": 1.0})[0]["to"] == datetime(2026, 12, 1, 17)  # Monday-Tuesday
    result = level(net, tasks, {"ana": 1.0})
    assert result.starts == {"b": datetime(2026, 12, 2, 8)}  # Wednesday: the pause, not after A
    after = solved(leveled_tasks(tasks, result), [])
    assert over_allocations(after, tasks, {"ana": 1.0}) == []
    days = {
        p["start"].isoformat(): p["booked_hours"] for p in loading(after, tasks, {"ana": 1.0})[0]["periods"]
    }
    assert days == {f"2026-12-{d:02}": 8.0 for d in (1, 2, 3, 4, 7)} | {"2026-11-30": 8.0}  # 8 h, not 16


def test_an_assignment_is_busy_from_its_delay_to_the_end_of_its_own_work() -> None:
    """Ana starts on A one day after A does and works one day of it; Bo works the first day of B only: B's
    second day and Ana's second task fit beside them."""
    tasks = [
        Task(id="a", plan_id="p", name="A", duration=2, assignments=[Assignment(resource_id="ana", delay=8)]),
        Task(id="b", plan_id="p", name="B", duration=3, assignments=[Assignment(resource_id="bo", work=8)]),
        Task(id="c", plan_id="p", name="C", duration=1, assignments=[Assignment(resource_id="ana")]),
        Task(id="d", plan_id="p", name="D", duration=2, assignments=[Assignment(resource_id="bo")]),
    ]
    net = solved(tasks, [Dependency(id="x", plan_id="p", predecessor_id="c", successor_id="d")])
    capacity = {"ana": 1.0, "bo": 1.0}
    assert over_allocations(net, tasks, capacity) == []  # C on Monday before Ana's day; D after Bo's
    booked = {
        r["resource_id"]: [p["booked_hours"] for p in r["periods"]] for r in loading(net, tasks, capacity)
    }
    assert booked == {"ana": [8.0, 8.0, 0.0], "bo": [8.0, 8.0, 8.0]}


@pytest.mark.parametrize("start", [MON, datetime(2026, 12, 1, 8), datetime(2026, 12, 5)])
def test_the_loading_of_milestones_alone_is_their_day(start: datetime) -> None:
    """A plan of milestones ends (the end of the working day before) before it starts: one period, not a
    ValueError of negative days (a 500 from /loading on a plan starting on a Monday or a weekend)."""
    tasks = [Task(id="m", plan_id="p", name="M", duration=0, milestone=True)]
    net = Network(tasks, [], start=start)
    net.solve()
    for period in ("day", "week"):
        (row,) = loading(net, tasks, {"ana": 1.0}, period=period)
        assert [p["booked_hours"] for p in row["periods"]] == [0.0], period
