"""The pure graph helpers."""

import random

import pytest

from prometheus.core.graph import _split_edges, cycle_if_added, find_cycle, topological_order, wbs_find_cycle


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
