"""Plan-level views over a schedule: critical path report, timeline, summary, resource utilization."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time

from prometheus.core.bounds import EARLIEST_YEAR, LATEST_YEAR
from prometheus.core.calendar import SchedulingError
from prometheus.core.cpm.columns import TASK_DATES, read
from prometheus.core.cpm.table import PlanTable
from prometheus.core.critical import critical_path_report
from prometheus.core.graph import outline_order
from prometheus.core.leveling import level_plan, over_allocations
from prometheus.core.model import Plan, TaskStatus
from prometheus.core.resources import costs, skill_gaps
from prometheus.core.scheduler import Network, Schedule
from prometheus.core.splits import part_dates, task_calendar


def schedule_args(plan: Plan, today: date) -> dict:
    """How a plan is scheduled: from its start date (today when it has none) at its default start time (else
    the start of the calendar's working day), on its calendar; work not done by its status date after that
    date only when the plan says so (status_date_moves_work)."""
    cal = plan.calendar
    first_hour = plan.default_start_time or (cal.working_hours[0][0] if cal else time(8))
    return {
        "start": datetime.combine(plan.start_date or today, first_hour),
        "calendar": cal,
        "deadline": plan.end_date,
        "resources": plan.resources,
        "status_date": plan.status_date if plan.status_date_moves_work else None,
    }


def check_dates(plan: Plan, table: PlanTable | None = None) -> None:
    """Every date of the plan within EARLIEST_YEAR..LATEST_YEAR, else a SchedulingError naming it (data
    stored before the API bounded dates, or written around it); `table`: the plan's tasks read before."""
    tasks = plan.tasks or []
    cols = table.columns if table is not None else read(tasks, ("name", *TASK_DATES))
    fields = [("plan", "start_date", plan.start_date), ("plan", "end_date", plan.end_date),
              ("plan", "status_date", plan.status_date)]  # fmt: skip
    for name in TASK_DATES:  # list.count runs in C: most columns hold no date at all
        if cols[name].count(None) != len(tasks):
            fields += [(f"task '{t}'", name, v) for t, v in zip(cols["name"], cols[name], strict=True) if v]
    for owner, name, value in fields:
        if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise SchedulingError(
                f"{owner} has {name} {value.isoformat()}, outside the years {EARLIEST_YEAR}..{LATEST_YEAR} "
                "that can be scheduled: correct it"
            )


def plan_network(plan: Plan, today: date, table: PlanTable | None = None) -> Network:
    """A plan compiled for scheduling (from `table`, the plan's tasks and links read before, if given)."""
    check_dates(plan, table)
    if table is None:
        return Network(plan.tasks or [], plan.dependencies or [], **schedule_args(plan, today))
    return Network(table, **schedule_args(plan, today))


def leveled(
    plan: Plan,
    today: date,
    *,
    solver: str = "heuristic",
    time_limit: float = 10.0,
    table: PlanTable | None = None,
) -> dict:
    """Resource leveling of a plan: what moves, and the over-allocations before and after. `table`: the
    plan's tasks and links read into columns, when the caller keeps them."""
    capacity = {r.id: r.availability for r in plan.resources or []}
    tasks, deps = plan.tasks or [], plan.dependencies or []
    before = plan_network(plan, today, table)
    plain = before.solve()
    new_tasks, result, after = level_plan(
        tasks,
        deps,
        capacity=capacity,
        solved=before,
        solver=solver,
        time_limit=time_limit,
        **schedule_args(plan, today),
    )
    s = after.solve()
    names = {t.id: t.name for t in tasks}
    return {
        "plan_id": plan.id,
        "project_finish_before": plain.project_finish,
        "project_finish_after": s.project_finish,
        "solver": solver,
        "moved": [
            {
                "task_id": tid,
                "name": names[tid],
                "delay_days": round(minutes / s.minutes_per_day, 4),
                "start_before": plain.tasks[tid].start,
                "start_after": s.tasks[tid].start,
            }
            for tid, minutes in result.delays.items()
        ],
        "over_allocations_before": over_allocations(before, tasks, capacity),
        "over_allocations_after": over_allocations(after, new_tasks, capacity),
        "impossible": result.impossible,
        "starts": result.starts,
    }


def schedule_plan(plan: Plan, today: date, table: PlanTable | None = None) -> Schedule:
    """Schedule a plan with its tasks and links (read before into `table`, if given)."""
    return plan_network(plan, today, table).solve()


def _days(minutes: int, s: Schedule) -> float:
    return round(minutes / s.minutes_per_day, 4)


def resource_utilization(plan: Plan, s: Schedule, money: dict | None = None) -> list[dict]:
    """Assigned work against the work each resource can give over the project span (`money`: the
    plan's `resources.costs`, when already computed)."""
    money = money or costs(plan, s)
    spent = {r["resource_id"]: r for r in money["resources"]}
    tasks: dict[str, list[str]] = {}
    for row in money["tasks"]:
        for a in row["assignments"]:
            tasks.setdefault(a["resource_id"], []).append(row["task_id"])
    out = []
    for r in plan.resources or []:
        available = s.span_minutes * r.availability / 60
        hours = spent[r.id]["work_hours"]
        out.append(
            {
                "resource_id": r.id,
                "name": r.name,
                "type": r.type,
                "assigned_hours": hours,
                "available_hours": round(available, 2),
                "utilization": round(hours / available, 4) if available else None,
                "cost": spent[r.id]["cost"],
                "tasks": tasks.get(r.id, []),
            }
        )
    return out


# What a Gantt table shows of a task as entered, and its version for If-Match, written as the task's own
# answer writes them: a large plan's chart is drawn and dragged from its timeline alone.
GANTT_FIELDS = {"duration", "duration_unit", "constraint_type", "constraint_date", "version"}


def timeline(plan: Plan, s: Schedule, *, fmt: str = "default", include_resources: bool = False) -> dict:
    preds: dict[str, list[str]] = {}
    for d in plan.dependencies or []:
        preds.setdefault(d.successor_id, []).append(d.predecessor_id)
    rows, laid_out = [], {}  # calendars laid out once for the parts of split tasks
    for t in outline_order(plan.tasks or []):
        tid, st = t.id, s.tasks.get(t.id)
        if st is None:  # cancelled
            continue
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
            row = (
                st.as_dict(s.minutes_per_day)
                | {
                    "parent_id": t.parent_id,
                    "status": t.status,
                    "priority": t.priority,
                    "predecessors": preds.get(tid, []),
                }
                | t.model_dump(mode="json", include=GANTT_FIELDS)
            )
            if include_resources:
                row["assignments"] = [a.model_dump() for a in t.assignments]
            if t.splits and not st.summary:  # a split task's worked parts
                own = task_calendar(t, plan.resources or [], plan.calendar)
                dates = part_dates(st.start, st.finish, t.splits, own, laid_out)
                row["parts"] = [{"start": a, "finish": b} for a, b in dates]
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
    money = costs(plan, s)
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
        "resource_utilization": resource_utilization(plan, s, money),
        "work_hours": money["work_hours"],
        "cost": money["cost"],
        "skill_gaps": skill_gaps(plan),
    }


