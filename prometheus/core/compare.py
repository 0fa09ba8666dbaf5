"""A scenario against its base plan: finish, cost, critical path and the dates of each task that moved."""

from __future__ import annotations

from datetime import datetime

from prometheus.core.model import Plan
from prometheus.core.resources import costs
from prometheus.core.scheduler import Schedule


def _hours(a: datetime, b: datetime) -> float:
    return round((b - a).total_seconds() / 3600, 4)


def _side(plan: Plan, s: Schedule) -> dict:
    tasks = s.tasks  # the main path as the critical-path report names it: the longest in working time
    main = max(s.critical_paths, key=lambda p: sum(tasks[t].duration_minutes for t in p), default=[])
    return {
        "project_start": s.project_start,
        "project_finish": s.project_finish,
        "duration_days": round(s.span_minutes / s.minutes_per_day, 4),
        "cost": costs(plan, s)["cost"],
        "critical_tasks": list(s.critical_tasks),
        "critical_path": main,
        "tasks": len(plan.tasks or []),
    }


def compare(base: Plan, base_s: Schedule, scenario: Plan, scen_s: Schedule, *, limit: int = 1000) -> dict:
    """What the scenario changes in the schedule; `tasks` lists the tasks whose dates moved (at most `limit`,
    the biggest finish shifts first) and those only one side has."""
    a, b = _side(base, base_s), _side(scenario, scen_s)
    before, after = base_s.tasks, scen_s.tasks
    names = {t.id: t.name for t in scenario.tasks or []} | {t.id: t.name for t in base.tasks or []}
    keys = {t.id: t.key for t in base.tasks or []}
    moved = []
    for tid in before.keys() | after.keys():
        x, y = before.get(tid), after.get(tid)
        if x is not None and y is not None and x.start == y.start and x.finish == y.finish:
            continue
        moved.append(
            {
                "task_id": tid,
                "key": keys.get(tid),
                "name": names.get(tid, ""),
                "change": "added" if x is None else "removed" if y is None else "moved",
                "base_start": x.start if x else None,
                "base_finish": x.finish if x else None,
                "scenario_start": y.start if y else None,
                "scenario_finish": y.finish if y else None,
                "start_shift_hours": _hours(x.start, y.start) if x and y else None,
                "finish_shift_hours": _hours(x.finish, y.finish) if x and y else None,
            }
        )
    moved.sort(key=lambda m: (-abs(m["finish_shift_hours"] or 0), m["change"], m["task_id"]))
    crit_a, crit_b = set(a["critical_tasks"]), set(b["critical_tasks"])
    return {
        "plan_id": base.id,
        "base": a,
        "scenario": b,
        "difference": {
            "finish_shift_hours": _hours(a["project_finish"], b["project_finish"]),
            "duration_days": round(b["duration_days"] - a["duration_days"], 4),
            "cost": round(b["cost"] - a["cost"], 2),
            "critical_added": sorted(crit_b - crit_a),
            "critical_removed": sorted(crit_a - crit_b),
            "tasks_moved": sum(m["change"] == "moved" for m in moved),
            "tasks_added": sum(m["change"] == "added" for m in moved),
            "tasks_removed": sum(m["change"] == "removed" for m in moved),
        },
        "tasks": moved[:limit],
        "tasks_truncated": len(moved) > limit,
    }
