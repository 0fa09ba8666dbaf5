"""Checks of a whole plan in its portable form (before it is written) and the size a plan may have."""

from __future__ import annotations

from collections import Counter

from prometheus.core.bounds import MAX_PLAN_LINKS, MAX_PLAN_RESOURCES, MAX_PLAN_TASKS
from prometheus.core.documents import PlanDocument
from prometheus.core.graph import hierarchy_loop, wbs_find_cycle
from prometheus.errors import DependencyError, PlanTooLarge, ResourceConflict, ValidationFailed


def check_size(tasks: int, links: int, resources: int) -> None:
    """At most MAX_PLAN_TASKS tasks, MAX_PLAN_LINKS links and MAX_PLAN_RESOURCES resources (else 413)."""
    for kind, n, most in (
        ("tasks", tasks, MAX_PLAN_TASKS),
        ("dependencies", links, MAX_PLAN_LINKS),
        ("resources", resources, MAX_PLAN_RESOURCES),
    ):
        if n > most:
            raise PlanTooLarge(
                f"a plan holds at most {most:,} {kind}; this one has {n:,}: split it into several plans",
                details={kind: n, "limit": most},
            )


def check_document(doc: PlanDocument) -> None:
    """Unique keys, known references, a WBS without loops, one link per pair of tasks (a second one between
    the same two tasks is a 409, as the API answers it), links without cycles, a size within the caps."""
    check_size(len(doc.tasks), len(doc.dependencies), len(doc.resources))
    for kind, keys in (
        ("task", [t.key for t in doc.tasks]),
        ("resource", [r.key for r in doc.resources]),
    ):
        dupes = sorted(k for k, n in Counter(keys).items() if n > 1)
        if dupes:
            raise ValidationFailed(f"duplicate {kind} keys: {', '.join(dupes[:10])}")
    names = [r.name for r in doc.resources]
    if len(set(names)) != len(names):
        raise ResourceConflict("two resources share a name")
    task_keys = {t.key for t in doc.tasks}
    res_keys = {r.key for r in doc.resources}
    parent_of = {t.key: t.parent for t in doc.tasks}
    for t in doc.tasks:
        if t.parent is not None and t.parent not in task_keys:
            raise ValidationFailed(f"task {t.key} has an unknown parent {t.parent}")
        for a in t.assignments:
            if a.resource not in res_keys:
                raise ValidationFailed(f"task {t.key} is assigned to an unknown resource {a.resource}")
    loop = hierarchy_loop(parent_of)
    if loop:
        raise ValidationFailed(f"the task hierarchy loops through {loop[0]}", details={"loop": loop})
    links: dict[tuple[str, str], None] = {}  # in the document's order
    label = {t.key: t.name for t in doc.tasks}
    for d in doc.dependencies:
        for end in (d.predecessor, d.successor):
            if end not in task_keys:
                raise DependencyError(f"a link names an unknown task {end}", http_status=422)
        pair = (d.predecessor, d.successor)
        if pair in links:  # one link per pair of tasks, as Microsoft Project and POST .../dependencies
            raise DependencyError(
                f"'{label[pair[0]]}' is linked to '{label[pair[1]]}' twice: a pair of tasks has one link",
                details={"predecessor": pair[0], "successor": pair[1]},
            )
        links[pair] = None
    cycle = wbs_find_cycle(parent_of, links)
    if cycle:
        raise DependencyError(
            "the links form a cycle: " + " -> ".join(f"'{label[k]}'" for k in cycle),
            details={"cycle": cycle},
        )
