"""Plans kept per revision (services/kept.py): after every kind of edit, what the kept plan gives is what a
fresh read gives, also when another process made the edit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from prometheus.core import analysis
from prometheus.core.cpm.table import PlanTable
from prometheus.core.inputs import (
    DependencyCreate,
    PlanCreate,
    ProgressUpdate,
    ResourceCreate,
    TaskCreate,
    TaskPatch,
)
from prometheus.core.model import Assignment
from prometheus.services import Context, links, tasks
from prometheus.services.schedule import level
from prometheus.store import Database

TODAY = date(2026, 11, 30)


def _fresh(db: Database, plan_id: str):  # noqa: ANN202
    with db.store(write=False) as store:
        return store.get_plan(plan_id)


def test_kept_plan_is_the_fresh_plan_after_every_edit(db: Database) -> None:
    ctx = Context(db)
    with db.store() as store:
        pid = store.create_plan(PlanCreate(name="kept", start_date=TODAY)).id
        r = store.add_resource(pid, ResourceCreate(name="Ana")).id
        a, b, c = (store.add_task(pid, TaskCreate(name=n, duration=2)).id for n in "abc")
        store.add_dependency(pid, DependencyCreate(predecessor_id=a, successor_id=b))
    made: dict[str, str] = {}
    edits: list[tuple[str, Callable[[], object]]] = [
        ("duration", lambda: tasks.update_task(ctx, pid, b, TaskPatch(duration=3), None)),
        (
            "name and constraint",
            lambda: tasks.update_task(
                ctx,
                pid,
                c,
                TaskPatch(
                    name="c2", constraint_type="SNET", constraint_date=datetime(2026, 12, 7, 8, tzinfo=UTC)
                ),
                None,
            ),
        ),  # fmt: skip
        (
            "assignment",
            lambda: tasks.update_task(ctx, pid, a, TaskPatch(assignments=[Assignment(resource_id=r)]), None),
        ),  # fmt: skip
        ("effort", lambda: tasks.update_task(ctx, pid, a, TaskPatch(effort_driven=True, work=24), None)),
        ("parent", lambda: tasks.update_task(ctx, pid, c, TaskPatch(parent_id=b), None)),
        ("replace", lambda: tasks.update_task(ctx, pid, c, TaskCreate(name="c3", duration=5), None)),
        ("progress", lambda: tasks.record_progress(ctx, pid, b, ProgressUpdate(percent_complete=50), None)),
        ("create", lambda: made.setdefault("d", tasks.create_tasks(ctx, pid, TaskCreate(name="d")).id)),
        ("batch", lambda: tasks.create_tasks(ctx, pid, [TaskCreate(name="e"), TaskCreate(name="f")])),
        (
            "link",
            lambda: made.setdefault(
                "l",
                links.create_links(ctx, pid, DependencyCreate(predecessor_id=c, successor_id=made["d"])).id,
            ),
        ),  # fmt: skip
        ("unlink", lambda: links.delete_link(ctx, pid, dependency_id=made["l"])),
        ("delete", lambda: tasks.delete_task(ctx, pid, made["d"], None)),
        ("level", lambda: level(ctx, pid, apply=True, solver="heuristic", time_limit=5)),
    ]
    for what, edit in edits:
        before = ctx.plans.plan(db, pid)  # kept at the revision before the edit
        ctx.plans.schedule(before, TODAY)  # ... and read into a table
        table = ctx.plans.table(before)
        reads = ctx.plans.reads
        edit()
        kept = ctx.plans.plan(db, pid)
        fresh = _fresh(db, pid)
        assert kept == fresh, what
        expected = analysis.schedule_plan(fresh, TODAY).tasks
        assert analysis.schedule_plan(kept, TODAY).tasks == expected, what
        assert ctx.plans.schedule(kept, TODAY).tasks == expected, f"{what}: scheduled from the kept table"
        assert ctx.plans.table(kept).columns == PlanTable.of(fresh.tasks, fresh.dependencies).columns, what
        if what in (
            "duration",
            "name and constraint",
            "assignment",
            "effort",
            "parent",
            "replace",
            "progress",
        ):
            assert ctx.plans.reads == reads, f"{what}: the kept plan was moved on, not read again"
            assert ctx.plans.table(kept).links is table.links, f"{what}: the table was moved on too"


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
    finally:
        here.dispose()
        there.dispose()
