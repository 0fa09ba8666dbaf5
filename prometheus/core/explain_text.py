"""The sentences of an explanation: one per driving step (`core/explain.py` finds the steps)."""

from __future__ import annotations

from datetime import datetime


def _when(at: datetime) -> str:
    return f"{at:%a %Y-%m-%d %H:%M}"


def _label(d: dict) -> str:
    return {
        "link": lambda: f"the {d.get('type')} link from '{d.get('predecessor_name')}'",
        "constraint": lambda: f"its {d.get('constraint_type')} constraint",
        "resource_wait": lambda: f"its wait for {d.get('resource_name')}",
        "status_date": lambda: "the status date",
        "project_start": lambda: "the plan start",
    }.get(d["kind"], lambda: d["kind"])()


def describe(step: dict) -> str:
    """One sentence for one step."""
    d, name = step["driver"], f"'{step['name']}'"
    kind = d["kind"]
    head = f"{name} starts {_when(step['start'])}"
    if kind == "link":
        lag = f" {d['lag']:+g} {d['lag_unit']}" if d["lag"] else ""
        where = f" (its subtask '{d['through_subtask']['name']}')" if "through_subtask" in d else ""
        into = f" into its summary '{d['into_summary']['name']}'" if "into_summary" in d else ""
        side = "finishes" if d["type"][0] == "F" else "starts"
        text = f"{head}: {d['type']}{lag} link from '{d['predecessor_name']}'{where}, which {side} "
        text += f"{_when(d['date'])}{into}"
    elif kind == "summary":
        text = f"{name} (summary) starts when its first subtask '{d['first_subtask_name']}' starts"
    elif kind == "constraint":
        text = f"{head}: its {d['constraint_type']} constraint {_when(d['date'])}"
        if "links_allow" in d:
            text += f" (its links alone allow {_when(d['links_allow'])})"
    elif kind == "resource_wait":
        text = (
            f"{head}: it waits for {d['resource_name']}, busy on '{d['waits_for_name']}' until "
            f"{_when(d['date'])} (a leveling delay, kept as {d['constraint_type']})"
        )
    elif kind == "actual_start":
        text = f"{head}: it actually started then"
    elif kind == "manual":
        text = f"{head}: it is scheduled manually from then"
    elif kind == "leveling_delay":
        text = f"{head}: its leveling delay of {d['delay']:g} {d['unit']} after {_label(d['after'])}"
    elif kind == "status_date":
        text = f"{head}: work not done by the status date {d['status_date']} is scheduled after it"
    elif kind == "project_start":
        text = f"{head}: the plan starts {_when(d['date'])}"
    elif kind == "as_late_as_possible":
        text = f"{head}: as late as possible (its early start is {_when(d['early_start'])})"
    else:
        text = f"{head}: no link, constraint or date of the plan gives exactly this start"
    if step.get("also"):
        text += f" (so does {', '.join(_label(d) for d in step['also'])})"
    if cal := step.get("calendar"):
        text += f"; pushed from {_when(cal['from'])} over non-working time ({cal['reason']})"
    if step.get("overridden_links"):
        names = ", ".join(f"'{o['predecessor_name']}'" for o in step["overridden_links"])
        text += f"; this overrides the links from {names}"
    return text
