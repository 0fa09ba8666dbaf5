"""A plan as Synthesis steps, and what changes when the plan changes while it runs. Pure."""

from __future__ import annotations

import heapq

from prometheus.core.model import Plan, TaskStatus
from prometheus.core.scheduler import Schedule

STEP_FIELDS = ("name", "dependencies", "start", "finish", "duration_minutes")


def execution_steps(plan: Plan, schedule: Schedule) -> list[dict]:
    """One step per work task (not summaries), in an order that respects every link: by scheduled start
    among the steps whose predecessors come before (Synthesis runs steps in list order, ignoring
    `dependencies`)."""
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

    def key(tid: str) -> tuple:
        return (schedule.tasks[tid].start, tasks[tid].position, tid)

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
                "name": t.name,
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
