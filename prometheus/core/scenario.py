"""What-if scenarios: a plan seen through its scenario's changes (copy-on-write overlay, no rows copied).

A scenario keeps only what differs from its base plan: field changes of tasks and resources, tasks, links
and resources added in the scenario (under ids of their own) and the ones removed. `overlay` is the base
plan as the scenario sees it; the `edit_*` functions record one change after checking it against that view.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from prometheus.core import structure
from prometheus.core.inputs import (
    DependencyCreate,
    Input,
    ResourceCreate,
    ResourcePatch,
    TaskCreate,
    TaskPatch,
    check_three_point,
)
from prometheus.core.model import Dependency, Plan, Resource, Task, TaskStatus
from prometheus.core.task_types import balance
from prometheus.errors import NotFound, ValidationFailed

NEW_PREFIX = "new-"  # ids of what a scenario adds; promotion gives them real ids
_EMPTY = {"tags": [], "required_skills": [], "metadata": {}, "description": ""}


class ScenarioChanges(BaseModel):
    """What a scenario changes in its base plan (JSON in one row)."""

    tasks: dict[str, dict[str, Any]] = Field(default_factory=dict, description="task id -> changed fields")
    added_tasks: dict[str, dict[str, Any]] = Field(default_factory=dict, description="new id -> fields")
    removed_tasks: list[str] = Field(default_factory=list)
    added_links: dict[str, dict[str, Any]] = Field(default_factory=dict)
    removed_links: list[str] = Field(default_factory=list)
    resources: dict[str, dict[str, Any]] = Field(default_factory=dict)
    added_resources: dict[str, dict[str, Any]] = Field(default_factory=dict)
    removed_resources: list[str] = Field(default_factory=list)
    base_versions: dict[str, int] = Field(
        default_factory=dict, description="'task:<id>' / 'resource:<id>' -> base version when first changed"
    )

    def count(self) -> int:
        """How many things the scenario changes."""
        return sum(
            len(x)
            for x in (
                self.tasks, self.added_tasks, self.removed_tasks, self.added_links, self.removed_links,
                self.resources, self.added_resources, self.removed_resources,
            )
        )  # fmt: skip


class Scenario(BaseModel):
    id: str
    plan_id: str
    name: str
    description: str = ""
    base_revision: str = Field("", description="the plan's revision when the scenario was opened")
    changes: ScenarioChanges = Field(default_factory=ScenarioChanges)
    change_count: int = 0
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ScenarioCreate(Input):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=20_000)


class ScenarioPatch(Input):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    version: int | None = None


def new_id() -> str:
    return NEW_PREFIX + uuid.uuid4().hex[:12]


def _removed_tasks(plan: Plan, removed: list[str]) -> set[str]:
    """The removed tasks with their subtasks (removing a summary task removes what is under it)."""
    gone = set(removed)
    children: dict[str, list[str]] = {}
    for t in plan.tasks or []:
        if t.parent_id:
            children.setdefault(t.parent_id, []).append(t.id)
    stack = list(gone)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in gone:
                gone.add(child)
                stack.append(child)
    return gone


def _task_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Stored task changes as Task fields (assignments, nulls and completion as the store treats them)."""
    out = {k: v for k, v in values.items() if k not in ("assignments", "assigned_resources", "version")}
    for key, empty in _EMPTY.items():
        if key in out and out[key] is None:
            out[key] = empty
    if "duration" in out and out["duration"] is None:
        del out["duration"]
    if values.get("assignments") is not None:
        out["assignments"] = values["assignments"]
    elif values.get("assigned_resources") is not None:
        out["assignments"] = [{"resource_id": r} for r in values["assigned_resources"]]
    if out.get("status") == TaskStatus.completed:
        out["percent_complete"] = 100.0
    return out


def _new_task(plan_id: str, tid: str, values: dict[str, Any], position: int) -> Task:
    fields = _task_fields(values)
    if fields.get("duration") is None:
        fields["duration"] = 0.0 if fields.get("milestone") else 1.0
    return balance(Task.model_validate({**fields, "id": tid, "plan_id": plan_id, "position": position}), None)


