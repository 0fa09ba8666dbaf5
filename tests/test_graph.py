"""The pure graph helpers."""

import random

import pytest

from prometheus.core.graph import (
    _split_edges,
    cycle_if_added,
    find_cycle,
    hierarchy_loop,
    topological_order,
    wbs_cycle_if_moved,
    wbs_find_cycle,
)


def test_cycle_if_added_returns_the_closed_loop() -> None:
    edges = [("a", "b"), ("b", "c"), ("c", "d")]
    assert cycle_if_added(edges, ("d", "a")) == ["d", "a", "b", "c", "d"]
    assert cycle_if_added(edges, ("a", "d")) is None
    assert cycle_if_added(edges, ("c", "b")) == ["c", "b", "c"]


def test_find_cycle_and_topological_order() -> None:
    assert find_cycle("abcd", [("a", "b"), ("b", "c"), ("a", "c")]) is None
    cyc = find_cycle("abcd", [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
    assert cyc is not None and cyc[0] == cyc[-1] and set(cyc) == {"a", "b", "c"}
    order = topological_order("dcba", [("a", "b"), ("b", "c"), ("a", "c")])
    assert order.index("a") < order.index("b") < order.index("c")
    with pytest.raises(ValueError, match="cycle"):
        topological_order("ab", [("a", "b"), ("b", "a")])


def test_find_cycle_is_iterative_on_long_chains() -> None:
    n = 50_000
    edges = [(i, i + 1) for i in range(n)]
    assert find_cycle(range(n + 1), edges) is None
    assert find_cycle(range(n + 1), [*edges, (n, 0)]) == [*range(n + 1), 0]


@pytest.mark.parametrize("seed", range(200))
def test_wbs_cycles_found_as_by_a_search_of_the_split_graph(seed: int) -> None:
    """The compiled check for a WBS says 'no cycle' exactly when a search of task starts and finishes
    finds none; a cycle found names linked tasks, first and last the same."""
    rng = random.Random(seed)
    n = rng.randint(1, 12)
    parent_of: dict[str, str | None] = {}
    for i in range(n):  # parents come before their subtasks: no loop in the hierarchy
        parent_of[f"t{i}"] = f"t{rng.randrange(i)}" if i and rng.random() < 0.3 else None
    links = [(f"t{rng.randrange(n)}", f"t{rng.randrange(n)}") for _ in range(rng.randint(0, 2 * n))]
    links = [(a, b) for a, b in links if a != b]
    edges = _split_edges(parent_of, links)
    expected = find_cycle(dict.fromkeys(x for e in edges for x in e), edges)
    got = wbs_find_cycle(parent_of, links)
    assert (got is None) == (expected is None)
    if got:
        assert got[0] == got[-1] and set(got) <= set(parent_of)


@pytest.mark.parametrize("seed", range(200))
def test_a_move_closes_a_cycle_exactly_when_the_moved_wbs_has_one(seed: int) -> None:
    """From an acyclic WBS, a task moved under another closes a cycle exactly when the whole WBS then has
    one; the cycle named runs through the task, first and last the same."""
    rng = random.Random(seed)
    n = rng.randint(2, 12)
    parent_of: dict[str, str | None] = {}
    for i in range(n):
        parent_of[f"t{i}"] = f"t{rng.randrange(i)}" if i and rng.random() < 0.3 else None
    links: list[tuple[str, str]] = []
    for _ in range(rng.randint(0, 2 * n)):
        a, b = f"t{rng.randrange(n)}", f"t{rng.randrange(n)}"
        if a != b and wbs_find_cycle(parent_of, [*links, (a, b)]) is None:
            links.append((a, b))
    task = f"t{rng.randrange(1, n)}"
    parent = f"t{rng.randrange(int(task[1:]))}"  # an earlier task: never one of the task's subtasks
    moved = {**parent_of, task: parent}
    got = wbs_cycle_if_moved(moved, links, task, parent)
    assert (got is None) == (wbs_find_cycle(moved, links) is None)
    if got:
        assert got[0] == got[-1] and task in got and parent in got


@pytest.mark.parametrize("seed", range(100))
def test_hierarchy_loop_is_found_exactly_when_a_walk_up_repeats(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 30)
    parent_of = {i: (rng.randrange(n) if rng.random() < 0.8 else None) for i in range(n)}

    def loops_from(t: int) -> bool:
        seen = set()
        while t is not None and t not in seen:
            seen.add(t)
            t = parent_of[t]
        return t is not None

    got = hierarchy_loop(parent_of)
    assert (got is not None) == any(loops_from(t) for t in parent_of)
    if got:
        assert got[0] == got[-1] and all(parent_of[a] == b for a, b in zip(got, got[1:], strict=False))
