"""A stored plan as a PlanDocument (the JSON export), keys being the plan's own ids."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from prometheus.core.documents import DocAssignment, DocLink, DocPlan, DocResource, DocTask, PlanDocument
from prometheus.core.model import Assignment, Plan

_PLAN = (
    "name",
    "description",
    "start_date",
    "end_date",
    "tags",
    "metadata",
    "status",
    "calendar",
    "status_date",
    "status_date_moves_work",
    "default_start_time",
)
_TASK = (
    "name", "description", "duration", "duration_unit", "status", "priority", "tags", "metadata", "milestone",
    "constraint_type", "constraint_date", "deadline", "optimistic_duration", "most_likely_duration",
    "pessimistic_duration", "percent_complete", "actual_start", "actual_finish", "remaining_duration",
    "actual_cost", "notes", "work", "effort_driven", "task_type", "required_skills", "manual", "manual_start",
    "manual_finish", "calendar", "ignore_resource_calendar", "leveling_delay", "leveling_delay_unit",
    "resume", "splits",
)  # fmt: skip
_RESOURCE = ("name", "type", "skills", "availability", "cost_rate", "calendar", "metadata")


def refused(exc: ValidationError, names: dict[str, str] | None = None, at: str = "") -> str:
    """A file's refused fields, one `where: why (got value)` each on one line, `where` in the file's own
    words (`names`: a field's column) else its place after `at` (`tasks[0].priority`)."""
    parts = []
    for e in exc.errors(include_url=False):
        field = ".".join(map(str, e["loc"]))
        where = (names or {}).get(field) or (f"{at}.{field}" if at and field else at or field)
        got = f" (got {e['input']!r})" if isinstance(e.get("input"), str | int | float) else ""
        why = e["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {why}{got}" if where else why)
    return "; ".join(parts[:5])


M = TypeVar("M", bound=BaseModel)


def _trusted(cls: type[M], values: dict[str, Any]) -> M:
    """What `cls.model_construct(**values)` makes, for `values` of every field of `cls` in its order (the
    order the model dumps them in), without model_construct's look-ups of aliases and defaults per field:
    a plan's tasks and links are many."""
    if len(values) != len(cls.model_fields):  # a field added to the model and not here: its default
        return cls.model_construct(**values)
    m = cls.__new__(cls)
    object.__setattr__(m, "__dict__", values)
    object.__setattr__(m, "__pydantic_fields_set__", set(values))
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m


def to_document(plan: Plan) -> PlanDocument:
    """The plan's portable form: tasks in plan order, links in the order of their tasks (the same document
    whatever the database or the links' ids)."""
    tasks = sorted(plan.tasks or [], key=lambda t: t.position)
    at = {t.id: i for i, t in enumerate(tasks)}
    # the stored plan taken as it is (a file's bounds are for what comes in: a task's notes grown by progress
    # notes before they were bounded must not stop the plan from being exported)
    return PlanDocument.model_construct(
        plan=DocPlan.model_construct(**{f: getattr(plan, f) for f in _PLAN}),
        resources=[
            _trusted(DocResource, {"key": r.id} | {f: getattr(r, f) for f in _RESOURCE})
            for r in plan.resources or []
        ],
        tasks=[
            _trusted(
                DocTask,
                {"key": t.id, "parent": t.parent_id}
                | {f: getattr(t, f) for f in _TASK}
                | {"assignments": [_trusted(DocAssignment, _assignment(a)) for a in t.assignments]},
            )
            for t in tasks
        ],
        dependencies=[
            _trusted(
                DocLink,
                {
                    "predecessor": d.predecessor_id,
                    "successor": d.successor_id,
                    "type": d.type,
                    "lag": d.lag,
                    "lag_unit": d.lag_unit,
                },
            )
            for d in sorted(
                plan.dependencies or [],
                key=lambda d: (at.get(d.predecessor_id, -1), at.get(d.successor_id, -1)),
            )
        ],
    )


_ASSIGNMENT = tuple(f for f in DocAssignment.model_fields if f != "resource")  # named alike in Assignment


def _assignment(a: Assignment) -> dict[str, Any]:
    """An assignment's fields as DocAssignment's, in their order."""
    return {"resource": a.resource_id} | {f: getattr(a, f) for f in _ASSIGNMENT}


def canonical(doc: PlanDocument) -> dict:
    """The document with keys replaced by positions: equal for two copies of the same plan."""
    tasks = {t.key: i for i, t in enumerate(doc.tasks)}
    resources = {r.key: i for i, r in enumerate(doc.resources)}
    data = doc.model_dump(mode="json")
    for t in data["tasks"]:
        t["key"] = tasks[t["key"]]
        t["parent"] = tasks.get(t["parent"])
        for a in t["assignments"]:
            a["resource"] = resources[a["resource"]]
    for r in data["resources"]:
        r["key"] = resources[r["key"]]
    for d in data["dependencies"]:
        d["predecessor"], d["successor"] = tasks[d["predecessor"]], tasks[d["successor"]]
    data["dependencies"].sort(key=lambda d: (d["predecessor"], d["successor"]))
    return data


def wbs_order(doc: PlanDocument) -> list[tuple[DocTask, int]]:
    """Tasks depth first, each summary followed by its subtasks, with their outline level (1 = top)."""
    children: dict[str | None, list[DocTask]] = {}
    for t in doc.tasks:
        children.setdefault(t.parent, []).append(t)
    out: list[tuple[DocTask, int]] = []
    stack = [(t, 1) for t in reversed(children.get(None, []))]
    while stack:
        t, level = stack.pop()
        out.append((t, level))
        stack.extend((c, level + 1) for c in reversed(children.get(t.key, [])))
    return out


def to_plan(doc: PlanDocument, plan_id: str = "file") -> Plan:
    """A document as an in-memory Plan (keys as ids), to schedule a file without a database."""
    from prometheus.core.model import Dependency, Resource, Task

    tasks = [
        Task(
            id=t.key,
            plan_id=plan_id,
            position=i + 1,
            parent_id=t.parent,
            assignments=[
                Assignment(resource_id=a.resource, **a.model_dump(exclude={"resource"}))
                for a in t.assignments
            ],
            **{f: getattr(t, f) for f in _TASK},
        )
        for i, t in enumerate(doc.tasks)
    ]
    resources = [
        Resource(id=r.key, plan_id=plan_id, **{f: getattr(r, f) for f in _RESOURCE}) for r in doc.resources
    ]
    links = [
        Dependency(
            id=str(i),
            plan_id=plan_id,
            predecessor_id=d.predecessor,
            successor_id=d.successor,
            type=d.type,
            lag=d.lag,
            lag_unit=d.lag_unit,
        )
        for i, d in enumerate(doc.dependencies)
    ]
    return Plan(id=plan_id, tasks=tasks, dependencies=links, resources=resources,
                **{f: getattr(doc.plan, f) for f in _PLAN})  # fmt: skip
