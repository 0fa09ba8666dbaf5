"""A plan as Synthesis steps, and what changes when the plan changes while it runs. Pure."""

from __future__ import annotations

import heapq
from typing import Any

from prometheus.core.graph import find_cycle
from prometheus.core.model import Plan, Task, TaskStatus
from prometheus.core.scheduler import Schedule

STEP_FIELDS = ("name", "dependencies", "start", "finish", "duration_minutes")
# what Synthesis runs (its step types) and the step fields it takes
STEP_TYPES = (
    "command",
    "function",
    "api",
    "condition",
    "loop",
    "subprocess",
    "notify",
    "wait",
    "variable",
    "llm",
)
WIRE_STEP = ("id", "type", "parameters", "dependencies", "timeout")


def execution_steps(plan: Plan, schedule: Schedule) -> list[dict]:
    """One step per work task (not summaries), in an order that respects every link: by scheduled start
    among the steps whose predecessors come before (Synthesis runs steps in list order, ignoring
    `dependencies`); a running step comes first among those."""
    tasks = {t.id: t for t in plan.tasks or []}
    summary_ids = {t.parent_id for t in tasks.values() if t.parent_id}
    work = [tid for tid in tasks if tid not in summary_ids]
    preds: dict[str, list[str]] = {tid: [] for tid in work}
    for d in plan.dependencies or []:
        if d.successor_id in preds and d.predecessor_id in preds:
            preds[d.successor_id].append(d.predecessor_id)
    succs: dict[str, list[str]] = {tid: [] for tid in work}
    for tid, ps in preds.items():
        for p in ps:
            succs[p].append(tid)
    waiting = {tid: len(ps) for tid, ps in preds.items()}

    def key(tid: str) -> tuple:  # a running step before those not started, then by scheduled start
        running = tasks[tid].status is TaskStatus.in_progress
        return (not running, schedule.tasks[tid].start, tasks[tid].position, tid)

    ready = [key(tid) for tid in work if not waiting[tid]]
    heapq.heapify(ready)
    order = []
    while ready:  # earliest scheduled start first among the steps whose predecessors are placed
        tid = heapq.heappop(ready)[-1]
        order.append(tid)
        for nxt in succs[tid]:
            waiting[nxt] -= 1
            if not waiting[nxt]:
                heapq.heappush(ready, key(nxt))
    steps = []
    for tid in order:
        t, s = tasks[tid], schedule.tasks[tid]
        step_type = t.metadata.get("step_type", "notify") if isinstance(t.metadata, dict) else "notify"
        parameters = t.metadata.get("step_parameters") if isinstance(t.metadata, dict) else None
        steps.append(
            {
                "id": tid,
                "key": t.key,
                "name": t.name,
                "description": t.description,
                "type": step_type,
                "parameters": parameters
                if isinstance(parameters, dict)
                else {"message": t.name, "task_id": tid},
                "dependencies": sorted(preds[tid]),
                "timeout": 60,
                "start": s.start.isoformat(),
                "finish": s.finish.isoformat(),
                "duration_minutes": s.duration_minutes,
                "done": t.status in (TaskStatus.completed, TaskStatus.cancelled),
            }
        )
    return steps


def adjustment(before: list[dict], after: list[dict]) -> dict | None:
    """What changed between two step lists (added, removed, changed steps, new order), or None."""
    old, new = {s["id"]: s for s in before}, {s["id"]: s for s in after}
    added = [s["id"] for s in after if s["id"] not in old]
    removed = [s["id"] for s in before if s["id"] not in new]
    changed = [
        {"id": sid, "fields": [f for f in STEP_FIELDS if old[sid].get(f) != new[sid].get(f)]}
        for sid in new
        if sid in old and any(old[sid].get(f) != new[sid].get(f) for f in STEP_FIELDS)
    ]
    if not (added or removed or changed):
        return None
    return {
        "added": added,
        "removed": removed,
        "changed": changed,
        "remaining_order": [s["id"] for s in after if not s["done"]],
    }