def plan_analysis(plan: Plan, s: Schedule) -> dict:
    """Risks, optimizations and recommendations from the schedule's facts (no language model needed)."""
    leaves = [t for t in s.tasks.values() if not t.summary]
    tasks = {t.id: t for t in plan.tasks or []}
    crit = [t for t in leaves if t.critical]
    risks: list[dict] = []
    optimizations: list[dict] = []
    recommendations: list[dict] = []

    def item(kind: list, title: str, probability: float, impact: str, mitigation: str, evidence) -> None:  # noqa: ANN001
        kind.append(
            {
                "title": title,
                "probability": probability,
                "impact": impact,
                "mitigation": mitigation,
                "evidence": evidence,
            }
        )

    late = [c for c in s.conflicts if c.kind == "project_deadline"]
    if late:
        item(
            risks,
            "The schedule misses the deadline",
            1.0,
            "high",
            "Fast-track or crash the critical path, cut scope, or move the deadline.",
            [late[0].message],
        )
    elif s.deadline is not None and leaves:
        slack = min(t.total_slack_minutes for t in leaves) / s.minutes_per_day
        if slack < 0.1 * max(1.0, s.span_minutes / s.minutes_per_day):
            item(
                risks,
                f"Only {slack:g} working days of buffer before the deadline",
                0.6,
                "high",
                "Add a buffer task before the deadline and protect the critical path.",
                [{"slack_days": slack}],
            )
    for c in s.conflicts:
        if c.kind == "constraint":
            item(
                risks,
                "A date constraint overrides its links",
                0.9,
                "medium",
                "Check the constraint: the work it depends on cannot be done by then.",
                [c.message],
            )
    if leaves and len(crit) / len(leaves) > 0.5:
        item(
            risks,
            f"{len(crit)} of {len(leaves)} tasks are critical",
            0.7,
            "high",
            "Any delay moves the finish: add slack by running work in parallel.",
            [{"critical_tasks": len(crit)}],
        )
    for r in resource_utilization(plan, s):
        if r["utilization"] is not None and r["utilization"] > 1:
            item(
                risks,
                f"{r['name']} is over-allocated ({r['utilization']:.0%})",
                0.8,
                "high",
                "Level the plan or add capacity.",
                [r],
            )
    critical_owners: Counter[str] = Counter(a.resource_id for t in crit for a in tasks[t.id].assignments)
    names = {r.id: r.name for r in plan.resources or []}
    for rid, count in critical_owners.items():
        if crit and count / len(crit) > 0.5 and len(crit) >= 3:
            item(
                risks,
                f"{names.get(rid, rid)} carries {count} of {len(crit)} critical tasks",
                0.5,
                "high",
                "Cross-train or add a second person: one absence stops the critical path.",
                [{"resource_id": rid}],
            )
    unestimated = [t for t in leaves if tasks[t.id].pessimistic_duration is None and t.duration_minutes > 0]
    if leaves and len(unestimated) / len(leaves) > 0.5:
        item(
            recommendations,
            "Most tasks have a single-point estimate",
            0.5,
            "medium",
            "Add optimistic and pessimistic durations and run POST /risk for a finish-date range.",
            [{"tasks_without_range": len(unestimated)}],
        )
    long_critical = [t for t in crit if t.duration_minutes >= 10 * s.minutes_per_day]
    for t in long_critical[:5]:
        item(
            optimizations,
            f"Split or fast-track '{t.name}'",
            0.5,
            "medium",
            "A long critical task: split it, overlap its successors (SS with lag), or add people.",
            [{"task_id": t.id, "duration_days": t.duration_minutes / s.minutes_per_day}],
        )
    idle = [t for t in leaves if t.free_slack_minutes >= 5 * s.minutes_per_day and tasks[t.id].assignments]
    if idle and crit:
        item(
            optimizations,
            f"{len(idle)} staffed tasks have a week or more of free slack",
            0.4,
            "low",
            "Their people can help on the critical path first.",
            [
                {"task_id": t.id, "free_slack_days": t.free_slack_minutes / s.minutes_per_day}
                for t in idle[:5]
            ],
        )
    unassigned = [t for t in leaves if not tasks[t.id].assignments and t.duration_minutes > 0]
    if unassigned:
        item(
            recommendations,
            f"{len(unassigned)} tasks have no resource",
            0.6,
            "medium",
            "Assign owners so that loading and costs are real.",
            [{"task_id": t.id} for t in unassigned[:10]],
        )
    return {
        "plan_id": plan.id,
        "project_finish": s.project_finish,
        "risks": risks,
        "optimizations": optimizations,
        "recommendations": recommendations,
        "source": "rules over the computed schedule",
    }