def _changed(t: Task, values: dict | None, gone_res: set[str], dropped: set[str], added: list[str]) -> Task:
    """A base task as the scenario changes it: its fields, assignments and predecessors."""
    if values:
        t = balance(Task.model_validate({**t.model_dump(), **_task_fields(values)}), t)
    if any(a.resource_id in gone_res for a in t.assignments):
        kept = [a for a in t.assignments if a.resource_id not in gone_res]
        t = balance(t.model_copy(update={"assignments": kept}), t)
    if dropped or added:
        preds = [p for p in t.dependencies if p not in dropped] + added
        t = t.model_copy(update={"dependencies": preds})
    return t


def _within(t: Task, alive: set[str], rids: set[str]) -> Task:
    """A changed or added task without a parent or resources the plan no longer has."""
    update: dict = {}
    if t.parent_id is not None and t.parent_id not in alive:
        update["parent_id"] = None
    if any(a.resource_id not in rids for a in t.assignments):
        update["assignments"] = [a for a in t.assignments if a.resource_id in rids]
    return balance(t.model_copy(update=update), t) if update else t


def overlay(plan: Plan, ch: ScenarioChanges) -> Plan:
    """The base plan (with its children loaded) as the scenario sees it."""
    gone_tasks = _removed_tasks(plan, ch.removed_tasks)
    gone_res = set(ch.removed_resources)
    resources = [
        Resource.model_validate({**r.model_dump(), **ch.resources[r.id]}) if r.id in ch.resources else r
        for r in plan.resources or []
        if r.id not in gone_res
    ]
    resources += [
        Resource.model_validate({**v, "id": rid, "plan_id": plan.id}) for rid, v in ch.added_resources.items()
    ]
    gone_links = set(ch.removed_links)
    links = [
        d
        for d in plan.dependencies or []
        if d.id not in gone_links and d.predecessor_id not in gone_tasks and d.successor_id not in gone_tasks
    ]
    # what the plan removed meanwhile drops out of the scenario's own additions (promotion refuses them)
    alive = {t.id for t in plan.tasks or [] if t.id not in gone_tasks} | set(ch.added_tasks)
    rids = {r.id for r in resources}
    added = [
        Dependency.model_validate({**v, "id": lid, "plan_id": plan.id})
        for lid, v in ch.added_links.items()
        if v["predecessor_id"] in alive and v["successor_id"] in alive
    ]
    # predecessors change only for successors of links removed or added (kept in the base's order)
    dropped: dict[str, set[str]] = {}
    for d in plan.dependencies or []:
        if d.id in gone_links or d.predecessor_id in gone_tasks:
            dropped.setdefault(d.successor_id, set()).add(d.predecessor_id)
    new_preds: dict[str, list[str]] = {}
    for d in added:
        new_preds.setdefault(d.successor_id, []).append(d.predecessor_id)
    touched = set(ch.tasks) | set(dropped) | set(new_preds)
    if gone_res:
        touched |= {t.id for t in plan.tasks or [] if any(a.resource_id in gone_res for a in t.assignments)}
    tasks: list[Task] = []
    last = 0
    for t in plan.tasks or []:
        last = max(last, t.position)
        if t.id in gone_tasks:
            continue
        if t.id in touched:
            t = _changed(t, ch.tasks.get(t.id), gone_res, dropped.get(t.id, set()), new_preds.get(t.id, []))
            t = _within(t, alive, rids)
        tasks.append(t)
    for i, (tid, values) in enumerate(ch.added_tasks.items(), start=1):
        task = _new_task(plan.id, tid, values, last + i)
        tasks.append(_within(task.model_copy(update={"dependencies": new_preds.get(tid, [])}), alive, rids))
    links += added
    return plan.model_copy(
        update={"tasks": tasks, "dependencies": links, "resources": resources, "task_count": len(tasks)}
    )


# -- edits: each checks the change against the scenario's view, then records it ------------------------------


