"""A plan read once into a `PlanTable` schedules as its objects do, and a table moved on by `with_tasks`
schedules as a table read afresh from the changed plan, the old table unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from prometheus.core.cpm.table import PlanTable
from prometheus.core.model import Assignment, Dependency, Task, TaskStatus
from prometheus.core.scheduler import CycleError, Network, Schedule, schedule
from tests.plan_generator import Features, random_plan_with_resources

SEEDS = range(40)


def _plan(seed: int):  # noqa: ANN202
    tasks, deps, start, cal, resources = random_plan_with_resources(seed, features=Features(deadlines=True))
    if seed % 3 == 0 and tasks:  # a cancelled task, a started one and a manual one
        tasks[0] = tasks[0].model_copy(update={"status": TaskStatus.cancelled})
        tasks[-1] = tasks[-1].model_copy(
            update={"actual_start": start.replace(tzinfo=UTC), "percent_complete": 40}
        )
    return tasks, deps, {"start": start, "calendar": cal, "resources": resources}


def _same(a: Schedule, b: Schedule) -> bool:
    """The same dates, slack, paths and conflicts."""
    return (a.tasks, a.critical_paths, a.conflicts, a.project_finish) == (
        b.tasks,
        b.critical_paths,
        b.conflicts,
        b.project_finish,
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_a_table_schedules_as_the_objects(seed: int) -> None:
    tasks, deps, kw = _plan(seed)
    table = PlanTable.of(tasks, deps)
    assert _same(schedule(table, **kw), schedule(tasks, deps, **kw))


@pytest.mark.parametrize("seed", SEEDS)
def test_a_table_moved_on_schedules_as_one_read_afresh(seed: int) -> None:
    tasks, deps, kw = _plan(seed)
    table = PlanTable.of(tasks, deps)
    before = schedule(table, **kw)
    leaves = [t for t in tasks if not any(s.parent_id == t.id for s in tasks)]
    changed = [
        leaves[0].model_copy(update={"duration": leaves[0].duration + 2.5, "milestone": False}),
        leaves[-1].model_copy(update={"constraint_type": "ALAP", "assignments": []}),
    ]
    if changed[0].id == changed[1].id:
        changed = changed[1:]
    moved = table.with_tasks(changed)
    by_id = {t.id: t for t in changed}
    fresh = [by_id.get(t.id, t) for t in tasks]
    assert moved.columns == PlanTable.of(fresh, deps).columns
    assert _same(schedule(moved, **kw), schedule(fresh, deps, **kw))
    assert _same(schedule(table, **kw), before)  # the old table is unchanged


def same_table(table: PlanTable, fresh: PlanTable) -> None:
    """Every task, column, row array and link column of `table` as `fresh` has it."""
    assert table.tasks == fresh.tasks and table.columns == fresh.columns and table.row == fresh.row
    for k in ("duration", "unit", "constraint", "done", "percent", "milestone", "dated"):
        got, want = getattr(table.rows, k), getattr(fresh.rows, k)
        assert got.dtype == want.dtype and np.array_equal(got, want), k
    assert table.links.dependencies == fresh.links.dependencies
    for k in ("pred", "succ", "type", "lag", "lag_unit"):
        assert np.array_equal(getattr(table.links, k), getattr(fresh.links, k)), k


@pytest.mark.parametrize("seed", SEEDS)
def test_a_table_with_other_links_more_tasks_or_fewer_is_one_read_afresh(seed: int) -> None:
    tasks, deps, kw = _plan(seed)
    deps = sorted(deps, key=lambda d: d.id)  # as a plan is read
    table = PlanTable.of(tasks, deps)
    before = schedule(table, **kw)
    some, more = deps[1::2], deps[::2]  # links in id order, each set
    fewer = table.without_links({d.id for d in more})
    same_table(fewer, PlanTable.of(tasks, some))
    assert _same(schedule(fewer, **kw), schedule(tasks, some, **kw))
    same_table(fewer.with_new_links(more[::-1]), table)
    new = [Task(id=f"new{i}", plan_id="p", name=f"new {i}", duration=i, milestone=i == 0) for i in range(3)]
    new[2] = new[2].model_copy(update={"parent_id": new[1].id, "constraint_type": "ALAP"})
    same_table(table.with_new_tasks(new), PlanTable.of(tasks + new, deps))
    assert _same(schedule(table.with_new_tasks(new), **kw), schedule(tasks + new, deps, **kw))
    gone = {t.id for t in tasks[1::4]}
    gone |= {t.id for t in tasks if t.parent_id in gone}  # (a summary's subtasks go with it)
    left = [t for t in tasks if t.id not in gone]
    links = [d for d in deps if d.predecessor_id not in gone and d.successor_id not in gone]
    same_table(table.without(gone), PlanTable.of(left, links))
    assert _same(schedule(table.without(gone), **kw), schedule(left, links, **kw))
    assert _same(schedule(table, **kw), before)  # the old table is unchanged


def test_rows_removed_keep_a_link_of_an_unknown_task_unknown() -> None:
    a, b = (Task(id=x, plan_id="p", name=x) for x in "ab")
    deps = [Dependency(id="1", plan_id="p", predecessor_id="x", successor_id="b")]
    same_table(PlanTable.of([a, b], deps).without({"a"}), PlanTable.of([b], deps))


def test_an_empty_table_grows() -> None:
    new = [Task(id="a", plan_id="p", name="a", duration=2), Task(id="b", plan_id="p", name="b")]
    same_table(PlanTable.of([], []).with_new_tasks(new), PlanTable.of(new, []))
    with pytest.raises(KeyError):
        PlanTable.of(new, []).with_new_tasks(new[:1])


def test_a_task_moved_under_a_summary_and_back() -> None:
    start = datetime(2026, 11, 30, 8)
    a, b, c = (Task(id=x, plan_id="p", name=x, duration=2) for x in "abc")
    deps = [Dependency(id="l", plan_id="p", predecessor_id="a", successor_id="c")]
    table = PlanTable.of([a, b, c], deps)
    under = table.with_tasks([c.model_copy(update={"parent_id": "b"})])  # b becomes a summary task
    got = schedule(under, start=start).tasks
    assert got["b"].summary and got["b"].start == got["c"].start == start + timedelta(days=2)
    back = under.with_tasks([c])
    assert _same(schedule(back, start=start), schedule([a, b, c], deps, start=start))


def test_a_table_keeps_links_to_unknown_or_cancelled_tasks_out() -> None:
    start = datetime(2026, 11, 30, 8)
    a = Task(id="a", plan_id="p", name="a", duration=1)
    gone = Task(id="g", plan_id="p", name="g", duration=3, status=TaskStatus.cancelled)
    b = Task(id="b", plan_id="p", name="b", duration=1, assignments=[Assignment(resource_id="nobody")])
    deps = [
        Dependency(id="1", plan_id="p", predecessor_id="g", successor_id="b"),
        Dependency(id="2", plan_id="p", predecessor_id="x", successor_id="b"),
    ]
    got = schedule(PlanTable.of([a, gone, b], deps), start=start).tasks
    assert set(got) == {"a", "b"} and got["b"].start == start


def test_a_cycle_in_a_table_names_its_tasks() -> None:
    a, b = (Task(id=x, plan_id="p", name=f"task {x}", duration=1) for x in "ab")
    deps = [
        Dependency(id="1", plan_id="p", predecessor_id="a", successor_id="b"),
        Dependency(id="2", plan_id="p", predecessor_id="b", successor_id="a"),
    ]
    with pytest.raises(CycleError, match="task a"):
        schedule(PlanTable.of([a, b], deps), start=datetime(2026, 11, 30, 8))


def test_a_table_brings_its_own_links() -> None:
    table = PlanTable.of([Task(id="a", plan_id="p", name="a")], [])
    with pytest.raises(TypeError, match="links"):
        Network(table, [], start=datetime(2026, 11, 30, 8))
    with pytest.raises(KeyError):
        table.with_tasks([Task(id="new", plan_id="p", name="new")])
