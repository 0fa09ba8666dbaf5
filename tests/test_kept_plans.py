"""Plans kept per revision (services/kept.py): after every kind of edit, what the kept plan gives is what a
fresh read gives, also when another process made the edit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from prometheus.core import analysis
from prometheus.core.cpm.table import PlanTable
from prometheus.core.inputs import (
    BaselineCreate,
    DependencyCreate,
    PlanCreate,
    PlanPatch,
    ProgressUpdate,
    ResourceCreate,
    TaskCreate,
    TaskPatch,
)
from prometheus.core.model import Assignment
from prometheus.services import Context, links, plans, scenarios, tasks
from prometheus.services.schedule import level
from prometheus.store import Database, Store
from tests.test_plan_table import same_table

TODAY = date(2026, 11, 30)


def _fresh(db: Database, plan_id: str):  # noqa: ANN202
    with db.store(write=False) as store:
        return store.get_plan(plan_id)


def _edits(ctx: Context, pid: str, ids: dict[str, str], r: str) -> list[tuple[str, Callable[[], object]]]:
    """Every kind of edit of the plan of tasks a, b, c (ids: name -> id, filled as tasks and links are
    made; task keys: a b c task-1..3, then d task-4, e f g k task-5..8, h task-9)."""

    def make(name: str, made: object) -> None:
        for n, x in zip(name.split(), made if isinstance(made, list) else [made], strict=True):
            ids[n] = x.id

    def patch(task: str, **changes: object) -> Callable[[], object]:
        return lambda: tasks.update_task(ctx, pid, ids[task], TaskPatch(**changes), None)

    def create(name: str, items: Callable[[], TaskCreate | list[TaskCreate]]) -> Callable[[], object]:
        return lambda: make(name, tasks.create_tasks(ctx, pid, items()))

    def unlink(**named: str) -> Callable[[], object]:
        return lambda: links.delete_link(ctx, pid, **{k: ids.get(v, v) for k, v in named.items()})

    def delete(task: str) -> Callable[[], object]:
        return lambda: tasks.delete_task(ctx, pid, ids[task], None)

    def link(pred: str, succ: str, **kw: object) -> DependencyCreate:
        return DependencyCreate(predecessor_id=ids.get(pred, pred), successor_id=ids.get(succ, succ), **kw)

    at = datetime(2026, 12, 7, 8, tzinfo=UTC)
    snet = {"constraint_type": "SNET", "constraint_date": at}
    half = ProgressUpdate(percent_complete=50)
    ana = [Assignment(resource_id=r)]
    return [
        ("duration", patch("b", duration=3)),
        ("name and constraint", patch("c", name="c2", **snet)),
        ("assignment", patch("a", assignments=ana)),
        ("effort", patch("a", effort_driven=True, work=24)),
        ("parent", patch("c", parent_id=ids["b"])),
        ("replace", lambda: tasks.update_task(ctx, pid, ids["c"], TaskCreate(name="c3", duration=5), None)),
        ("progress", lambda: tasks.record_progress(ctx, pid, ids["b"], half, None)),
        ("create", create("d", lambda: TaskCreate(name="d", duration=4))),
        (
            "create a batch",
            create("e f g k", lambda: [
                TaskCreate(name="e"),
                TaskCreate(name="f", milestone=True),
                TaskCreate(name="g", parent_id="task-5", duration=2),  # under e, made just before
                TaskCreate(name="k", parent_id="task-7", assignments=ana, work=16),
            ]),
        ),
        (
            "create a subtask",  # under d, named by its key
            create("h", lambda: TaskCreate(name="h", parent_id="task-4", assignments=ana, deadline=at)),
        ),
        ("link", lambda: make("c>f", links.create_links(ctx, pid, link("task-3", "f", lag=1)))),
        (
            "link a batch",
            lambda: make("a>f b>h g>f k>b", links.create_links(ctx, pid, [
                link("a", "f", type="SS", lag=2),
                link("b", "h"),
                link("g", "task-6", type="FF"),
                link("k", "b", lag=-1, lag_unit="hours"),
            ])),
        ),
        ("unlink by id", unlink(dependency_id="c>f")),
        ("unlink by tasks", unlink(predecessor_id="task-2", successor_id="h")),
        ("delete a task with subtasks and links", delete("e")),  # g and k under it, links of g and k
        ("delete a summary task", delete("d")),  # h under it
        ("delete a task", delete("f")),
        ("baseline", lambda: scenarios.save_baseline(ctx, pid, BaselineCreate())),
        ("plan fields", lambda: plans.update_plan(ctx, pid, PlanPatch(status="active", name="k2"), None)),
        ("level", lambda: level(ctx, pid, apply=True, solver="heuristic", time_limit=5)),
    ]  # fmt: skip


def test_kept_plan_is_the_fresh_plan_after_every_edit(db: Database) -> None:
    ctx = Context(db)
    with db.store() as store:
        pid = store.create_plan(PlanCreate(name="kept", start_date=TODAY)).id
        r = store.add_resource(pid, ResourceCreate(name="Ana")).id
        ids = {n: store.add_task(pid, TaskCreate(name=n, duration=2)).id for n in "abc"}
        store.add_dependency(pid, DependencyCreate(predecessor_id=ids["a"], successor_id=ids["b"]))
    for what, edit in _edits(ctx, pid, ids, r):
        before = ctx.plans.plan(db, pid)  # kept at the revision before the edit
        ctx.plans.schedule(before, TODAY)  # ... and read into a table
        table = ctx.plans.table(before)
        reads, tables = ctx.plans.reads, ctx.plans.tables
        edit()
        kept = ctx.plans.plan(db, pid)
        fresh = _fresh(db, pid)
        assert kept == fresh, what
        expected = analysis.schedule_plan(fresh, TODAY).tasks
        assert analysis.schedule_plan(kept, TODAY).tasks == expected, what
        assert ctx.plans.schedule(kept, TODAY).tasks == expected, f"{what}: scheduled from the kept table"
        same_table(ctx.plans.table(kept), PlanTable.of(fresh.tasks, fresh.dependencies))
        if what == "level":  # a leveling writes many tasks: the plan is read again
            continue
        assert ctx.plans.reads == reads, f"{what}: the kept plan was moved on, not read again"
        assert ctx.plans.tables == tables, f"{what}: the table was moved on too, not read again"
        if not what.startswith(("link", "unlink", "delete")):
            assert ctx.plans.table(kept).links is table.links, f"{what}: the links were kept"
    assert [t.name for t in fresh.tasks] == ["a", "b", "c3"] and fresh.task_count == 3


def test_an_edit_by_another_process_means_a_fresh_read(backend: str, make_database_url) -> None:  # noqa: ANN001
    url = make_database_url(backend)
    here, there = Database(url), Database(url)
    here.migrate()
    try:
        ctx, other = Context(here), Context(there)
        with here.store() as store:
            pid = store.create_plan(PlanCreate(name="two", start_date=TODAY)).id
            t = store.add_task(pid, TaskCreate(name="t", duration=2)).id
        before = ctx.plans.plan(here, pid)
        other.plans.plan(there, pid)
        tasks.update_task(other, pid, t, TaskPatch(duration=9), None)
        after = ctx.plans.plan(here, pid)
        assert after is not before and after == _fresh(here, pid)
        assert after.tasks[0].duration == 9
        tasks.update_task(ctx, pid, t, TaskPatch(duration=4), None)  # `other` keeps a plan two edits old
        assert other.plans.plan(there, pid).tasks[0].duration == 4
        u = tasks.create_tasks(other, pid, TaskCreate(name="u")).id  # `ctx` keeps a plan one edit old ...
        reads = ctx.plans.reads
        tasks.create_tasks(ctx, pid, TaskCreate(name="v"))  # ... which it drops, not moves on
        assert ctx.plans.plan(here, pid) == _fresh(here, pid) and ctx.plans.reads == reads + 1
        links.create_links(other, pid, DependencyCreate(predecessor_id=t, successor_id=u))
        tasks.delete_task(ctx, pid, t, None)
        assert ctx.plans.plan(here, pid) == _fresh(here, pid) and ctx.plans.reads == reads + 2
        assert [x.name for x in _fresh(here, pid).tasks] == ["u", "v"]
    finally:
        here.dispose()
        there.dispose()


def test_a_plan_read_while_this_process_writes_is_kept_at_its_own_revision(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A view reads the plan's revision, then the plan: a write of this process committed between the two
    (its kept plan moved on just after) was in the plan read. Labelled with the revision read before, the
    write moved it on once more: its new task twice, until the next edit."""
    ctx = Context(db)
    with db.store() as store:
        pid = store.create_plan(PlanCreate(name="race", start_date=TODAY)).id
        store.add_task(pid, TaskCreate(name="a", duration=2))
    ctx.plans.plan(db, pid)
    tasks.create_tasks(Context(db), pid, TaskCreate(name="b"))  # another process: this one's is stale
    seen = db.plan_revision(pid)  # a view reads the revision ...
    advance = ctx.plans.advance

    def late(*args: object) -> None:  # ... and then the plan, between this write's commit and its advance
        ctx.plans.plan(db, pid, seen)
        advance(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(ctx.plans, "advance", late)
    tasks.create_tasks(ctx, pid, TaskCreate(name="c"))
    kept = ctx.plans.plan(db, pid)
    assert [t.name for t in kept.tasks] == ["a", "b", "c"]
    assert kept == _fresh(db, pid)


def test_a_plan_is_read_in_one_snapshot_with_its_revision(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write committed while the plan is read is not half in it (on PostgreSQL each statement of a read
    saw the commits made before it: the plan's revision before a write, its tasks after)."""
    ctx = Context(db)
    with db.store() as store:
        pid = store.create_plan(PlanCreate(name="snapshot", start_date=TODAY)).id
        store.add_task(pid, TaskCreate(name="a", duration=2))
    read = Store.plan_revision

    def then_a_write(store: Store, plan_id: str) -> str | None:
        revision = read(store, plan_id)
        monkeypatch.setattr(Store, "plan_revision", read)
        tasks.create_tasks(Context(db), pid, TaskCreate(name="b"))  # committed between two reads
        return revision

    monkeypatch.setattr(Store, "plan_revision", then_a_write)
    assert [t.name for t in ctx.plans.plan(db, pid).tasks] == ["a"]  # the plan at the revision it is kept at
    assert [t.name for t in ctx.plans.plan(db, pid).tasks] == ["a", "b"]