def _find_task(view: Plan, ref: str) -> Task:
    task = next((t for t in view.tasks or [] if ref in (t.id, t.key)), None)
    if task is None:
        raise NotFound(f"task {ref} not found in the scenario", details={"task_id": ref})
    return task


def _check_parent(view: Plan, task_id: str | None, parent_id: str | None) -> None:
    """The task (None: a new one) may have this parent in the scenario, as in a plan (`core.structure`)."""
    if parent_id is not None:
        structure.check_parent(*structure.of_plan(view), task_id, parent_id, "the scenario")


def _check_task(view: Plan, task: Task) -> None:
    res = {r.id for r in view.resources or []}
    seen: set[str] = set()
    for a in task.assignments:
        if a.resource_id not in res:
            raise ValidationFailed(
                f"resource {a.resource_id} not found in the scenario", details={"resource_id": a.resource_id}
            )
        if a.resource_id in seen:
            raise ValidationFailed(f"resource {a.resource_id} is assigned twice")
        seen.add(a.resource_id)
    if task.constraint_type not in ("ASAP", "ALAP") and task.constraint_date is None:
        raise ValidationFailed(f"constraint {task.constraint_type} needs a constraint_date")
    if task.effort_driven and task.work is None:
        raise ValidationFailed("an effort-driven task needs its work (hours)")
    try:
        check_three_point(task.optimistic_duration, task.most_likely_duration, task.pessimistic_duration)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from None


def _resolve(view: Plan, values: dict[str, Any]) -> dict[str, Any]:
    """Task keys (task-N) given as parent become ids."""
    if values.get("parent_id"):
        values["parent_id"] = _find_task(view, values["parent_id"]).id
    return values


def _remember(ch: ScenarioChanges, kind: str, thing: Task | Resource) -> None:
    if not thing.id.startswith(NEW_PREFIX):
        ch.base_versions.setdefault(f"{kind}:{thing.id}", thing.version)


def edit_task(base: Plan, ch: ScenarioChanges, ref: str, patch: TaskPatch) -> str:
    """Change a task's fields in the scenario (durations, dates, constraints, assignments...); its id."""
    view = overlay(base, ch)
    task = _find_task(view, ref)
    if refused := patch.refused_nulls():
        raise ValidationFailed(f"{', '.join(refused)} cannot be null")
    values = _resolve(view, patch.changes(mode="json", exclude={"version"}))
    _check_parent(view, task.id, values.get("parent_id"))
    merged = {**task.model_dump(), **_task_fields(values)}
    _check_task(view, Task.model_validate(merged))
    if task.id in ch.added_tasks:
        ch.added_tasks[task.id] = _merge(ch.added_tasks[task.id], values)
    else:
        _remember(ch, "task", task)
        ch.tasks[task.id] = _merge(ch.tasks.get(task.id, {}), values)
    return task.id


