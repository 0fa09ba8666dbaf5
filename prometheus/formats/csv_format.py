"""CSV in Microsoft Project's export layout: one task a row, `Outline Level` for the WBS, predecessors as
`3FS+2d` (task ID, link type, lag), resources as `Ana;Bo[50%]`."""

from __future__ import annotations

import csv
import io
import re

from prometheus.core.model import (
    DocAssignment,
    DocLink,
    DocPlan,
    DocResource,
    DocTask,
    PlanDocument,
)
from prometheus.core.scheduler import Schedule
from prometheus.errors import ValidationFailed
from prometheus.formats.document import wbs_order

COLUMNS = [
    "ID", "Outline Level", "Name", "Duration", "Start", "Finish", "Predecessors", "Resource Names",
    "% Complete", "Priority", "Status", "Milestone", "Constraint Type", "Constraint Date", "Tags", "Notes",
]  # fmt: skip
_UNIT = {"hours": "h", "days": "d", "weeks": "w", "ehours": "eh", "edays": "ed", "eweeks": "ew"}
_UNIT_BACK = (
    {v: k for k, v in _UNIT.items()}
    | {u: u for u in _UNIT}
    | {"hr": "hours", "hrs": "hours", "hour": "hours", "day": "days", "wk": "weeks", "week": "weeks"}
)
_AMOUNT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*\??\s*$")
_PRED = re.compile(
    r"^\s*(\d+)\s*(FS|SS|FF|SF)?\s*(?:([+-])\s*(\d+(?:\.\d+)?)\s*([a-z]*))?\s*$", re.IGNORECASE
)


def _amount(value: float, unit: str) -> str:
    text = f"{value:g}"
    return f"{text}{_UNIT[unit]}"


def write_csv(doc: PlanDocument, s: Schedule | None) -> bytes:
    order = wbs_order(doc)  # rows in outline order, so that Outline Level rebuilds the hierarchy
    number = {t.key: i + 1 for i, (t, _) in enumerate(order)}
    names = {r.key: r.name for r in doc.resources}
    preds: dict[str, list[str]] = {}
    for d in doc.dependencies:
        lag = ""
        if d.lag:
            lag = ("+" if d.lag > 0 else "-") + _amount(abs(d.lag), d.lag_unit.value)
        preds.setdefault(d.successor, []).append(f"{number[d.predecessor]}{d.type.value}{lag}")

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(COLUMNS)
    for t, level in order:
        st = s.tasks.get(t.key) if s else None
        w.writerow(
            [
                number[t.key],
                level,
                t.name,
                _amount(t.duration, t.duration_unit.value),
                st.start.isoformat(timespec="minutes") if st else "",
                st.finish.isoformat(timespec="minutes") if st else "",
                ";".join(preds.get(t.key, [])),
                ";".join(
                    names[a.resource] + (f"[{a.units:.0%}]" if a.units != 1 else "") for a in t.assignments
                ),
                f"{t.percent_complete:g}",
                t.priority.value,
                t.status.value,
                "Yes" if t.milestone else "No",
                t.constraint_type.value,
                t.constraint_date.isoformat(timespec="minutes") if t.constraint_date else "",
                ";".join(t.tags),
                t.notes,
            ]
        )
    return out.getvalue().encode()


def _parse_amount(text: str, where: str) -> tuple[float, str]:
    m = _AMOUNT.match(text.lower())
    if not m or (m.group(2) and m.group(2) not in _UNIT_BACK):
        raise ValidationFailed(f"{where}: cannot read the duration {text!r} (use e.g. 3d, 4h, 2w, 1ed)")
    return float(m.group(1)), _UNIT_BACK.get(m.group(2) or "d", "days")


def read_csv(data: bytes, plan_name: str) -> PlanDocument:
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValidationFailed(f"not a readable CSV file: {exc}") from None
    if not rows or "Name" not in rows[0]:
        raise ValidationFailed("the CSV needs a header row with at least a Name column")
    tasks, links, resources = [], [], {}
    stack: list[tuple[int, str]] = []
    ids: dict[str, str] = {}
    for line, row in enumerate(rows, start=2):
        key = f"t{line}"
        ids[(row.get("ID") or str(line - 1)).strip()] = key
        level = int(row.get("Outline Level") or 1)
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent = stack[-1][1] if stack else None
        stack.append((level, key))
        duration, unit = _parse_amount(row.get("Duration") or "1d", f"line {line}")
        if unit.startswith("e"):
            raise ValidationFailed(f"line {line}: a task duration cannot be elapsed time")
        assignments = []
        for part in filter(None, (x.strip() for x in re.split(r"[;,]", row.get("Resource Names") or ""))):
            m = re.match(r"^(.*?)(?:\[(\d+(?:\.\d+)?)%\])?$", part)
            name, units = m.group(1).strip(), float(m.group(2)) / 100 if m.group(2) else 1.0
            resources.setdefault(name, DocResource(key=f"r{len(resources) + 1}", name=name))
            assignments.append(DocAssignment(resource=resources[name].key, units=units))
        try:
            task = DocTask(
                key=key,
                parent=parent,
                name=row["Name"].strip(),
                duration=duration,
                duration_unit=unit,
                percent_complete=float(row.get("% Complete") or 0),
                priority=(row.get("Priority") or "medium").strip().lower(),
                status=(row.get("Status") or "pending").strip().lower(),
                milestone=(row.get("Milestone") or "").strip().lower() in ("yes", "true", "1"),
                constraint_type=(row.get("Constraint Type") or "ASAP").strip().upper(),
                constraint_date=(row.get("Constraint Date") or None),
                tags=[x for x in (row.get("Tags") or "").split(";") if x],
                notes=row.get("Notes") or "",
                assignments=assignments,
            )
        except ValueError as exc:
            raise ValidationFailed(f"line {line}: {exc}") from None
        tasks.append(task)
        for part in filter(None, (x.strip() for x in re.split(r"[;,]", row.get("Predecessors") or ""))):
            m = _PRED.match(part)
            if not m:
                raise ValidationFailed(f"line {line}: cannot read the predecessor {part!r} (use e.g. 3FS+2d)")
            lag, lag_unit = 0.0, "days"
            if m.group(3):
                lag, lag_unit = _parse_amount(m.group(4) + (m.group(5) or "d"), f"line {line}")
                lag = -lag if m.group(3) == "-" else lag
            links.append((m.group(1), key, (m.group(2) or "FS").upper(), lag, lag_unit, line))
    deps = []
    for pred, succ, kind, lag, unit, line in links:
        if pred not in ids:
            raise ValidationFailed(f"line {line}: predecessor {pred} is not a task ID in this file")
        deps.append(DocLink(predecessor=ids[pred], successor=succ, type=kind, lag=lag, lag_unit=unit))
    return PlanDocument(
        plan=DocPlan(name=plan_name), resources=list(resources.values()), tasks=tasks, dependencies=deps
    )
