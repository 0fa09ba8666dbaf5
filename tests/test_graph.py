"""The pure graph helpers."""

import pytest

from prometheus.core.graph import cycle_if_added, find_cycle, topological_order


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
