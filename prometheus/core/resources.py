"""Work, cost and skills of assignments: cost roll-up, resources matched to tasks.

Work is hours of effort: an assignment of `units` (1.0 = full time) to a task that lasts d working hours
carries d x units hours of work and costs that times the resource's `cost_rate` (per hour). Summary tasks
and the plan add up what is below them. Pure computation: no I/O.
"""

from __future__ import annotations

from collections import defaultdict

from prometheus.core.graph import children_first
from prometheus.core.model import Plan, Task
from prometheus.core.scheduler import Schedule
from prometheus.core.splits import parts, pauses


def costs(plan: Plan, s: Schedule) -> dict:
    """Work and cost per assignment, task (summaries roll up their subtasks), resource and plan."""
    resources = {r.id: r for r in plan.resources or []}
    tasks = {t.id: t for t in plan.tasks or []}
    children: dict[str, list[str]] = defaultdict(list)
    for t in plan.tasks or []:
        if t.parent_id in tasks:
            children[t.parent_id].append(t.id)
    per_resource: dict[str, dict[str, float]] = defaultdict(lambda: {"work_hours": 0.0, "cost": 0.0})
    own: dict[str, dict] = {}
    for t in plan.tasks or []:
        st = s.tasks.get(t.id)
        hours = st.duration_minutes / 60 if st is not None and not st.summary else 0.0
        if t.splits and hours:  # a split task works only in its parts
            hours = sum(b - a for a, b in parts(st.duration_minutes, pauses(t.splits))) / 60
        rows = []
        for a in t.assignments:
            r = resources[a.resource_id]
            work = hours * a.units if a.work is None or not hours else a.work
            rows.append(
                {
                    "resource_id": r.id,
                    "name": r.name,
                    "units": a.units,
                    "work_hours": round(work, 2),
                    "cost": round(work * r.cost_rate, 2),
                }
            )
            per_resource[r.id]["work_hours"] += work
            per_resource[r.id]["cost"] += work * r.cost_rate
        own[t.id] = {
            "work": sum(x["work_hours"] for x in rows),
            "cost": sum(x["cost"] for x in rows),
            "assignments": rows,
        }

    rolled: dict[str, tuple[float, float]] = {}

    for tid in children_first(own, children):  # subtasks first
        below = [rolled[c] for c in children.get(tid, [])]
        work, cost = sum(w for w, _ in below), sum(c for _, c in below)
        rolled[tid] = (own[tid]["work"] + work, own[tid]["cost"] + cost)

    rows = []
    for t in plan.tasks or []:
        if t.id not in s.tasks:  # cancelled
            continue
        work, cost = rolled[t.id]
        rows.append(
            {
                "task_id": t.id,
                "name": t.name,
                "parent_id": t.parent_id,
                "summary": t.id in children,
                "duration_hours": round(s.tasks[t.id].duration_minutes / 60, 2),
                "work_hours": round(work, 2),
                "cost": round(cost, 2),
                "actual_cost": t.actual_cost,
                "assignments": own[t.id]["assignments"],
            }
        )
    top = [t.id for t in plan.tasks or [] if t.parent_id not in tasks and t.id in s.tasks]
    return {
        "plan_id": plan.id,
        "work_hours": round(sum(rolled[t][0] for t in top), 2),
        "cost": round(sum(rolled[t][1] for t in top), 2),
        "resources": [
            {
                "resource_id": r.id,
                "name": r.name,
                "cost_rate": r.cost_rate,
                "work_hours": round(per_resource[r.id]["work_hours"], 2),
                "cost": round(per_resource[r.id]["cost"], 2),
            }
            for r in plan.resources or []
        ],
        "tasks": rows,
    }


def missing_skills(required: list[str], skills: list[str]) -> list[str]:
    """The required skills a resource lacks, compared without case, in the task's order."""
    have = {x.casefold() for x in skills}
    return [x for x in required if x.casefold() not in have]


def candidates(plan: Plan, task: Task, load: dict[str, float] | None = None) -> list[dict]:
    """Resources for a task: those with every required skill first, then by fewest missing skills and
    lowest load (utilization over the plan, 0-1). Already assigned resources are marked."""
    need = {x.casefold() for x in task.required_skills}
    assigned = {a.resource_id for a in task.assignments}
    load = load or {}
    out = []
    for r in plan.resources or []:
        missing = sorted(missing_skills(task.required_skills, r.skills))
        out.append(
            {
                "resource_id": r.id,
                "name": r.name,
                "skills": r.skills,
                "matches": not missing,
                "missing_skills": missing,
                "coverage": round(1 - len(missing) / len(need), 4) if need else 1.0,
                "utilization": load.get(r.id),
                "assigned": r.id in assigned,
            }
        )
    out.sort(key=lambda c: (-c["coverage"], c["utilization"] or 0.0, c["name"]))
    return out


def skill_gaps(plan: Plan) -> list[dict]:
    """Assignments whose resource lacks a skill the task requires."""
    resources = {r.id: r for r in plan.resources or []}
    gaps = []
    for t in plan.tasks or []:
        for a in t.assignments:
            missing = missing_skills(t.required_skills, resources[a.resource_id].skills)
            if missing:
                gaps.append(
                    {
                        "task_id": t.id,
                        "task": t.name,
                        "resource_id": a.resource_id,
                        "resource": resources[a.resource_id].name,
                        "missing_skills": missing,
                    }
                )
    return gaps