def execution_plan(plan: Plan, steps: list[dict]) -> dict:
    """A plan for Synthesis in the integration guide's shape: name, description, source, source_id, steps."""
    return {"plan_id": plan.id, "name": plan.name, "description": plan.description, "source": "prometheus",
            "source_id": plan.id, "steps": steps}  # fmt: skip


def synthesis_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """An execution plan (the guide's `{name, description, source, source_id, steps}`, or one from
    `for-execution`) as Synthesis takes it: only its step fields, finished steps left out, and each step
    after its dependencies (Synthesis runs steps in list order and ignores `dependencies`). ValueError
    names what is wrong: no steps, a step without an id, a duplicate, an unknown type or dependency, or a
    cycle."""
    raw = plan.get("steps")
    if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
        raise ValueError("an execution plan needs `steps`, a list of step objects")
    steps: dict[str, dict] = {}
    for i, step in enumerate(raw):
        sid = step.get("id")
        if not isinstance(sid, str) or not sid:
            raise ValueError(f"step #{i + 1} has no id")
        if sid in steps:
            raise ValueError(f"two steps have the id {sid}")
        if (step.get("type") or "notify") not in STEP_TYPES:
            raise ValueError(f"step {sid}: type {step.get('type')!r} is not one of {', '.join(STEP_TYPES)}")
        steps[sid] = step
    for sid, step in steps.items():
        unknown = [d for d in step.get("dependencies") or [] if d not in steps]
        if unknown:
            raise ValueError(f"step {sid} depends on unknown steps {unknown}")
    todo = [sid for sid, step in steps.items() if not step.get("done")]
    edges = [(d, sid) for sid in todo for d in steps[sid].get("dependencies") or [] if d in todo]
    if cycle := find_cycle(todo, edges):
        raise ValueError("the steps' dependencies form a cycle: " + " -> ".join(cycle))
    index = {sid: i for i, sid in enumerate(todo)}
    waiting = {sid: 0 for sid in todo}
    after: dict[str, list[str]] = {sid: [] for sid in todo}
    for a, b in edges:
        waiting[b] += 1
        after[a].append(b)
    ready = [index[sid] for sid in todo if not waiting[sid]]
    heapq.heapify(ready)
    order = []
    while ready:  # the given order, except that a step waits for its dependencies
        sid = todo[heapq.heappop(ready)]
        order.append(sid)
        for nxt in after[sid]:
            waiting[nxt] -= 1
            if not waiting[nxt]:
                heapq.heappush(ready, index[nxt])
    defaults = {"type": "notify", "parameters": {}, "timeout": 60}
    wire = [
        {k: steps[sid].get(k) or defaults.get(k) for k in WIRE_STEP}
        | {"dependencies": [d for d in steps[sid].get("dependencies") or [] if d in index]}
        for sid in order
    ]
    source_id = plan.get("source_id") or plan.get("plan_id")
    metadata = dict(plan.get("metadata") or {}) | {"source": plan.get("source") or "prometheus"}
    if source_id:
        metadata["source_id"] = source_id
    return {"plan_id": source_id, "name": str(plan.get("name") or "Prometheus plan"),
            "description": str(plan.get("description") or ""), "steps": wire,
            "metadata": metadata}  # fmt: skip


def match_steps(tasks: list[Task], steps: list[dict]) -> dict[str, str]:
    """Which task each step stands for (step id -> task id): the step's id, or its parameters' task_id,
    is a task's id or key; else its name is the name of exactly one task."""
    by_ref = {t.id: t.id for t in tasks} | {t.key: t.id for t in tasks if t.key}
    by_name: dict[str, list[str]] = {}
    for t in tasks:
        by_name.setdefault(t.name, []).append(t.id)
    found = {}
    for step in steps:
        sid = str(step.get("id") or "")
        params = step.get("parameters") if isinstance(step.get("parameters"), dict) else {}
        named = by_name.get(str(step.get("name")), [])
        tid = (
            by_ref.get(sid)
            or by_ref.get(str(params.get("task_id")))
            or (named[0] if len(named) == 1 else None)
        )
        if sid and tid:
            found[sid] = tid
    return found
