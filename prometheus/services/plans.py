"""Use cases of plans and their resources: create, change, delete."""

from __future__ import annotations

from prometheus.core.documents import PlanDocument
from prometheus.core.inputs import PlanCreate, PlanPatch, ResourceCreate, ResourcePatch
from prometheus.core.model import Plan, Resource
from prometheus.services.changes import TasksChanged
from prometheus.services.context import Context
from prometheus.services.kept import moved


def create_plan(ctx: Context, data: PlanCreate) -> Plan:
    with ctx.db.store() as store:
        return store.create_plan(data)


def create_plan_from(ctx: Context, doc: PlanDocument) -> Plan:
    """A new plan from a whole document (made from requirements, say), with its tasks, links, resources."""
    with ctx.db.store() as store:
        plan_id = store.import_document(doc).id
    return ctx.plans.plan(ctx.db, plan_id)


def read_plan(ctx: Context, plan_id: str, *, include_tasks: bool = True, revision: str | None = None) -> Plan:
    """The plan; with its tasks, links and resources, the kept plan (read only when it is not kept at the
    plan's revision: `revision` if the caller just read it)."""
    if include_tasks:
        return ctx.plans.plan(ctx.db, plan_id, revision)
    with ctx.db.store(write=False) as store:
        return store.get_plan(plan_id, include_children=False)


def update_plan(ctx: Context, plan_id: str, changes: PlanCreate | PlanPatch, expected: int | None) -> Plan:
    """Change a plan's own fields (all of them with a PlanCreate, those sent with a PlanPatch)."""
    with ctx.db.store() as store:
        plan = store.update_plan(plan_id, changes, expected)
        base, revision, header = moved(store, plan_id)
    ctx.plans.advance(plan_id, base, revision, TasksChanged([], header))  # its tasks stay as they were
    return plan


def delete_plan(ctx: Context, plan_id: str, expected: int | None) -> None:
    """Delete a plan and everything in it."""
    with ctx.db.store() as store:
        store.delete_plan(plan_id, expected)
    ctx.plans.drop(plan_id)


def add_resource(ctx: Context, plan_id: str, data: ResourceCreate) -> Resource:
    with ctx.db.store() as store:
        res = store.add_resource(plan_id, data)
    ctx.plans.drop(plan_id)
    return res


def update_resource(
    ctx: Context, plan_id: str, resource_id: str, changes: ResourcePatch, expected: int | None
) -> Resource:
    with ctx.db.store() as store:
        res = store.update_resource(plan_id, resource_id, changes, expected)
    ctx.plans.drop(plan_id)
    return res


def delete_resource(ctx: Context, plan_id: str, resource_id: str, *, force: bool) -> None:
    """Delete a resource; `force` unassigns it from its tasks first (else a 409 while it is assigned)."""
    with ctx.db.store() as store:
        store.delete_resource(plan_id, resource_id, force=force)
    ctx.plans.drop(plan_id)
