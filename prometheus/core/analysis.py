"""Plan-level views over a schedule: critical path report, timeline, summary, resource utilization."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from prometheus.core.model import Plan, TaskStatus
from prometheus.core.scheduler import Network, Schedule

FAN_OUT = 3  # successors from which a task counts as a hub


def plan_network(plan: Plan, today: date) -> Network:
    """A plan compiled for scheduling from its start date (today when it has none)."""
    cal = plan.calendar
    first_hour = (cal.working_hours[0][0] if cal else None) or datetime.min.time().replace(hour=8)
    start = datetime.combine(plan.start_date or today, first_hour)
    return Network(
        plan.tasks or [],
        plan.dependencies or [],
        start=start,
        calendar=cal,
        deadline=plan.end_date,
        resources=plan.resources,
        status_date=plan.status_date,
    )


def schedule_plan(plan: Plan, today: date) -> Schedule:
    """Schedule a plan with its tasks and links."""
    return plan_network(plan, today).solve()


def _days(minutes: int, s: Schedule) -> float:
    return round(minutes / s.minutes_per_day, 4)


def bottlenecks(plan: Plan, s: Schedule, limit: int = 10) -> list[dict]:
    """Long critical tasks and critical hubs many tasks wait on, the most serious first."""
    leaves = [t for t in s.tasks.values() if not t.summary]
    crit = [t for t in leaves if t.critical]
    if not crit:
        return []
    mean = sum(t.duration_minutes for t in crit) / len(crit)
    out = []
    for t in crit:
        reasons = []
        if t.duration_minutes > 0 and t.duration_minutes >= 1.5 * mean:
            reasons.append("long critical task")
        if t.successors >= FAN_OUT:
            reasons.append("high fan-out")
        if reasons:
            out.append(
                {
                    "task_id": t.id,
                    "name": t.name,
                    "reasons": reasons,
                    "duration_days": _days(t.duration_minutes, s),
                    "successors": t.successors,
                }
            )
    out.sort(key=lambda b: (-len(b["reasons"]), -b["duration_days"], -b["successors"]))
    return out[:limit]


def critical_path_report(plan: Plan, s: Schedule) -> dict:
    durations = {tid: t.duration_minutes for tid, t in s.tasks.items()}
    paths = sorted(s.critical_paths, key=lambda p: -sum(durations[t] for t in p))
    main = paths[0] if paths else []
    return {
        "plan_id": plan.id,
        "project_start": s.project_start,
        "project_finish": s.project_finish,
        "deadline": s.deadline,
        "critical_path": [
            {
                "task_id": tid,
                "name": s.tasks[tid].name,
                "start": s.tasks[tid].start,
                "finish": s.tasks[tid].finish,
                "duration_days": _days(durations[tid], s),
            }
            for tid in main
        ],
        "critical_paths": paths,
        "paths_truncated": s.paths_truncated,
        "critical_tasks": s.critical_tasks,
        "bottlenecks": bottlenecks(plan, s),
        "conflicts": [c.__dict__ for c in s.conflicts],
    }


def resource_utilization(plan: Plan, s: Schedule) -> list[dict]:
    """Assigned work against the work each resource can give over the project span."""
    assigned: Counter[str] = Counter()
    tasks: dict[str, list[str]] = {}
    for t in plan.tasks or []:
        st = s.tasks.get(t.id)
        if st is None or st.summary:
            continue
        for a in t.assignments:
            assigned[a.resource_id] += st.duration_minutes * a.units
            tasks.setdefault(a.resource_id, []).append(t.id)
    out = []
    for r in plan.resources or []:
        available = s.span_minutes * r.availability
        out.append(
            {
                "resource_id": r.id,
                "name": r.name,
                "type": r.type,
                "assigned_hours": round(assigned[r.id] / 60, 2),
                "available_hours": round(available / 60, 2),
                "utilization": round(assigned[r.id] / available, 4) if available else None,
                "cost": round(assigned[r.id] / 60 * r.cost_rate, 2),
                "tasks": tasks.get(r.id, []),
            }
        )
    return out


def timeline(plan: Plan, s: Schedule, *, fmt: str = "default", include_resources: bool = False) -> dict:
    preds: dict[str, list[str]] = {}
    for d in plan.dependencies or []:
        preds.setdefault(d.successor_id, []).append(d.predecessor_id)
    tasks = {t.id: t for t in plan.tasks or []}
    rows = []
    for tid, st in s.tasks.items():
        t = tasks[tid]
        if fmt == "gantt":
            rows.append(
                {
                    "id": tid,
                    "name": t.name,
                    "start": st.start,
                    "end": st.finish,
                    "progress": st.percent_complete,
                    "dependencies": ",".join(preds.get(tid, [])),
                    "parent": t.parent_id,
                    "critical": st.critical,
                    "milestone": st.milestone,
                    "summary": st.summary,
                }
            )
        else:
            row = st.as_dict(s.minutes_per_day) | {
                "parent_id": t.parent_id,
                "status": t.status,
                "priority": t.priority,
                "predecessors": preds.get(tid, []),
            }
            if include_resources:
                row["assignments"] = [a.model_dump() for a in t.assignments]
            rows.append(row)
    out = {
        "plan_id": plan.id,
        "format": fmt,
        "project_start": s.project_start,
        "project_finish": s.project_finish,
        "tasks": rows,
        "critical_path": critical_path_report(plan, s)["critical_path"],
        "conflicts": [c.__dict__ for c in s.conflicts],
    }
    if fmt == "gantt":
        out["links"] = [
            {
                "id": d.id,
                "source": d.predecessor_id,
                "target": d.successor_id,
                "type": d.type,
                "lag": d.lag,
                "lag_unit": d.lag_unit,
            }
            for d in plan.dependencies or []
        ]
    if include_resources:
        out["resources"] = resource_utilization(plan, s)
    return out


def summary(plan: Plan, s: Schedule) -> dict:
    tasks = plan.tasks or []
    parents = {t.parent_id for t in tasks if t.parent_id}
    leaves = [t for t in tasks if t.id not in parents]
    work = sum(s.tasks[t.id].duration_minutes for t in leaves if t.id in s.tasks)
    done = sum(
        s.tasks[t.id].duration_minutes * s.tasks[t.id].percent_complete / 100
        for t in leaves
        if t.id in s.tasks
    )
    if work:
        completion = 100 * done / work
    else:
        completion = (
            100 * sum(t.status == TaskStatus.completed for t in leaves) / len(leaves) if leaves else 0.0
        )
    return {
        "plan_id": plan.id,
        "name": plan.name,
        "status": plan.status,
        "task_count": len(tasks),
        "status_breakdown": dict(Counter(t.status.value for t in tasks)),
        "priority_breakdown": dict(Counter(t.priority.value for t in tasks)),
        "completion_percentage": round(completion, 2),
        "completed_tasks": sum(t.status == TaskStatus.completed for t in tasks),
        "milestone_count": sum(st.milestone for st in s.tasks.values()),
        "start_date": s.project_start,
        "end_date": s.project_finish,
        "deadline": s.deadline,
        "critical_task_count": len(s.critical_tasks),
        "conflict_count": len(s.conflicts),
        "resource_count": len(plan.resources or []),
        "resource_utilization": resource_utilization(plan, s),
    }
