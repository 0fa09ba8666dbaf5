"""Use cases of the links between tasks: create (one or a batch), delete."""

from __future__ import annotations

from prometheus.core.inputs import DependencyCreate
from prometheus.core.model import Dependency
from prometheus.services.changes import LinkRemoved, LinksAdded
from prometheus.services.context import Context
from prometheus.services.kept import moved


def create_links(
    ctx: Context, plan_id: str, parsed: DependencyCreate | list[DependencyCreate]
) -> Dependency | list[Dependency]:
    """One link (an object) or a batch (a list: all or nothing), checked against cycles."""
    kept = ctx.plans.holds(plan_id)  # else there is no kept plan to move on
    with ctx.db.store() as store:
        if isinstance(parsed, list):
            created = store.add_dependencies(plan_id, parsed)
        else:
            created = store.add_dependency(plan_id, parsed)
        after = moved(store, plan_id) if kept else None
    if after is not None:
        base, revision, header = after
        added = created if isinstance(created, list) else [created]
        ctx.plans.advance(plan_id, base, revision, LinksAdded(header, links=added))
    return created


def delete_link(
    ctx: Context,
    plan_id: str,
    *,
    dependency_id: str | None = None,
    predecessor_id: str | None = None,
    successor_id: str | None = None,
) -> Dependency:
    """Remove a link, named by its id or by its two tasks."""
    kept = ctx.plans.holds(plan_id)
    with ctx.db.store() as store:
        dep = store.delete_dependency(
            plan_id, dependency_id=dependency_id, predecessor_id=predecessor_id, successor_id=successor_id
        )
        after = moved(store, plan_id) if kept else None
    if after is not None:
        base, revision, header = after
        ctx.plans.advance(plan_id, base, revision, LinkRemoved(header, link=dep))
    return dep
