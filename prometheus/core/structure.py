"""The rules of a plan's structure, one home for the plan routes (the store checks them with the plan locked)
and the scenario routes (checked against the scenario's view): a task's parent (no hierarchy loop), a link
(no self-link, no link between a summary task and its own subtask, no duplicate, no dependency cycle, a
summary's links reaching all of its subtasks), and a task moved under another summary task (no link of it or
its subtasks reaching their new summary tasks, no cycle closed through them).

`parent_of` maps every task id to its parent id (or None), `links` are (predecessor, successor) pairs, and
`names` gives the task names the messages show (an id it lacks is shown as itself)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from prometheus.core.graph import ancestors, children_first, wbs_cycle_if_added, wbs_cycle_if_moved
from prometheus.core.model import Plan
from prometheus.errors import DependencyError, HierarchyLoop, ValidationFailed


def _named(ids: Iterable[str], names: Mapping[str, str]) -> list[str]:
    return [names.get(t, t) for t in ids]


def _readable(ids: Iterable[str], names: Mapping[str, str]) -> str:
    return " -> ".join(f"'{n}'" for n in _named(ids, names))


def loop_error(loop: list[str], names: Mapping[str, str]) -> HierarchyLoop:
    """409 HIERARCHY_LOOP naming a loop of parents [t0, t1, ..., t0] and the way to repair it."""
    return HierarchyLoop(
        f"the task hierarchy has a loop: {_readable(loop, names)}; set parent_id of one of these tasks to "
        "null (or another task) to repair it",
        details={"loop": loop, "loop_names": _named(loop, names)},
    )


def cycle_error(cycle: list[str], names: Mapping[str, str], what: str = "link") -> DependencyError:
    """409 DEPENDENCY_ERROR naming the cycle [t0, ..., t0] that a change (`what`) would close."""
    return DependencyError(
        f"{what} would close a dependency cycle: {_readable(cycle, names)}",
        details={"cycle": cycle, "cycle_names": _named(cycle, names)},
    )


def of_plan(plan: Plan) -> tuple[dict[str, str | None], list[tuple[str, str]], dict[str, str]]:
    """A plan's (or a scenario view's) parents, links and task names, as the checks take them."""
    tasks = plan.tasks or []
    links = [(d.predecessor_id, d.successor_id) for d in plan.dependencies or []]
    return {t.id: t.parent_id for t in tasks}, links, {t.id: t.name for t in tasks}


def check_parent(
    parent_of: dict[str, str | None],
    links: list[tuple[str, str]],
    names: Mapping[str, str],
    task_id: str | None,
    parent_id: str,
    where: str,
) -> None:
    """`task_id` (None: a new task, which has no links yet) may have this parent: a task of the plan
    (`where` names it), not the task itself nor one of its subtasks; and the move keeps the links legal."""
    if parent_id not in parent_of:
        raise ValidationFailed(f"parent task {parent_id} not found in {where}")
    chain = [parent_id, *ancestors(parent_of, parent_id)]
    if task_id is not None and task_id in chain:
        chain = chain[: chain.index(task_id) + 1]
        raise ValidationFailed(
            f"task {task_id} cannot be its own ancestor (hierarchy {' -> '.join(chain[::-1])})",
            details={"hierarchy": chain[::-1]},
        )
    if task_id is not None:
        _check_move(parent_of, links, names, task_id, parent_id)


def check_link(
    parent_of: Mapping[str, str | None],
    names: Mapping[str, str],
    pred: str,
    succ: str,
    taken: set[tuple[str, str]],
    where: str,
) -> None:
    """A link pred -> succ may join the plan (cycles aside): both tasks in it (`names` holds every task of
    `where`), distinct, not a summary task and its subtask, not linked yet."""
    for role, tid in (("predecessor", pred), ("successor", succ)):
        if tid not in names:
            raise DependencyError(
                f"{role} task {tid} not found in {where}", details={role + "_id": tid}, http_status=422
            )
    if pred == succ:
        raise DependencyError(
            f"task '{names[pred]}' cannot depend on itself", details={"cycle": [pred, pred]}
        )
    if pred in ancestors(parent_of, succ) or succ in ancestors(parent_of, pred):
        raise DependencyError(
            f"'{names[pred]}' and '{names[succ]}' are a summary task and its subtask: no link"
        )
    if (pred, succ) in taken:
        raise DependencyError(f"'{names[pred]}' is already linked to '{names[succ]}'")


def check_no_cycle(
    parent_of: dict[str, str | None],
    links: list[tuple[str, str]],
    names: Mapping[str, str],
    pred: str,
    succ: str,
) -> None:
    """The link pred -> succ closes no cycle, a summary's links reaching its subtasks."""
    cycle = wbs_cycle_if_added(parent_of, links, (pred, succ))
    if cycle:
        raise cycle_error(cycle, names)


def _check_move(
    parent_of: dict[str, str | None],
    links: list[tuple[str, str]],
    names: Mapping[str, str],
    task_id: str,
    parent_id: str,
) -> None:
    """As a subtask of `parent_id` (not one of its own subtasks), no link joins `task_id` or one of its
    subtasks to one of its new summary tasks, and no link closes a cycle through them (their links reach the
    task). Staying where it is adds no constraint (nor does leaving a summary task: no parent, no check)."""
    if parent_of.get(task_id) == parent_id:
        return
    moved = {**parent_of, task_id: parent_id}
    above = {parent_id, *ancestors(moved, parent_id)}
    children: dict[str, list[str]] = {}
    for t, p in parent_of.items():
        if p is not None:
            children.setdefault(p, []).append(t)
    below = set(children_first([task_id], children))
    for a, b in links:
        if (a in below and b in above) or (b in below and a in above):
            sub, summary = (a, b) if a in below else (b, a)
            raise DependencyError(
                f"'{names.get(sub, sub)}' is linked to '{names.get(summary, summary)}', which would be its "
                "summary task: remove the link first",
                details={"link": [a, b]},
            )
    cycle = wbs_cycle_if_moved(moved, links, task_id, parent_id)
    if cycle:
        move = f"making {_readable([task_id], names)} a subtask of {_readable([parent_id], names)}"
        raise cycle_error(cycle, names, move)
