"""Telos requirements as a plan, and the reverse mapping of task status to requirement status. Pure."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from prometheus.core.bounds import MAX_AMOUNT, MAX_PLAN_LINKS
from prometheus.core.documents import DocLink, DocPlan, DocTask, PlanDocument
from prometheus.core.graph import break_cycles
from prometheus.core.model import Priority, TaskStatus
from prometheus.errors import ValidationFailed

# Telos requirement status (new|accepted|in-progress|completed|rejected) <-> task status
TO_TASK = {
    "in-progress": TaskStatus.in_progress,
    "completed": TaskStatus.completed,
    "rejected": TaskStatus.cancelled,
}
TO_REQUIREMENT = {
    TaskStatus.pending: "accepted",
    TaskStatus.in_progress: "in-progress",
    TaskStatus.blocked: "in-progress",
    TaskStatus.completed: "completed",
    TaskStatus.cancelled: "rejected",
}
_PRIORITY = {p.value: p for p in Priority}


def _days(req: dict[str, Any]) -> tuple[float, str | None]:
    """A requirement's estimate, from its metadata (days, or hours / 8); one day when it has none, or when
    the one it has is no duration (then also why)."""
    meta, problem = req.get("metadata") or {}, None
    for key, scale in (("estimated_days", 1.0), ("estimate_days", 1.0), ("estimated_hours", 1 / 8)):
        value = meta.get(key)
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and 0 <= value * scale <= MAX_AMOUNT
        ):
            return float(value) * scale, None
        if value is not None and problem is None:
            problem = f"{key} {value!r} is not a duration of 0 to {MAX_AMOUNT:,} days: one day kept"
    return 1.0, problem


def _ids(value: Any) -> list[str]:
    """A list of requirement ids, whatever was sent (one id, a list, or something else: none), each once."""
    if isinstance(value, str | int):
        return [str(value)]
    if not isinstance(value, list):
        return []
    return list(dict.fromkeys(str(v) for v in value if isinstance(v, str | int)))


def _clean(req: Any) -> dict[str, Any]:
    """A requirement with the fields read here in the types they are read as."""
    req = req if isinstance(req, dict) else {}
    parent = req.get("parent_id")
    return req | {
        "dependencies": _ids(req.get("dependencies")),
        "parent_id": str(parent) if isinstance(parent, str | int) else None,
        "tags": [str(t) for t in req["tags"]] if isinstance(req.get("tags"), list) else [],
        "metadata": req["metadata"] if isinstance(req.get("metadata"), dict) else {},
    }


def plan_from_requirements(
    requirements: list[dict[str, Any]],
    *,
    name: str,
    project_id: str | None,
    dependency_mapping: bool = True,
) -> tuple[PlanDocument, list[dict[str, Any]]]:
    """One task per requirement (children under their parent requirement), one finish-to-start link per
    requirement dependency. Returns the plan and the problems found: a requirement without a title or
    id (left out), a dependency on an unknown requirement (left out), dependencies in a cycle (refused:
    the plan keeps none of the cycle's links). A requirement's id is its `requirement_id` (Telos), or `id`;
    `project_id` is its Telos project, when known (it makes the tasks traceable to Telos)."""
    issues: list[dict[str, Any]] = []
    kept: dict[str, dict] = {}
    cleaned = [_clean(req) for req in requirements]
    links_asked = sum(len(req["dependencies"]) for req in cleaned) if dependency_mapping else 0
    if links_asked > MAX_PLAN_LINKS:  # each unknown one an issue: millions of them fit in a body
        raise ValidationFailed(
            f"the requirements hold {links_asked:,} dependencies; a plan holds at most "
            f"{MAX_PLAN_LINKS:,} links"
        )
    for i, req in enumerate(cleaned):
        rid = str(req.get("requirement_id") or req.get("id") or "").strip()
        if not rid:
            issues.append({"rule": "missing_id", "index": i, "message": f"requirement #{i + 1} has no id"})
        elif not str(req.get("title") or "").strip():
            issues.append(
                {"rule": "missing_title", "requirement_id": rid, "message": f"requirement {rid} has no title"}
            )
        elif rid in kept:
            issues.append({"rule": "duplicate_id", "requirement_id": rid, "message": f"{rid} appears twice"})
        else:
            kept[rid] = req
    links: list[tuple[str, str]] = []
    if dependency_mapping:
        for rid, req in kept.items():
            for dep in req["dependencies"]:
                if dep in kept and dep != rid:
                    links.append((dep, rid))
                else:
                    issues.append(
                        {
                            "rule": "unknown_dependency",
                            "requirement_id": rid,
                            "dependency": dep,
                            "message": f"{rid} depends on {dep}, which is not among the requirements",
                        }
                    )
        links, cycles = break_cycles(list(kept), links)
        issues += [
            {
                "rule": "cyclic_dependency",
                "requirement_ids": cycle[:-1],
                "message": "dependencies form a cycle: " + " -> ".join(cycle),
            }
            for cycle in cycles
        ]
    tasks = []
    for position, (rid, req) in enumerate(kept.items()):
        parent = req.get("parent_id") if req.get("parent_id") in kept else None
        days, problem = _days(req)
        if problem:
            issues.append({"rule": "invalid_estimate", "requirement_id": rid, "message": f"{rid}: {problem}"})
        try:
            task = DocTask(
                key=rid,
                parent=parent,
                name=str(req["title"]).strip()[:500],
                description=str(req.get("description") or ""),
                duration=days,
                status=TO_TASK.get(str(req.get("status")), TaskStatus.pending),
                priority=_PRIORITY.get(str(req.get("priority")), Priority.medium),
                tags=[str(t) for t in req.get("tags") or []],
                metadata={
                    "requirement_id": rid,
                    "requirement_type": req.get("requirement_type"),
                    "position": position,
                }
                | ({"telos_project_id": project_id} if project_id else {}),
            )
        except ValidationError as exc:
            problem = "; ".join(
                ": ".join(filter(None, (".".join(map(str, e["loc"])), e["msg"]))) for e in exc.errors()[:3]
            )
            raise ValidationFailed(f"requirement {rid} cannot be a task: {problem}") from None
        tasks.append(task)
    doc = PlanDocument(
        plan=DocPlan(
            name=name, metadata={"telos_project_id": project_id} if project_id else {}, tags=["telos"]
        ),
        tasks=tasks,
        dependencies=[DocLink(predecessor=a, successor=b) for a, b in links],
    )
    return doc, issues