def _merge(before: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Task changes over earlier ones; new assignments replace the earlier ones, however they were given."""
    if "assignments" in values or "assigned_resources" in values:
        before = {k: v for k, v in before.items() if k not in ("assignments", "assigned_resources")}
    return {**before, **values}


def add_task(base: Plan, ch: ScenarioChanges, data: TaskCreate) -> str:
    view = overlay(base, ch)
    values = _resolve(view, data.model_dump(mode="json", exclude={"version"}))
    tid = new_id()
    _check_parent(view, None, values.get("parent_id"))
    _check_task(view, _new_task(base.id, tid, values, 0))
    ch.added_tasks[tid] = values
    return tid


def remove_task(base: Plan, ch: ScenarioChanges, ref: str) -> str:
    task = _find_task(overlay(base, ch), ref)
    if task.id in ch.added_tasks:
        del ch.added_tasks[task.id]
        ch.added_links = {
            k: v for k, v in ch.added_links.items() if task.id not in (v["predecessor_id"], v["successor_id"])
        }
    else:
        _remember(ch, "task", task)
        ch.tasks.pop(task.id, None)
        ch.removed_tasks.append(task.id)
    return task.id


def add_link(base: Plan, ch: ScenarioChanges, data: DependencyCreate) -> str:
    view = overlay(base, ch)
    pred, succ = _find_task(view, data.predecessor_id).id, _find_task(view, data.successor_id).id
    parent_of, links, names = structure.of_plan(view)
    structure.check_link(parent_of, names, pred, succ, set(links), "the scenario")
    structure.check_no_cycle(parent_of, links, names, pred, succ)
    lid = new_id()
    ch.added_links[lid] = {
        **data.model_dump(mode="json"), "predecessor_id": pred, "successor_id": succ,
    }  # fmt: skip
    return lid


def remove_link(base: Plan, ch: ScenarioChanges, link_id: str) -> str:
    if link_id in ch.added_links:
        del ch.added_links[link_id]
        return link_id
    if not any(d.id == link_id for d in overlay(base, ch).dependencies or []):
        raise NotFound(f"link {link_id} not found in the scenario", details={"dependency_id": link_id})
    ch.removed_links.append(link_id)
    return link_id


def _find_resource(view: Plan, rid: str) -> Resource:
    res = next((r for r in view.resources or [] if rid in (r.id, r.name)), None)
    if res is None:
        raise NotFound(f"resource {rid} not found in the scenario", details={"resource_id": rid})
    return res


def _unique_name(view: Plan, name: str | None, rid: str | None = None) -> None:
    if name and any(r.name == name and r.id != rid for r in view.resources or []):
        raise ValidationFailed(f"a resource named '{name}' already exists in the scenario")


def add_resource(base: Plan, ch: ScenarioChanges, data: ResourceCreate) -> str:
    _unique_name(overlay(base, ch), data.name)
    rid = new_id()
    ch.added_resources[rid] = data.model_dump(mode="json")
    return rid


def edit_resource(base: Plan, ch: ScenarioChanges, ref: str, patch: ResourcePatch) -> str:
    view = overlay(base, ch)
    res = _find_resource(view, ref)
    values = patch.changes(mode="json")
    if "name" in values and values["name"] is None:
        raise ValidationFailed("name cannot be null")
    _unique_name(view, values.get("name"), res.id)
    try:  # a change the resource cannot hold (a null name...) is refused, never stored
        Resource.model_validate({**res.model_dump(mode="json"), **values})
    except ValidationError as exc:
        wrong = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ValidationFailed(f"resource {res.id}: {wrong}") from None
    if res.id in ch.added_resources:
        ch.added_resources[res.id] = {**ch.added_resources[res.id], **values}
    else:
        _remember(ch, "resource", res)
        ch.resources[res.id] = {**ch.resources.get(res.id, {}), **values}
    return res.id


def remove_resource(base: Plan, ch: ScenarioChanges, ref: str) -> str:
    """Remove a resource and its assignments from the scenario."""
    res = _find_resource(overlay(base, ch), ref)
    if res.id in ch.added_resources:
        del ch.added_resources[res.id]
        for values in (*ch.tasks.values(), *ch.added_tasks.values()):
            if values.get("assignments"):
                values["assignments"] = [a for a in values["assignments"] if a["resource_id"] != res.id]
            if values.get("assigned_resources"):
                values["assigned_resources"] = [r for r in values["assigned_resources"] if r != res.id]
    else:
        _remember(ch, "resource", res)
        ch.resources.pop(res.id, None)
        ch.removed_resources.append(res.id)
    return res.id


def level(base: Plan, ch: ScenarioChanges, starts: dict[str, datetime]) -> None:
    """Keep leveling delays in the scenario as start-no-earlier-than dates (as leveling a plan does)."""
    tasks = {t.id: t for t in overlay(base, ch).tasks or []}
    for tid, when in starts.items():
        values = TaskPatch(constraint_type="SNET", constraint_date=when).model_dump(
            mode="json", exclude_unset=True
        )
        if tid in ch.added_tasks:
            ch.added_tasks[tid] = {**ch.added_tasks[tid], **values}
        else:
            _remember(ch, "task", tasks[tid])
            ch.tasks[tid] = {**ch.tasks.get(tid, {}), **values}
