"""Graph helpers over task links: cycle detection that names the tasks, and topological order; and the
outline order of summary tasks and their subtasks."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from numba import njit

if TYPE_CHECKING:
    from prometheus.core.model import Task

N = TypeVar("N", bound=Hashable)


def adjacency(edges: Iterable[tuple[N, N]]) -> dict[N, list[N]]:
    adj: dict[N, list[N]] = defaultdict(list)
    for a, b in edges:
        adj[a].append(b)
    return adj


def find_path(adj: dict[N, list[N]], source: N, target: N) -> list[N] | None:
    """Shortest path source -> target following adj (BFS), or None."""
    if source == target:
        return [source]
    parent: dict[N, N] = {}
    queue: deque[N] = deque([source])
    seen = {source}
    while queue:
        node = queue.popleft()
        for nxt in adj.get(node, ()):
            if nxt in seen:
                continue
            parent[nxt] = node
            if nxt == target:
                path = [target]
                while path[-1] != source:
                    path.append(parent[path[-1]])
                return path[::-1]
            seen.add(nxt)
            queue.append(nxt)
    return None


def cycle_if_added(edges: Iterable[tuple[N, N]], new_edge: tuple[N, N]) -> list[N] | None:
    """The cycle that adding new_edge (a -> b) would close, as [a, b, ..., a], or None."""
    a, b = new_edge
    path = find_path(adjacency(edges), b, a)
    return None if path is None else [a, *path]


def find_cycle(nodes: Iterable[N], edges: Iterable[tuple[N, N]]) -> list[N] | None:
    """One cycle of the graph as [n0, n1, ..., n0], or None when the graph is acyclic (iterative DFS)."""
    adj = adjacency(edges)
    state: dict[N, int] = {}  # 1 = on the DFS stack, 2 = done
    for root in nodes:
        if not state.get(root) and (cycle := _search(root, adj, state, set())) is not None:
            return cycle
    return None


def break_cycles(nodes: Iterable[N], edges: Iterable[tuple[N, N]]) -> tuple[list[tuple[N, N]], list[list[N]]]:
    """The edges less those of each cycle found (as `find_cycle` finds one, its edges dropped, again until
    none is left), and the cycles in the order found. One search goes on after each cycle, from the nodes
    still open: a search of the whole graph for each cycle took minutes for 5,000 cycles."""
    edges = list(edges)
    adj, state, dropped, cycles = adjacency(edges), {}, set(), []  # state: 1 = on the path, 2 = done
    for root in nodes:
        while state.get(root) != 2:
            cycle = _search(root, adj, state, dropped)
            if cycle is None:
                break
            cycles.append(cycle)
            dropped.update(zip(cycle, cycle[1:], strict=False))
    return [e for e in edges if e not in dropped], cycles


def _search(root: N, adj: dict[N, list[N]], state: dict[N, int], dropped: set[tuple[N, N]]) -> list[N] | None:
    """A depth-first search from `root` over the edges not dropped, past the nodes done: the first cycle
    met (its path's nodes reopened), else None (every node reached done)."""
    stack: list[tuple[N, int]] = [(root, 0)]
    on_path: list[N] = [root]
    state[root] = 1
    while stack:
        node, i = stack[-1]
        succ = adj.get(node, [])
        if i < len(succ):
            stack[-1] = (node, i + 1)
            nxt = succ[i]
            if (node, nxt) in dropped:
                continue
            st = state.get(nxt)
            if st == 1:
                for n in on_path:
                    del state[n]
                return [*on_path[on_path.index(nxt) :], nxt]
            if st is None:
                state[nxt] = 1
                stack.append((nxt, 0))
                on_path.append(nxt)
        else:
            state[node] = 2
            stack.pop()
            on_path.pop()
    return None


def topological_order(nodes: Iterable[N], edges: Iterable[tuple[N, N]]) -> list[N]:
    """Kahn's algorithm; raises ValueError naming a cycle if there is one."""
    nodes = list(nodes)
    edges = list(edges)
    indeg: dict[N, int] = dict.fromkeys(nodes, 0)
    adj = adjacency(edges)
    for _, b in edges:
        indeg[b] += 1
    queue = deque(n for n in nodes if indeg[n] == 0)
    order: list[N] = []
    while queue:
        n = queue.popleft()
        order.append(n)
        for m in adj.get(n, ()):
            indeg[m] -= 1
            if indeg[m] == 0:
                queue.append(m)
    if len(order) != len(indeg):
        cycle = find_cycle(nodes, edges)
        raise ValueError(f"dependency cycle: {' -> '.join(map(str, cycle or []))}")
    return order


def levels(n: int, pred: np.ndarray, succ: np.ndarray) -> np.ndarray | None:
    """Topological level of every node (longest edge count from a source), or None on a cycle."""
    level = _levels(n, pred.astype(np.int64), succ.astype(np.int64))
    return None if (level < 0).any() else level


@njit(cache=True, nogil=True)
def _levels(n, pred, succ):  # noqa: ANN001, ANN202
    """Kahn's algorithm with a queue; nodes left on a cycle keep level -1."""
    indeg = np.zeros(n, dtype=np.int64)
    ptr = np.zeros(n + 1, dtype=np.int64)
    for e in range(pred.size):
        indeg[succ[e]] += 1
        ptr[pred[e] + 1] += 1
    for i in range(n):
        ptr[i + 1] += ptr[i]
    fill = ptr[:-1].copy()
    out = np.empty(pred.size, dtype=np.int64)
    for e in range(pred.size):
        out[fill[pred[e]]] = succ[e]
        fill[pred[e]] += 1
    level = np.full(n, -1, dtype=np.int64)
    queue = np.empty(n, dtype=np.int64)
    tail = 0
    for i in range(n):
        if indeg[i] == 0:
            queue[tail] = i
            tail += 1
            level[i] = 0
    head = 0
    while head < tail:
        i = queue[head]
        head += 1
        for k in range(ptr[i], ptr[i + 1]):
            s = out[k]
            if level[i] + 1 > level[s]:
                level[s] = level[i] + 1
            indeg[s] -= 1
            if indeg[s] == 0:
                queue[tail] = s
                tail += 1
    if tail < n:
        level[:] = -1
    return level


def _split_edges(
    parent_of: dict[N, N | None], links: Iterable[tuple[N, N]]
) -> list[tuple[tuple[N, str], tuple[N, str]]]:
    """Links in a WBS: each task is a start and a finish node; a summary starts before its subtasks start
    and finishes after they finish, so a link to or from a summary task reaches all of its subtasks."""
    edges = [((t, "s"), (t, "f")) for t in parent_of]
    for t, p in parent_of.items():
        if p is not None:
            edges.append(((p, "s"), (t, "s")))
            edges.append(((t, "f"), (p, "f")))
    edges.extend(((a, "f"), (b, "s")) for a, b in links)
    return edges


def _task_path(nodes: list[tuple[N, str]]) -> list[N]:
    out: list[N] = []
    for task, _ in nodes:
        if not out or out[-1] != task:
            out.append(task)
    return out


def wbs_cycle_if_added(
    parent_of: dict[N, N | None], links: Iterable[tuple[N, N]], new_link: tuple[N, N]
) -> list[N] | None:
    """The tasks of the cycle that linking a -> b would close, summary links spreading to subtasks."""
    a, b = new_link
    path = find_path(adjacency(_split_edges(parent_of, links)), (b, "s"), (a, "f"))
    return None if path is None else [a, *_task_path(path)]


def wbs_cycle_if_moved(
    parent_of: dict[N, N | None], links: Iterable[tuple[N, N]], task: N, parent: N
) -> list[N] | None:
    """The tasks of a cycle that `task`, just made a subtask of `parent` (as `parent_of` has it), closes, or
    None: a cycle through the move runs from the task's start to its parent's start (the parent starts
    first) or from the parent's finish to the task's (the parent finishes last); the rest was acyclic."""
    adj = adjacency(_split_edges(parent_of, links))
    for source, target in (((task, "s"), (parent, "s")), ((parent, "f"), (task, "f"))):
        path = find_path(adj, source, target)
        if path is not None:
            tasks = _task_path(path)
            return [*tasks, tasks[0]]
    return None


def wbs_find_cycle(parent_of: dict[N, N | None], links: Iterable[tuple[N, N]]) -> list[N] | None:
    """One cycle among linked tasks of a WBS, as task ids [t0, ..., t0], or None (a compiled topological
    sort says whether there is one; only then is it searched for by task ids)."""
    links = list(links)
    if _wbs_acyclic(parent_of, links):
        return None
    edges = _split_edges(parent_of, links)
    nodes = [n for e in edges for n in e]
    cycle = find_cycle(dict.fromkeys(nodes), edges)
    if cycle is None:
        return None
    tasks = _task_path(cycle)
    return tasks if tasks[0] == tasks[-1] else [*tasks, tasks[0]]


def _wbs_acyclic(parent_of: dict[N, N | None], links: list[tuple[N, N]]) -> bool:
    """`_split_edges`' graph has no cycle: task number i is start node 2i and finish node 2i+1."""
    number: dict[N, int] = {t: i for i, t in enumerate(parent_of)}
    ends = [number.setdefault(x, len(number)) for link in links for x in link]
    kids = [(number[t], number.setdefault(p, len(number))) for t, p in parent_of.items() if p is not None]
    n = len(number)
    task = np.arange(n, dtype=np.int64)
    a, b = np.array(ends, dtype=np.int64).reshape(-1, 2).T
    child, parent = np.array(kids, dtype=np.int64).reshape(-1, 2).T
    pred = np.concatenate([2 * task, 2 * parent, 2 * child + 1, 2 * a + 1])
    succ = np.concatenate([2 * task + 1, 2 * child, 2 * parent + 1, 2 * b])
    return levels(2 * n, pred, succ) is not None


def hierarchy_loop(parent_of: dict[N, N | None]) -> list[N] | None:
    """A loop in a parent map as [t0, t1, ..., t0], or None: a compiled walk visits each task once and says
    whether there is one; only then is it named."""
    index = {t: i for i, t in enumerate(parent_of)}
    up = np.fromiter((index.get(p, -1) for p in parent_of.values()), dtype=np.int64, count=len(index))
    at = _on_a_loop(up)
    if at < 0:
        return None
    first = list(index)[at]
    loop, node = [first], parent_of[first]
    while node != first:
        loop.append(node)
        node = parent_of[node]
    return [*loop, first]


@njit(cache=True, nogil=True)
def _on_a_loop(up):  # noqa: ANN001, ANN202
    """A task on a loop of `up` (each task's parent number, -1: none), or -1; each task is walked once."""
    state = np.zeros(up.size, dtype=np.int8)  # 1: on the walk from the current start, 2: reaches no loop
    for start in range(up.size):
        i = start
        while i >= 0 and state[i] == 0:
            state[i] = 1
            i = up[i]
        if i >= 0 and state[i] == 1:
            return i
        i = start
        while i >= 0 and state[i] == 1:
            state[i] = 2
            i = up[i]
    return -1


def ancestors(parent_of: dict[N, N | None], task: N) -> list[N]:
    """The task's parent, grandparent... (bounded: stops at a task seen before)."""
    out: list[N] = []
    seen = {task}
    node = parent_of.get(task)
    while node is not None and node not in seen:
        out.append(node)
        seen.add(node)
        node = parent_of.get(node)
    return out


def children_first(ids: Iterable[N], children: Mapping[N, list[N]]) -> list[N]:
    """`ids` and everything under them in `children`, each once and after everything under it, so that a
    roll-up meets each summary after its subtasks (an explicit stack: an outline may be thousands deep)."""
    seen: set[N] = set()
    out: list[N] = []
    for root in ids:
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                out.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((k, False) for k in children.get(node, ()) if k not in seen)
    return out


def outline_order(tasks: list[Task]) -> list[Task]:
    """Tasks as an outline shows them: each summary task followed by its subtasks, in position order."""
    children: dict[str | None, list[Task]] = {}
    ids = {t.id for t in tasks}
    for t in sorted(tasks, key=lambda t: t.position):
        children.setdefault(t.parent_id if t.parent_id in ids else None, []).append(t)
    out: list[Task] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        t = stack.pop()
        out.append(t)
        stack.extend(reversed(children.get(t.id, [])))
    return out
