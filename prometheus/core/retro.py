"""Retrospective analysis computed from the plan's data: planned against actual, estimation accuracy,
why tasks slipped, and rule-based improvement suggestions that cite their evidence."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from statistics import mean

from prometheus.core.analysis import plan_network
from prometheus.core.calendar import DAYS_PER_UNIT
from prometheus.core.evm import Clock, earned_value
from prometheus.core.feedback import ActionStatus, Feedback, FeedbackType
from prometheus.core.leveling import loading
from prometheus.core.model import Baseline, Plan, TaskStatus
from prometheus.core.scheduler import Schedule

UNDER = 1.2  # actual / estimate from which a group is underestimated
OVER = 0.8


def _naive(dt: datetime) -> datetime:
    return dt.replace(tzinfo=None)


def outcomes(plan: Plan, s: Schedule, baseline: Baseline | None) -> list[dict]:
    """Planned against actual for every finished task with actual dates."""
    base = {b.task_id: b for b in (baseline.tasks if baseline else [])}
    tasks = [t for t in plan.tasks or [] if t.actual_start and t.actual_finish and t.id in s.tasks]
    if not tasks:
        return []
    clock = Clock(plan, [_naive(t.actual_start) for t in tasks] + [s.project_start])
    rows = []
    for t in tasks:
        estimate = (
            base[t.id].duration_days if t.id in base else t.duration * DAYS_PER_UNIT[t.duration_unit.value]
        )
        actual = clock.days(_naive(t.actual_start), _naive(t.actual_finish))
        row = {
            "task_id": t.id,
            "name": t.name,
            "tags": t.tags,
            "priority": t.priority.value,
            "resources": t.assigned_resources,
            "estimate_days": round(estimate, 4),
            "actual_days": actual,
            "ratio": round(actual / estimate, 4) if estimate else None,
            "actual_start": t.actual_start,
            "actual_finish": t.actual_finish,
        }
        if t.id in base:
            b = base[t.id]
            start_slip = clock.days(b.start, _naive(t.actual_start))
            finish_slip = clock.days(b.finish, _naive(t.actual_finish))
            overrun = round(actual - estimate, 4)
            row |= {
                "planned_start": b.start,
                "planned_finish": b.finish,
                "start_slip_days": start_slip,
                "finish_slip_days": finish_slip,
                "overrun_days": overrun,
                "cause": None
                if finish_slip <= 0
                else ("waiting on predecessors" if max(start_slip, 0) >= max(overrun, 0) else "own overrun"),
            }
        rows.append(row)
    return rows


def _accuracy(rows: list[dict], key: str) -> dict[str, dict]:
    groups: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        if r["ratio"] is None:
            continue
        values = r[key] if isinstance(r[key], list) else [r[key]]
        for v in values:
            groups[v].append(r["ratio"])
    return {
        k: {"tasks": len(v), "mean_ratio": round(mean(v), 4), "min_ratio": min(v), "max_ratio": max(v)}
        for k, v in sorted(groups.items())
    }


def summary(
    plan: Plan, s: Schedule, baseline: Baseline | None, feedback: list[Feedback], now: datetime
) -> dict:
    """Planned against actual. The plan's cost figures are earned value's, as of the plan's status date
    (else `now`) against `baseline`."""
    today = now.date()
    status = plan.status_date
    rows = outcomes(plan, s, baseline)
    names = {r.id: r.name for r in plan.resources or []}
    for r in rows:
        r["resource_names"] = [names.get(x, x) for x in r["resources"]]
    slipped = sorted(
        (r for r in rows if r.get("finish_slip_days", 0) > 0), key=lambda r: -r["finish_slip_days"]
    )
    counts = defaultdict(int)
    for f in feedback:
        counts[f.type.value] += 1
    plan_level = {}
    if baseline:
        clock = Clock(plan, [baseline.project_start, s.project_start])
        ev = earned_value(plan, s, baseline, status or today, reported=status or now)
        plan_level = {
            "baseline_finish": baseline.project_finish,
            "finish": s.project_finish,
            "schedule_variance_days": clock.days(baseline.project_finish, s.project_finish),
            # PMI: CV = EV - AC (negative: over budget for the work done); VAC = BAC - EAC (negative: the
            # whole plan is expected to cost more than its budget); in work hours when nobody has a rate
            "basis": ev["basis"],
            "status_date": ev["status_date"],
            "budget_at_completion": ev["BAC"],
            "earned_value": ev["EV"],
            "actual_cost": ev["AC"],
            "cost_variance": ev["CV"],
            "cost_performance_index": ev["CPI"],
            "estimate_at_completion": ev["EAC"],
            "variance_at_completion": ev["VAC"],
        }
    ratios = [r["ratio"] for r in rows if r["ratio"] is not None]
    return {
        "plan_id": plan.id,
        "finished_tasks": len(rows),
        "open_tasks": sum(
            1 for t in plan.tasks or [] if t.status not in (TaskStatus.completed, TaskStatus.cancelled)
        ),
        "plan": plan_level,
        "estimation_accuracy": {
            "overall": {"tasks": len(ratios), "mean_ratio": round(mean(ratios), 4) if ratios else None},
            "by_tag": _accuracy(rows, "tags"),
            "by_priority": _accuracy(rows, "priority"),
            "by_resource": _accuracy(rows, "resource_names"),
        },
        "most_slipped": slipped[:5],
        "tasks": rows,
        "feedback": dict(counts),
        "baseline": baseline.number if baseline else None,
    }


def over_allocations(plan: Plan, today: date) -> list[dict]:
    """Resources booked beyond what they can give on some days, as the loading view shows it (per day,
    plan calendar): the days over, and the peak (booked / available hours)."""
    assigned = {a.resource_id for t in plan.tasks or [] for a in t.assignments}
    capacity = {r.id: r.availability for r in plan.resources or [] if r.id in assigned}  # others: never over
    if not capacity:
        return []
    net = plan_network(plan, today)
    net.solve()
    names = {r.id: r.name for r in plan.resources or []}
    out = []
    for row in loading(net, plan.tasks, capacity, period="day"):
        over = [p for p in row["periods"] if p["over"]]
        if not over:
            continue
        for p in over:
            p["load"] = round(p["booked_hours"] / p["available_hours"], 4) if p["available_hours"] else None
        peak = max(over, key=lambda p: p["load"] if p["load"] is not None else float("inf"))
        out.append({"resource_id": row["resource_id"], "name": names[row["resource_id"]],
                    "days_over": len(over), "peak": peak, "periods": over[:20]})  # fmt: skip
    return out


def suggestions(
    plan: Plan, s: Schedule, baseline: Baseline | None, feedback: list[Feedback], now: datetime
) -> list[dict]:
    """Improvement suggestions; each names the rule that fired and the evidence."""
    out: list[dict] = []
    today = now.date()
    report = summary(plan, s, baseline, feedback, now)
    for tag, acc in report["estimation_accuracy"]["by_tag"].items():
        if acc["tasks"] >= 2 and acc["mean_ratio"] >= UNDER:
            evidence = [
                {"task_id": r["task_id"], "name": r["name"], "ratio": r["ratio"]}
                for r in report["tasks"]
                if tag in r["tags"]
            ]
            out.append(
                {
                    "rule": "systematic_underestimation",
                    "severity": "high" if acc["mean_ratio"] >= 1.5 else "medium",
                    "title": f"Tasks tagged '{tag}' take {acc['mean_ratio']:.0%} of their estimates",
                    "suggestion": f"Scale new '{tag}' estimates by {acc['mean_ratio']:.2f} or split them up.",
                    "evidence": evidence,
                }
            )
        elif acc["tasks"] >= 2 and acc["mean_ratio"] <= OVER:
            out.append(
                {
                    "rule": "systematic_overestimation",
                    "severity": "low",
                    "title": f"Tasks tagged '{tag}' finish in {acc['mean_ratio']:.0%} of their estimates",
                    "suggestion": f"Estimates for '{tag}' carry padding; tighten them to free capacity.",
                    "evidence": [{"tag": tag, **acc}],
                }
            )
    for r in over_allocations(plan, today):
        peak = r["peak"]
        load = f"{peak['load']:.0%}" if peak["load"] is not None else f"{peak['booked_hours']:g} h"
        days = "day" if r["days_over"] == 1 else "days"
        out.append(
            {
                "rule": "resource_over_allocated",
                "severity": "high",
                "title": f"{r['name']} is booked beyond capacity on {r['days_over']} {days}, "
                f"up to {load} on {peak['start']:%Y-%m-%d}",
                "suggestion": "Level the plan, add capacity or move work off this resource.",
                "evidence": [r],
            }
        )
    leaves = [t for t in s.tasks.values() if not t.summary]
    longest = max(s.critical_paths, key=len, default=[])
    if leaves and len(longest) >= max(5, len(leaves) // 2):
        out.append(
            {
                "rule": "long_critical_chain",
                "severity": "medium",
                "title": f"{len(longest)} of {len(leaves)} tasks sit on one critical chain",
                "suggestion": "Run independent work in parallel or split long tasks.",
                "evidence": [{"critical_path": longest}],
            }
        )
    if s.deadline is not None:
        slack = min((t.total_slack_minutes for t in leaves), default=0) / s.minutes_per_day
        if slack < 0.1 * max(1.0, s.span_minutes / s.minutes_per_day):
            out.append(
                {
                    "rule": "missing_buffer",
                    "severity": "high" if slack < 0 else "medium",
                    "title": f"Only {slack:g} working days between the planned finish and the deadline",
                    "suggestion": "Add a schedule buffer before the deadline (10% of the duration or more).",
                    "evidence": [
                        {"project_finish": s.project_finish, "deadline": s.deadline, "slack_days": slack}
                    ],
                }
            )
    wrong = sorted((f for f in feedback if f.type is FeedbackType.went_wrong), key=lambda f: -f.votes)
    actions = [f for f in feedback if f.type is FeedbackType.action_item]
    if wrong and not actions:
        out.append(
            {
                "rule": "problems_without_actions",
                "severity": "medium",
                "title": f"{len(wrong)} problems raised and no action item yet",
                "suggestion": f"Give the top voted problem an owner as an action item: {wrong[0].content!r}.",
                "evidence": [
                    {"feedback_id": f.id, "content": f.content, "votes": f.votes} for f in wrong[:3]
                ],
            }
        )
    overdue = [f for f in actions if f.status is not ActionStatus.done and f.due_date and f.due_date < today]
    if overdue:
        out.append(
            {
                "rule": "overdue_actions",
                "severity": "medium",
                "title": f"{len(overdue)} action items are past their due date",
                "suggestion": "Review them with their owners: finish, re-plan or drop each one.",
                "evidence": [
                    {"feedback_id": f.id, "content": f.content, "owner": f.owner, "due_date": f.due_date}
                    for f in overdue
                ],
            }
        )
    rank = {"high": 0, "medium": 1, "low": 2}
    return sorted(out, key=lambda x: rank[x["severity"]])
