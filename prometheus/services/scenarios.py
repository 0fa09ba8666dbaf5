"""Use cases of what-if scenarios and baselines: open, change, record a change, promote, discard; save and
delete a baseline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from prometheus.core import analysis, evm
from prometheus.core import scenario as sc
from prometheus.core.inputs import BaselineCreate
from prometheus.core.model import Baseline, Plan
from prometheus.core.scenario import Scenario, ScenarioChanges, ScenarioCreate, ScenarioPatch
from prometheus.services.changes import TasksChanged
from prometheus.services.context import Context
from prometheus.services.kept import moved
from prometheus.services.schedule import kept_scheduled

T = TypeVar("T")


def open_scenario(ctx: Context, plan_id: str, data: ScenarioCreate) -> Scenario:
    with ctx.db.store() as store:
        return store.create_scenario(plan_id, data)


def rename_scenario(
    ctx: Context, plan_id: str, scenario_id: str, changes: ScenarioPatch, expected: int | None
) -> Scenario:
    with ctx.db.store() as store:
        return store.update_scenario(plan_id, scenario_id, changes, expected)


def discard_scenario(ctx: Context, plan_id: str, scenario_id: str, expected: int | None) -> None:
    with ctx.db.store() as store:
        store.delete_scenario(plan_id, scenario_id, expected)


def record_change(
    ctx: Context, plan_id: str, scenario_id: str, edit: Callable[[Plan, ScenarioChanges], T]
) -> tuple[Scenario, T]:
    """One change recorded in a scenario, checked against the plan as kept (promotion checks it again)."""
    base = ctx.plans.plan(ctx.db, plan_id)
    with ctx.db.store() as store:
        return store.edit_scenario(plan_id, scenario_id, edit, base=base)


def level_scenario(
    ctx: Context, plan_id: str, scenario_id: str, *, apply: bool, solver: str, time_limit: float
) -> dict[str, Any]:
    """Resource leveling of the scenario's view of the plan; with `apply`, its delays are recorded in the
    scenario as one change."""
    today = ctx.today()

    def level(base: Plan, changes: ScenarioChanges) -> dict[str, Any]:
        result = analysis.leveled(sc.overlay(base, changes), today, solver=solver, time_limit=time_limit)
        starts = result.pop("starts")
        if apply and starts:
            sc.level(base, changes, starts)
        result["applied"] = bool(apply and starts)
        return result

    if apply:
        return record_change(ctx, plan_id, scenario_id, level)[1]
    base = ctx.plans.plan(ctx.db, plan_id)
    with ctx.db.store(write=False) as store:
        scenario = store.get_scenario(plan_id, scenario_id)
    return level(base, scenario.changes)


def promote_scenario(
    ctx: Context, plan_id: str, scenario_id: str, expected: int | None, base_revision: str | None
) -> dict[str, Any]:
    """The scenario's changes applied to the plan in one transaction (409 if the plan changed there)."""
    with ctx.db.store() as store:
        result = store.promote_scenario(plan_id, scenario_id, expected, base_revision)
    ctx.plans.drop(plan_id)
    return result


def save_baseline(ctx: Context, plan_id: str, request: BaselineCreate) -> Baseline:
    """The plan's schedule now, stored as a baseline."""
    plan, s = kept_scheduled(ctx, plan_id, ctx.today())
    snap = evm.snapshot(plan, s, ctx.clock())
    with ctx.db.store() as store:
        baseline = store.save_baseline(plan_id, request, snap)
        base, revision, header = moved(store, plan_id)
    ctx.plans.advance(plan_id, base, revision, TasksChanged([], header))  # the plan holds no baselines
    return baseline


def delete_baseline(ctx: Context, plan_id: str, number: int) -> None:
    with ctx.db.store() as store:
        store.delete_baseline(plan_id, number)
    ctx.plans.drop(plan_id)
