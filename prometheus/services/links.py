"""Use cases of the links between tasks: create (one or a batch), delete."""

from __future__ import annotations

from prometheus.core.inputs import DependencyCreate
from prometheus.core.model import Dependency
from prometheus.services.context import Context


def create_links(
    ctx: Context, plan_id: str, parsed: DependencyCreate | list[DependencyCreate]
) -> Dependency | list[Dependency]:
    """One link (an object) or a batch (a list: all or nothing), checked against cycles."""
    with ctx.db.store() as store:
        if isinstance(parsed, list):
            created = store.add_dependencies(plan_id, parsed)
        else:
            created = store.add_dependency(plan_id, parsed)
    ctx.plans.drop(plan_id)
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
    with ctx.db.store() as store:
        dep = store.delete_dependency(
            plan_id, dependency_id=dependency_id, predecessor_id=predecessor_id, successor_id=successor_id
        )
    ctx.plans.drop(plan_id)
    return dep
